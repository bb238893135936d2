// RawAesKeyStore: the ESDK raw AES keyring's EDK, checked byte by byte against an
// independent node:crypto decryption; context binding; which EDKs it claims; options.
import { createDecipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DataKey, ErrorCodes, KeyStoreError, RawAesKeyStore, type EncryptedDataKey } from '@sealflow/core';
import { nobleBackend } from '@sealflow/core/noble';

const key = (n = 32, seed = 1): Uint8Array => new Uint8Array(n).map((_, i) => (i * 29 + seed) & 0xff);
const CONTEXT = { purpose: 'test', a: '1', B: '2', é: '3' };
/** The context's canonical bytes written out by hand: count, then pairs in UTF-8 byte order (B, a, purpose, é). */
const CONTEXT_AAD = new Uint8Array([
  0,
  4,
  0,
  1,
  0x42,
  0,
  1,
  0x32,
  0,
  1,
  0x61,
  0,
  1,
  0x31,
  0,
  7,
  ...Buffer.from('purpose'),
  0,
  4,
  ...Buffer.from('test'),
  0,
  2,
  0xc3,
  0xa9,
  0,
  1,
  0x33,
]);
const store = (options: Partial<{ namespace: string; name: string; key: Uint8Array }> = {}) =>
  new RawAesKeyStore({ namespace: 'ns', name: 'key-name', key: key(), ...options });
const request = (context: Record<string, string> = CONTEXT) => ({ context, length: 32 });

/** Opens an EDK with node:crypto alone, following the spec sheet §13 layout. */
function independentUnwrap(
  edk: EncryptedDataKey,
  wrappingKey: Uint8Array,
  aad: Uint8Array,
  nameLength: number,
): Uint8Array {
  const iv = edk.providerInfo.subarray(nameLength + 8);
  const decipher = createDecipheriv(`aes-${wrappingKey.length * 8}-gcm` as 'aes-256-gcm', wrappingKey, iv, {
    authTagLength: 16,
  });
  decipher.setAAD(aad);
  decipher.setAuthTag(edk.ciphertext.subarray(-16));
  return new Uint8Array(Buffer.concat([decipher.update(edk.ciphertext.subarray(0, -16)), decipher.final()]));
}

describe('RawAesKeyStore', () => {
  describe('EDK layout', () => {
    for (const length of [16, 24, 32]) {
      it(`AES-${length * 8}: provider ID = namespace; info = name || 00000080 || 0000000C || IV; ciphertext = GCM(data key, AAD = canonical context) || tag`, async () => {
        const dataKey = DataKey.copyOf(key(32, 7));
        const edk = await store({ key: key(length) }).wrapDataKey(dataKey, request());
        expect(edk.providerId).toBe('ns');
        const name = Buffer.from('key-name');
        expect(edk.providerInfo).toHaveLength(name.length + 4 + 4 + 12);
        expect(Buffer.from(edk.providerInfo.subarray(0, name.length)).equals(name)).toBe(true);
        expect([...edk.providerInfo.subarray(name.length, name.length + 8)]).toEqual([0, 0, 0, 0x80, 0, 0, 0, 0x0c]);
        expect(edk.ciphertext).toHaveLength(32 + 16);
        expect(independentUnwrap(edk, key(length), CONTEXT_AAD, name.length)).toEqual(key(32, 7));
      });
    }

    it('an empty context is an empty AAD (not 00 00)', async () => {
      const edk = await store().wrapDataKey(DataKey.copyOf(key(32, 8)), request({}));
      expect(independentUnwrap(edk, key(), new Uint8Array(0), 8)).toEqual(key(32, 8));
    });

    it('every wrap draws a fresh IV', async () => {
      const s = store();
      const ivs = new Set<string>();
      for (let i = 0; i < 20; i++)
        ivs.add(
          Buffer.from((await s.wrapDataKey(DataKey.copyOf(key()), request())).providerInfo.subarray(16)).toString(
            'hex',
          ),
        );
      expect(ivs.size).toBe(20);
    });

    it('generateDataKey returns a key of the requested length that its EDK unwraps to', async () => {
      const s = store();
      const { dataKey, encryptedDataKey } = await s.generateDataKey(request());
      expect(dataKey.length).toBe(32);
      expect((await s.unwrapDataKey(encryptedDataKey, request())).reveal()).toEqual(dataKey.reveal());
    });

    it('the node and noble backends read each other\u2019s EDKs', async () => {
      const node = store();
      const noble = new RawAesKeyStore({ namespace: 'ns', name: 'key-name', key: key(), backend: nobleBackend });
      const fromNode = await node.wrapDataKey(DataKey.copyOf(key(32, 4)), request());
      const fromNoble = await noble.wrapDataKey(DataKey.copyOf(key(32, 5)), request());
      expect((await noble.unwrapDataKey(fromNode, request())).reveal()).toEqual(key(32, 4));
      expect((await node.unwrapDataKey(fromNoble, request())).reveal()).toEqual(key(32, 5));
    });
  });

  describe('unwrap', () => {
    it('accepts the same context in any insertion order (the AAD is canonical)', async () => {
      const s = store();
      const edk = await s.wrapDataKey(DataKey.copyOf(key(32, 2)), request());
      const reordered = Object.fromEntries(Object.entries(CONTEXT).reverse());
      expect((await s.unwrapDataKey(edk, request(reordered))).reveal()).toEqual(key(32, 2));
    });

    it('fails with ERR_INVALID_KEY_CIPHERTEXT under another context: a changed value, an extra pair, a missing pair', async () => {
      const s = store();
      const edk = await s.wrapDataKey(DataKey.copyOf(key()), request());
      for (const context of [{ ...CONTEXT, purpose: 'other' }, { ...CONTEXT, extra: 'x' }, { purpose: 'test' }, {}]) {
        const attempt = s.unwrapDataKey(edk, request(context));
        await expect(attempt).rejects.toBeInstanceOf(KeyStoreError);
        await expect(attempt).rejects.toMatchObject({
          code: ErrorCodes.INVALID_KEY_CIPHERTEXT,
          store: 'raw-aes:ns/key-name',
        });
      }
    });

    it('fails with ERR_INVALID_KEY_CIPHERTEXT under another key with the same namespace and name', async () => {
      const edk = await store().wrapDataKey(DataKey.copyOf(key()), request());
      await expect(store({ key: key(32, 99) }).unwrapDataKey(edk, request())).rejects.toMatchObject({
        code: ErrorCodes.INVALID_KEY_CIPHERTEXT,
      });
    });

    it('refuses an EDK it does not own with ERR_INVALID_KEY_CIPHERTEXT instead of trying it', async () => {
      const edk = await store({ namespace: 'other' }).wrapDataKey(DataKey.copyOf(key()), request());
      await expect(store().unwrapDataKey(edk, request())).rejects.toMatchObject({
        code: ErrorCodes.INVALID_KEY_CIPHERTEXT,
      });
    });
  });

  describe('canUnwrap', () => {
    it('claims only EDKs with its namespace, its exact name and the 128-bit tag / 12-byte IV layout', async () => {
      const s = store();
      const edk = await s.wrapDataKey(DataKey.copyOf(key()), request());
      const info = edk.providerInfo;
      const with_ = (change: Partial<EncryptedDataKey>): EncryptedDataKey => ({ ...edk, ...change });
      const patched = (at: number, value: number): Uint8Array => info.map((b, i) => (i === at ? value : b));
      expect(s.canUnwrap(edk)).toBe(true);
      expect(s.canUnwrap(with_({ providerId: 'ns2' }))).toBe(false);
      expect(s.canUnwrap(with_({ providerId: 'NS' }))).toBe(false);
      expect(store({ name: 'key-nam' }).canUnwrap(edk)).toBe(false); // a prefix of the EDK's name
      expect(store({ name: 'key-name-2' }).canUnwrap(edk)).toBe(false);
      expect(s.canUnwrap(with_({ providerInfo: patched(11, 0x60) }))).toBe(false); // tag length 96 bits
      expect(s.canUnwrap(with_({ providerInfo: patched(15, 0x10) }))).toBe(false); // IV length 16
      expect(s.canUnwrap(with_({ providerInfo: info.subarray(0, info.length - 1) }))).toBe(false);
      expect(s.canUnwrap(with_({ ciphertext: edk.ciphertext.subarray(0, 16) }))).toBe(false);
    });
  });

  describe('options', () => {
    it('rejects unknown option keys, naming the key', () => {
      expect(() => new RawAesKeyStore({ namespace: 'ns', name: 'n', key: key(), keyLength: 32 } as never)).toThrow(
        /unknown option "keyLength"/,
      );
    });

    it('rejects wrapping keys that are not 16, 24 or 32 bytes, or not bytes', () => {
      for (const bad of [new Uint8Array(0), key(15), key(31), key(33), key(64)]) {
        expect(() => store({ key: bad })).toThrow(
          expect.objectContaining({
            code: ErrorCodes.INVALID_ARGUMENT,
            message: expect.stringContaining('RawAesKeyStore key'),
          }),
        );
      }
      for (const bad of ['0'.repeat(32), [...key()], undefined]) {
        expect(() => new RawAesKeyStore({ namespace: 'ns', name: 'n', key: bad } as never)).toThrow(
          expect.objectContaining({ code: ErrorCodes.INVALID_ARGUMENT }),
        );
      }
    });

    it('refuses the bucket-key provider ID as namespace (it would make bucket-key EDKs ambiguous)', () => {
      expect(() => store({ namespace: 'sealflow-bucket-key' })).toThrow(
        expect.objectContaining({ code: ErrorCodes.INVALID_ARGUMENT }),
      );
      expect(store({ namespace: 'sealflow-bucket-keys' }).id).toBe('raw-aes:sealflow-bucket-keys/key-name');
    });

    it('rejects a namespace starting with aws-kms (reserved for the KMS keyrings), and empty names', () => {
      for (const namespace of ['aws-kms', 'aws-kms-custom', 'aws-kmsx'])
        expect(() => store({ namespace })).toThrow(expect.objectContaining({ code: ErrorCodes.INVALID_ARGUMENT }));
      expect(store({ namespace: 'aws-km' }).id).toBe('raw-aes:aws-km/key-name');
      expect(() => store({ namespace: '' })).toThrow(/namespace/);
      expect(() => store({ name: '' })).toThrow(/name/);
      expect(() => new RawAesKeyStore(null as never)).toThrow(
        expect.objectContaining({ code: ErrorCodes.INVALID_ARGUMENT }),
      );
    });

    it('reads own properties only: a polluted prototype supplies nothing', () => {
      const proto = Object.prototype as Record<string, unknown>;
      proto['namespace'] = 'polluted';
      try {
        expect(() => new RawAesKeyStore({ name: 'n', key: key() } as never)).toThrow(/namespace/);
      } finally {
        delete proto['namespace'];
      }
    });

    it('copies the wrapping key: wiping the caller\u2019s array afterwards changes nothing', async () => {
      const mine = key();
      const s = store({ key: mine });
      const edk = await s.wrapDataKey(DataKey.copyOf(key(32, 3)), request());
      mine.fill(0);
      expect((await s.unwrapDataKey(edk, request())).reveal()).toEqual(key(32, 3));
      expect(JSON.stringify(s)).not.toContain(Buffer.from(key()).toString('hex'));
    });
  });
});
