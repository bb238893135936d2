// @sealflow/s3 end to end against AWS KMS as moto serves it (started by test/setup), through
// the real AWS SDK v3 KMS client: keys by alias resolved to full ARNs, alias/aws/s3 created on
// first use, multipart with a range across parts, bucket keys, re-key by CopyObject onto
// itself, and the audit carrying S3 request IDs and KMS request IDs.
import { randomBytes } from 'node:crypto';
import { CreateAliasCommand, CreateKeyCommand, KMS, KMSClient } from '@aws-sdk/client-kms';
import { afterAll, describe, expect, it } from 'vitest';
import { kmsKeyProvider, MemoryBlobStore, S3Service, type RequestContext, type S3KmsAuditRecord } from '@sealflow/s3';
import { MOTO_ACCOUNT } from '../setup/kms-emulator-env.js';
import { emulatorClientConfig, emulatorEndpoints } from '../keystore-aws-kms/support/kms-target.js';

const endpoint = emulatorEndpoints.moto; // throws (the file fails) when moto is not running
const PRINCIPAL = `arn:aws:iam::${MOTO_ACCOUNT}:user/gateway`;
let n = 0;
const ctx = (): RequestContext => ({
  principal: PRINCIPAL,
  accountId: MOTO_ACCOUNT,
  requestId: `moto-req-${++n}`,
  secureTransport: true,
  anonymous: false,
});

async function* chunks(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  for (let at = 0; at < bytes.length; at += 4096) yield bytes.subarray(at, at + 4096);
}
async function collect(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of body) parts.push(c);
  return Buffer.concat(parts);
}

describe('S3Service over moto KMS (AWS SDK v3 client)', () => {
  const config = emulatorClientConfig(endpoint, 'us-east-1');
  const client = new KMS(config);
  const admin = new KMSClient(config);
  const audit: S3KmsAuditRecord[] = [];
  const store = new MemoryBlobStore();
  const service = new S3Service({
    store,
    keys: kmsKeyProvider({ clientFor: () => client, audit: (r) => audit.push(r) }),
    region: 'us-east-1',
    sseS3Key: randomBytes(32),
    frameLength: 4096,
    minPartSize: 1,
  });
  afterAll(() => {
    client.destroy();
    admin.destroy();
  });

  it('writes and reads SSE-KMS objects with aliases, alias/aws/s3, multipart ranges, bucket keys and re-key', async () => {
    const bucket = `moto-${randomBytes(4).toString('hex')}`;
    await service.createBucket(ctx(), { bucket });
    const created = await admin.send(new CreateKeyCommand({ Description: 'sealflow s3 e2e' }));
    const arn = created.KeyMetadata?.Arn as string;
    const alias = `alias/s3-e2e-${randomBytes(4).toString('hex')}`;
    await admin.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: created.KeyMetadata?.KeyId as string }));

    const body = randomBytes(50_000);
    const request = ctx();
    const put = await service.putObject(request, {
      bucket,
      key: 'a',
      headers: { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': alias },
      body: chunks(body),
    });
    expect(put.headers['x-amz-server-side-encryption-aws-kms-key-id']).toBe(arn);
    const calls = audit.filter((r) => r.requestId === request.requestId);
    expect(calls.map((c) => c.eventName)).toEqual(['GenerateDataKey']);
    expect(calls.every((c) => typeof c.kmsRequestId === 'string' && c.kmsRequestId.length > 0)).toBe(true);
    expect(calls[0]?.encryptionContext).toEqual({ 'aws:s3:arn': `arn:aws:s3:::${bucket}/a` });
    expect((await collect((await service.getObject(ctx(), { bucket, key: 'a', headers: {} })).body)).equals(body)).toBe(
      true,
    );

    const managed = await service.putObject(ctx(), {
      bucket,
      key: 'm',
      headers: { 'x-amz-server-side-encryption': 'aws:kms' },
      body: chunks(body.subarray(0, 10)),
    });
    expect(managed.headers['x-amz-server-side-encryption-aws-kms-key-id']).toMatch(
      /^arn:aws:kms:us-east-1:\d{12}:key\//,
    );

    const { uploadId } = await service.createMultipartUpload(ctx(), {
      bucket,
      key: 'mp',
      headers: {
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id': arn,
        'x-amz-server-side-encryption-bucket-key-enabled': 'true',
      },
    });
    const parts = [randomBytes(20_000), randomBytes(20_000), randomBytes(5000)];
    const etags = await Promise.all(
      parts.map(
        async (p, i) =>
          (
            await service.uploadPart(ctx(), {
              bucket,
              key: 'mp',
              uploadId,
              partNumber: i + 1,
              headers: {},
              body: chunks(p),
            })
          ).etag,
      ),
    );
    const done = await service.completeMultipartUpload(ctx(), {
      bucket,
      key: 'mp',
      uploadId,
      parts: etags.map((etag, i) => ({ partNumber: i + 1, etag })),
    });
    expect(done.headers['x-amz-server-side-encryption-bucket-key-enabled']).toBe('true');
    const whole = Buffer.concat(parts);
    const ranged = await service.getObject(ctx(), { bucket, key: 'mp', headers: { range: 'bytes=19000-21999' } });
    expect(ranged.headers['content-range']).toBe(`bytes 19000-21999/${whole.length}`);
    expect((await collect(ranged.body)).equals(whole.subarray(19000, 22000))).toBe(true);
    expect(
      audit.filter(
        (r) => r.eventName === 'GenerateDataKey' && r.encryptionContext['aws:s3:arn'] === `arn:aws:s3:::${bucket}`,
      ),
    ).toHaveLength(1);

    const other = await admin.send(new CreateKeyCommand({ Description: 'sealflow s3 e2e re-key target' }));
    const copied = await service.copyObject(ctx(), {
      bucket,
      key: 'a',
      source: { bucket, key: 'a' },
      headers: {
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id': other.KeyMetadata?.Arn as string,
      },
    });
    expect(copied.path).toBe('rekey');
    expect(copied.headers['x-amz-server-side-encryption-aws-kms-key-id']).toBe(other.KeyMetadata?.Arn);
    expect(
      (
        await collect((await service.getObject(ctx(), { bucket, key: 'a', headers: { range: 'bytes=-100' } })).body)
      ).equals(body.subarray(-100)),
    ).toBe(true);
  });

  it('answers KMS.NotFoundException for a key moto does not know', async () => {
    const bucket = `moto-${randomBytes(4).toString('hex')}`;
    await service.createBucket(ctx(), { bucket });
    const error = await service
      .putObject(ctx(), {
        bucket,
        key: 'x',
        headers: {
          'x-amz-server-side-encryption': 'aws:kms',
          'x-amz-server-side-encryption-aws-kms-key-id': 'alias/does-not-exist',
        },
        body: chunks(new Uint8Array(1)),
      })
      .catch((e: unknown) => e as { s3Code?: string; status?: number });
    expect(error).toMatchObject({ s3Code: 'KMS.NotFoundException', status: 400 });
  });
});
