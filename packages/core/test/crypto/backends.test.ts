// One suite, run on both cipher backends (node:crypto and @noble), plus the proofs that
// they agree: byte-identical 0x0478 messages for fixed materials, and 0x0578 messages
// (whose signing key is random per message) that each backend opens for the other.
import { hkdfSync } from 'node:crypto';
import { p384 } from '@noble/curves/nist.js';
import { sha384 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import {
  createEngine,
  DataKey,
  ErrorCodes,
  nodeBackend,
  RawAesKeyStore,
  type CipherBackend,
  type EncryptOptions,
  type Engine,
  type EngineOptions,
} from '@sealflow/core';
import { createTestEngine, FIXED_MATERIALS } from '@sealflow/core/testing';
import { nobleBackend } from '@sealflow/core/noble';

const BACKENDS: readonly CipherBackend[] = [nodeBackend, nobleBackend];
const SUITES = [0x0478, 0x0578] as const;
const FL = 64;
const SIZES = [0, 1, FL - 1, FL, FL + 1, 2 * FL + 17];
const CONTEXT = { purpose: 'backend-suite', Bücket: 'ü' };
const hex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text.replace(/\s/g, ''), 'hex'));
const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const pattern = (n: number, seed = 1): Uint8Array => new Uint8Array(n).map((_, i) => (i * 131 + seed * 7) & 0xff);
const WRAPPING_KEY = pattern(32, 9);

function engineFor(
  backend: CipherBackend,
  suite: 0x0478 | 0x0578 = 0x0478,
  create: (options: EngineOptions) => Engine = createEngine,
): Engine {
  return create({
    keyStore: new RawAesKeyStore({ namespace: 'ns', name: 'backend-key', key: WRAPPING_KEY, backend }),
    backend,
    suite,
    frameLength: FL,
  });
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of source) chunks.push(chunk);
  return new Uint8Array(Buffer.concat(chunks));
}

/** `bytes` cut into `size`-byte pieces. */
function* pieces(bytes: Uint8Array, size: number): Generator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

for (const backend of BACKENDS) {
  const other = backend === nodeBackend ? nobleBackend : nodeBackend;

  describe(`${backend.name} backend`, () => {
    describe('primitives', () => {
      it('AES-256-GCM gives the published tags and ciphertext of GCM spec test cases 13 and 14', () => {
        const key = backend.importKey(new Uint8Array(32));
        const iv = new Uint8Array(12);
        expect(toHex(backend.seal(key, iv, new Uint8Array(0), new Uint8Array(0)).tag)).toBe(
          '530f8afbc74536b9a963b4f1c4cb738b',
        );
        const sealed = backend.seal(key, iv, new Uint8Array(0), new Uint8Array(16));
        expect(toHex(sealed.ciphertext)).toBe('cea7403d4d606b6e074ec5d3baf39d18');
        expect(toHex(sealed.tag)).toBe('d0d1c8a799996bf0265b98b5d48ab919');
      });

      it('HKDF gives RFC 5869 test case 1 (SHA-256) and agrees with node:crypto for SHA-384 and SHA-512', () => {
        const okm = backend.hkdf(
          'sha256',
          new Uint8Array(22).fill(0x0b),
          hex('000102030405060708090a0b0c'),
          hex('f0f1f2f3f4f5f6f7f8f9'),
          42,
        );
        expect(toHex(okm)).toBe('3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865');
        for (const hash of ['sha384', 'sha512'] as const) {
          const [ikm, salt, info] = [pattern(32, 1), pattern(32, 2), pattern(11, 3)];
          expect(toHex(backend.hkdf(hash, ikm, salt, info, 32))).toBe(
            Buffer.from(hkdfSync(hash, ikm, salt, info, 32)).toString('hex'),
          );
        }
      });

      it('open returns the plaintext only when key, IV, AAD, ciphertext and tag are all unchanged', () => {
        const key = backend.importKey(pattern(32));
        const [iv, aad, plaintext] = [pattern(12, 2), pattern(20, 3), pattern(100, 4)];
        const { ciphertext, tag } = backend.seal(key, iv, aad, plaintext);
        expect(backend.open(key, iv, aad, ciphertext, tag)).toEqual(plaintext);
        const flip = (b: Uint8Array): Uint8Array => b.map((x, i) => (i === 0 ? x ^ 1 : x));
        expect(backend.open(backend.importKey(pattern(32, 5)), iv, aad, ciphertext, tag)).toBeUndefined();
        expect(backend.open(key, flip(iv), aad, ciphertext, tag)).toBeUndefined();
        expect(backend.open(key, iv, flip(aad), ciphertext, tag)).toBeUndefined();
        expect(backend.open(key, iv, aad, flip(ciphertext), tag)).toBeUndefined();
        expect(backend.open(key, iv, aad, ciphertext, flip(tag))).toBeUndefined();
        expect(backend.open(key, iv, aad, ciphertext, tag.subarray(0, 12))).toBeUndefined();
      });

      it(`its AES-GCM output opens on the ${other.name} backend and the reverse`, () => {
        const [raw, iv, aad, plaintext] = [pattern(32, 6), pattern(12, 7), pattern(9, 8), pattern(1000, 9)];
        const mine = backend.seal(backend.importKey(raw), iv, aad, plaintext);
        const theirs = other.seal(other.importKey(raw), iv, aad, plaintext);
        expect(toHex(mine.ciphertext) + toHex(mine.tag)).toBe(toHex(theirs.ciphertext) + toHex(theirs.tag));
        expect(other.open(other.importKey(raw), iv, aad, mine.ciphertext, mine.tag)).toEqual(plaintext);
      });

      it(`its P-384 signatures verify on the ${other.name} backend; a changed message does not`, () => {
        const signer = backend.createSigner('P-384');
        expect(signer.publicKey).toHaveLength(49);
        signer.update(pattern(300));
        const signature = signer.sign();
        for (const verifierBackend of [backend, other]) {
          const good = verifierBackend.createVerifier('P-384', signer.publicKey);
          good?.update(pattern(300));
          expect(good?.verify(signature)).toBe(true);
          const bad = verifierBackend.createVerifier('P-384', signer.publicKey);
          bad?.update(pattern(300, 2));
          expect(bad?.verify(signature)).toBe(false);
        }
      });

      it('verifies high-S signatures as well as low-S ones (other ESDKs write both)', () => {
        const secret = p384.utils.randomSecretKey();
        const message = pattern(77);
        const low = p384.Signature.fromBytes(
          p384.sign(sha384(message), secret, { prehash: false, format: 'der', lowS: true }),
          'der',
        );
        const high = new p384.Signature(low.r, p384.Point.Fn.ORDER - low.s);
        expect(high.hasHighS()).toBe(true);
        for (const signature of [low, high]) {
          const verifier = backend.createVerifier('P-384', p384.getPublicKey(secret, true));
          verifier?.update(message);
          expect(verifier?.verify(signature.toBytes('der'))).toBe(true);
        }
      });

      it('refuses a public key that is not a point on the curve, and a signature that is not DER', () => {
        expect(backend.createVerifier('P-384', new Uint8Array(49).fill(2))).toBeUndefined();
        expect(backend.createVerifier('P-384', new Uint8Array(10))).toBeUndefined();
        const signer = backend.createSigner('P-384');
        const verifier = backend.createVerifier('P-384', signer.publicKey);
        expect(verifier?.verify(new Uint8Array(103).fill(0x30))).toBe(false);
      });

      it('timingSafeEqual compares contents and lengths', () => {
        expect(backend.timingSafeEqual(pattern(32), pattern(32))).toBe(true);
        expect(backend.timingSafeEqual(pattern(32), pattern(32, 2))).toBe(false);
        expect(backend.timingSafeEqual(pattern(32), pattern(31))).toBe(false);
      });
    });

    for (const suite of SUITES) {
      describe(`engine, suite 0x0${suite.toString(16)}`, () => {
        const engine = engineFor(backend, suite);

        it(`round-trips ${SIZES.join(', ')} bytes (frame length ${FL}) one-shot and through 7-byte stream writes`, async () => {
          for (const size of SIZES) {
            const plaintext = pattern(size, size);
            const sealed = await engine.encrypt(plaintext, { context: CONTEXT });
            expect((await engine.decrypt(sealed, { expectContext: CONTEXT })).plaintext).toEqual(plaintext);
            const streamed = await collect(engine.encryptIterable(pieces(plaintext, 7), { context: CONTEXT }));
            expect(await collect(engine.decryptIterable(pieces(streamed, 7)))).toEqual(plaintext);
          }
        });

        it('refuses a flipped header tag, frame ciphertext, final tag or signature, a cut and an extension', async () => {
          const sealed = await engine.encrypt(pattern(3 * FL + 5), { context: CONTEXT });
          const headerLength = engine.inspect(sealed).headerLength;
          // 3 regular frames of 32 + FL bytes, a final frame of 40 + 5, then the footer (0x0578).
          const bodyEnd = headerLength + 3 * (32 + FL) + 45;
          expect(sealed.length - bodyEnd).toBe(suite === 0x0578 ? 2 + Buffer.from(sealed).readUInt16BE(bodyEnd) : 0);
          const cases: [number, string][] = [
            [headerLength - 1, ErrorCodes.AUTHENTICATION_FAILED],
            [headerLength + 16 + 3, ErrorCodes.AUTHENTICATION_FAILED],
            [bodyEnd - 1, ErrorCodes.AUTHENTICATION_FAILED],
          ];
          if (suite === 0x0578) cases.push([sealed.length - 1, ErrorCodes.SIGNATURE_INVALID]);
          for (const [offset, code] of cases) {
            const altered = sealed.slice();
            altered[offset] = (altered[offset] as number) ^ 0x40;
            await expect(engine.decrypt(altered), `byte ${offset}`).rejects.toMatchObject({ code });
          }
          await expect(engine.decrypt(sealed.subarray(0, sealed.length - 1))).rejects.toMatchObject({
            code: ErrorCodes.TRUNCATED,
          });
          await expect(
            engine.decrypt(new Uint8Array(Buffer.concat([sealed, new Uint8Array(1)]))),
          ).rejects.toMatchObject({ code: ErrorCodes.TRAILING_BYTES });
        });

        it(`its messages open on an engine using the ${other.name} backend`, async () => {
          const plaintext = pattern(5 * FL + 3);
          const sealed = await engine.encrypt(plaintext, { context: CONTEXT });
          expect((await engineFor(other).decrypt(sealed)).plaintext).toEqual(plaintext);
        });
      });
    }
  });
}

describe('node and noble backends agree', () => {
  const store = new RawAesKeyStore({ namespace: 'ns', name: 'backend-key', key: WRAPPING_KEY });

  /** Fixed message ID and data key: the test hook that makes encryption deterministic. */
  async function fixedOptions(context: Record<string, string>, seed: number): Promise<EncryptOptions> {
    const dataKey = DataKey.copyOf(pattern(32, seed));
    const encryptedDataKey = await store.wrapDataKey(dataKey, { context, length: 32 });
    return {
      context,
      [FIXED_MATERIALS]: { messageId: pattern(32, seed + 1), dataKey: { dataKey, encryptedDataKey } },
    } as EncryptOptions;
  }

  it('0x0478 messages are byte-identical for a fixed message ID and data key, one-shot and streamed', async () => {
    const node = engineFor(nodeBackend, 0x0478, createTestEngine);
    const noble = engineFor(nobleBackend, 0x0478, createTestEngine);
    for (const size of [...SIZES, 10 * FL, 100_003]) {
      const plaintext = pattern(size, 3);
      const options = await fixedOptions(CONTEXT, size);
      const fromNode = await node.encrypt(plaintext, options);
      expect(toHex(await noble.encrypt(plaintext, options))).toBe(toHex(fromNode));
      // Deterministic only because of the hook: without it two messages differ.
      expect(toHex(await node.encrypt(plaintext, { context: CONTEXT }))).not.toBe(toHex(fromNode));
      // The public createEngine never reads the hook: the same options give a fresh message.
      expect(toHex(await engineFor(nodeBackend).encrypt(plaintext, options))).not.toBe(toHex(fromNode));
      const streamed = await collect(node.encryptIterable(pieces(plaintext, 13), options));
      expect(toHex(await collect(noble.encryptIterable(pieces(plaintext, 13), options)))).toBe(toHex(streamed));
      expect((await noble.decrypt(fromNode)).plaintext).toEqual(plaintext);
    }
  });

  it('0x0578 messages (random signing key per message) written by either backend open on the other, one-shot and streamed', async () => {
    const node = engineFor(nodeBackend, 0x0578);
    const noble = engineFor(nobleBackend, 0x0578);
    for (const size of [0, FL, 10 * FL + 1]) {
      const plaintext = pattern(size, 4);
      for (const [writer, reader] of [
        [node, noble],
        [noble, node],
      ] as const) {
        const sealed = await writer.encrypt(plaintext, { context: CONTEXT });
        expect((await reader.decrypt(sealed, { expectContext: CONTEXT })).plaintext).toEqual(plaintext);
        expect(await collect(reader.decryptIterable(pieces(sealed, 11)))).toEqual(plaintext);
      }
    }
  });
});
