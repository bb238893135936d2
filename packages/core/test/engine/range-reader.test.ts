import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngine, SealflowError, type Engine, type RandomAccessSource } from '@sealflow/core';
import { FINAL_FRAME_OVERHEAD, REGULAR_FRAME_OVERHEAD } from '@sealflow/core/frames';
import {
  caught,
  layoutOf,
  patternBytes,
  rawAesStore,
  sealflowCode,
  throughNode,
  type FrameLayout,
} from './fixtures.js';

const HEADER_PROBE = 4096; // range-reader.ts reads the header with one probe of up to 4 KiB

interface Read {
  readonly position: number;
  readonly length: number;
}

/** A `{ size, read }` source over `bytes` that records every read. */
function counting(bytes: Uint8Array, size = bytes.length): RandomAccessSource & { readonly reads: Read[] } {
  const reads: Read[] = [];
  return {
    size,
    reads,
    async read(position, length) {
      reads.push({ position, length });
      return bytes.slice(position, position + length);
    },
  };
}

type Shape = 'full' | 'empty';

interface Sample {
  readonly engine: Engine;
  readonly plaintext: Uint8Array;
  readonly sealed: Uint8Array;
  readonly layout: FrameLayout;
}

/**
 * A message of `length` bytes in frames of `fl`. `full`: one-shot encrypt (the last block is
 * a full final frame). `empty`: a stream without plaintextLength (a length that is a multiple
 * of the frame length ends with an empty final frame).
 */
async function sample(
  length: number,
  fl: number,
  shape: Shape,
  engine = createEngine({ keyStore: rawAesStore() }),
): Promise<Sample> {
  const plaintext = patternBytes(length, length);
  const sealed =
    shape === 'full'
      ? await engine.encrypt(plaintext, { frameLength: fl })
      : await throughNode(engine.encryptStream({ frameLength: fl }), plaintext.length === 0 ? [] : [plaintext]);
  return { engine, plaintext, sealed, layout: layoutOf(engine, sealed) };
}

const equal = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

describe('decryptRange matches decrypt(...).subarray(start, end)', () => {
  it('for random sizes, frame lengths, both final-frame shapes and random ranges (fast-check)', async () => {
    const engine = createEngine({ keyStore: rawAesStore() });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 80 }),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: -1, max: 1 }),
        fc.constantFrom<Shape>('full', 'empty'),
        fc.nat(),
        fc.nat(),
        async (fl, frames, delta, shape, a, b) => {
          const length = Math.max(0, frames * fl + delta);
          const s = await sample(length, fl, shape, engine);
          const whole = (await engine.decrypt(s.sealed)).plaintext;
          const start = a % (length + 1);
          const end = start + (b % (length - start + 3)); // may run past the end: clamped
          const slice = await engine.decryptRange(s.sealed, { start, end });
          expect(equal(slice, whole.subarray(start, end))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('for empty ranges anywhere, ranges crossing frames and ranges touching the final frame', async () => {
    for (const shape of ['full', 'empty'] as const) {
      const fl = 16;
      const s = await sample(4 * fl, fl, shape);
      const n = s.plaintext.length;
      const ranges: Array<[number, number]> = [
        [0, 0],
        [7, 7],
        [n, n],
        [0, n],
        [fl - 1, fl + 1],
        [fl, 2 * fl],
        [1, 3 * fl + 1],
        [n - 1, n],
        [3 * fl, n],
        [3 * fl - 1, n + 100],
        [n - fl - 1, n - fl + 1],
      ];
      for (const [start, end] of ranges) {
        expect(
          equal(await s.engine.decryptRange(s.sealed, { start, end }), s.plaintext.subarray(start, end)),
          `${shape} [${start}, ${end})`,
        ).toBe(true);
      }
    }
  });

  it('an empty message: every range is empty, and a start past the end is ERR_RANGE_NOT_SATISFIABLE', async () => {
    const s = await sample(0, 32, 'full');
    expect((await s.engine.decryptRange(s.sealed, { start: 0, end: 10 })).length).toBe(0);
    expect(await sealflowCode(() => s.engine.decryptRange(s.sealed, { start: 1, end: 2 }))).toBe(
      'ERR_RANGE_NOT_SATISFIABLE',
    );
  });

  it('a verified range read counts as one message decrypted, its returned bytes as bytes decrypted', async () => {
    const s = await sample(100, 32, 'full');
    const before = s.engine.stats();
    await s.engine.decryptRange(s.sealed, { start: 10, end: 50 });
    await s.engine.decryptRange(s.sealed, { start: 20, end: 20 });
    const after = s.engine.stats();
    expect(after.messagesDecrypted - before.messagesDecrypted).toBe(2);
    expect(after.bytesDecrypted - before.bytesDecrypted).toBe(40);
  });

  it('a start past the plaintext is ERR_RANGE_NOT_SATISFIABLE; a start at its end gives empty bytes', async () => {
    const s = await sample(100, 32, 'full');
    expect(await sealflowCode(() => s.engine.decryptRange(s.sealed, { start: 101, end: 200 }))).toBe(
      'ERR_RANGE_NOT_SATISFIABLE',
    );
    expect((await s.engine.decryptRange(s.sealed, { start: 100, end: 200 })).length).toBe(0);
  });

  it('signed messages (0x0578) give the same bytes, decrypted whole and verified', async () => {
    const engine = createEngine({ keyStore: rawAesStore(), suite: 0x0578 });
    const s = await sample(200, 32, 'full', engine);
    for (const [start, end] of [
      [0, 200],
      [31, 65],
      [199, 200],
      [5, 5],
      [150, 1000],
      [200, 300],
    ] as const) {
      expect(equal(await engine.decryptRange(s.sealed, { start, end }), s.plaintext.subarray(start, end))).toBe(true);
    }
    expect(await sealflowCode(() => engine.decryptRange(s.sealed, { start: 201, end: 300 }))).toBe(
      'ERR_RANGE_NOT_SATISFIABLE',
    );
    const tampered = s.sealed.slice();
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 1;
    expect(await sealflowCode(() => engine.decryptRange(tampered, { start: 0, end: 1 }))).toBe('ERR_SIGNATURE_INVALID');
  });
});

describe('decryptRange reads only what it needs', () => {
  /** The reads a range needs after the header: the final frame, then the covering regular frames in one read. */
  function expectedBodyReads(layout: FrameLayout, size: number, start: number, end: number): Read[] {
    const fl = layout.frameLength;
    const unit = REGULAR_FRAME_OVERHEAD + fl;
    const plaintextSize = layout.regular * fl + layout.finalContent;
    const reads: Read[] = [{ position: layout.finalOffset, length: size - layout.finalOffset }];
    const to = Math.min(end, plaintextSize);
    if (start < to) {
      const first = Math.floor(start / fl);
      const last = Math.min(Math.floor((to - 1) / fl), layout.regular - 1);
      if (first <= last) reads.push({ position: layout.frameOffset(first), length: (last - first + 1) * unit });
    }
    return reads;
  }

  it('reads the header probe, the final frame and the covering frames, and nothing else (fast-check)', async () => {
    const engine = createEngine({ keyStore: rawAesStore() });
    // Frames large enough that the 4 KiB header probe cannot hide frame reads.
    const messages = await Promise.all([
      sample(20 * 4096 + 123, 4096, 'full', engine),
      sample(20 * 4096, 4096, 'full', engine),
      sample(20 * 4096, 4096, 'empty', engine),
      sample(9 * 5000 + 1, 5000, 'empty', engine),
    ]);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...messages), fc.nat(), fc.nat(), async (s, a, b) => {
        const n = s.plaintext.length;
        const start = a % (n + 1);
        const end = start + (b % (n - start + 10));
        const source = counting(s.sealed);
        const slice = await engine.decryptRange(source, { start, end });
        expect(equal(slice, s.plaintext.subarray(start, end))).toBe(true);
        const [probe, ...body] = source.reads;
        expect(probe).toStrictEqual({ position: 0, length: Math.min(s.sealed.length, HEADER_PROBE) });
        expect(body).toStrictEqual(expectedBodyReads(s.layout, s.sealed.length, start, end));
        // Byte count: never a frame outside the range (beyond the header probe).
        const bytes = source.reads.reduce((sum, r) => sum + r.length, 0);
        const covering = body.slice(1).reduce((sum, r) => sum + r.length, 0);
        expect(bytes).toBe(HEADER_PROBE + (FINAL_FRAME_OVERHEAD + s.layout.finalContent) + covering);
      }),
      { numRuns: 200 },
    );
  });

  it('a one-byte range in the middle of a 1,000-frame message reads three times and about one frame', async () => {
    const engine = createEngine({ keyStore: rawAesStore() });
    const s = await sample(1000 * 4096, 4096, 'full', engine);
    const source = counting(s.sealed);
    const slice = await engine.decryptRange(source, { start: 500 * 4096 + 7, end: 500 * 4096 + 8 });
    expect(slice).toStrictEqual(s.plaintext.subarray(500 * 4096 + 7, 500 * 4096 + 8));
    expect(source.reads).toHaveLength(3);
    expect(source.reads.reduce((sum, r) => sum + r.length, 0)).toBeLessThan(HEADER_PROBE + 2 * (4096 + 40));
  });

  it('a header longer than the probe is read by asking exactly for what the parser needs', async () => {
    const engine = createEngine({ keyStore: rawAesStore() });
    const context = { big: 'x'.repeat(6000) };
    const plaintext = patternBytes(50_000);
    const sealed = await engine.encrypt(plaintext, { context, frameLength: 4096 });
    const headerLength = engine.inspect(sealed).headerLength;
    expect(headerLength).toBeGreaterThan(HEADER_PROBE);
    const source = counting(sealed);
    expect(
      equal(await engine.decryptRange(source, { start: 10_000, end: 10_001 }), plaintext.subarray(10_000, 10_001)),
    ).toBe(true);
    const headerReads = source.reads.slice(0, -2);
    expect(headerReads[0]).toStrictEqual({ position: 0, length: HEADER_PROBE });
    for (const [i, read] of headerReads.entries())
      if (i > 0)
        expect(read.position).toBe((headerReads[i - 1] as Read).position + (headerReads[i - 1] as Read).length);
    const headerBytes = headerReads.reduce((sum, r) => sum + r.length, 0);
    expect(headerBytes).toBe(headerLength);
  });
});

describe('decryptRange verifies what it reads', () => {
  async function tamperedAt(s: Sample, offset: number): Promise<Uint8Array> {
    const out = s.sealed.slice();
    out[offset] = (out[offset] as number) ^ 0x04;
    return out;
  }

  it('a tampered frame inside the range fails with ERR_AUTHENTICATION_FAILED; outside the range it is never read', async () => {
    const s = await sample(10 * 64 + 5, 64, 'full');
    const tampered = await tamperedAt(s, s.layout.frameOffset(4) + 50);
    for (const [start, end] of [
      [4 * 64, 4 * 64 + 1],
      [3 * 64 + 60, 4 * 64 + 4],
      [0, 10 * 64 + 5],
      [4 * 64 + 63, 5 * 64 + 1],
    ] as const) {
      expect(await sealflowCode(() => s.engine.decryptRange(tampered, { start, end }))).toBe(
        'ERR_AUTHENTICATION_FAILED',
      );
    }
    // Outside the range: the frame is not read, so it is not judged; the bytes returned are verified ones.
    expect(
      equal(await s.engine.decryptRange(tampered, { start: 0, end: 4 * 64 }), s.plaintext.subarray(0, 4 * 64)),
    ).toBe(true);
    expect(
      equal(await s.engine.decryptRange(tampered, { start: 5 * 64, end: 10 * 64 + 5 }), s.plaintext.subarray(5 * 64)),
    ).toBe(true);
  });

  it('a tampered final frame or header fails every range, even an empty one', async () => {
    const s = await sample(10 * 64 + 5, 64, 'full');
    for (const offset of [s.sealed.length - 1, s.layout.finalOffset + 10, s.layout.headerLength - 1]) {
      const tampered = await tamperedAt(s, offset);
      for (const [start, end] of [
        [0, 1],
        [5, 5],
        [100, 200],
      ] as const) {
        expect(await sealflowCode(() => s.engine.decryptRange(tampered, { start, end }))).toBe(
          'ERR_AUTHENTICATION_FAILED',
        );
      }
    }
  });

  it('a truncated source fails, including one cut exactly before the final frame or inside it (fast-check)', async () => {
    const messages = await Promise.all([
      sample(10 * 64 + 5, 64, 'full'),
      sample(10 * 64, 64, 'empty'),
      sample(10 * 64, 64, 'full'),
    ]);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...messages), fc.integer({ min: 1, max: 800 }), fc.nat(), async (s, cut, a) => {
        fc.pre(cut < s.sealed.length);
        const bytes = s.sealed.subarray(0, s.sealed.length - cut);
        const start = a % (s.plaintext.length + 1);
        const error = await caught(() => s.engine.decryptRange(bytes, { start, end: start + 10 }));
        expect(error).toBeInstanceOf(SealflowError);
      }),
      { numRuns: 300 },
    );
    // The exact frame boundaries: without its final frame the message must not pass for a shorter one.
    for (const s of messages) {
      for (let i = 1; i <= s.layout.regular; i++) {
        const error = await caught(() =>
          s.engine.decryptRange(s.sealed.subarray(0, s.layout.frameOffset(i)), { start: 0, end: 1 }),
        );
        expect(error, `cut before frame ${i}`).toBeInstanceOf(SealflowError);
      }
    }
  });

  it('an extended source fails: extra bytes, a duplicated final frame, a sealed message appended (fast-check)', async () => {
    const s = await sample(10 * 64 + 5, 64, 'full');
    const final = s.sealed.subarray(s.layout.finalOffset);
    for (const extra of [Uint8Array.of(0), new Uint8Array(REGULAR_FRAME_OVERHEAD + 64), final, s.sealed]) {
      const bytes = Uint8Array.from(Buffer.concat([s.sealed, extra]));
      expect(await caught(() => s.engine.decryptRange(bytes, { start: 0, end: 1 }))).toBeInstanceOf(SealflowError);
    }
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.nat(), async (extra, a) => {
        const bytes = Uint8Array.from(Buffer.concat([s.sealed, extra]));
        const start = a % s.plaintext.length;
        expect(await caught(() => s.engine.decryptRange(bytes, { start, end: start + 1 }))).toBeInstanceOf(
          SealflowError,
        );
      }),
      { numRuns: 200 },
    );
  });

  it('a source whose read returns fewer bytes than asked fails with ERR_TRUNCATED', async () => {
    const s = await sample(10 * 64, 64, 'full');
    const short: RandomAccessSource = {
      size: s.sealed.length,
      read: async (p, l) => s.sealed.slice(p, p + Math.max(0, l - 1)),
    };
    expect(await sealflowCode(() => s.engine.decryptRange(short, { start: 0, end: 100 }))).toBe('ERR_TRUNCATED');
  });
});
