// The core KmsKeyStore over the in-process MemoryKms: the ESDK AWS KMS keyring's EDKs,
// written and read through a KMS with AWS KMS semantics, and every KMS failure arriving
// as the KeyStoreError code the engine expects.
import { describe, expect, it } from 'vitest';
import { ErrorCodes, KeyStoreError, KmsKeyStore, type KmsClientLike } from '@sealflow/core';
import { MemoryKms } from '@sealflow/keystore-memory';

const A = '111122223333';
const B = '444455556666';
const context = { 'aws:s3:arn': 'arn:aws:s3:::bucket/key', tenant: 'a' };
const request = { context, length: 32 } as const;

async function code(promise: Promise<unknown>): Promise<string> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KeyStoreError);
  return (error as KeyStoreError).code;
}

// Compile-time: MemoryKms is a KmsClientLike, with no adapter.
const asClient = (kms: MemoryKms): KmsClientLike => kms;

describe('KmsKeyStore over MemoryKms', () => {
  it('generates, wraps and unwraps data keys as ESDK aws-kms EDKs naming the key ARN', async () => {
    const kms = new MemoryKms();
    const one = (await kms.createKey()).KeyMetadata;
    const two = (await kms.createKey()).KeyMetadata;
    const store = new KmsKeyStore({ client: asClient(kms), keyId: one.Arn });
    const { dataKey, encryptedDataKey } = await store.generateDataKey(request);
    expect(encryptedDataKey.providerId).toBe('aws-kms');
    expect(new TextDecoder().decode(encryptedDataKey.providerInfo)).toBe(one.Arn);
    expect((await store.unwrapDataKey(encryptedDataKey, request)).reveal()).toEqual(dataKey.reveal());
    const second = new KmsKeyStore({ client: kms, keyId: two.Arn });
    const wrapped = await second.wrapDataKey(dataKey, request);
    expect(new TextDecoder().decode(wrapped.providerInfo)).toBe(two.Arn);
    expect((await second.unwrapDataKey(wrapped, request)).reveal()).toEqual(dataKey.reveal());
    expect(
      kms
        .auditLog()
        .map((r) => r.eventName)
        .slice(2),
    ).toEqual(['GenerateDataKey', 'Decrypt', 'Encrypt', 'Decrypt']);
  });

  it('binds the full context: unwrapping under another context fails with ERR_INVALID_KEY_CIPHERTEXT', async () => {
    const kms = new MemoryKms();
    const store = new KmsKeyStore({ client: kms, keyId: (await kms.createKey()).KeyMetadata.Arn });
    const { encryptedDataKey } = await store.generateDataKey(request);
    expect(
      await code(store.unwrapDataKey(encryptedDataKey, { context: { ...context, tenant: 'b' }, length: 32 })),
    ).toBe(ErrorCodes.INVALID_KEY_CIPHERTEXT);
    expect(kms.auditLog().at(-1)?.requestParameters.encryptionContext).toEqual({ ...context, tenant: 'b' });
  });

  it('configured by alias, it unwraps only blobs of the alias key (KMS refuses others)', async () => {
    const kms = new MemoryKms();
    const one = (await kms.createKey()).KeyMetadata;
    const two = (await kms.createKey()).KeyMetadata;
    await kms.createAlias({ AliasName: 'alias/app', TargetKeyId: one.KeyId });
    const byAlias = new KmsKeyStore({ client: kms, keyId: 'alias/app' });
    const other = new KmsKeyStore({ client: kms, keyId: two.Arn });
    const { encryptedDataKey } = await other.generateDataKey(request);
    expect(byAlias.canUnwrap(encryptedDataKey)).toBe(true);
    expect(await code(byAlias.unwrapDataKey(encryptedDataKey, request))).toBe(ErrorCodes.INVALID_KEY_CIPHERTEXT);
    const own = await byAlias.generateDataKey(request);
    expect(new TextDecoder().decode(own.encryptedDataKey.providerInfo)).toBe(one.Arn);
    expect((await byAlias.unwrapDataKey(own.encryptedDataKey, request)).length).toBe(32);
  });

  it('maps key states and policy denials to their codes', async () => {
    const kms = new MemoryKms();
    const key = (await kms.createKey()).KeyMetadata;
    const store = new KmsKeyStore({ client: kms, keyId: key.Arn });
    const { encryptedDataKey } = await store.generateDataKey(request);
    await kms.disableKey({ KeyId: key.KeyId });
    expect(await code(store.generateDataKey(request))).toBe(ErrorCodes.KEY_DISABLED);
    expect(await code(store.unwrapDataKey(encryptedDataKey, request))).toBe(ErrorCodes.KEY_DISABLED);
    await kms.enableKey({ KeyId: key.KeyId });
    await kms.scheduleKeyDeletion({ KeyId: key.KeyId, PendingWindowInDays: 7 });
    expect(await code(store.unwrapDataKey(encryptedDataKey, request))).toBe(ErrorCodes.KEY_INVALID_STATE);
    expect(await code(new KmsKeyStore({ client: kms, keyId: 'alias/missing' }).generateDataKey(request))).toBe(
      ErrorCodes.KEY_NOT_FOUND,
    );
    const foreign = new KmsKeyStore({ client: kms.as(`arn:aws:iam::${B}:root`), keyId: key.Arn });
    await kms.cancelKeyDeletion({ KeyId: key.KeyId });
    await kms.enableKey({ KeyId: key.KeyId });
    expect(await code(foreign.generateDataKey(request))).toBe(ErrorCodes.ACCESS_DENIED);
  });

  it('carries the KMS request ID of a failure', async () => {
    const kms = new MemoryKms();
    const error = (await new KmsKeyStore({ client: kms, keyId: 'alias/missing' })
      .generateDataKey(request)
      .catch((e: unknown) => e)) as KeyStoreError;
    expect(error.requestId).toBe(kms.auditLog().at(-1)?.requestID);
  });

  it('a key ARN of another region is refused by KMS before any cryptography (ERR_KEY_NOT_FOUND)', async () => {
    const kms = new MemoryKms({ region: 'eu-west-1' });
    const store = new KmsKeyStore({
      client: kms,
      keyId: `arn:aws:kms:us-east-1:${A}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    });
    expect(await code(store.generateDataKey(request))).toBe(ErrorCodes.KEY_NOT_FOUND);
  });

  it('strictArns refuses aliases and key IDs before calling KMS', async () => {
    const kms = new MemoryKms();
    expect(() => new KmsKeyStore({ client: kms, keyId: 'alias/aws/s3', strictArns: true })).toThrow(/full key ARN/);
    const arn = (await kms.createKey()).KeyMetadata.Arn;
    const store = new KmsKeyStore({ client: kms, keyId: arn, strictArns: true });
    const calls = kms.auditLog().length;
    await expect(store.generateDataKey({ ...request, keyId: 'alias/aws/s3' })).rejects.toMatchObject({
      code: ErrorCodes.INVALID_ARGUMENT,
    });
    expect(kms.auditLog()).toHaveLength(calls);
  });

  it('with no key named, uses the caller account AWS-managed alias/aws/s3 key, which another account cannot use', async () => {
    const kms = new MemoryKms();
    const store = new KmsKeyStore({ client: kms });
    const { encryptedDataKey } = await store.generateDataKey(request);
    const arn = new TextDecoder().decode(encryptedDataKey.providerInfo);
    expect(arn).toContain(`:${A}:key/`);
    expect((await kms.describeKey({ KeyId: 'alias/aws/s3' })).KeyMetadata).toMatchObject({
      Arn: arn,
      KeyManager: 'AWS',
    });
    const b = new KmsKeyStore({ client: kms.as(`arn:aws:iam::${B}:root`), discovery: true });
    expect(await code(b.unwrapDataKey(encryptedDataKey, request))).toBe(ErrorCodes.ACCESS_DENIED);
  });
});
