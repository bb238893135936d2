// A stock ESDK (@aws-crypto/client-node 5.0.2) given a bucket-key message without the
// bucket key fails cleanly: it has no keyring for the `sealflow-bucket-key` provider ID
// (nor, without the bucket key, for `sealflow-bucket-data-key`), so it rejects with an
// error, never returns plaintext, and never asks KMS to decrypt with the wrong context.
// (With the bucket key, layout 2 opens: test/bucket-keys/esdk-raw-aes.test.ts.)
import { randomBytes } from 'node:crypto';
import {
  AlgorithmSuiteIdentifier,
  buildClient,
  CommitmentPolicy,
  KmsKeyringNode,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
  type KmsNodeClientSupplier,
} from '@aws-crypto/client-node';
import { describe, expect, it } from 'vitest';
import { createEngine, KmsKeyStore, RawAesKeyStore } from '@sealflow/core';
import { audited, kmsWithKey } from './support.js';

const esdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
const context = { 'aws:s3:arn': 'arn:aws:s3:::bucket/report.pdf', team: 'finance' };
const plaintext = new TextEncoder().encode('quarterly numbers, not for the ESDK to misread');

/** The rejection of `promise`, which must reject (a resolved value would be plaintext). */
async function rejection(promise: Promise<{ plaintext: Uint8Array }>): Promise<Error> {
  const outcome = await promise.then(
    (value) => ({ resolved: value }),
    (error: unknown) => ({ rejected: error }),
  );
  expect(outcome).not.toHaveProperty('resolved');
  const error = (outcome as { rejected: unknown }).rejected;
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

function rawAes(): { store: RawAesKeyStore; keyring: RawAesKeyringNode } {
  const key = new Uint8Array(randomBytes(32));
  const store = new RawAesKeyStore({ namespace: 'sealflow-tests', name: 'bucket-wrapping-key', key });
  const keyring = new RawAesKeyringNode({
    keyName: 'bucket-wrapping-key',
    keyNamespace: 'sealflow-tests',
    unencryptedMasterKey: new Uint8Array(key),
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
    utf8Sorting: true,
  });
  return { store, keyring };
}

describe('a stock ESDK and bucket-key messages', () => {
  it('reads a plain message from the same raw AES store (the keyring matches), so the refusal below is about the bucket key', async () => {
    const { store, keyring } = rawAes();
    const engine = createEngine({ keyStore: store, bucketKeys: { maxAgeMs: 60_000 } });
    const plain = await engine.encrypt(plaintext, { context });
    expect((await esdk.decrypt(keyring, plain)).plaintext).toEqual(Buffer.from(plaintext));
  });

  it.each([
    ['0x0478', 0x0478, 1],
    ['0x0578', 0x0578, 1],
    ['0x0478', 0x0478, 2],
    ['0x0578', 0x0578, 2],
  ] as const)(
    "client-node with the store's raw AES keyring rejects a bucket-key message (suite %s, layout %i) and returns no plaintext",
    async (_, suite, layout) => {
      const { store, keyring } = rawAes();
      const engine = createEngine({ keyStore: store, bucketKeys: { maxAgeMs: 60_000, layout } });
      const sealed = await engine.encrypt(plaintext, { context, bucketKey: true, suite });
      const ids = layout === 1 ? ['sealflow-bucket-key'] : ['sealflow-bucket-data-key', 'sealflow-bucket-key'];
      expect(engine.inspect(sealed).encryptedDataKeys.map((e) => e.providerId)).toEqual(ids);
      const error = await rejection(esdk.decrypt(keyring, sealed));
      // client-node 5.0.2 says "unencryptedDataKey has not been set": no keyring produced a key.
      expect(error.message).toMatch(/unencryptedDataKey has not been set|unable to decrypt data key/i);
      // Still a good message: sealflow reads it.
      expect((await createEngine({ keyStore: store }).decrypt(sealed)).plaintext).toEqual(plaintext);
    },
  );

  it.each([1, 2] as const)(
    'client-node with a KMS keyring rejects a bucket-key message (layout %i) without calling KMS Decrypt',
    async (layout) => {
      const { kms, keyArn } = await kmsWithKey();
      const engine = createEngine({
        keyStore: new KmsKeyStore({ client: kms, keyId: keyArn }),
        bucketKeys: { maxAgeMs: 60_000, layout },
      });
      const sealed = await engine.encrypt(plaintext, { context, bucketKey: true });
      // MemoryKms is shaped like the SDK v3 KMS client the keyring expects; the cast only
      // bridges the ESDK's declared client type.
      const clientProvider = (() => kms) as unknown as KmsNodeClientSupplier;
      for (const keyring of [
        new KmsKeyringNode({ clientProvider, keyIds: [keyArn] }),
        new KmsKeyringNode({ clientProvider, discovery: true }),
      ]) {
        await rejection(esdk.decrypt(keyring, sealed));
      }
      expect(audited(kms, 'Decrypt')).toEqual([]);
      // The same keyring reads a plain sealflow message from the same KMS key.
      const plain = await engine.encrypt(plaintext, {
        context,
        suite: AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY,
      });
      expect((await esdk.decrypt(new KmsKeyringNode({ clientProvider, keyIds: [keyArn] }), plain)).plaintext).toEqual(
        Buffer.from(plaintext),
      );
      expect(audited(kms, 'Decrypt')).toHaveLength(1);
    },
  );

  it('client-node cannot be tricked with the inner EDK of layout 1 either: the bucket key is not the data key, so the commitment check fails', async () => {
    const { store, keyring } = rawAes();
    const engine = createEngine({ keyStore: store, bucketKeys: { maxAgeMs: 60_000, layout: 1 } });
    // A bucket context equal to the object context: the inner EDK alone would unwrap under
    // the message context, which is the worst case for a stock reader.
    const sealed = await engine.encrypt(plaintext, { context, bucketKey: { context } });
    const forged = rewriteProviderId(sealed, engine);
    const error = await rejection(esdk.decrypt(keyring, forged));
    expect(error.message).toMatch(/commitment/i);
    expect(error.message).not.toContain(Buffer.from(plaintext).toString());
  });
});

/**
 * Replaces the bucket-key EDK by its inner raw-AES EDK (same ciphertext, the store's own
 * provider ID and info), rebuilding the header bytes around it. The header tag no longer
 * matches either, but the ESDK checks the key commitment first.
 */
function rewriteProviderId(sealed: Uint8Array, engine: ReturnType<typeof createEngine>): Uint8Array {
  const info = engine.inspect(sealed);
  const edk = info.encryptedDataKeys[0];
  if (edk === undefined) throw new Error('no EDK');
  const buffer = Buffer.from(sealed);
  const idBytes = Buffer.from('sealflow-bucket-key');
  const at = buffer.indexOf(idBytes);
  // EDK entry: u16 id len || id || u16 info len || info || u16 ct len || ct.
  const infoLength = buffer.readUInt16BE(at + idBytes.length);
  const providerInfo = buffer.subarray(at + idBytes.length + 2, at + idBytes.length + 2 + infoLength);
  const innerIdLength = providerInfo.readUInt16BE(1);
  const innerId = providerInfo.subarray(3, 3 + innerIdLength);
  const innerInfoLength = providerInfo.readUInt16BE(3 + innerIdLength);
  const innerInfo = providerInfo.subarray(5 + innerIdLength, 5 + innerIdLength + innerInfoLength);
  const u16 = (n: number): Buffer => Buffer.from([n >> 8, n & 0xff]);
  const before = buffer.subarray(0, at - 2);
  const after = buffer.subarray(at + idBytes.length + 2 + infoLength);
  return new Uint8Array(Buffer.concat([before, u16(innerId.length), innerId, u16(innerInfo.length), innerInfo, after]));
}
