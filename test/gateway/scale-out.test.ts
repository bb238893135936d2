// Two `sealflow gateway` processes over one moto S3 bucket and one KMS (moto's, through
// the `aws-kms` key store), as behind a load balancer: what one writes the other reads,
// a multipart upload may be spread over both, and a bucket default or policy set through
// one applies on the other (the gateway keeps no state of its own).
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetBucketEncryptionCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3ServiceException,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOTO_S3_CREDENTIALS } from '../setup/s3-emulator-env.js';
import { storageConfig } from './support/gateway-harness.js';
import {
  makeSite,
  MOTO_ENV,
  sdkClient,
  spawnGateway,
  type GatewaySite,
  type SpawnedGateway,
} from './support/spawned-gateway.js';
import { requireMoto, requireMotoS3 } from '../setup/required-services.js';

const MiB = 1024 * 1024;
// The whole file runs on moto: a missing moto fails it here, at load.
const moto = requireMoto();
requireMotoS3();
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

async function s3Error(promise: Promise<unknown>): Promise<{ name: string; status: number | undefined }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof S3ServiceException) return { name: error.name, status: error.$metadata.httpStatusCode };
    throw error;
  }
  throw new Error('expected an S3 error');
}

describe('two gateway processes over one moto S3 and moto KMS', () => {
  const shared = mkdtempSync(join(tmpdir(), 'sealflow-scale-'));
  const sites: GatewaySite[] = [];
  const gateways: SpawnedGateway[] = [];
  let a: S3Client;
  let b: S3Client;
  let keyArn: string;

  beforeAll(async () => {
    const kms = new KMSClient({
      endpoint: moto,
      region: 'us-east-1',
      credentials: { ...MOTO_S3_CREDENTIALS },
    });
    keyArn = (await kms.send(new CreateKeyCommand({ Description: 'scale-out' }))).KeyMetadata?.Arn as string;
    kms.destroy();
    const keyStore = { section: { type: 'aws-kms', region: 'us-east-1', endpoint: moto }, keyArn };
    const storage = await storageConfig('s3', shared);
    // Gateways over one store share its SSE-S3 key file too.
    const extra = { sseS3KeyFile: join(shared, 'sse-s3.key') };
    for (let i = 0; i < 2; i++) sites.push(await makeSite({ backend: 's3', storage, keyStore, extra }));
    for (const site of sites) gateways.push(await spawnGateway(site.configFile, MOTO_ENV));
    a = sdkClient(sites[0] as GatewaySite, (gateways[0] as SpawnedGateway).url);
    b = sdkClient(sites[1] as GatewaySite, (gateways[1] as SpawnedGateway).url);
    await a.send(new CreateBucketCommand({ Bucket: 'shared' }));
  });
  afterAll(async () => {
    a?.destroy();
    b?.destroy();
    await Promise.all(gateways.map((gw) => gw.stop()));
    sites.forEach((site) => site.remove());
    rmSync(shared, { recursive: true, force: true });
  });

  it('an object written through one gateway reads back through the other (SSE-S3 and SSE-KMS), and a delete is seen by both', async () => {
    const plain = randomBytes(70_000);
    const secret = randomBytes(130_000);
    await a.send(new PutObjectCommand({ Bucket: 'shared', Key: 'sse-s3', Body: plain }));
    const put = await a.send(
      new PutObjectCommand({
        Bucket: 'shared',
        Key: 'sse-kms',
        Body: secret,
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: keyArn,
      }),
    );
    expect(put.SSEKMSKeyId).toBe(keyArn);
    expect(
      sha256(
        await (await b.send(new GetObjectCommand({ Bucket: 'shared', Key: 'sse-s3' }))).Body!.transformToByteArray(),
      ),
    ).toBe(sha256(plain));
    const got = await b.send(new GetObjectCommand({ Bucket: 'shared', Key: 'sse-kms', Range: 'bytes=65530-65545' }));
    expect(got.SSEKMSKeyId).toBe(keyArn);
    expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(secret.subarray(65530, 65546));
    await b.send(new DeleteObjectCommand({ Bucket: 'shared', Key: 'sse-s3' }));
    expect(await s3Error(a.send(new HeadObjectCommand({ Bucket: 'shared', Key: 'sse-s3' })))).toMatchObject({
      status: 404,
    });
  });

  it('a multipart upload created on one gateway takes parts through both and completes on the other', async () => {
    const part1 = randomBytes(5 * MiB);
    const part2 = randomBytes(1234);
    const { UploadId } = await a.send(
      new CreateMultipartUploadCommand({
        Bucket: 'shared',
        Key: 'spread',
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: keyArn,
      }),
    );
    const p2 = await b.send(
      new UploadPartCommand({ Bucket: 'shared', Key: 'spread', UploadId, PartNumber: 2, Body: part2 }),
    );
    const p1 = await a.send(
      new UploadPartCommand({ Bucket: 'shared', Key: 'spread', UploadId, PartNumber: 1, Body: part1 }),
    );
    await b.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'shared',
        Key: 'spread',
        UploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: p1.ETag },
            { PartNumber: 2, ETag: p2.ETag },
          ],
        },
      }),
    );
    const whole = await a.send(new GetObjectCommand({ Bucket: 'shared', Key: 'spread' }));
    expect(whole.SSEKMSKeyId).toBe(keyArn);
    expect(sha256(await whole.Body!.transformToByteArray())).toBe(sha256(Buffer.concat([part1, part2])));
  });

  it('a bucket default set through one gateway applies on the other; so does a bucket policy', async () => {
    await a.send(new CreateBucketCommand({ Bucket: 'defaults' }));
    await a.send(
      new PutBucketEncryptionCommand({
        Bucket: 'defaults',
        ServerSideEncryptionConfiguration: {
          Rules: [
            {
              ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn },
              BucketKeyEnabled: true,
            },
          ],
        },
      }),
    );
    const seen = await b.send(new GetBucketEncryptionCommand({ Bucket: 'defaults' }));
    expect(seen.ServerSideEncryptionConfiguration?.Rules?.[0]).toMatchObject({
      ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn },
      BucketKeyEnabled: true,
    });
    const put = await b.send(
      new PutObjectCommand({ Bucket: 'defaults', Key: 'follows', Body: 'the default of the other gateway' }),
    );
    expect(put).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn, BucketKeyEnabled: true });

    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:PutObject',
          Resource: 'arn:aws:s3:::defaults/*',
          Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
        },
      ],
    };
    await b.send(new PutBucketPolicyCommand({ Bucket: 'defaults', Policy: JSON.stringify(policy) }));
    expect(
      await s3Error(
        a.send(new PutObjectCommand({ Bucket: 'defaults', Key: 'refused', Body: 'x', ServerSideEncryption: 'AES256' })),
      ),
    ).toEqual({ name: 'AccessDenied', status: 403 });
    expect(await s3Error(a.send(new HeadObjectCommand({ Bucket: 'defaults', Key: 'refused' })))).toMatchObject({
      status: 404,
    });
  });
});
