import { createHash } from 'node:crypto';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketEncryptionCommand,
  DeleteObjectCommand,
  GetBucketEncryptionCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  PutBucketEncryptionCommand,
  PutObjectCommand,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, BOB, startHarness, type Harness } from './support/gateway-harness.js';

async function s3Error(
  promise: Promise<unknown>,
): Promise<{ name: string; status: number | undefined; requestId: string | undefined }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof S3ServiceException)
      return { name: error.name, status: error.$metadata.httpStatusCode, requestId: error.$metadata.requestId };
    throw error;
  }
  throw new Error('expected an S3 error');
}

describe.each(BACKENDS)('gateway over %s: buckets and objects through @aws-sdk/client-s3', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(backend);
  });
  afterAll(async () => h?.close());

  it('creates, heads, lists and deletes a bucket; a second create in us-east-1 answers 200', async () => {
    const s3 = h.client();
    await s3.send(new CreateBucketCommand({ Bucket: 'life-cycle' }));
    await s3.send(new HeadBucketCommand({ Bucket: 'life-cycle' }));
    const listed = await s3.send(new ListBucketsCommand({}));
    expect(listed.Buckets?.map((b) => b.Name)).toContain('life-cycle');
    // us-east-1 keeps S3's legacy answer for re-creating your own bucket (create-bucket-region.test.ts).
    expect((await s3.send(new CreateBucketCommand({ Bucket: 'life-cycle' }))).$metadata.httpStatusCode).toBe(200);
    await s3.send(new DeleteBucketCommand({ Bucket: 'life-cycle' }));
    expect(await s3Error(s3.send(new HeadBucketCommand({ Bucket: 'life-cycle' })))).toMatchObject({ status: 404 });
  });

  it('PUT then GET and HEAD return the plaintext with SSE-S3 by default; DELETE removes it', async () => {
    const s3 = h.client();
    await s3.send(new CreateBucketCommand({ Bucket: 'objects' }));
    const body = Buffer.from('hello through the gateway');
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: 'objects',
        Key: 'dir/hello.txt',
        Body: body,
        ContentType: 'text/plain',
        Metadata: { color: 'blue' },
      }),
    );
    expect(put.ServerSideEncryption).toBe('AES256');
    // SSE-S3 single-part: the ETag is the plaintext's MD5.
    expect(put.ETag).toBe(`"${createHash('md5').update(body).digest('hex')}"`);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'dir/hello.txt' }));
    expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(body);
    expect(got.ContentType).toBe('text/plain');
    expect(got.Metadata).toEqual({ color: 'blue' });
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'objects', Key: 'dir/hello.txt' }));
    expect(head.ContentLength).toBe(body.length);
    expect(head.ServerSideEncryption).toBe('AES256');
    await s3.send(new DeleteObjectCommand({ Bucket: 'objects', Key: 'dir/hello.txt' }));
    expect(await s3Error(s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'dir/hello.txt' })))).toMatchObject({
      name: 'NoSuchKey',
      status: 404,
    });
  });

  it('SSE-KMS with a bucket default: the response names the full key ARN', async () => {
    const s3 = h.client();
    await s3.send(new CreateBucketCommand({ Bucket: 'kms-default' }));
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket: 'kms-default',
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' }, BucketKeyEnabled: true }],
        },
      }),
    );
    const config = await s3.send(new GetBucketEncryptionCommand({ Bucket: 'kms-default' }));
    expect(config.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm).toBe(
      'aws:kms',
    );
    const put = await s3.send(new PutObjectCommand({ Bucket: 'kms-default', Key: 'k', Body: 'secret' }));
    expect(put.ServerSideEncryption).toBe('aws:kms');
    expect(put.SSEKMSKeyId).toMatch(/^arn:aws:kms:us-east-1:111122223333:key\//);
    expect(put.BucketKeyEnabled).toBe(true);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'kms-default', Key: 'k' }));
    expect(await got.Body!.transformToString()).toBe('secret');
    expect(got.SSEKMSKeyId).toBe(put.SSEKMSKeyId);
    await s3.send(new DeleteBucketEncryptionCommand({ Bucket: 'kms-default' }));
  });

  it('a GET carrying an SSE header is refused with 400 InvalidArgument', async () => {
    const s3 = h.client();
    await s3.send(new CreateBucketCommand({ Bucket: 'sse-on-get' }));
    await s3.send(new PutObjectCommand({ Bucket: 'sse-on-get', Key: 'k', Body: 'x' }));
    const get = new GetObjectCommand({ Bucket: 'sse-on-get', Key: 'k' });
    // The SDK has no SSE parameter on GetObject: add the header the way a raw client would.
    get.middlewareStack.add(
      (next) => async (args) => {
        (args.request as { headers: Record<string, string> }).headers['x-amz-server-side-encryption'] = 'aws:kms';
        return next(args);
      },
      { step: 'build' },
    );
    expect(await s3Error(s3.send(get))).toMatchObject({ name: 'InvalidArgument', status: 400 });
  });

  it('another account is refused without a bucket policy, with a request ID', async () => {
    const alice = h.client();
    await alice.send(new CreateBucketCommand({ Bucket: 'alice-only' }));
    await alice.send(new PutObjectCommand({ Bucket: 'alice-only', Key: 'k', Body: 'x' }));
    const refused = await s3Error(h.client(BOB).send(new GetObjectCommand({ Bucket: 'alice-only', Key: 'k' })));
    expect(refused).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(refused.requestId).toMatch(/^[0-9A-F]{16}$/);
  });
});

describe.each(BACKENDS)('gateway over %s: checksums, location and transport rules', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(backend);
    await h.client().send(new CreateBucketCommand({ Bucket: 'sums' }));
  });
  afterAll(async () => h?.close());

  it('a streamed PUT with a trailing CRC32 (aws-chunked) is verified and the checksum returned with x-amz-checksum-mode', async () => {
    const s3 = h.client();
    const body = Buffer.alloc(300_000, 9);
    const { Readable } = await import('node:stream');
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: 'sums',
        Key: 'streamed',
        Body: Readable.from([body.subarray(0, 100_000), body.subarray(100_000)]),
        ContentLength: body.length,
        ChecksumAlgorithm: 'CRC32',
      }),
    );
    expect(put.ChecksumCRC32).toMatch(/^[A-Za-z0-9+/]{6}==$/);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'sums', Key: 'streamed', ChecksumMode: 'ENABLED' }));
    expect(got.ChecksumCRC32).toBe(put.ChecksumCRC32);
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
  });

  it('GetBucketLocation answers the region (us-east-1 as an empty constraint)', async () => {
    const { GetBucketLocationCommand } = await import('@aws-sdk/client-s3');
    const location = await h.client().send(new GetBucketLocationCommand({ Bucket: 'sums' }));
    expect(location.LocationConstraint ?? '').toBe('');
  });
});

describe('gateway over plain HTTP (loopback)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('fs', {}, { tls: false });
    await h.client().send(new CreateBucketCommand({ Bucket: 'plain' }));
  });
  afterAll(async () => h?.close());

  it('serves SSE-S3, and refuses SSE-KMS without TLS (400)', async () => {
    expect(h.gateway.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const s3 = h.client();
    const put = await s3.send(new PutObjectCommand({ Bucket: 'plain', Key: 'k', Body: 'plain http' }));
    expect(put.ServerSideEncryption).toBe('AES256');
    expect(
      await s3Error(
        s3.send(new PutObjectCommand({ Bucket: 'plain', Key: 'kms', Body: 'x', ServerSideEncryption: 'aws:kms' })),
      ),
    ).toMatchObject({ status: 400 });
    expect(await s3Error(s3.send(new HeadObjectCommand({ Bucket: 'plain', Key: 'kms' })))).toMatchObject({
      status: 404,
    });
  });
});
