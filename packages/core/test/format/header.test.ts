import { describe, expect, it } from 'vitest';
import {
  createEngine,
  DEFAULT_DECRYPT_LIMITS,
  LimitExceededError,
  SealflowError,
  type DecryptLimits,
  type Engine,
} from '@sealflow/core';
import { parseHeader, serializeHeaderBody } from '@sealflow/core/codecs';
import { caught, patternBytes, rawAesStore } from '../engine/fixtures.js';

// Hand-built v2 headers: the hostile ones cannot come from our encryptor.
const u16 = (n: number): number[] => [(n >>> 8) & 0xff, n & 0xff];
const u32 = (n: number): number[] => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

/** Fields 1-6 of a v2 header: version, suite, message ID, context length (+ context), EDK count. */
function headerStart({ suite = 0x0478, contextLength = 0, context = [] as number[], edkCount = 1 } = {}): number[] {
  return [2, ...u16(suite), ...new Array<number>(32).fill(0x11), ...u16(contextLength), ...context, ...u16(edkCount)];
}
const oneEdk = (): number[] => [...u16(2), 0x6e, 0x73, ...u16(1), 0x6b, ...u16(3), 1, 2, 3];
/** Fields 8-9: framed content and a frame length. */
const framing = (frameLength: number): number[] => [2, ...u32(frameLength)];

const options = (limits: Partial<DecryptLimits> = {}) => ({
  limits: { ...DEFAULT_DECRYPT_LIMITS, ...limits },
});

function limitError(fn: () => unknown): LimitExceededError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(LimitExceededError);
  return thrown as LimitExceededError;
}

/**
 * Heap growth (array buffers + JS heap) while `fn` runs: the least of several runs after an
 * untimed one. An allocation `fn` makes shows in every run; what the first run compiles and
 * what the collector does meanwhile (both can add hundreds of KiB) does not.
 */
function allocatedDuring(fn: () => void): number {
  fn();
  let least = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 5; run++) {
    const before = process.memoryUsage();
    fn();
    const after = process.memoryUsage();
    least = Math.min(least, after.arrayBuffers - before.arrayBuffers + (after.heapUsed - before.heapUsed));
  }
  return least;
}

/** Writes `bytes` into a fresh decryptStream without ending it; resolves to the stream's error. */
function streamError(engine: Engine, bytes: Uint8Array): Promise<unknown> {
  return new Promise((resolve) => {
    const stream = engine.decryptStream();
    stream.on('error', resolve);
    stream.on('data', () => resolve(new Error('unexpected data')));
    stream.write(bytes);
    // Deliberately no end(): the error must come from the bytes seen so far.
  });
}

describe('malicious headers are refused with ERR_LIMIT_EXCEEDED before what they declare exists', () => {
  it('65,535 EDKs: refused from the count field alone (39 bytes), long before 65,535 entries could arrive', () => {
    const start = Uint8Array.from(headerStart({ edkCount: 0xffff }));
    expect(start.length).toBe(39);
    const error = limitError(() => parseHeader(start, options()));
    expect([error.code, error.limit, error.max, error.actual]).toStrictEqual([
      'ERR_LIMIT_EXCEEDED',
      'maxEncryptedDataKeys',
      10,
      0xffff,
    ]);
    // Raising the limit does not make it unbounded: every declared length is capped by maxHeaderBytes.
    expect(parseHeader(start, options({ maxEncryptedDataKeys: 0xffff }))).toStrictEqual({ need: 41 });
  });

  it('65,535 EDKs of 3 x 65,535 bytes each: maxHeaderBytes stops the stream at about 1 MiB, not ~12 GiB', async () => {
    const engine = createEngine({ keyStore: rawAesStore(), limits: { maxEncryptedDataKeys: 0xffff } });
    const stream = engine.decryptStream();
    const errored = new Promise<unknown>((resolve) => stream.on('error', resolve));
    const field = new Uint8Array(2 + 0xffff);
    field.set(u16(0xffff));
    field.fill(0x61, 2); // valid UTF-8 provider IDs: only the length can stop it
    stream.write(Uint8Array.from(headerStart({ edkCount: 0xffff })));
    let written = 39;
    let error: unknown;
    void errored.then((e) => (error = e));
    while (error === undefined && written < 4 * 1024 * 1024) {
      await new Promise<void>((resolve) => stream.write(field, () => resolve()));
      written += field.length;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(error).toBeInstanceOf(LimitExceededError);
    expect((error as LimitExceededError).limit).toBe('maxHeaderBytes');
    // The cap was hit in the write whose length field declared the crossing: everything
    // before that write fitted in 1 MiB, and the declared bytes were never waited for.
    expect(written - field.length).toBeLessThanOrEqual(DEFAULT_DECRYPT_LIMITS.maxHeaderBytes);
    expect((error as LimitExceededError).actual).toBeGreaterThan(DEFAULT_DECRYPT_LIMITS.maxHeaderBytes);
  });

  it('a frame length of 2^32-1: refused from the frame-length field, before the commitment and tag arrive', () => {
    const bytes = Uint8Array.from([...headerStart(), ...oneEdk(), ...framing(0xffff_ffff)]);
    const error = limitError(() => parseHeader(bytes, options()));
    expect([error.limit, error.max, error.actual]).toStrictEqual(['maxFrameLength', 16 * 1024 * 1024, 0xffff_ffff]);
    // One byte over the default cap is refused; the cap itself is accepted.
    expect(
      limitError(() =>
        parseHeader(Uint8Array.from([...headerStart(), ...oneEdk(), ...framing(16 * 1024 * 1024 + 1)]), options()),
      ).limit,
    ).toBe('maxFrameLength');
    expect(
      parseHeader(Uint8Array.from([...headerStart(), ...oneEdk(), ...framing(16 * 1024 * 1024)]), options()),
    ).toHaveProperty('need');
  });

  it('a 60 KiB context: refused from its length field (37 bytes) when it exceeds the configured maxContextBytes', () => {
    const start = Uint8Array.from(headerStart({ contextLength: 60 * 1024 })).subarray(0, 37);
    const error = limitError(() => parseHeader(start, options({ maxContextBytes: 8 * 1024 })));
    expect([error.limit, error.max, error.actual]).toStrictEqual(['maxContextBytes', 8 * 1024, 60 * 1024]);
  });

  it('a 60 KiB context: refused by the default limits (maxContextBytes 16 KiB) from its length field, nothing allocated', () => {
    const start = Uint8Array.from(headerStart({ contextLength: 60 * 1024 })).subarray(0, 37);
    let error: LimitExceededError | undefined;
    const grown = allocatedDuring(() => {
      error = limitError(() => parseHeader(start, options()));
    });
    expect([error?.limit, error?.max, error?.actual]).toStrictEqual(['maxContextBytes', 16 * 1024, 60 * 1024]);
    expect(grown).toBeLessThan(60 * 1024);
  });

  it('a context up to a raised maxContextBytes (the format cap, 65,535) is waited for, not allocated up front', () => {
    const start = Uint8Array.from(headerStart({ contextLength: 60 * 1024 })).subarray(0, 37);
    let result: ReturnType<typeof parseHeader> | undefined;
    const grown = allocatedDuring(() => {
      result = parseHeader(start, options({ maxContextBytes: 0xffff }));
    });
    expect(result).toStrictEqual({ need: 37 + 60 * 1024 + 2 });
    expect(grown).toBeLessThan(60 * 1024);
  });

  it('a huge signature length: refused from the 2-byte footer length, before any signature byte arrives', async () => {
    const engine = createEngine({ keyStore: rawAesStore(), suite: 0x0578 });
    const sealed = await engine.encrypt(patternBytes(100));
    const signatureLength = findFooterLength(sealed);
    const bodyEnd = sealed.length - 2 - signatureLength;
    const hostile = Uint8Array.from([...sealed.subarray(0, bodyEnd), 0xff, 0xff]);
    const error = await streamError(engine, hostile);
    expect(error).toBeInstanceOf(LimitExceededError);
    expect([(error as LimitExceededError).limit, (error as LimitExceededError).actual]).toStrictEqual([
      'maxSignatureLength',
      0xffff,
    ]);
  });

  it('each hostile header is refused through decryptStream from its first bytes, with no end() and no key-store call', async () => {
    const cases: Array<[Uint8Array, string, Partial<DecryptLimits>]> = [
      [Uint8Array.from(headerStart({ edkCount: 0xffff })), 'maxEncryptedDataKeys', {}],
      [Uint8Array.from([...headerStart(), ...oneEdk(), ...framing(0xffff_ffff)]), 'maxFrameLength', {}],
      [
        Uint8Array.from(headerStart({ contextLength: 60 * 1024 })).subarray(0, 37),
        'maxContextBytes',
        { maxContextBytes: 8 * 1024 },
      ],
      [Uint8Array.from(headerStart({ contextLength: 60 * 1024 })).subarray(0, 37), 'maxContextBytes', {}],
    ];
    for (const [bytes, limit, limits] of cases) {
      const engine = createEngine({ keyStore: rawAesStore(), limits });
      const error = await streamError(engine, bytes);
      expect(error).toBeInstanceOf(LimitExceededError);
      expect((error as LimitExceededError).limit).toBe(limit);
      expect(engine.stats().keyStoreCalls.unwrap).toBe(0);
      expect(engine.stats().failures.decrypt).toBe(1);
    }
  });

  it('refusing a hostile header allocates nothing near what it declares', () => {
    const hostile = [
      Uint8Array.from(headerStart({ edkCount: 0xffff })),
      Uint8Array.from([...headerStart(), ...oneEdk(), ...framing(0xffff_ffff)]),
    ];
    for (const bytes of hostile) {
      const grown = allocatedDuring(() => {
        for (let i = 0; i < 100; i++) {
          try {
            parseHeader(bytes, options());
          } catch {
            // expected: LimitExceededError
          }
        }
      });
      // 100 refusals; a single allocation of the declared size would be >= 16 MiB.
      expect(grown).toBeLessThan(8 * 1024 * 1024);
    }
  });

  it('one-shot decrypt of a hostile header rejects with the limit error, never a RangeError', async () => {
    const engine = createEngine({ keyStore: rawAesStore() });
    const error = await caught(() =>
      engine.decrypt(Uint8Array.from([...headerStart(), ...oneEdk(), ...framing(0xffff_ffff)])),
    );
    expect(error).toBeInstanceOf(LimitExceededError);
  });
});

/** The footer of a signed message: uint16 length || DER signature (at most 104 bytes for P-384). */
function findFooterLength(sealed: Uint8Array): number {
  for (let length = 60; length <= 110; length++) {
    const at = sealed.length - 2 - length;
    if ((((sealed[at] ?? 0) << 8) | (sealed[at + 1] ?? 0)) === length && sealed[at + 2] === 0x30) return length;
  }
  throw new Error('no footer found');
}

describe('the need protocol', () => {
  async function headers(): Promise<Uint8Array[]> {
    const one = rawAesStore(new Uint8Array(32).fill(1), 'one');
    const two = rawAesStore(new Uint8Array(32).fill(2), 'two');
    const out: Uint8Array[] = [];
    for (const [engine, context] of [
      [createEngine({ keyStore: one }), {}],
      [createEngine({ keyStore: one }), { a: '1', Ω: 'ü', B: '' }],
      [createEngine({ keyStore: [one, two], suite: 0x0578 }), { tenant: 'x' }],
    ] as const) {
      const sealed = await engine.encrypt(patternBytes(10), { context });
      out.push(sealed.subarray(0, engine.inspect(sealed).headerLength));
    }
    return out;
  }

  it('never throws on a prefix of a valid header, asks for more than it has, and never past the header end', async () => {
    for (const header of await headers()) {
      let previous = 0;
      for (let n = 0; n < header.length; n++) {
        const result = parseHeader(header.subarray(0, n), options());
        expect(result).toHaveProperty('need');
        const need = (result as { need: number }).need;
        expect(need).toBeGreaterThan(n);
        expect(need).toBeLessThanOrEqual(header.length);
        // Monotonic: a longer prefix never asks for less.
        expect(need).toBeGreaterThanOrEqual(previous);
        previous = need;
      }
      expect(parseHeader(header, options())).toHaveProperty('header');
    }
  });

  it('following need from zero bytes reaches the header, each step reading exactly what was asked', async () => {
    for (const header of await headers()) {
      let have = 0;
      let steps = 0;
      for (;;) {
        const result = parseHeader(header.subarray(0, have), options());
        if ('header' in result) break;
        expect(result.need).toBeGreaterThan(have);
        have = result.need;
        steps++;
      }
      expect(have).toBe(header.length);
      expect(steps).toBeLessThan(40);
    }
  });

  it('ignores bytes after the header and reports the header length', async () => {
    for (const header of await headers()) {
      const result = parseHeader(Uint8Array.from([...header, 1, 2, 3]), options());
      expect('header' in result && result.header.length).toBe(header.length);
    }
  });
});

describe('parse then serialize', () => {
  it('re-serializes a parsed v2 header body to the same bytes, and keeps the raw bytes it authenticates', async () => {
    const engine = createEngine({
      keyStore: [rawAesStore(new Uint8Array(32).fill(1), 'a'), rawAesStore(new Uint8Array(32).fill(2), 'b')],
      frameLength: 4097,
    });
    const sealed = await engine.encrypt(patternBytes(5), { context: { z: '1', a: '2', é: '3' } });
    const result = parseHeader(sealed, options());
    if (!('header' in result)) throw new Error('expected a header');
    const { header } = result;
    const contextLength = ((sealed[35] ?? 0) << 8) | (sealed[36] ?? 0);
    const again = serializeHeaderBody({
      suite: header.suite,
      messageId: header.messageId,
      contextBytes: sealed.subarray(37, 37 + contextLength),
      encryptedDataKeys: header.encryptedDataKeys,
      frameLength: header.frameLength,
      commitment: header.commitment as Uint8Array,
    });
    expect(Buffer.from(again).equals(Buffer.from(header.headerBody))).toBe(true);
    expect(header.headerBody.buffer).toBe(sealed.buffer);
  });

  it('hands the suite to onSuite as soon as it is read, and stops when the hook throws', () => {
    const v1 = Uint8Array.of(1, 0x80, 0x01, 0x78);
    const seen: number[] = [];
    expect(parseHeader(v1, { ...options(), onSuite: (suite) => seen.push(suite.id) })).toHaveProperty('need');
    expect(seen).toStrictEqual([0x0178]);
    const refusal = new Error('refused by the hook');
    expect(() =>
      parseHeader(v1, {
        ...options(),
        onSuite: () => {
          throw refusal;
        },
      }),
    ).toThrow(refusal);
  });

  it('says so when the input is base64 text of a message (ERR_BASE64_INPUT)', async () => {
    const engine = createEngine({ keyStore: rawAesStore() });
    const sealed = await engine.encrypt(patternBytes(3));
    const text = new TextEncoder().encode(Buffer.from(sealed).toString('base64'));
    expect(((await caught(() => engine.decrypt(text))) as SealflowError).code).toBe('ERR_BASE64_INPUT');
  });

  it('reports base64 input as ERR_BASE64_INPUT whatever the size of the first stream chunks', async () => {
    const engine = createEngine({ keyStore: rawAesStore() });
    const text = new TextEncoder().encode(Buffer.from(await engine.encrypt(patternBytes(3))).toString('base64'));
    for (const first of [1, 2, 3]) {
      const chunks = [text.subarray(0, first), text.subarray(first)];
      const error = await caught(async () => {
        for await (const piece of engine.decryptIterable(chunks)) void piece;
      });
      expect([first, (error as SealflowError).code]).toEqual([first, 'ERR_BASE64_INPUT']);
    }
  });

  it('rejects malformed framing fields with ERR_MALFORMED_MESSAGE (zero EDKs, frame length 0, bad content type)', () => {
    const bad = [
      Uint8Array.from(headerStart({ edkCount: 0 })),
      Uint8Array.from([...headerStart(), ...oneEdk(), ...framing(0)]),
      Uint8Array.from([...headerStart(), ...oneEdk(), 3, ...u32(10)]),
      Uint8Array.from([...headerStart(), ...oneEdk(), 1, ...u32(10)]),
    ];
    for (const bytes of bad) {
      let thrown: unknown;
      try {
        parseHeader(bytes, options());
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(SealflowError);
      expect((thrown as SealflowError).code).toBe('ERR_MALFORMED_MESSAGE');
    }
  });
});
