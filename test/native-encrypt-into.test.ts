// encryptInto: the one-shot message written into the caller's (reused) buffer, on the
// native and node backends: same bytes as encrypt, no byte past the message touched, the
// result a view of the caller's memory; signing suites, short and overlapping outputs refused.
import { describe, expect, it } from 'vitest';
import { createEngine, ErrorCodes, SealflowError } from '@sealflow/core';
import { createTestEngine } from '@sealflow/core/testing';
import '@sealflow/native';
import { fixedMaterials, patternBytes, rawAesStore } from '../packages/core/test/engine/fixtures.js';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SealflowError) return error.code;
    throw error;
  }
  throw new Error('resolved');
}

describe('encryptInto', () => {
  for (const backend of ['native', 'node'] as const) {
    it(`writes the message into a reused buffer, same bytes as encrypt (${backend})`, async () => {
      const store = rawAesStore();
      const engine = createTestEngine({ keyStore: store, suite: 0x0478, frameLength: 4096, backend });
      const options = await fixedMaterials(store);
      const reused = new Uint8Array(300_000);
      for (const size of [0, 10, 4096, 100_000, 200_001]) {
        reused.fill(0xee);
        const plaintext = patternBytes(size, 5);
        const expected = await engine.encrypt(plaintext, options);
        const view = await engine.encryptInto(plaintext, reused, options);
        expect(view.buffer).toBe(reused.buffer);
        expect(view.byteOffset).toBe(reused.byteOffset);
        expect(Buffer.from(view).equals(expected), `${size} B`).toBe(true);
        expect(
          reused.subarray(view.length).every((b) => b === 0xee),
          'nothing past the message is written',
        ).toBe(true);
        expect(Buffer.from((await engine.decrypt(view)).plaintext).equals(plaintext)).toBe(true);
      }
    });
  }

  it('refuses a signing suite, a short output and an output overlapping the plaintext', async () => {
    const signing = createEngine({ keyStore: rawAesStore(), suite: 0x0578, backend: 'native' });
    expect(await codeOf(signing.encryptInto(new Uint8Array(10), new Uint8Array(10_000)))).toBe(
      ErrorCodes.INVALID_ARGUMENT,
    );
    const engine = createEngine({ keyStore: rawAesStore(), suite: 0x0478, backend: 'native' });
    expect(await codeOf(engine.encryptInto(new Uint8Array(1000), new Uint8Array(1000)))).toBe(
      ErrorCodes.INVALID_ARGUMENT,
    );
    const shared = new Uint8Array(100_000);
    expect(await codeOf(engine.encryptInto(shared.subarray(0, 1000), shared.subarray(500)))).toBe(
      ErrorCodes.INVALID_ARGUMENT,
    );
    // Disjoint views of one buffer are fine.
    const view = await engine.encryptInto(shared.subarray(0, 1000), shared.subarray(1000));
    expect(Buffer.from((await engine.decrypt(view)).plaintext).equals(new Uint8Array(1000))).toBe(true);
  });
});
