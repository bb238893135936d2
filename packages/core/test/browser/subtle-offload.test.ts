// subtleOffload (WebCrypto frames, the browser entry's default) gives exactly the engine's
// bytes, and opens what the engine wrote with the same refusals. Node has the same
// `crypto.subtle` API, so the offload runs here unchanged; test/browser/ runs it in Chromium.
import { createEngine, ErrorCodes, SealflowError, type Engine, type FrameOffload } from '@sealflow/core';
import { subtleOffload } from '@sealflow/core/browser';
import { createTestEngine } from '@sealflow/core/testing';
import { describe, expect, it } from 'vitest';
import { fixedMaterials, patternBytes, rawAesStore } from '../engine/fixtures.js';

const F = 4096;
const SIZES = [0, 1, F - 1, F, F + 1, 2 * F + 17, 5 * F];
const WRITES = [1000, F, 3 * F + 5];

async function collect(iterable: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of iterable) parts.push(part);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function* chunks(bytes: Uint8Array, size: number): Generator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SealflowError);
    return (error as SealflowError).code;
  }
  return 'resolved';
}

/** subtleOffload, counting the bodies it takes (so a test cannot pass on the engine's own path). */
function countingOffload(): { readonly offload: FrameOffload; readonly taken: { encrypt: number; decrypt: number } } {
  const inner = subtleOffload();
  const taken = { encrypt: 0, decrypt: 0 };
  const offload: FrameOffload = {
    name: inner.name,
    encryptBody: (init) => {
      const body = inner.encryptBody(init);
      if (body !== undefined) taken.encrypt++;
      return body;
    },
    decryptBody: (init) => {
      const body = inner.decryptBody(init);
      if (body !== undefined) taken.decrypt++;
      return body;
    },
  };
  return { offload, taken };
}

describe('subtleOffload', () => {
  const store = rawAesStore();
  const plain: Engine = createTestEngine({ keyStore: store, frameLength: F });
  const { offload, taken } = countingOffload();
  const subtle: Engine = createTestEngine({ keyStore: store, frameLength: F, offload });

  it('one-shot and streamed (length unknown, several write sizes) encrypts are byte-identical to the engine', async () => {
    for (const size of SIZES) {
      const input = patternBytes(size, size);
      const fixed = await fixedMaterials(store);
      const expected = await plain.encrypt(input, fixed);
      expect(Buffer.from(await subtle.encrypt(input, fixed)).equals(expected), `one-shot ${size}`).toBe(true);
      for (const write of WRITES) {
        const streamedPlain = await collect(plain.encryptIterable(chunks(input, write), fixed));
        const streamed = await collect(subtle.encryptIterable(chunks(input, write), fixed));
        expect(Buffer.from(streamed).equals(streamedPlain), `stream ${size}/${write}`).toBe(true);
        const declared = await collect(
          subtle.encryptIterable(chunks(input, write), { ...fixed, plaintextLength: size }),
        );
        expect(Buffer.from(declared).equals(expected), `declared ${size}/${write}`).toBe(true);
      }
    }
    // Known lengths of at most one frame (4 of the sizes) stay on the engine's path; every other body went to WebCrypto.
    expect(taken.encrypt).toBe(SIZES.length * WRITES.length + (SIZES.length - 4) * (1 + WRITES.length));
  });

  it('decrypts what the engine wrote, both suites, in any write size', async () => {
    for (const suite of [0x0478, 0x0578] as const) {
      const writer = createEngine({ keyStore: store, frameLength: F, suite });
      for (const size of SIZES) {
        const input = patternBytes(size, size + 1);
        const sealed = await writer.encrypt(input, { context: { s: String(size) } });
        expect(Buffer.from((await subtle.decrypt(sealed)).plaintext).equals(input)).toBe(true);
        for (const write of [7, ...WRITES]) {
          const opened = await collect(subtle.decryptIterable(chunks(sealed, write)));
          expect(Buffer.from(opened).equals(input), `${suite} ${size}/${write}`).toBe(true);
        }
      }
    }
    expect(taken.decrypt).toBeGreaterThanOrEqual(2 * SIZES.length * 4);
  });

  it('refuses an altered frame, a truncated body, trailing bytes and swapped frames', async () => {
    const writer = createEngine({ keyStore: store, frameLength: F });
    const sealed = await writer.encrypt(patternBytes(4 * F + 3));
    const headerLength = writer.inspect(sealed).headerLength;
    const altered = sealed.slice();
    altered[headerLength + 100] = (altered[headerLength + 100] as number) ^ 1;
    expect(await codeOf(collect(subtle.decryptIterable(chunks(altered, F))))).toBe(ErrorCodes.AUTHENTICATION_FAILED);
    expect(await codeOf(collect(subtle.decryptIterable([sealed.subarray(0, sealed.length - 30)])))).toBe(
      ErrorCodes.TRUNCATED,
    );
    expect(await codeOf(collect(subtle.decryptIterable([sealed.subarray(0, headerLength + 2 * (F + 32))])))).toBe(
      ErrorCodes.TRUNCATED,
    );
    const trailing = new Uint8Array(sealed.length + 1);
    trailing.set(sealed);
    expect(await codeOf(collect(subtle.decryptIterable(chunks(trailing, F))))).toBe(ErrorCodes.TRAILING_BYTES);
    const unit = F + 32;
    const swapped = sealed.slice();
    swapped.set(sealed.subarray(headerLength + unit, headerLength + 2 * unit), headerLength);
    swapped.set(sealed.subarray(headerLength, headerLength + unit), headerLength + unit);
    expect(await codeOf(collect(subtle.decryptIterable([swapped])))).toBe(ErrorCodes.FRAME_SEQUENCE);
  });

  it('a declared length the stream does not keep is refused, as without the offload', async () => {
    const input = patternBytes(3 * F);
    expect(await codeOf(collect(subtle.encryptIterable([input], { plaintextLength: 3 * F - 1 })))).toBe(
      ErrorCodes.INVALID_ARGUMENT,
    );
    expect(await codeOf(collect(subtle.encryptIterable([input], { plaintextLength: 3 * F + 1 })))).toBe(
      ErrorCodes.INVALID_ARGUMENT,
    );
  });
});
