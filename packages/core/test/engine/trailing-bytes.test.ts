// Issue 14.8: bytes after the end of a message are ERR_TRAILING_BYTES and a cut message is
// ERR_TRUNCATED in every decrypt API: decryptRange used to say ERR_TRUNCATED or
// ERR_MALFORMED_MESSAGE for trailing bytes (its size-derived frame layout no longer
// matched), while one-shot and stream decrypt said ERR_TRAILING_BYTES (docs/ERRORS.md).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngine, type Engine, type RandomAccessSource } from '@sealflow/core';
import { REGULAR_FRAME_OVERHEAD } from '@sealflow/core/frames';
import { DECRYPT_APIS, decryptVia, layoutOf, patternBytes, rawAesStore, sealflowCode } from './fixtures.js';

const FL = 64;

interface Message {
  readonly engine: Engine;
  readonly sealed: Uint8Array;
  readonly plaintextLength: number;
}

async function message(suite: 0x0478 | 0x0578, length = 10 * FL + 5): Promise<Message> {
  const engine = createEngine({ keyStore: rawAesStore(), frameLength: FL, suite });
  return { engine, sealed: await engine.encrypt(patternBytes(length, 3)), plaintextLength: length };
}

const randomAccess = (bytes: Uint8Array): RandomAccessSource => ({
  size: bytes.length,
  read: async (p, l) => bytes.slice(p, p + l),
});

/** The code of every decrypt API (four sequential ones, and decryptRange over bytes and over a source) for `bytes`. */
async function codes(m: Message, bytes: Uint8Array, start = 0): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const api of DECRYPT_APIS) out[api] = await sealflowCode(() => decryptVia(api, m.engine, bytes));
  out['decryptRange(bytes)'] = await sealflowCode(() => m.engine.decryptRange(bytes, { start, end: start + 1 }));
  out['decryptRange(source)'] = await sealflowCode(() =>
    m.engine.decryptRange(randomAccess(bytes), { start, end: start + 1 }),
  );
  return out;
}

const every = (code: string): Record<string, string> =>
  Object.fromEntries([...DECRYPT_APIS, 'decryptRange(bytes)', 'decryptRange(source)'].map((api) => [api, code]));

describe.each([
  ['unsigned', 0x0478],
  ['signed', 0x0578],
] as const)('the same code from every decrypt API (%s)', (_name, suite) => {
  it('bytes after the end (one byte, 16 zero bytes, a regular frame of zeros, the final frame again, the whole message again): ERR_TRAILING_BYTES', async () => {
    const m = await message(suite);
    const final = m.sealed.subarray(layoutOf(m.engine, m.sealed).finalOffset);
    for (const extra of [
      Uint8Array.of(0),
      new Uint8Array(16),
      new Uint8Array(REGULAR_FRAME_OVERHEAD + FL),
      final,
      m.sealed,
    ]) {
      const bytes = Uint8Array.from(Buffer.concat([m.sealed, extra]));
      expect(await codes(m, bytes), `${extra.length} bytes appended`).toEqual(every('ERR_TRAILING_BYTES'));
    }
  });

  it('random bytes appended, any range: ERR_TRAILING_BYTES (fast-check)', async () => {
    const m = await message(suite);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.nat(), async (extra, a) => {
        const bytes = Uint8Array.from(Buffer.concat([m.sealed, extra]));
        const start = a % m.plaintextLength;
        expect(await sealflowCode(() => m.engine.decryptRange(bytes, { start, end: start + 1 }))).toBe(
          'ERR_TRAILING_BYTES',
        );
        expect(await sealflowCode(() => decryptVia('decryptStream', m.engine, bytes))).toBe('ERR_TRAILING_BYTES');
      }),
      { numRuns: 60 },
    );
  });

  it('a message cut in its body (inside a frame, on a frame boundary, inside the final frame): ERR_TRUNCATED', async () => {
    const m = await message(suite);
    const layout = layoutOf(m.engine, m.sealed);
    for (const cut of [
      layout.frameOffset(3) + 10,
      layout.frameOffset(5),
      layout.finalOffset,
      layout.finalOffset + 20,
      m.sealed.length - 1,
    ]) {
      expect(await codes(m, m.sealed.subarray(0, cut)), `cut at ${cut}`).toEqual(every('ERR_TRUNCATED'));
    }
  });
});
