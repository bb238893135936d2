import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ALICE, chunks, collect, ctx, harness, pattern, s3CodeOf } from './fixtures.js';

describe('S3Service PutObject / GetObject / HeadObject', () => {
  it('SSE-S3 by default: round-trips, HEAD says AES256, ETag is the plaintext MD5, sizes are plaintext', async () => {
    const { service } = await harness();
    const body = pattern(5000);
    const put = await service.putObject(ctx(), {
      bucket: 'bkt',
      key: 'dir/a.txt',
      headers: { 'content-type': 'text/plain', 'x-amz-meta-color': 'blue' },
      body: chunks(body),
    });
    expect(put.headers['x-amz-server-side-encryption']).toBe('AES256');
    expect(put.etag).toBe(`"${createHash('md5').update(body).digest('hex')}"`);
    const head = await service.headObject(ctx(), { bucket: 'bkt', key: 'dir/a.txt', headers: {} });
    expect(head.contentLength).toBe(5000);
    expect(head.headers['content-type']).toBe('text/plain');
    expect(head.headers['x-amz-meta-color']).toBe('blue');
    expect(head.headers['x-amz-server-side-encryption']).toBe('AES256');
    const got = await service.getObject(ctx(), { bucket: 'bkt', key: 'dir/a.txt', headers: {} });
    expect((await collect(got.body)).equals(body)).toBe(true);
  });

  it('SSE-KMS with an alias: the response names the full key ARN, the ETag is not the MD5, the audit carries the request ID', async () => {
    const { service, kms, audit } = await harness();
    const key = await kms.as(ALICE).createKey({});
    await kms.createAlias({ AliasName: 'alias/app', TargetKeyId: key.KeyMetadata.KeyId });
    const request = ctx();
    const put = await service.putObject(request, {
      bucket: 'bkt',
      key: 'k',
      headers: {
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id': 'alias/app',
      },
      body: chunks(pattern(3000)),
    });
    expect(put.headers['x-amz-server-side-encryption']).toBe('aws:kms');
    expect(put.headers['x-amz-server-side-encryption-aws-kms-key-id']).toBe(key.KeyMetadata.Arn);
    expect(put.etag).not.toBe(`"${createHash('md5').update(pattern(3000)).digest('hex')}"`);
    const calls = audit.filter((r) => r.requestId === request.requestId);
    // Write-path verification opens the stored header with the key just generated (verifyWrites: 'local').
    expect(calls.map((c) => c.eventName)).toEqual(['GenerateDataKey']);
    expect(calls[0]?.keyId).toBe(key.KeyMetadata.Arn);
    expect(calls[0]?.encryptionContext).toEqual({ 'aws:s3:arn': 'arn:aws:s3:::bkt/k' });
    expect(calls[0]?.principal).toBe(ALICE);
    // The S3 audit links to the KMS's own audit trail by KMS request ID.
    const kmsIds = new Set(kms.auditLog().map((r) => r.requestID));
    expect(calls.every((c) => c.kmsRequestId !== undefined && kmsIds.has(c.kmsRequestId))).toBe(true);
    const got = await service.getObject(ctx(), { bucket: 'bkt', key: 'k', headers: {} });
    expect((await collect(got.body)).equals(pattern(3000))).toBe(true);
    expect(got.headers['x-amz-server-side-encryption-aws-kms-key-id']).toBe(key.KeyMetadata.Arn);
  });

  it('aws:kms without a key uses alias/aws/s3, created on first use', async () => {
    const { service, kms } = await harness();
    const put = await service.putObject(ctx(), {
      bucket: 'bkt',
      key: 'k',
      headers: { 'x-amz-server-side-encryption': 'aws:kms' },
      body: chunks(pattern(10)),
    });
    const managed = await kms.as(ALICE).describeKey({ KeyId: 'alias/aws/s3' });
    expect(put.headers['x-amz-server-side-encryption-aws-kms-key-id']).toBe(managed.KeyMetadata.Arn);
  });

  it('GET/HEAD with SSE headers: 400 InvalidArgument; missing key: NoSuchKey; missing bucket: NoSuchBucket', async () => {
    const { service } = await harness();
    await service.putObject(ctx(), { bucket: 'bkt', key: 'k', headers: {}, body: chunks(pattern(10)) });
    expect(
      await s3CodeOf(
        service.getObject(ctx(), { bucket: 'bkt', key: 'k', headers: { 'x-amz-server-side-encryption': 'aws:kms' } }),
      ),
    ).toBe('InvalidArgument');
    expect(await s3CodeOf(service.headObject(ctx(), { bucket: 'bkt', key: 'nope', headers: {} }))).toBe('NoSuchKey');
    expect(await s3CodeOf(service.getObject(ctx(), { bucket: 'nobucket', key: 'k', headers: {} }))).toBe(
      'NoSuchBucket',
    );
  });

  it('empty objects round-trip', async () => {
    const { service } = await harness();
    await service.putObject(ctx(), { bucket: 'bkt', key: 'empty', headers: {}, body: chunks(Buffer.alloc(0)) });
    const got = await service.getObject(ctx(), { bucket: 'bkt', key: 'empty', headers: {} });
    expect(got.contentLength).toBe(0);
    expect((await collect(got.body)).length).toBe(0);
  });
});

describe('S3Service keys and concurrency', () => {
  it('a 1024-byte key with slashes, dots and non-ASCII round-trips and lists; a longer one is KeyTooLongError', async () => {
    const { service } = await harness();
    const key = `../${'é/'.repeat(200)}${'x'.repeat(1024 - 3 - 600)}`;
    expect(Buffer.byteLength(key)).toBe(1024);
    await service.putObject(ctx(), { bucket: 'bkt', key, headers: {}, body: chunks(pattern(10)) });
    expect(
      (await collect((await service.getObject(ctx(), { bucket: 'bkt', key, headers: {} })).body)).equals(pattern(10)),
    ).toBe(true);
    expect((await service.listObjects(ctx(), { bucket: 'bkt', prefix: '../é/' })).contents.map((c) => c.key)).toEqual([
      key,
    ]);
    expect(
      await s3CodeOf(
        service.putObject(ctx(), { bucket: 'bkt', key: `${key}y`, headers: {}, body: chunks(pattern(1)) }),
      ),
    ).toBe('KeyTooLongError');
  });

  it('of concurrent PUTs to one key, one complete object wins (its size and bytes agree)', async () => {
    const { service } = await harness();
    const bodies = [1, 2, 3, 4, 5, 6].map((seed) => pattern(3000 + seed * 100, seed));
    await Promise.all(
      bodies.map((b) =>
        service.putObject(ctx(), {
          bucket: 'bkt',
          key: 'race',
          headers: { 'x-amz-server-side-encryption': 'aws:kms' },
          body: chunks(b, 500),
        }),
      ),
    );
    const got = await collect((await service.getObject(ctx(), { bucket: 'bkt', key: 'race', headers: {} })).body);
    expect(bodies.some((b) => b.equals(got))).toBe(true);
    expect((await service.headObject(ctx(), { bucket: 'bkt', key: 'race', headers: {} })).contentLength).toBe(
      got.length,
    );
  });
});

describe('SSE-KMS needs TLS and a signed request', () => {
  it('refuses SSE-KMS PUTs and GETs over plain HTTP or anonymous with 400, and serves SSE-S3 ones', async () => {
    const { service } = await harness();
    const plain = ctx(undefined, { secureTransport: false });
    const kms = { 'x-amz-server-side-encryption': 'aws:kms' };
    expect(
      await s3CodeOf(service.putObject(plain, { bucket: 'bkt', key: 'k', headers: kms, body: chunks(pattern(5)) })),
    ).toBe('InvalidArgument');
    await service.putObject(ctx(), { bucket: 'bkt', key: 'k', headers: kms, body: chunks(pattern(5)) });
    expect(await s3CodeOf(service.getObject(plain, { bucket: 'bkt', key: 'k', headers: {} }))).toBe('InvalidArgument');
    await service.putObject(plain, { bucket: 'bkt', key: 's3', headers: {}, body: chunks(pattern(5)) });
    expect((await service.getObject(plain, { bucket: 'bkt', key: 's3', headers: {} })).contentLength).toBe(5);
  });
});
