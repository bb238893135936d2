// Any single-byte change, truncation, extension, insertion or deletion of a ciphertext is
// rejected with a SealflowError: never wrong plaintext, never another kind of error.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngine, SealflowError, type Engine } from '@sealflow/core';
import { nobleBackend } from '@sealflow/core/noble';
import {
  DECRYPT_APIS,
  decryptVia,
  encryptVia,
  patternBytes,
  rawAesStore,
} from '../../packages/core/test/engine/fixtures.js';

interface Sealed {
  readonly engine: Engine;
  readonly plaintext: Uint8Array;
  readonly sealed: Uint8Array;
}

const engines = {
  unsigned: createEngine({ keyStore: rawAesStore() }),
  signed: createEngine({ keyStore: rawAesStore(), suite: 0x0578 }),
  'unsigned, noble backend': createEngine({ keyStore: rawAesStore(), backend: nobleBackend }),
  'signed, noble backend': createEngine({ keyStore: rawAesStore(), suite: 0x0578, backend: nobleBackend }),
};

const sealedArbitrary: fc.Arbitrary<Promise<Sealed>> = fc
  .record({
    suite: fc.constantFrom(...(Object.keys(engines) as Array<keyof typeof engines>)),
    fl: fc.integer({ min: 1, max: 96 }),
    frames: fc.integer({ min: 0, max: 4 }),
    extra: fc.integer({ min: 0, max: 2 }),
    streamed: fc.boolean(),
    context: fc.dictionary(
      fc.string({ maxLength: 6 }).filter((k) => !k.startsWith('aws-crypto-')),
      fc.string({ maxLength: 6 }),
      { maxKeys: 3 },
    ),
  })
  .map(async ({ suite, fl, frames, extra, streamed, context }) => {
    const engine = engines[suite];
    const plaintext = patternBytes(frames * fl + extra, fl);
    const sealed = await encryptVia(
      streamed ? 'encryptStream' : 'encrypt',
      engine,
      plaintext,
      { frameLength: fl, context },
      [fl + 3],
    );
    return { engine, plaintext, sealed };
  });

/** Decrypts `bytes` through `api` and asserts a SealflowError; anything else fails the property. */
async function rejected(
  engine: Engine,
  bytes: Uint8Array,
  api: (typeof DECRYPT_APIS)[number],
  write: number,
): Promise<SealflowError> {
  let result: Uint8Array | undefined;
  try {
    result = await decryptVia(api, engine, bytes, {}, [write]);
  } catch (error) {
    if (error instanceof SealflowError) return error;
    throw new Error(`${api} failed with a non-sealflow error: ${String(error)}`, { cause: error });
  }
  throw new Error(`${api} accepted an altered message (${result.length} plaintext bytes)`);
}

const api = fc.constantFrom(...DECRYPT_APIS);
const write = fc.integer({ min: 1, max: 200 });

describe('altered ciphertexts are rejected with a SealflowError', () => {
  it('any single-byte change', async () => {
    await fc.assert(
      fc.asyncProperty(
        sealedArbitrary,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        api,
        write,
        async (pending, position, mask, which, size) => {
          const { engine, sealed } = await pending;
          const altered = sealed.slice();
          const at = position % sealed.length;
          altered[at] = (altered[at] as number) ^ mask;
          await rejected(engine, altered, which, size);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('any truncation, with ERR_TRUNCATED', async () => {
    await fc.assert(
      fc.asyncProperty(sealedArbitrary, fc.nat(), api, write, async (pending, cut, which, size) => {
        const { engine, sealed } = await pending;
        const length = cut % sealed.length;
        const error = await rejected(engine, sealed.subarray(0, length), which, size);
        expect(error.code).toBe('ERR_TRUNCATED');
      }),
      { numRuns: 300 },
    );
  });

  it('any extension, with ERR_TRAILING_BYTES', async () => {
    await fc.assert(
      fc.asyncProperty(
        sealedArbitrary,
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        api,
        write,
        async (pending, extra, which, size) => {
          const { engine, sealed } = await pending;
          const error = await rejected(engine, Uint8Array.from(Buffer.concat([sealed, extra])), which, size);
          expect(error.code).toBe('ERR_TRAILING_BYTES');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('any inserted or deleted byte', async () => {
    await fc.assert(
      fc.asyncProperty(
        sealedArbitrary,
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        fc.boolean(),
        api,
        write,
        async (pending, position, value, insert, which, size) => {
          const { engine, sealed } = await pending;
          const at = position % sealed.length;
          const altered = insert
            ? Uint8Array.from(Buffer.concat([sealed.subarray(0, at), Uint8Array.of(value), sealed.subarray(at)]))
            : Uint8Array.from(Buffer.concat([sealed.subarray(0, at), sealed.subarray(at + 1)]));
          await rejected(engine, altered, which, size);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('random bytes, and random bytes after a valid header, never crash the decryptor', async () => {
    await fc.assert(
      fc.asyncProperty(
        sealedArbitrary,
        fc.uint8Array({ maxLength: 400 }),
        fc.boolean(),
        api,
        write,
        async (pending, noise, afterHeader, which, size) => {
          const { engine, sealed } = await pending;
          const header = sealed.subarray(0, engine.inspect(sealed).headerLength);
          const bytes = afterHeader ? Uint8Array.from(Buffer.concat([header, noise])) : noise;
          await rejected(engine, bytes, which, size);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the unaltered messages of the same generator decrypt (the properties above are not vacuous)', async () => {
    await fc.assert(
      fc.asyncProperty(sealedArbitrary, api, write, async (pending, which, size) => {
        const { engine, sealed, plaintext } = await pending;
        expect(Buffer.from(await decryptVia(which, engine, sealed, {}, [size])).equals(Buffer.from(plaintext))).toBe(
          true,
        );
      }),
      { numRuns: 100 },
    );
  });
});
