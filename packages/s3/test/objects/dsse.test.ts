import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createEngine } from '@sealflow/core';
import { kmsKeyProvider } from '@sealflow/s3';
import { BlobNames } from '../../src/objects/blob-names.js';
import { decodeObjectRecord } from '../../src/objects/object-record.js';
import { framedPlaintextLength } from '../../src/objects/dual-layer-engine.js';
import { ALICE, chunks, collect, ctx, harness, s3CodeOf } from './fixtures.js';

const DSSE = { 'x-amz-server-side-encryption': 'aws:kms:dsse' };

describe('DSSE-KMS (aws:kms:dsse)', () => {
  it('PUT makes two data keys (one per layer) and answers aws:kms:dsse with the key ARN; GET and ranges read back', async () => {
    const { service, audit, kms } = await harness();
    const key = await kms.as(ALICE).createKey({});
    const body = randomBytes(10_000);
    const request = ctx();
    const put = await service.putObject(request, {
      bucket: 'bkt',
      key: 'd',
      headers: { ...DSSE, 'x-amz-server-side-encryption-aws-kms-key-id': key.KeyMetadata.KeyId },
      body: chunks(body),
    });
    expect(put.headers['x-amz-server-side-encryption']).toBe('aws:kms:dsse');
    expect(put.headers['x-amz-server-side-encryption-aws-kms-key-id']).toBe(key.KeyMetadata.Arn);
    expect(put.headers['x-amz-server-side-encryption-bucket-key-enabled']).toBeUndefined();
    const calls = audit.filter((r) => r.requestId === request.requestId);
    expect(calls.map((c) => c.eventName)).toEqual(['GenerateDataKey', 'GenerateDataKey']);
    expect(calls.every((c) => c.encryptionContext['aws:s3:arn'] === 'arn:aws:s3:::bkt/d')).toBe(true);
    const got = await service.getObject(ctx(), { bucket: 'bkt', key: 'd', headers: {} });
    expect(got.headers['x-amz-server-side-encryption']).toBe('aws:kms:dsse');
    expect(got.headers['x-amz-server-side-encryption-aws-kms-key-id']).toBe(key.KeyMetadata.Arn);
    expect((await collect(got.body)).equals(body)).toBe(true);
    for (const range of ['bytes=0-0', 'bytes=1000-5000', 'bytes=-7', 'bytes=9990-']) {
      const r = await service.getObject(ctx(), { bucket: 'bkt', key: 'd', headers: { range } });
      const [, a, b] = /bytes=(\d*)-(\d*)/.exec(range) as RegExpExecArray;
      const start = a === '' ? body.length - Number(b) : Number(a);
      const end = a === '' || b === '' ? body.length : Number(b) + 1;
      expect(r.status).toBe(206);
      expect((await collect(r.body)).equals(body.subarray(start, end)), range).toBe(true);
    }
    const head = await service.headObject(ctx(), { bucket: 'bkt', key: 'd', headers: {} });
    expect(head.headers['x-amz-server-side-encryption']).toBe('aws:kms:dsse');
    expect(head.contentLength).toBe(body.length);
  });

  it('each layer is a real ESDK message: the outer one opens to the inner one, which opens to the plaintext', async () => {
    const { service, store, kms } = await harness();
    const body = randomBytes(3000);
    await service.putObject(ctx(), { bucket: 'bkt', key: 'd', headers: DSSE, body: chunks(body) });
    const record = decodeObjectRecord(store.peek(BlobNames.object('bkt', 'd')) as Uint8Array);
    expect(record.encryption.algorithm).toBe('aws:kms:dsse');
    const part = record.parts[0];
    if (part === undefined) throw new Error('no part');
    const outerMessage = Buffer.concat([part.header, store.peek(part.blob) as Uint8Array]);
    const provider = kmsKeyProvider({ clientFor: (p) => kms.as(p) });
    const engine = createEngine({ keyStore: provider.keyStoreFor(ALICE) });
    const inner = (await engine.decrypt(outerMessage)).plaintext;
    expect(inner.length).toBe(framedPlaintextLength(outerMessage.length, part.header.length, 1024));
    const innerInfo = engine.inspect(inner);
    expect(Buffer.from(innerInfo.messageId).equals(Buffer.from(engine.inspect(outerMessage).messageId))).toBe(false);
    const opened = (await engine.decrypt(inner)).plaintext;
    // The inner plaintext is the object followed by the sealed trailer.
    expect(Buffer.from(opened.subarray(0, body.length)).equals(body)).toBe(true);
    expect(opened.length).toBe(body.length + part.trailerLength);
    // No plaintext in either layer.
    expect(outerMessage.includes(body.subarray(0, 64))).toBe(false);
    expect(Buffer.from(inner).includes(body.subarray(0, 64))).toBe(false);
  });

  it('bucket default aws:kms:dsse applies; a bucket key asked for is not used; multipart and checksums work', async () => {
    const { service } = await harness();
    await service.putBucketEncryption(ctx(), {
      bucket: 'bkt',
      body: '<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms:dsse</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>',
    });
    const put = await service.putObject(ctx(), {
      bucket: 'bkt',
      key: 'p',
      headers: {},
      body: chunks(randomBytes(100)),
    });
    expect(put.headers['x-amz-server-side-encryption']).toBe('aws:kms:dsse');
    expect(put.headers['x-amz-server-side-encryption-bucket-key-enabled']).toBeUndefined();
    const parts = [randomBytes(2000), randomBytes(1500)];
    const { uploadId, headers } = await service.createMultipartUpload(ctx(), {
      bucket: 'bkt',
      key: 'm',
      headers: { 'x-amz-checksum-algorithm': 'CRC32C', 'x-amz-checksum-type': 'FULL_OBJECT' },
    });
    expect(headers['x-amz-server-side-encryption']).toBe('aws:kms:dsse');
    const done = [];
    for (const [i, p] of parts.entries()) {
      const r = await service.uploadPart(ctx(), {
        bucket: 'bkt',
        key: 'm',
        uploadId,
        partNumber: i + 1,
        headers: {},
        body: chunks(p),
      });
      done.push({ partNumber: i + 1, etag: r.etag });
    }
    const complete = await service.completeMultipartUpload(ctx(), { bucket: 'bkt', key: 'm', uploadId, parts: done });
    expect(complete.headers['x-amz-server-side-encryption']).toBe('aws:kms:dsse');
    const whole = Buffer.concat(parts);
    const r = await service.getObject(ctx(), { bucket: 'bkt', key: 'm', headers: { range: 'bytes=1990-2010' } });
    expect((await collect(r.body)).equals(whole.subarray(1990, 2011))).toBe(true);
    const head = await service.headObject(ctx(), {
      bucket: 'bkt',
      key: 'm',
      headers: { 'x-amz-checksum-mode': 'ENABLED' },
    });
    expect(head.headers['x-amz-checksum-crc32c']).toBe(complete.headers['x-amz-checksum-crc32c']);
  });

  it('a bucket policy can require aws:kms:dsse; copy re-encrypts to and from DSSE; in-place re-key is refused', async () => {
    const { service } = await harness();
    await service.putObject(ctx(), { bucket: 'bkt', key: 'x', headers: DSSE, body: chunks(randomBytes(50)) });
    expect(await s3CodeOf(service.rekeyObject(ctx(), { bucket: 'bkt', key: 'x' }))).toBe('InvalidRequest');
    await service.putBucketPolicy(ctx(), {
      bucket: 'bkt',
      body: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:PutObject',
            Resource: 'arn:aws:s3:::bkt/*',
            Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms:dsse' } },
          },
        ],
      }),
    });
    const kmsOnly = service.putObject(ctx(), {
      bucket: 'bkt',
      key: 'x',
      headers: { 'x-amz-server-side-encryption': 'aws:kms' },
      body: chunks(randomBytes(10)),
    });
    expect(await s3CodeOf(kmsOnly)).toBe('AccessDenied');
    const body = randomBytes(5000);
    await service.putObject(ctx(), { bucket: 'bkt', key: 'x', headers: DSSE, body: chunks(body) });
    const copy = await service.copyObject(ctx(), {
      bucket: 'bkt',
      key: 'x',
      source: { bucket: 'bkt', key: 'x' },
      headers: { ...DSSE, 'x-amz-metadata-directive': 'REPLACE' },
    });
    expect(copy.path).toBe('reencrypt');
    const got = await service.getObject(ctx(), { bucket: 'bkt', key: 'x', headers: {} });
    expect((await collect(got.body)).equals(body)).toBe(true);
  });
});
