import { describe, expect, it } from 'vitest';
import { MemoryKms } from '@sealflow/keystore-memory';
import { kmsKeyProvider, type S3KmsClient } from '@sealflow/s3';
import { ACCOUNT, ALICE, OTHER_ACCOUNT } from './fixtures.js';

const code = async (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'no error',
    (e: { code?: string }) => e.code ?? String(e),
  );

describe('kmsKeyProvider', () => {
  it('resolves aliases and key IDs to the full ARN, and creates alias/aws/s3 once per account', async () => {
    const kms = new MemoryKms({ principal: `arn:aws:iam::${ACCOUNT}:root` });
    const keys = kmsKeyProvider({ clientFor: (p) => kms.as(p) });
    const key = (await kms.createKey({})).KeyMetadata;
    await kms.createAlias({ AliasName: 'alias/x', TargetKeyId: key.KeyId });
    expect(await keys.resolveKey(ALICE, ACCOUNT, 'alias/x')).toBe(key.Arn);
    expect(await keys.resolveKey(ALICE, ACCOUNT, key.KeyId)).toBe(key.Arn);
    const [a, b] = await Promise.all([
      keys.resolveKey(ALICE, ACCOUNT, 'alias/aws/s3'),
      keys.resolveKey(ALICE, ACCOUNT, 'alias/aws/s3'),
    ]);
    expect(a).toBe(b);
    const other = await keys.resolveKey(`arn:aws:iam::${OTHER_ACCOUNT}:user/eve`, OTHER_ACCOUNT, 'alias/aws/s3');
    expect(other).toContain(`:${OTHER_ACCOUNT}:key/`);
    expect((await kms.listAliases({})).Aliases?.filter((x) => x.AliasName === 'alias/aws/s3')).toHaveLength(1);
    expect(await code(keys.resolveKey(ALICE, ACCOUNT, 'alias/none'))).toBe('ERR_KEY_NOT_FOUND');
  });

  it('refuses asymmetric and HMAC keys (only symmetric encryption keys)', async () => {
    const fake = (spec: string, usage: string): S3KmsClient => ({
      generateDataKey: async () => ({}),
      encrypt: async () => ({}),
      decrypt: async () => ({}),
      describeKey: async () => ({
        KeyMetadata: {
          Arn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
          KeySpec: spec,
          KeyUsage: usage,
        },
      }),
      createKey: async () => ({}),
      createAlias: async () => ({}),
    });
    expect(
      await code(
        kmsKeyProvider({ clientFor: () => fake('RSA_2048', 'ENCRYPT_DECRYPT') }).resolveKey(ALICE, ACCOUNT, 'k'),
      ),
    ).toBe('ERR_UNSUPPORTED_KEY');
    expect(
      await code(
        kmsKeyProvider({ clientFor: () => fake('HMAC_256', 'GENERATE_VERIFY_MAC') }).resolveKey(ALICE, ACCOUNT, 'k'),
      ),
    ).toBe('ERR_UNSUPPORTED_KEY');
    expect(
      await kmsKeyProvider({ clientFor: () => fake('SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT') }).resolveKey(
        ALICE,
        ACCOUNT,
        'k',
      ),
    ).toMatch(/^arn:aws:kms:/);
  });

  it('gives one key store per principal', () => {
    const kms = new MemoryKms();
    const keys = kmsKeyProvider({ clientFor: (p) => kms.as(p) });
    expect(keys.keyStoreFor(ALICE)).toBe(keys.keyStoreFor(ALICE));
    expect(keys.keyStoreFor(ALICE)).not.toBe(keys.keyStoreFor(`arn:aws:iam::${ACCOUNT}:user/bob`));
    expect(keys.keyStoreFor(ALICE).principal).toBe(ALICE);
  });
});
