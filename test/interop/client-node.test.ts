// Interop with @aws-crypto/client-node 5.0.2, both ways: what we write, it reads; what it
// writes, we read. Raw AES keyrings use `utf8Sorting: true` (the spec's byte order);
// the default keyring's locale order is shown as the hazard it is.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createEngine, ErrorCodes, type KeyStore, type SuiteId } from '@sealflow/core';
import { layoutOf } from '../vectors/support/layout.js';
import { aesPeer, esdkDecrypt, esdkEncrypt, multiKeyring, rsaPeer, sameBytes } from './support/peers.js';

const MiB = 1024 * 1024;
const SUITES = [0x0478, 0x0578] as const;
const PUBLIC_KEY = 'aws-crypto-public-key';
/** Non-ASCII and mixed-case keys: UTF-8 byte order (B, Z_key, a, mixedCase, é, 日本) differs from locale order. */
const CONTEXT = { a: '1', B: '2', Z_key: '3', é: '4', 日本: '語', mixedCase: 'Wert ü' };
/** Lowercase ASCII keys only: byte order and locale order agree. */
const PLAIN_CONTEXT = { alpha: '1', beta: '2', purpose: 'interop' };

/** Frame lengths and plaintext sizes: empty, exact multiples, ragged tails, several MiB. FL 1 stays small (client-node is slow there). */
const CASES: readonly { frameLength: number; sizes: readonly number[] }[] = [
  { frameLength: 1, sizes: [0, 1, 2, 13] },
  { frameLength: 1000, sizes: [0, 999, 1000, 3000, 3001] },
  { frameLength: 4096, sizes: [0, 1, 4096, 3 * 4096, 4 * MiB] },
  { frameLength: 4097, sizes: [0, 2 * 4097, 2 * 4097 + 5] },
  { frameLength: 65536, sizes: [0, 65535, 65536, 2 * 65536, 5 * MiB + 7] },
];

const A = aesPeer('key-a', 1);
const B = aesPeer('key-b', 2);
const bytes = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
const engineOn = (keyStore: KeyStore | KeyStore[], suite: SuiteId = 0x0478) => createEngine({ keyStore, suite });

/** The content length stored in a message's final frame. */
function finalFrameLength(message: Uint8Array): number {
  const region = layoutOf(message).regions.find((r) => r.kind === 'final-length');
  if (region === undefined) throw new Error('no final frame');
  return Buffer.from(message.subarray(region.start, region.end)).readUInt32BE(0);
}

function* pieces(bytes: Uint8Array, size: number): Generator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of source) chunks.push(chunk);
  return new Uint8Array(Buffer.concat(chunks));
}

for (const suite of SUITES) {
  describe(`suite 0x0${suite.toString(16)}`, () => {
    for (const { frameLength, sizes } of CASES) {
      for (const size of sizes) {
        const label = `frame length ${frameLength}, ${size} bytes`;

        it(`${label}: client-node decrypts our message and sees our context`, async () => {
          const plaintext = bytes(size);
          const sealed = await engineOn(A.store, suite).encrypt(plaintext, { context: CONTEXT, frameLength });
          // One-shot knows the length: the last block is a full final frame (the spec's SHOULD).
          if (size > 0 && size % frameLength === 0) expect(finalFrameLength(sealed)).toBe(frameLength);
          const opened = await esdkDecrypt(A.keyring, sealed);
          expect(sameBytes(opened.plaintext, plaintext)).toBe(true);
          expect(opened.context).toMatchObject(CONTEXT);
          expect(Object.hasOwn(opened.context, PUBLIC_KEY)).toBe(suite === 0x0578);
        });

        it(`${label}: we decrypt client-node's message and see its context`, async () => {
          const plaintext = bytes(size);
          const sealed = await esdkEncrypt(A.keyring, plaintext, suite, frameLength, CONTEXT);
          const result = await engineOn(A.store).decrypt(sealed);
          expect(sameBytes(result.plaintext, plaintext)).toBe(true);
          expect(result.context).toMatchObject(CONTEXT);
          expect(result.header).toMatchObject({ suiteId: suite, frameLength, contentType: 'framed' });
          if (size >= MiB) {
            // And streamed, in writes that straddle frame boundaries.
            expect(sameBytes(await collect(engineOn(A.store).decryptIterable(pieces(sealed, 65_521))), plaintext)).toBe(
              true,
            );
          }
        });

        if (size > 0 && size % frameLength === 0 && size <= 65536 * 2) {
          it(`${label}: client-node decrypts our streamed message (regular frames then an empty final frame)`, async () => {
            const plaintext = bytes(size);
            const sealed = await collect(
              engineOn(A.store, suite).encryptIterable([plaintext.subarray(0, 1), plaintext.subarray(1)], {
                context: CONTEXT,
                frameLength,
              }),
            );
            expect(finalFrameLength(sealed)).toBe(0);
            const opened = await esdkDecrypt(A.keyring, sealed);
            expect(sameBytes(opened.plaintext, plaintext)).toBe(true);
          });
        }
      }
    }

    it('a message we write with two EDKs (two RawAesKeyStores) opens in client-node with either keyring alone', async () => {
      const plaintext = bytes(10_000);
      const sealed = await engineOn([A.store, B.store], suite).encrypt(plaintext, {
        context: CONTEXT,
        frameLength: 4096,
      });
      expect(
        engineOn(A.store)
          .inspect(sealed)
          .encryptedDataKeys.map((k) => k.providerId),
      ).toEqual(['sealflow-interop', 'sealflow-interop']);
      for (const keyring of [A.keyring, B.keyring]) {
        expect(sameBytes((await esdkDecrypt(keyring, sealed)).plaintext, plaintext)).toBe(true);
      }
    });

    it("client-node's two-EDK message (MultiKeyringNode) opens in sealflow with either store alone", async () => {
      const plaintext = bytes(10_000);
      const sealed = await esdkEncrypt(multiKeyring(A.keyring, B.keyring), plaintext, suite, 4096, CONTEXT);
      expect(engineOn(A.store).inspect(sealed).encryptedDataKeys).toHaveLength(2);
      for (const store of [A.store, B.store]) {
        expect(sameBytes((await engineOn(store).decrypt(sealed)).plaintext, plaintext)).toBe(true);
      }
    });

    describe('the context-sorting trap (documents the hazard; spec sheet §13)', () => {
      it('a default client-node keyring (utf8Sorting unset) cannot open our message when context keys differ in case or are non-ASCII', async () => {
        const sealed = await engineOn(A.store, suite).encrypt(bytes(100), { context: CONTEXT });
        await expect(esdkDecrypt(A.defaultKeyring, sealed)).rejects.toThrow();
      });

      it("we refuse a default client-node keyring's message with that context: ERR_NO_DECRYPTABLE_KEY", async () => {
        const sealed = await esdkEncrypt(A.defaultKeyring, bytes(100), suite, 4096, CONTEXT);
        await expect(engineOn(A.store).decrypt(sealed)).rejects.toMatchObject({ code: ErrorCodes.NO_DECRYPTABLE_KEY });
        // client-node opens its own message only because it makes the same mistake both ways.
        await expect(esdkDecrypt(A.defaultKeyring, sealed)).resolves.toBeDefined();
      });

      it('with lowercase ASCII keys only the two orders agree and the default keyring interoperates both ways', async () => {
        const plaintext = bytes(100);
        const ours = await engineOn(A.store, suite).encrypt(plaintext, { context: PLAIN_CONTEXT });
        expect(sameBytes((await esdkDecrypt(A.defaultKeyring, ours)).plaintext, plaintext)).toBe(true);
        const theirs = await esdkEncrypt(A.defaultKeyring, plaintext, suite, 4096, PLAIN_CONTEXT);
        expect(sameBytes((await engineOn(A.store).decrypt(theirs)).plaintext, plaintext)).toBe(true);
      });
    });

    describe('RawRsaKeyStore and RawRsaKeyringNode', () => {
      for (const hash of ['sha256', 'sha1'] as const) {
        it(`OAEP ${hash}: each side decrypts the other's message`, async () => {
          const peer = rsaPeer(`rsa-${hash}`, hash);
          const plaintext = bytes(5000);
          const ours = await engineOn(peer.store, suite).encrypt(plaintext, { context: CONTEXT, frameLength: 1000 });
          expect(sameBytes((await esdkDecrypt(peer.keyring, ours)).plaintext, plaintext)).toBe(true);
          const theirs = await esdkEncrypt(peer.keyring, plaintext, suite, 1000, CONTEXT);
          const result = await engineOn(peer.store).decrypt(theirs);
          expect(sameBytes(result.plaintext, plaintext)).toBe(true);
          expect(result.context).toMatchObject(CONTEXT);
        });
      }

      it('an EDK wrapped with OAEP SHA-1 does not open under a SHA-256 store of the same key and name', async () => {
        const theirs = await esdkEncrypt(rsaPeer('rsa-shared', 'sha1').keyring, bytes(64), suite, 4096, {});
        await expect(engineOn(rsaPeer('rsa-shared', 'sha256').store).decrypt(theirs)).rejects.toMatchObject({
          code: ErrorCodes.NO_DECRYPTABLE_KEY,
        });
      });
    });
  });
}
