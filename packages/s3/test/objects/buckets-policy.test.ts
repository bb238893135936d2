import { describe, expect, it } from 'vitest';
import { ACCOUNT, ALICE, BOB, chunks, ctx, harness, OTHER_ACCOUNT, pattern, s3CodeOf } from './fixtures.js';

const STRANGER = `arn:aws:iam::${OTHER_ACCOUNT}:user/eve`;

describe('buckets, default encryption, policies, bucket keys', () => {
  it('create / head / list / delete buckets with S3 errors', async () => {
    const { service } = await harness();
    await service.putObject(ctx(), { bucket: 'bkt', key: 'kept', headers: {}, body: chunks(pattern(3)) });
    // us-east-1: re-creating an owned bucket is 200 (S3's legacy behaviour) and keeps its objects.
    expect((await service.createBucket(ctx(), { bucket: 'bkt' })).headers.location).toBe('/bkt');
    expect((await service.headObject(ctx(), { bucket: 'bkt', key: 'kept', headers: {} })).contentLength).toBe(3);
    expect(await s3CodeOf(service.createBucket(ctx(STRANGER), { bucket: 'bkt' }))).toBe('BucketAlreadyExists');
    for (const bad of ['ab', 'UPPER', 'a..b', '192.168.1.1', '-ab', 'x'.repeat(64)])
      expect(await s3CodeOf(service.createBucket(ctx(), { bucket: bad }))).toBe('InvalidBucketName');
    await service.createBucket(ctx(), { bucket: 'second' });
    expect((await service.listBuckets(ctx())).buckets.map((b) => b.name)).toEqual(['bkt', 'second']);
    expect((await service.listBuckets(ctx(STRANGER))).buckets).toEqual([]);
    expect((await service.headBucket(ctx(), { bucket: 'second' })).headers['x-amz-bucket-region']).toBe('us-east-1');
    await service.putObject(ctx(), { bucket: 'second', key: 'k', headers: {}, body: chunks(pattern(1)) });
    expect(await s3CodeOf(service.deleteBucket(ctx(), { bucket: 'second' }))).toBe('BucketNotEmpty');
    await service.deleteObject(ctx(), { bucket: 'second', key: 'k' });
    await service.deleteBucket(ctx(), { bucket: 'second' });
    expect(await s3CodeOf(service.headBucket(ctx(), { bucket: 'second' }))).toBe('NoSuchBucket');
  });

  it('outside us-east-1, re-creating an owned bucket is 409 BucketAlreadyOwnedByYou; another owner gets BucketAlreadyExists', async () => {
    const { service } = await harness({ region: 'eu-west-1' });
    const owned = await service.createBucket(ctx(), { bucket: 'bkt' }).catch((e: unknown) => e);
    expect(owned).toMatchObject({ s3Code: 'BucketAlreadyOwnedByYou', status: 409 });
    const taken = await service.createBucket(ctx(STRANGER), { bucket: 'bkt' }).catch((e: unknown) => e);
    expect(taken).toMatchObject({ s3Code: 'BucketAlreadyExists', status: 409 });
  });

  it('default encryption is stored in the blob store: a second service over the same store applies it', async () => {
    const { service, store, kms } = await harness();
    const key = (await kms.as(ALICE).createKey({})).KeyMetadata.Arn;
    expect((await service.getBucketEncryption(ctx(), { bucket: 'bkt' })).xml).toContain('AES256');
    await service.putBucketEncryption(ctx(), {
      bucket: 'bkt',
      body: `<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>${key}</KMSMasterKeyID></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`,
    });
    const { S3Service, kmsKeyProvider } = await import('@sealflow/s3');
    const other = new S3Service({
      store,
      keys: kmsKeyProvider({ clientFor: (p) => kms.as(p) }),
      region: 'us-east-1',
      sseS3Key: new Uint8Array(32).fill(7),
    });
    const put = await other.putObject(ctx(), { bucket: 'bkt', key: 'k', headers: {}, body: chunks(pattern(10)) });
    expect(put.headers['x-amz-server-side-encryption-aws-kms-key-id']).toBe(key);
    expect(put.headers['x-amz-server-side-encryption-bucket-key-enabled']).toBe('true');
    expect(await s3CodeOf(service.putBucketEncryption(ctx(), { bucket: 'bkt', body: '<nope' }))).toBe('MalformedXML');
    await service.deleteBucketEncryption(ctx(), { bucket: 'bkt' });
    expect(
      (await service.putObject(ctx(), { bucket: 'bkt', key: 'k2', headers: {}, body: chunks(pattern(10)) })).headers[
        'x-amz-server-side-encryption'
      ],
    ).toBe('AES256');
  });

  it('with bucket keys, 20 PUTs make one GenerateDataKey, KMS sees the bucket ARN, and the principals never share a bucket key', async () => {
    const { service, audit } = await harness();
    const headers = {
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-bucket-key-enabled': 'true',
    };
    for (let i = 0; i < 20; i++)
      await service.putObject(ctx(), { bucket: 'bkt', key: `k${i}`, headers, body: chunks(pattern(100, i)) });
    const generated = audit.filter((r) => r.eventName === 'GenerateDataKey');
    expect(generated).toHaveLength(1);
    const stats = service.stats();
    expect(stats.kms.generate).toBe(1);
    expect(stats.kms.bucketKeyHits).toBeGreaterThanOrEqual(19);
    expect(generated[0]?.encryptionContext).toEqual({ 'aws:s3:arn': 'arn:aws:s3:::bkt' });
    await service.putObject(ctx(BOB), { bucket: 'bkt', key: 'bob', headers, body: chunks(pattern(100)) });
    const bobCalls = audit.filter((r) => r.principal === BOB && r.eventName === 'GenerateDataKey');
    expect(bobCalls).toHaveLength(1);
    const head = await service.headObject(ctx(), { bucket: 'bkt', key: 'k3', headers: {} });
    expect(head.headers['x-amz-server-side-encryption-bucket-key-enabled']).toBe('true');
  });

  it('a bucket policy requiring a KMS key denies uploads that name none (the AWS-managed key is assumed), and anonymous needs an Allow', async () => {
    const { service, kms } = await harness();
    const key = (await kms.as(ALICE).createKey({})).KeyMetadata.Arn;
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'RequireKey',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:PutObject',
          Resource: 'arn:aws:s3:::bkt/*',
          Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': key } },
        },
        {
          Sid: 'PublicRead',
          Effect: 'Allow',
          Principal: '*',
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::bkt/public/*',
        },
      ],
    };
    await service.putBucketPolicy(ctx(), { bucket: 'bkt', body: JSON.stringify(policy) });
    expect(JSON.parse((await service.getBucketPolicy(ctx(), { bucket: 'bkt' })).policy)).toEqual(policy);
    expect(
      await s3CodeOf(
        service.putObject(ctx(), {
          bucket: 'bkt',
          key: 'public/a',
          headers: { 'x-amz-server-side-encryption': 'aws:kms' },
          body: chunks(pattern(5)),
        }),
      ),
    ).toBe('AccessDenied');
    expect(
      await s3CodeOf(
        service.putObject(ctx(), { bucket: 'bkt', key: 'public/a', headers: {}, body: chunks(pattern(5)) }),
      ),
    ).toBe('AccessDenied');
    await service.putObject(ctx(), {
      bucket: 'bkt',
      key: 'public/a',
      headers: { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': key },
      body: chunks(pattern(5)),
    });
    const anonymous = ctx(`arn:aws:iam::${ACCOUNT}:root`, { anonymous: true, secureTransport: true });
    // Re-keying is a write under the same policy: to SSE-S3 it is denied, to the required key allowed.
    expect(await s3CodeOf(service.rekeyObject(ctx(), { bucket: 'bkt', key: 'public/a', algorithm: 'AES256' }))).toBe(
      'AccessDenied',
    );
    await service.rekeyObject(ctx(), { bucket: 'bkt', key: 'public/a', keyId: key });
    // An SSE-S3 object under the Allow is readable anonymously.
    await service.putBucketPolicy(ctx(), {
      bucket: 'bkt',
      body: JSON.stringify({ ...policy, Statement: [policy.Statement[1]] }),
    });
    await service.putObject(ctx(), { bucket: 'bkt', key: 'public/b', headers: {}, body: chunks(pattern(5)) });
    expect((await service.getObject(anonymous, { bucket: 'bkt', key: 'public/b', headers: {} })).contentLength).toBe(5);
    expect(await s3CodeOf(service.getObject(anonymous, { bucket: 'bkt', key: 'private', headers: {} }))).toBe(
      'AccessDenied',
    );
    expect(await s3CodeOf(service.getObject(ctx(STRANGER), { bucket: 'bkt', key: 'private', headers: {} }))).toBe(
      'AccessDenied',
    );
    expect(await s3CodeOf(service.putBucketPolicy(ctx(), { bucket: 'bkt', body: '{"Version":"2012-10-17"}' }))).toBe(
      'MalformedPolicy',
    );
    await service.deleteBucketPolicy(ctx(), { bucket: 'bkt' });
    expect(await s3CodeOf(service.getBucketPolicy(ctx(), { bucket: 'bkt' }))).toBe('NoSuchBucketPolicy');
  });

  it('KMS errors map to S3 errors: unknown key, disabled key', async () => {
    const { service, kms } = await harness();
    const key = (await kms.as(ALICE).createKey({})).KeyMetadata.Arn;
    await kms.as(ALICE).disableKey({ KeyId: key });
    const kmsWith = (id: string) => ({
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': id,
    });
    expect(
      await s3CodeOf(
        service.putObject(ctx(), {
          bucket: 'bkt',
          key: 'k',
          headers: kmsWith('alias/missing'),
          body: chunks(pattern(5)),
        }),
      ),
    ).toBe('KMS.NotFoundException');
    expect(
      await s3CodeOf(
        service.putObject(ctx(), { bucket: 'bkt', key: 'k', headers: kmsWith(key), body: chunks(pattern(5)) }),
      ),
    ).toBe('KMS.DisabledException');
    // A key in another region than the bucket's: 400.
    const { S3Service, kmsKeyProvider } = await import('@sealflow/s3');
    const west = new S3Service({
      store: new (await import('@sealflow/s3')).MemoryBlobStore(),
      keys: kmsKeyProvider({ clientFor: (p) => kms.as(p) }),
      region: 'us-west-2',
      sseS3Key: new Uint8Array(32),
    });
    await west.createBucket(ctx(), { bucket: 'west' });
    const other = (await kms.as(ALICE).createKey({})).KeyMetadata.Arn;
    expect(
      await s3CodeOf(
        west.putObject(ctx(), { bucket: 'west', key: 'k', headers: kmsWith(other), body: chunks(pattern(5)) }),
      ),
    ).toBe('KMS.KMSInvalidStateException');
  });
});
