import { describe, expect, it } from 'vitest';
import { ErrorCodes, KeyStoreError } from '@sealflow/core';
import { keyStoreConformanceCases } from '@sealflow/core/keystore-kit';
import { memoryKeyStore } from '@sealflow/keystore-memory';
import { newKms, policy, READER_A, ROOT_A, WRITER_A } from './support.js';

const context = { 'aws:s3:arn': 'arn:aws:s3:::b/o' };

describe('memoryKeyStore', () => {
  it('writes aws-kms EDKs naming the key ARN, and unwraps them', async () => {
    const { kms } = newKms();
    const { KeyMetadata } = await kms.createKey();
    const store = memoryKeyStore(kms, { keyId: KeyMetadata.Arn });
    const { dataKey, encryptedDataKey } = await store.generateDataKey({ context, length: 32 });
    expect(encryptedDataKey.providerId).toBe('aws-kms');
    expect(new TextDecoder().decode(encryptedDataKey.providerInfo)).toBe(KeyMetadata.Arn);
    expect(store.canUnwrap(encryptedDataKey)).toBe(true);
    const back = await store.unwrapDataKey(encryptedDataKey, { context, length: 32 });
    expect(back.reveal()).toEqual(dataKey.reveal());
  });

  it('calls KMS as the principal given, and reports it', async () => {
    const { kms } = newKms();
    const { KeyMetadata } = await kms.createKey({
      Policy: policy(
        { Effect: 'Allow', Principal: { AWS: ROOT_A }, Action: 'kms:*', Resource: '*' },
        { Effect: 'Deny', Principal: { AWS: READER_A }, Action: 'kms:GenerateDataKey', Resource: '*' },
      ),
    });
    const writer = memoryKeyStore(kms, { keyId: KeyMetadata.Arn, principal: WRITER_A });
    const reader = memoryKeyStore(kms, { keyId: KeyMetadata.Arn, principal: READER_A });
    expect(writer.principal).toBe(WRITER_A);
    expect(memoryKeyStore(kms).principal).toBe(ROOT_A);
    await writer.generateDataKey({ context, length: 32 });
    expect(kms.auditLog().at(-1)?.userIdentity.arn).toBe(WRITER_A);
    const error = await reader.generateDataKey({ context, length: 32 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyStoreError);
    expect((error as KeyStoreError).code).toBe(ErrorCodes.ACCESS_DENIED);
  });

  it('rejects malformed options', () => {
    const { kms } = newKms();
    expect(() => memoryKeyStore(kms, { principal: 'bob' })).toThrow(/principal ARN/);
    expect(() => memoryKeyStore(kms, { keyID: 'x' } as never)).toThrow(/unknown option "keyID"/);
  });
});

describe('memoryKeyStore conforms (@sealflow/core/keystore-kit)', () => {
  const makeStore = async (): Promise<ReturnType<typeof memoryKeyStore>> => {
    const { kms } = newKms();
    const { KeyMetadata } = await kms.createKey();
    return memoryKeyStore(kms, { keyId: KeyMetadata.Arn });
  };
  for (const c of keyStoreConformanceCases({ makeStore })) it(c.name, c.run);
});
