// Round trip, property-based: random sizes (weighted to frame boundaries 0, 1, F-1, F,
// F+1, 2F+k), random frame lengths and random chunkings of the input stream, through every
// encrypt API into every decrypt API, on both cipher backends and both suites.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngine, nodeBackend, type CipherBackend, type Engine } from '@sealflow/core';
import { createTestEngine } from '@sealflow/core/testing';
import { nobleBackend } from '@sealflow/core/noble';
import { REGULAR_FRAME_OVERHEAD } from '@sealflow/core/frames';
import {
  DECRYPT_APIS,
  decryptVia,
  ENCRYPT_APIS,
  encryptVia,
  fixedMaterials,
  patternBytes,
  rawAesStore,
} from '../../packages/core/test/engine/fixtures.js';

const equal = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

/** A plaintext length near a frame boundary of `fl`, or anywhere up to a few frames. */
const sizeNear = (fl: number): fc.Arbitrary<number> =>
  fc.oneof(
    fc.constantFrom(0, 1, fl - 1, fl, fl + 1),
    fc.integer({ min: 0, max: 3 }).map((k) => 2 * fl + k),
    fc.integer({ min: 2, max: 4 }).chain((n) => fc.integer({ min: -1, max: 1 }).map((d) => Math.max(0, n * fl + d))),
    fc.integer({ min: 0, max: 5 * fl }),
  );

/** Write sizes for the input stream: single bytes, odd sizes, sizes around the frame length. */
const writeSizes = (fl: number): fc.Arbitrary<readonly number[]> =>
  fc.oneof(
    fc.constant([1]),
    fc.array(fc.integer({ min: 1, max: 3 * fl + 7 }), { minLength: 1, maxLength: 6 }),
    fc.constantFrom([fl], [fl - 1 || 1], [fl + 1], [2 * fl + 3], [100_000]),
  );

interface Case {
  readonly fl: number;
  readonly length: number;
  readonly writes: readonly number[];
  readonly reads: readonly number[];
  readonly encryptApi: (typeof ENCRYPT_APIS)[number];
  readonly decryptApi: (typeof DECRYPT_APIS)[number];
  readonly knownLength: boolean;
}

const caseArbitrary: fc.Arbitrary<Case> = fc
  .oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 9, max: 300 }), fc.constantFrom(4096, 4097))
  .chain((fl) =>
    fc.record({
      fl: fc.constant(fl),
      length: sizeNear(fl),
      writes: writeSizes(fl),
      reads: writeSizes(fl),
      encryptApi: fc.constantFrom(...ENCRYPT_APIS),
      decryptApi: fc.constantFrom(...DECRYPT_APIS),
      knownLength: fc.boolean(),
    }),
  );

async function roundTrip(engine: Engine, c: Case): Promise<void> {
  const plaintext = patternBytes(c.length, c.fl);
  const options = {
    frameLength: c.fl,
    context: { fl: String(c.fl) },
    ...(c.knownLength && c.encryptApi !== 'encrypt' ? { plaintextLength: c.length } : {}),
  };
  const sealed = await encryptVia(c.encryptApi, engine, plaintext, options, c.writes);
  // Both final-frame shapes are legal; the size tells which one the encryptor chose.
  const info = engine.inspect(sealed);
  expect(info.frameLength).toBe(c.fl);
  const back = await decryptVia(c.decryptApi, engine, sealed, { expectContext: { fl: String(c.fl) } }, c.reads);
  expect(equal(back, plaintext)).toBe(true);
}

describe('round trip for random sizes, frame lengths and chunkings', () => {
  const backends: Array<[string, CipherBackend, number]> = [
    ['node', nodeBackend, 400],
    ['noble', nobleBackend, 120],
  ];
  for (const [name, backend, numRuns] of backends) {
    it(`every encrypt API into every decrypt API gives back the plaintext (suite 0x0478, ${name} backend)`, async () => {
      const engine = createEngine({ keyStore: rawAesStore(), backend });
      await fc.assert(
        fc.asyncProperty(caseArbitrary, (c) => roundTrip(engine, c)),
        { numRuns },
      );
    });
  }

  it('the same holds for the signing suite 0x0578', async () => {
    const engine = createEngine({ keyStore: rawAesStore(), suite: 0x0578 });
    await fc.assert(
      fc.asyncProperty(caseArbitrary, (c) => roundTrip(engine, c)),
      { numRuns: 120 },
    );
  });

  it('the two backends write the same bytes for the same materials, whatever the chunking', async () => {
    const store = rawAesStore();
    const fixed = await fixedMaterials(store);
    const node = createTestEngine({ keyStore: store, backend: nodeBackend });
    const noble = createTestEngine({ keyStore: store, backend: nobleBackend });
    await fc.assert(
      fc.asyncProperty(caseArbitrary, async (c) => {
        const plaintext = patternBytes(c.length);
        const options = { ...fixed, frameLength: c.fl, plaintextLength: c.length };
        const a = await encryptVia('encryptStream', node, plaintext, options, c.writes);
        const b = await encryptVia('encryptIterable', noble, plaintext, options, c.reads);
        const oneShot = await node.encrypt(plaintext, { ...fixed, frameLength: c.fl });
        expect(equal(a, b)).toBe(true);
        // A stream that knows its length writes what one-shot encrypt writes.
        expect(equal(a, oneShot)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('a stream ending on a frame boundary without plaintextLength ends with an empty final frame', async () => {
    const engine = createEngine({ keyStore: rawAesStore() });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 4 }),
        writeSizes(64),
        async (fl, n, writes) => {
          const plaintext = patternBytes(n * fl);
          const streamed = await encryptVia('encryptStream', engine, plaintext, { frameLength: fl }, writes);
          const known = await encryptVia(
            'encryptStream',
            engine,
            plaintext,
            { frameLength: fl, plaintextLength: n * fl },
            writes,
          );
          // n regular frames + an empty final frame, against n - 1 regular + a full final frame:
          // (32 + fl) + 40 - (40 + fl) = one regular frame's overhead more.
          expect(streamed.length - known.length).toBe(REGULAR_FRAME_OVERHEAD);
          expect(equal((await engine.decrypt(streamed)).plaintext, plaintext)).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });
});
