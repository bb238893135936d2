// RawRsaKeyStore: the ESDK raw RSA keyring (OAEP) EDK, checked against an independent
// node:crypto decryption for each OAEP hash; which EDKs it claims; options.
import { constants, generateKeyPairSync, privateDecrypt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createEngine,
  DataKey,
  ErrorCodes,
  KeyStoreError,
  RawRsaKeyStore,
  type EncryptedDataKey,
} from '@sealflow/core';

type Hash = 'sha1' | 'sha256' | 'sha384' | 'sha512';
const HASHES: readonly Hash[] = ['sha1', 'sha256', 'sha384', 'sha512'];
const pair = (): { publicKey: string; privateKey: string } =>
  generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
const KEYS = pair();
const OTHER = pair();
const dataKey = (seed = 1): Uint8Array => new Uint8Array(32).map((_, i) => (i * 13 + seed) & 0xff);
const request = (context: Record<string, string> = { purpose: 'test' }) => ({ context, length: 32 });
const store = (
  options: Partial<{
    namespace: string;
    name: string;
    publicKey: string | Uint8Array;
    privateKey: string | Uint8Array;
    oaepHash: Hash;
  }> = {},
) =>
  new RawRsaKeyStore({
    namespace: 'ns',
    name: 'rsa-key',
    publicKey: KEYS.publicKey,
    privateKey: KEYS.privateKey,
    ...options,
  });

describe('RawRsaKeyStore', () => {
  describe('EDK layout', () => {
    for (const oaepHash of HASHES) {
      it(`OAEP ${oaepHash}: provider ID = namespace, info = the key name's bytes exactly, ciphertext = RSA-OAEP-${oaepHash}(data key) of modulus length`, async () => {
        const edk = await store({ oaepHash }).wrapDataKey(DataKey.copyOf(dataKey()), request());
        expect(edk.providerId).toBe('ns');
        expect(Buffer.from(edk.providerInfo).toString('utf8')).toBe('rsa-key');
        expect(edk.ciphertext).toHaveLength(256);
        const opened = privateDecrypt(
          { key: KEYS.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash },
          edk.ciphertext,
        );
        expect(new Uint8Array(opened)).toEqual(dataKey());
      });
    }

    it('OAEP is randomized: wrapping one key twice gives two ciphertexts that both unwrap to it', async () => {
      const s = store();
      const [one, two] = [
        await s.wrapDataKey(DataKey.copyOf(dataKey()), request()),
        await s.wrapDataKey(DataKey.copyOf(dataKey()), request()),
      ];
      expect(Buffer.from(one.ciphertext).equals(Buffer.from(two.ciphertext))).toBe(false);
      for (const edk of [one, two]) expect((await s.unwrapDataKey(edk, request())).reveal()).toEqual(dataKey());
    });

    it('a store given only the private key derives the public half to wrap with', async () => {
      const s = new RawRsaKeyStore({
        namespace: 'ns',
        name: 'rsa-key',
        privateKey: KEYS.privateKey,
        oaepHash: 'sha256',
      });
      const { dataKey: generated, encryptedDataKey } = await s.generateDataKey(request());
      expect((await s.unwrapDataKey(encryptedDataKey, request())).reveal()).toEqual(generated.reveal());
    });

    it('takes DER keys (SPKI public, PKCS#8 private) as bytes', async () => {
      const der = generateKeyPairSync('rsa', {
        modulusLength: 2048,
        publicKeyEncoding: { type: 'spki', format: 'der' },
        privateKeyEncoding: { type: 'pkcs8', format: 'der' },
      });
      const s = store({ publicKey: new Uint8Array(der.publicKey), privateKey: new Uint8Array(der.privateKey) });
      const edk = await s.wrapDataKey(DataKey.copyOf(dataKey(5)), request());
      expect((await s.unwrapDataKey(edk, request())).reveal()).toEqual(dataKey(5));
    });
  });

  describe('unwrap', () => {
    it('fails with ERR_INVALID_KEY_CIPHERTEXT under another OAEP hash of the same key and name', async () => {
      const edk = await store({ oaepHash: 'sha1' }).wrapDataKey(DataKey.copyOf(dataKey()), request());
      for (const oaepHash of ['sha256', 'sha512'] as const) {
        const attempt = store({ oaepHash }).unwrapDataKey(edk, request());
        await expect(attempt).rejects.toBeInstanceOf(KeyStoreError);
        await expect(attempt).rejects.toMatchObject({ code: ErrorCodes.INVALID_KEY_CIPHERTEXT });
      }
    });

    it('fails with ERR_INVALID_KEY_CIPHERTEXT under another key pair with the same namespace and name, and on altered ciphertext', async () => {
      const edk = await store().wrapDataKey(DataKey.copyOf(dataKey()), request());
      await expect(
        store({ publicKey: OTHER.publicKey, privateKey: OTHER.privateKey }).unwrapDataKey(edk, request()),
      ).rejects.toMatchObject({ code: ErrorCodes.INVALID_KEY_CIPHERTEXT });
      const altered: EncryptedDataKey = { ...edk, ciphertext: edk.ciphertext.map((b, i) => (i === 100 ? b ^ 1 : b)) };
      await expect(store().unwrapDataKey(altered, request())).rejects.toMatchObject({
        code: ErrorCodes.INVALID_KEY_CIPHERTEXT,
      });
    });

    it('a public-key-only store wraps but refuses to unwrap (ERR_INVALID_KEY_CIPHERTEXT) and claims nothing', async () => {
      const s = new RawRsaKeyStore({ namespace: 'ns', name: 'rsa-key', publicKey: KEYS.publicKey });
      const edk = await s.wrapDataKey(DataKey.copyOf(dataKey()), request());
      expect(s.canUnwrap(edk)).toBe(false);
      await expect(s.unwrapDataKey(edk, request())).rejects.toMatchObject({ code: ErrorCodes.INVALID_KEY_CIPHERTEXT });
      expect((await store().unwrapDataKey(edk, request())).reveal()).toEqual(dataKey());
    });

    it('cannot bind the context itself (RSA has no AAD); the engine\u2019s header tag does, so a message under another context fails', async () => {
      const s = store();
      const edk = await s.wrapDataKey(DataKey.copyOf(dataKey()), request({ purpose: 'a' }));
      expect((await s.unwrapDataKey(edk, request({ purpose: 'b' }))).reveal()).toEqual(dataKey());
      const engine = createEngine({ keyStore: s });
      const sealed = await engine.encrypt(new Uint8Array(100), { context: { purpose: 'a' } });
      const at = Buffer.from(sealed).indexOf('purpose') + 'purpose'.length + 2;
      const altered = sealed.map((b, i) => (i === at ? 'b'.charCodeAt(0) : b));
      await expect(engine.decrypt(altered)).rejects.toMatchObject({ code: ErrorCodes.AUTHENTICATION_FAILED });
    });
  });

  describe('canUnwrap', () => {
    it('claims only EDKs with its namespace and exactly its name', async () => {
      const s = store();
      const edk = await s.wrapDataKey(DataKey.copyOf(dataKey()), request());
      expect(s.canUnwrap(edk)).toBe(true);
      expect(s.canUnwrap({ ...edk, providerId: 'ns2' })).toBe(false);
      expect(store({ name: 'rsa-ke' }).canUnwrap(edk)).toBe(false);
      expect(store({ name: 'rsa-key-2' }).canUnwrap(edk)).toBe(false);
      expect(s.canUnwrap({ ...edk, providerInfo: new Uint8Array([...edk.providerInfo, 0]) })).toBe(false);
    });
  });

  describe('options', () => {
    const invalid = expect.objectContaining({ code: ErrorCodes.INVALID_ARGUMENT });

    it('rejects unknown option keys, naming the key', () => {
      expect(
        () => new RawRsaKeyStore({ namespace: 'ns', name: 'n', privateKey: KEYS.privateKey, padding: 4 } as never),
      ).toThrow(/unknown option "padding"/);
    });

    it('requires a public or a private key, and refuses material that is not an RSA key (garbage, an EC key pair)', () => {
      expect(() => new RawRsaKeyStore({ namespace: 'ns', name: 'n' })).toThrow(invalid);
      expect(() => store({ privateKey: 'not a pem' })).toThrow(invalid);
      expect(() => store({ publicKey: new Uint8Array(10) })).toThrow(invalid);
      const ec = generateKeyPairSync('ec', {
        namedCurve: 'P-256',
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      });
      expect(() => store({ publicKey: ec.publicKey, privateKey: ec.privateKey })).toThrow(invalid);
    });

    it('refuses a public key that is not the half of the given private key (it could never open its own EDKs)', () => {
      expect(() => store({ publicKey: OTHER.publicKey })).toThrow(
        expect.objectContaining({ code: ErrorCodes.INVALID_ARGUMENT, message: expect.stringContaining('publicKey') }),
      );
      expect(() => store({ publicKey: KEYS.publicKey })).not.toThrow();
    });

    it('refuses the bucket-key provider ID as namespace', () => {
      expect(() => store({ namespace: 'sealflow-bucket-key' })).toThrow(
        expect.objectContaining({ code: ErrorCodes.INVALID_ARGUMENT }),
      );
    });

    it('accepts only the OAEP hashes sha1, sha256, sha384 and sha512', () => {
      for (const oaepHash of ['md5', 'SHA256', 'sha3-256', ''])
        expect(() => store({ oaepHash: oaepHash as Hash })).toThrow(invalid);
    });

    it('rejects a namespace starting with aws-kms, and empty names', () => {
      for (const namespace of ['aws-kms', 'aws-kms-rsa']) expect(() => store({ namespace })).toThrow(invalid);
      expect(() => store({ namespace: '' })).toThrow(invalid);
      expect(() => store({ name: '' })).toThrow(invalid);
    });

    it('its id names namespace and key name, never key material', () => {
      const s = store();
      expect(s.id).toBe('raw-rsa:ns/rsa-key');
      expect(JSON.stringify(s)).not.toContain('PRIVATE');
    });
  });
});
