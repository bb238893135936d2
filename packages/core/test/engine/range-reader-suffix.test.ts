import { describe, expect, it } from 'vitest';
import { createEngine, type RangeOptions } from '@sealflow/core';
import { patternBytes, rawAesStore, sealflowCode, throughNode } from './fixtures.js';

const equal = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

describe('decryptRange { suffixLength }: the last n plaintext bytes (HTTP bytes=-n)', () => {
  it('matches plaintext.subarray(size - n) around frame boundaries, for both final-frame shapes', async () => {
    const engine = createEngine({ keyStore: rawAesStore() });
    const fl = 16;
    for (const length of [0, 1, fl - 1, fl, fl + 1, 3 * fl, 3 * fl + 5]) {
      const plaintext = patternBytes(length, length);
      const full = await engine.encrypt(plaintext, { frameLength: fl });
      const streamed = await throughNode(engine.encryptStream({ frameLength: fl }), length === 0 ? [] : [plaintext]);
      for (const sealed of [full, streamed]) {
        for (const n of [1, 2, fl - 1, fl, fl + 1, 2 * fl + 3, length, length + 1, 10_000].filter((x) => x >= 1)) {
          const slice = await engine.decryptRange(sealed, { suffixLength: n });
          expect(equal(slice, plaintext.subarray(Math.max(0, length - n))), `length ${length}, suffix ${n}`).toBe(true);
        }
      }
    }
  });

  it('signed messages (0x0578), decrypted in order, keep only the last n bytes', async () => {
    const engine = createEngine({ keyStore: rawAesStore(), suite: 0x0578 });
    const fl = 64;
    const plaintext = patternBytes(10 * fl + 7, 3);
    const sealed = await engine.encrypt(plaintext, { frameLength: fl });
    for (const n of [1, 7, 8, fl, fl + 8, 5 * fl, plaintext.length, plaintext.length + 50]) {
      const slice = await engine.decryptRange(sealed, { suffixLength: n });
      expect(equal(slice, plaintext.subarray(Math.max(0, plaintext.length - n))), `suffix ${n}`).toBe(true);
    }
  });

  it('reads only the header, the final frame and the covering frames of an unsigned message', async () => {
    const engine = createEngine({ keyStore: rawAesStore() });
    const fl = 4096;
    const plaintext = patternBytes(1000 * fl + 10, 1);
    const sealed = await engine.encrypt(plaintext, { frameLength: fl });
    let bytesRead = 0;
    const source = {
      size: sealed.length,
      read: async (position: number, length: number) => {
        bytesRead += Math.min(length, sealed.length - position);
        return sealed.subarray(position, position + length);
      },
    };
    const slice = await engine.decryptRange(source, { suffixLength: 100 });
    expect(equal(slice, plaintext.subarray(plaintext.length - 100))).toBe(true);
    expect(bytesRead).toBeLessThan(4 * fl + 4096);
  });

  it.each<[string, unknown]>([
    ['zero', { suffixLength: 0 }],
    ['negative', { suffixLength: -3 }],
    ['fractional', { suffixLength: 1.5 }],
    ['a string', { suffixLength: '5' }],
    ['with start and end', { suffixLength: 5, start: 0, end: 10 }],
    ['with start', { suffixLength: 5, start: 0 }],
  ])('refuses a suffixLength that is %s with ERR_INVALID_ARGUMENT', async (_name, options) => {
    const engine = createEngine({ keyStore: rawAesStore() });
    const sealed = await engine.encrypt(patternBytes(50), { frameLength: 16 });
    expect(await sealflowCode(() => engine.decryptRange(sealed, options as RangeOptions))).toBe('ERR_INVALID_ARGUMENT');
  });
});
