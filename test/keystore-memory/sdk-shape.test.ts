// MemoryKms against the AWS SDK v3 KMS client it imitates: the same method names, SDK-typed
// requests accepted and responses assignable to the SDK's output types (checked by the
// test typecheck), exception names the SDK knows, and KmsKeyStore taking either client.
import * as sdk from '@aws-sdk/client-kms';
import type {
  CreateKeyCommandOutput,
  DecryptCommandInput,
  DecryptCommandOutput,
  DescribeKeyCommandOutput,
  EncryptCommandInput,
  GenerateDataKeyCommandInput,
  GenerateDataKeyCommandOutput,
  ListAliasesCommandOutput,
  ListKeysCommandOutput,
  ReEncryptCommandOutput,
  ScheduleKeyDeletionCommandOutput,
} from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { KmsKeyStore, type KmsClientLike } from '@sealflow/core';
import * as memory from '@sealflow/keystore-memory';
import { MemoryKms } from '@sealflow/keystore-memory';

const OPERATIONS = [
  'createKey',
  'describeKey',
  'listKeys',
  'createAlias',
  'updateAlias',
  'deleteAlias',
  'listAliases',
  'enableKey',
  'disableKey',
  'scheduleKeyDeletion',
  'cancelKeyDeletion',
  'rotateKeyOnDemand',
  'enableKeyRotation',
  'disableKeyRotation',
  'getKeyRotationStatus',
  'putKeyPolicy',
  'getKeyPolicy',
  'generateDataKey',
  'generateDataKeyWithoutPlaintext',
  'encrypt',
  'decrypt',
  'reEncrypt',
] as const;

// AWS returns these three as generic service errors: the SDK has no class for them, but an
// error it raises carries exactly this `name`.
const UNMODELED = new Set(['AccessDeniedException', 'ValidationException', 'NotAuthorizedException']);

describe('MemoryKms has the shape of the SDK v3 aggregated KMS client', () => {
  it('offers each operation under the SDK method name', () => {
    const kms = new MemoryKms();
    for (const name of OPERATIONS) {
      expect(typeof sdk.KMS.prototype[name], `SDK KMS.${name}`).toBe('function');
      expect(typeof kms[name], `MemoryKms.${name}`).toBe('function');
    }
  });

  it('raises only exception names the SDK models (or AWS sends unmodeled)', () => {
    const names = Object.keys(memory).filter((name) => name.endsWith('Exception') && name !== 'KmsException');
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) {
      if (UNMODELED.has(name)) continue;
      expect(typeof (sdk as Record<string, unknown>)[name], `@aws-sdk/client-kms exports ${name}`).toBe('function');
      const Class = (memory as Record<string, unknown>)[name] as new (message: string) => Error;
      expect(new Class('m').name).toBe(name);
    }
  });

  it('accepts SDK-typed requests and returns values of the SDK output types', async () => {
    const kms = new MemoryKms();
    const created: CreateKeyCommandOutput = await kms.createKey({ Description: 'typed' });
    const KeyId = created.KeyMetadata?.KeyId;
    const generateInput: GenerateDataKeyCommandInput = { KeyId, NumberOfBytes: 32, EncryptionContext: { a: 'b' } };
    const generated: GenerateDataKeyCommandOutput = await kms.generateDataKey(generateInput);
    const decryptInput: DecryptCommandInput = {
      CiphertextBlob: generated.CiphertextBlob,
      EncryptionContext: { a: 'b' },
    };
    const decrypted: DecryptCommandOutput = await kms.decrypt(decryptInput);
    expect(decrypted.Plaintext).toEqual(generated.Plaintext);
    const encryptInput: EncryptCommandInput = { KeyId, Plaintext: new Uint8Array([1]) };
    const encrypted = await kms.encrypt(encryptInput);
    const moved: ReEncryptCommandOutput = await kms.reEncrypt({
      CiphertextBlob: encrypted.CiphertextBlob,
      DestinationKeyId: KeyId,
    });
    const described: DescribeKeyCommandOutput = await kms.describeKey({ KeyId });
    const keys: ListKeysCommandOutput = await kms.listKeys({});
    const aliases: ListAliasesCommandOutput = await kms.listAliases({});
    const scheduled: ScheduleKeyDeletionCommandOutput = await kms.scheduleKeyDeletion({
      KeyId,
      PendingWindowInDays: 7,
    });
    expect([moved.KeyId, described.KeyMetadata?.Arn, keys.Keys?.[0]?.KeyArn, scheduled.KeyId]).toEqual(
      new Array(4).fill(created.KeyMetadata?.Arn),
    );
    expect(aliases.Aliases).toEqual([]);
  });

  it('KmsKeyStore takes the SDK client and MemoryKms alike', () => {
    const real = new sdk.KMS({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    try {
      const clients: KmsClientLike[] = [real, new MemoryKms()];
      for (const client of clients) expect(new KmsKeyStore({ client, keyId: 'alias/x' }).id).toBe('aws-kms:alias/x');
    } finally {
      real.destroy();
    }
  });
});
