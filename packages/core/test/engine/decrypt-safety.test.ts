import diagnostics from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import {
  Channels,
  createEngine,
  DEFAULT_DECRYPT_LIMITS,
  KeyStoreError,
  SealflowError,
  type DataKey,
  type Engine,
  type KeyStore,
} from '@sealflow/core';
import { FINAL_FRAME_OVERHEAD, REGULAR_FRAME_OVERHEAD } from '@sealflow/core/frames';
import { parseHeader } from '@sealflow/core/codecs';
import {
  caught,
  DECRYPT_APIS,
  decryptVia,
  ENCRYPT_APIS,
  encryptVia,
  layoutOf,
  patternBytes,
  rawAesStore,
  sealflowCode,
  WRAPPING_KEY,
  type FrameLayout,
} from './fixtures.js';

const FL = 64;
const PLAINTEXT = patternBytes(3 * FL + 10); // 3 regular frames and a 10-byte final frame
const CONTEXT = { tenant: 'acme', purpose: 'safety' };

interface Message {
  readonly engine: Engine;
  readonly sealed: Uint8Array;
  readonly layout: FrameLayout;
}

async function message(suite: 0x0478 | 0x0578 = 0x0478): Promise<Message> {
  const engine = createEngine({ keyStore: rawAesStore(), frameLength: FL, suite });
  const sealed = await engine.encrypt(PLAINTEXT, { context: CONTEXT });
  const bodyEnd = suite === 0x0578 ? sealed.length - footerLength(sealed) : sealed.length;
  return { engine, sealed, layout: layoutOf(engine, sealed, bodyEnd) };
}

/** Bytes of a signed message's footer (uint16 length || DER signature starting 0x30). */
function footerLength(sealed: Uint8Array): number {
  for (let length = 60; length <= 110; length++) {
    const at = sealed.length - 2 - length;
    if ((((sealed[at] ?? 0) << 8) | (sealed[at + 1] ?? 0)) === length && sealed[at + 2] === 0x30) return 2 + length;
  }
  throw new Error('no footer');
}

const join = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts));
const flip = (bytes: Uint8Array, at: number, mask = 0x01): Uint8Array => {
  const out = bytes.slice();
  out[at] = (out[at] as number) ^ mask;
  return out;
};
const frame = (m: Message, i: number): Uint8Array =>
  m.sealed.subarray(m.layout.frameOffset(i), m.layout.frameOffset(i + 1));
const headerOf = (m: Message): Uint8Array => m.sealed.subarray(0, m.layout.headerLength);
const finalOf = (m: Message): Uint8Array => m.sealed.subarray(m.layout.finalOffset);

/** Asserts every decrypt API fails on `bytes` with `code`, and none returns plaintext. */
async function expectCode(m: Message, bytes: Uint8Array, code: string, options = {}, label = ''): Promise<void> {
  for (const api of DECRYPT_APIS) {
    for (const sizes of [[bytes.length || 1], [1], [7, 13, 200]]) {
      const where = `${label} ${api} with writes of ${sizes.join('/')}`;
      const error = await caught(() => decryptVia(api, m.engine, bytes, options, sizes));
      expect(error, where).toBeInstanceOf(SealflowError);
      expect((error as SealflowError).code, where).toBe(code);
    }
  }
}

describe('decrypt accepts what encrypt wrote (the baseline every case below alters)', () => {
  it('round-trips the fixture message through every decrypt API', async () => {
    for (const suite of [0x0478, 0x0578] as const) {
      const m = await message(suite);
      expect(m.layout.regular).toBe(3);
      for (const api of DECRYPT_APIS)
        expect(Buffer.from(await decryptVia(api, m.engine, m.sealed, { expectContext: CONTEXT }))).toStrictEqual(
          Buffer.from(PLAINTEXT),
        );
    }
  });
});

describe('truncation fails with ERR_TRUNCATED', () => {
  it('empty input, a partial header, the header alone, and a cut inside any frame', async () => {
    const m = await message();
    const cuts = [
      0,
      1,
      20,
      m.layout.headerLength - 1,
      m.layout.headerLength,
      m.layout.frameOffset(1) - 1,
      m.layout.frameOffset(2) + 5,
      m.sealed.length - 1,
    ];
    for (const cut of cuts) await expectCode(m, m.sealed.subarray(0, cut), 'ERR_TRUNCATED');
  });

  it('a missing final frame, cut exactly on a frame boundary', async () => {
    const m = await message();
    for (let i = 0; i <= m.layout.regular; i++)
      await expectCode(m, m.sealed.subarray(0, m.layout.frameOffset(i)), 'ERR_TRUNCATED');
  });

  it('a signed message without its footer, or with part of its signature', async () => {
    const m = await message(0x0578);
    const bodyEnd = m.layout.finalOffset + m.layout.finalLength;
    for (const cut of [bodyEnd, bodyEnd + 1, bodyEnd + 2, m.sealed.length - 1])
      await expectCode(m, m.sealed.subarray(0, cut), 'ERR_TRUNCATED');
  });
});

describe('frames out of order fail', () => {
  it('swapped, duplicated or dropped frames fail with ERR_FRAME_SEQUENCE', async () => {
    const m = await message();
    const h = headerOf(m);
    const [f0, f1, f2] = [frame(m, 0), frame(m, 1), frame(m, 2)];
    const last = finalOf(m);
    await expectCode(m, join(h, f1, f0, f2, last), 'ERR_FRAME_SEQUENCE');
    await expectCode(m, join(h, f0, f0, f1, f2, last), 'ERR_FRAME_SEQUENCE');
    await expectCode(m, join(h, f0, f1, f1, f2, last), 'ERR_FRAME_SEQUENCE');
    await expectCode(m, join(h, f0, f2, last), 'ERR_FRAME_SEQUENCE');
    await expectCode(m, join(h, f0, f1, f2, f2, last), 'ERR_FRAME_SEQUENCE');
    await expectCode(m, join(h, f0, f1, f2, last, last), 'ERR_TRAILING_BYTES');
  });

  it('frames renumbered to look in order fail with ERR_AUTHENTICATION_FAILED (the sequence number is authenticated)', async () => {
    const m = await message();
    const renumber = (f: Uint8Array, seq: number): Uint8Array => {
      const out = f.slice();
      new DataView(out.buffer).setUint32(0, seq);
      return out;
    };
    const [f0, f1, f2] = [frame(m, 0), frame(m, 1), frame(m, 2)];
    await expectCode(
      m,
      join(headerOf(m), f0, renumber(f2, 2), renumber(f1, 3), finalOf(m)),
      'ERR_AUTHENTICATION_FAILED',
    );
    // Dropping a frame and renumbering the final frame to close the gap.
    const final = finalOf(m).slice();
    new DataView(final.buffer).setUint32(4, 3);
    await expectCode(m, join(headerOf(m), f0, f1, final), 'ERR_AUTHENTICATION_FAILED');
  });

  it('a regular frame re-labelled as the final frame fails: finality is authenticated', async () => {
    const m = await message();
    const f2 = frame(m, 2);
    // marker || seq 3 || the frame's own IV || length FL || its ciphertext || its tag
    const forged = new Uint8Array(FINAL_FRAME_OVERHEAD + FL);
    const view = new DataView(forged.buffer);
    view.setUint32(0, 0xffff_ffff);
    view.setUint32(4, 3);
    forged.set(f2.subarray(4, 16), 8);
    view.setUint32(20, FL);
    forged.set(f2.subarray(16), 24);
    await expectCode(m, join(headerOf(m), frame(m, 0), frame(m, 1), forged), 'ERR_AUTHENTICATION_FAILED');
  });

  it("frames spliced from another message under the same key fail (the message ID is in every frame's AAD)", async () => {
    const m = await message();
    const other = await m.engine.encrypt(PLAINTEXT, { context: CONTEXT, frameLength: FL });
    const o = layoutOf(m.engine, other);
    const otherFrame1 = other.subarray(o.frameOffset(1), o.frameOffset(2));
    await expectCode(
      m,
      join(headerOf(m), frame(m, 0), otherFrame1, frame(m, 2), finalOf(m)),
      'ERR_AUTHENTICATION_FAILED',
    );
  });
});

describe('altered bytes fail, with the code of the check that catches them', () => {
  it('each header field and body part has its code', async () => {
    const m = await message();
    const { headerLength } = m.layout;
    const edkCountAt = 1 + 2 + 32 + 2 + contextLength(m.sealed);
    const frameLengthAt = headerLength - 16 - 32 - 4;
    const cases: Array<[string, number, number, string]> = [
      ['version', 0, 0x01, 'ERR_UNSUPPORTED_VERSION'],
      ['suite', 2, 0x01, 'ERR_UNSUPPORTED_SUITE'],
      ['message ID', 10, 0x01, 'ERR_COMMITMENT_MISMATCH'],
      ['context value', edkCountAt - 1, 0x01, 'ERR_NO_DECRYPTABLE_KEY'],
      ['EDK ciphertext', frameLengthAt - 2, 0x01, 'ERR_NO_DECRYPTABLE_KEY'],
      ['EDK provider ID', edkCountAt + 4, 0x01, 'ERR_NO_DECRYPTABLE_KEY'],
      ['content type', frameLengthAt - 1, 0x03, 'ERR_MALFORMED_MESSAGE'],
      ['frame length', frameLengthAt + 3, 0x01, 'ERR_AUTHENTICATION_FAILED'],
      ['commitment', headerLength - 20, 0x80, 'ERR_COMMITMENT_MISMATCH'],
      ['header tag', headerLength - 1, 0x01, 'ERR_AUTHENTICATION_FAILED'],
      ['frame sequence number', m.layout.frameOffset(1) + 3, 0x01, 'ERR_FRAME_SEQUENCE'],
      ['frame IV', m.layout.frameOffset(1) + 4, 0x01, 'ERR_AUTHENTICATION_FAILED'],
      ['frame ciphertext', m.layout.frameOffset(1) + 30, 0x01, 'ERR_AUTHENTICATION_FAILED'],
      ['frame tag', m.layout.frameOffset(2) - 1, 0x01, 'ERR_AUTHENTICATION_FAILED'],
      ['final frame sequence number', m.layout.finalOffset + 7, 0x01, 'ERR_FRAME_SEQUENCE'],
      ['final frame IV', m.layout.finalOffset + 10, 0x01, 'ERR_AUTHENTICATION_FAILED'],
      ['final frame content length, shorter', m.layout.finalOffset + 23, 0x02, 'ERR_AUTHENTICATION_FAILED'],
      ['final frame content length, longer than a frame', m.layout.finalOffset + 22, 0x01, 'ERR_MALFORMED_MESSAGE'],
      ['final frame ciphertext', m.layout.finalOffset + 25, 0x01, 'ERR_AUTHENTICATION_FAILED'],
      ['final frame tag', m.sealed.length - 1, 0x01, 'ERR_AUTHENTICATION_FAILED'],
    ];
    for (const [label, at, mask, code] of cases) await expectCode(m, flip(m.sealed, at, mask), code, {}, label);
  });

  it('a signed message with an altered signature or signed byte fails with ERR_SIGNATURE_INVALID', async () => {
    const m = await message(0x0578);
    await expectCode(m, flip(m.sealed, m.sealed.length - 1), 'ERR_SIGNATURE_INVALID');
    await expectCode(m, flip(m.sealed, m.sealed.length - 10), 'ERR_SIGNATURE_INVALID');
  });

  it('every single-bit change anywhere in the message is rejected by every decrypt API, never with plaintext', async () => {
    for (const suite of [0x0478, 0x0578] as const) {
      const m = await message(suite);
      const codes = new Set<string>();
      for (let at = 0; at < m.sealed.length; at++) {
        // Every byte with two masks; the APIs and write sizes rotate so each API sees every region.
        for (const mask of [0x01, 0x80]) {
          const altered = flip(m.sealed, at, mask);
          const api = DECRYPT_APIS[(at + mask) % DECRYPT_APIS.length] as (typeof DECRYPT_APIS)[number];
          const error = await caught(() => decryptVia(api, m.engine, altered, {}, [(at % 50) + 1]));
          if (!(error instanceof SealflowError)) throw new Error(`${api}: byte ${at} mask ${mask}: ${String(error)}`);
          codes.add(error.code);
        }
      }
      expect([...codes].every((code) => code.startsWith('ERR_'))).toBe(true);
      expect(codes.has('ERR_AUTHENTICATION_FAILED')).toBe(true);
    }
  });
});

function contextLength(sealed: Uint8Array): number {
  return ((sealed[35] ?? 0) << 8) | (sealed[36] ?? 0);
}

describe('trailing bytes fail with ERR_TRAILING_BYTES', () => {
  it('one byte, a zero byte, or a whole second message after the end', async () => {
    for (const suite of [0x0478, 0x0578] as const) {
      const m = await message(suite);
      await expectCode(m, join(m.sealed, Uint8Array.of(0)), 'ERR_TRAILING_BYTES');
      await expectCode(m, join(m.sealed, Uint8Array.of(0x41)), 'ERR_TRAILING_BYTES');
      await expectCode(m, join(m.sealed, m.sealed), 'ERR_TRAILING_BYTES');
    }
  });
});

describe('keys and context', () => {
  it('a wrong wrapping key fails with ERR_NO_DECRYPTABLE_KEY, listing the store failure', async () => {
    const m = await message();
    const wrong = createEngine({ keyStore: rawAesStore(new Uint8Array(32).fill(0x5a)) });
    for (const api of DECRYPT_APIS) {
      const error = await caught(() => decryptVia(api, wrong, m.sealed));
      expect(error).toBeInstanceOf(KeyStoreError);
      expect((error as KeyStoreError).code).toBe('ERR_NO_DECRYPTABLE_KEY');
      expect((error as KeyStoreError).failures.map((f) => f.code)).toStrictEqual(['ERR_INVALID_KEY_CIPHERTEXT']);
    }
    const stranger = createEngine({ keyStore: rawAesStore(new Uint8Array(32).fill(0x5a), 'other-name') });
    const error = (await caught(() => stranger.decrypt(m.sealed))) as KeyStoreError;
    expect([error.code, error.failures.length]).toStrictEqual(['ERR_NO_DECRYPTABLE_KEY', 0]);
  });

  it('a wrong or missing expected context pair fails with ERR_CONTEXT_MISMATCH; a matching subset passes', async () => {
    const m = await message();
    await expectCode(m, m.sealed, 'ERR_CONTEXT_MISMATCH', { expectContext: { tenant: 'other' } });
    await expectCode(m, m.sealed, 'ERR_CONTEXT_MISMATCH', { expectContext: { tenant: 'acme', region: 'eu' } });
    await expectCode(m, m.sealed, 'ERR_CONTEXT_MISMATCH', { expectContext: { Tenant: 'acme' } });
    for (const api of DECRYPT_APIS) {
      expect((await decryptVia(api, m.engine, m.sealed, { expectContext: { tenant: 'acme' } })).length).toBe(
        PLAINTEXT.length,
      );
    }
  });

  it('a required (reproduced) context pair: missing fails to unwrap, a conflicting value fails with ERR_CONTEXT_MISMATCH', async () => {
    const engine = createEngine({ keyStore: rawAesStore(), frameLength: FL });
    const sealed = await engine.encrypt(PLAINTEXT, { context: CONTEXT, requiredContextKeys: ['tenant'] });
    const m: Message = { engine, sealed, layout: layoutOf(engine, sealed) };
    expect(engine.inspect(sealed).context).toStrictEqual({ purpose: 'safety' });
    await expectCode(m, sealed, 'ERR_NO_DECRYPTABLE_KEY');
    await expectCode(m, sealed, 'ERR_NO_DECRYPTABLE_KEY', { reproducedContext: { tenant: 'other' } });
    await expectCode(m, sealed, 'ERR_CONTEXT_MISMATCH', { reproducedContext: { tenant: 'acme', purpose: 'other' } });
    const { plaintext, context } = await engine.decrypt(sealed, {
      reproducedContext: { tenant: 'acme' },
      expectContext: CONTEXT,
    });
    expect([plaintext.length, context]).toStrictEqual([PLAINTEXT.length, CONTEXT]);
  });

  it('an EDK that unwraps to another data key fails with ERR_COMMITMENT_MISMATCH before the header tag is tried', async () => {
    const m = await message();
    const store = rawAesStore();
    const parsed = parseHeader(m.sealed, { limits: DEFAULT_DECRYPT_LIMITS });
    if (!('header' in parsed)) throw new Error('header expected');
    const edk = parsed.header.encryptedDataKeys[0];
    if (edk === undefined) throw new Error('EDK expected');
    const other = await store.generateDataKey({ context: CONTEXT, length: 32 });
    const forged = m.sealed.slice();
    // Same store, same context, same sizes: only the wrapped key (and its IV) differ.
    forged.set(other.encryptedDataKey.providerInfo, edk.providerInfo.byteOffset);
    forged.set(other.encryptedDataKey.ciphertext, edk.ciphertext.byteOffset);
    await expectCode(m, forged, 'ERR_COMMITMENT_MISMATCH');
  });
});

describe('encrypt refuses reserved context keys', () => {
  it('every encrypt API fails with ERR_RESERVED_CONTEXT_KEY for aws-crypto- keys, and writes nothing', async () => {
    const engine = createEngine({ keyStore: rawAesStore() });
    for (const api of ENCRYPT_APIS) {
      for (const key of ['aws-crypto-public-key', 'aws-crypto-', 'aws-crypto-x']) {
        expect(
          await sealflowCode(() => encryptVia(api, engine, patternBytes(10), { context: { [key]: 'v', ok: 'v' } })),
        ).toBe('ERR_RESERVED_CONTEXT_KEY');
      }
    }
    expect(engine.stats().keyStoreCalls.generate).toBe(0);
    // Near misses are ordinary keys.
    const sealed = await engine.encrypt(patternBytes(1), {
      context: { 'aws-crypto': 'v', 'AWS-CRYPTO-x': 'v', 'x-aws-crypto-y': 'v' },
    });
    expect(Object.keys(engine.inspect(sealed).context)).toHaveLength(3);
  });
});

describe('sizes used above', () => {
  it('the fixture layout is what the format says: header + 3 x (32 + FL) + (40 + 10)', async () => {
    const m = await message();
    expect(m.sealed.length).toBe(m.layout.headerLength + 3 * (REGULAR_FRAME_OVERHEAD + FL) + FINAL_FRAME_OVERHEAD + 10);
  });
});

describe('data keys are wiped after use, on success and on failure', () => {
  /** A RawAesKeyStore that keeps every DataKey it hands out, to check they were destroyed. */
  function recording(): { store: KeyStore; handed: DataKey[] } {
    const inner = rawAesStore();
    const handed: DataKey[] = [];
    const store: KeyStore = {
      id: inner.id,
      canUnwrap: (edk) => inner.canUnwrap(edk),
      generateDataKey: async (request) => {
        const generated = await inner.generateDataKey(request);
        handed.push(generated.dataKey);
        return generated;
      },
      wrapDataKey: (key, request) => inner.wrapDataKey(key, request),
      unwrapDataKey: async (edk, request) => {
        const key = await inner.unwrapDataKey(edk, request);
        handed.push(key);
        return key;
      },
    };
    return { store, handed };
  }

  it('encrypt and decrypt destroy every data key the store handed out', async () => {
    const { store, handed } = recording();
    const engine = createEngine({ keyStore: store, frameLength: FL });
    for (const api of ENCRYPT_APIS) {
      const sealed = await encryptVia(api, engine, PLAINTEXT, { context: CONTEXT });
      for (const decryptApi of DECRYPT_APIS) await decryptVia(decryptApi, engine, sealed);
    }
    expect(handed).toHaveLength(ENCRYPT_APIS.length * (1 + DECRYPT_APIS.length));
    expect(handed.every((key) => key.destroyed)).toBe(true);
  });

  it('a commitment mismatch, a bad header tag or a bad frame still destroys the unwrapped key', async () => {
    const { store, handed } = recording();
    const engine = createEngine({ keyStore: store, frameLength: FL });
    const sealed = await engine.encrypt(PLAINTEXT, { context: CONTEXT });
    const layout = layoutOf(engine, sealed);
    for (const at of [layout.headerLength - 20, layout.headerLength - 1, layout.frameOffset(1) + 40]) {
      for (const api of DECRYPT_APIS) await caught(() => decryptVia(api, engine, flip(sealed, at)));
    }
    expect(handed.length).toBe(1 + 3 * DECRYPT_APIS.length);
    expect(handed.every((key) => key.destroyed)).toBe(true);
  });
});

describe('events carry no secrets', () => {
  it('no channel payload holds plaintext, data key or wrapping key bytes, on success or failure', async () => {
    const payloads: string[] = [];
    const listener = (message: unknown): void => void payloads.push(JSON.stringify(message));
    const names = Object.values(Channels);
    for (const name of names) diagnostics.subscribe(name, listener);
    try {
      const m = await message();
      await m.engine.decrypt(m.sealed);
      await caught(() => m.engine.decrypt(flip(m.sealed, m.layout.frameOffset(0) + 30)));
      await caught(() => createEngine({ keyStore: rawAesStore(new Uint8Array(32).fill(3)) }).decrypt(m.sealed));
    } finally {
      for (const name of names) diagnostics.unsubscribe(name, listener);
    }
    expect(payloads.length).toBeGreaterThan(3);
    const text = payloads.join('\n');
    const needles = [PLAINTEXT.subarray(0, 16), PLAINTEXT.subarray(100, 116), WRAPPING_KEY, new Uint8Array(32).fill(3)];
    for (const needle of needles) {
      expect(text).not.toContain(Buffer.from(needle).toString('hex'));
      expect(text).not.toContain(Buffer.from(needle).toString('base64'));
    }
  });
});
