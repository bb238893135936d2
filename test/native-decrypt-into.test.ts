// decryptInto: the one-shot plaintext written into the caller's (reused) buffer, on the
// native, node and noble backends: same plaintext as decrypt, no byte past it touched, the
// result a view of the caller's memory; signed messages, short and overlapping outputs
// refused with INVALID_ARGUMENT; a failed decrypt leaves no plaintext in the output.
import { describe, expect, it } from 'vitest';
import { createEngine, ErrorCodes, SealflowError } from '@sealflow/core';
import { createTestEngine } from '@sealflow/core/testing';
import '@sealflow/core/noble';
import '@sealflow/native';
import { layoutOf, patternBytes, rawAesStore } from '../packages/core/test/engine/fixtures.js';

/** XORs one byte of `bytes` with `mask`. */
function flip(bytes: Uint8Array, at: number, mask: number): void {
  bytes[at] = (bytes[at] ?? 0) ^ mask;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SealflowError) return error.code;
    throw error;
  }
  throw new Error('resolved');
}

describe('decryptInto', () => {
  for (const backend of ['native', 'node', 'noble'] as const) {
    it(`writes the plaintext into a reused buffer, same bytes as decrypt (${backend})`, async () => {
      const store = rawAesStore();
      const engine = createTestEngine({ keyStore: store, suite: 0x0478, frameLength: 4096, backend });
      const reused = new Uint8Array(300_000);
      for (const size of [0, 10, 4096, 100_000, 200_001]) {
        reused.fill(0xee);
        const plaintext = patternBytes(size, 8);
        const ciphertext = await engine.encrypt(plaintext, { context: { size: String(size) } });
        const result = await engine.decryptInto(ciphertext, reused);
        expect(result.plaintext.buffer).toBe(reused.buffer);
        expect(result.plaintext.byteOffset).toBe(reused.byteOffset);
        expect(Buffer.from(result.plaintext).equals(plaintext), `${size} B`).toBe(true);
        expect(result.context).toEqual({ size: String(size) });
        expect(
          reused.subarray(size).every((b) => b === 0xee),
          'nothing past the plaintext is written',
        ).toBe(true);
      }
    });
  }

  it('a tampered message fails and leaves no plaintext in the output', async () => {
    const store = rawAesStore();
    const engine = createTestEngine({ keyStore: store, suite: 0x0478, frameLength: 1000, backend: 'native' });
    const plaintext = patternBytes(30_000, 9);
    const ciphertext = await engine.encrypt(plaintext);
    const tampered = Uint8Array.from(ciphertext);
    flip(tampered, layoutOf(engine, ciphertext).frameOffset(20) + 40, 1);
    const output = new Uint8Array(40_000).fill(0xee);
    expect(await codeOf(engine.decryptInto(tampered, output))).toBe(ErrorCodes.AUTHENTICATION_FAILED);
    expect(output.subarray(0, 30_000).every((b) => b === 0)).toBe(true);
    expect(output.subarray(30_000).every((b) => b === 0xee)).toBe(true);
  });

  it('refuses a signed message, a short output and an output overlapping the ciphertext', async () => {
    const store = rawAesStore();
    const signing = createEngine({ keyStore: store, suite: 0x0578, backend: 'native' });
    const signed = await signing.encrypt(new Uint8Array(10));
    expect(await codeOf(signing.decryptInto(signed, new Uint8Array(10_000)))).toBe(ErrorCodes.INVALID_ARGUMENT);
    const engine = createEngine({ keyStore: store, suite: 0x0478, backend: 'native' });
    const ciphertext = await engine.encrypt(new Uint8Array(1000));
    expect(await codeOf(engine.decryptInto(ciphertext, new Uint8Array(999)))).toBe(ErrorCodes.INVALID_ARGUMENT);
    const shared = new Uint8Array(100_000);
    shared.set(ciphertext);
    expect(await codeOf(engine.decryptInto(shared.subarray(0, ciphertext.length), shared.subarray(500)))).toBe(
      ErrorCodes.INVALID_ARGUMENT,
    );
    // Disjoint views of one buffer are fine.
    const result = await engine.decryptInto(shared.subarray(0, ciphertext.length), shared.subarray(ciphertext.length));
    expect(result.plaintext.byteOffset).toBe(ciphertext.length);
    expect(Buffer.from(result.plaintext).equals(new Uint8Array(1000))).toBe(true);
  });
});
