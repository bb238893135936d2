import { describe, expect, it } from 'vitest';
import { ALICE, BOB, chunks, collect, ctx, harness, pattern, s3CodeOf } from './fixtures.js';

const kmsWith = (keyId: string) => ({
  'x-amz-server-side-encryption': 'aws:kms',
  'x-amz-server-side-encryption-aws-kms-key-id': keyId,
});

describe('CopyObject and re-key', () => {
  it('CopyObject onto itself with a new KMS key takes the re-key path: new EDKs, body blobs byte-identical, old key no longer needed', async () => {
    const { service, kms, store } = await harness({ minPartSize: 1 });
    const k1 = (await kms.as(ALICE).createKey({})).KeyMetadata.Arn;
    const k2 = (await kms.as(ALICE).createKey({})).KeyMetadata.Arn;
    const { uploadId } = await service.createMultipartUpload(ctx(), {
      bucket: 'bkt',
      key: 'obj',
      headers: kmsWith(k1),
    });
    const parts = [pattern(3000, 1), pattern(2000, 2)];
    const etags = [];
    for (const [i, p] of parts.entries())
      etags.push(
        (
          await service.uploadPart(ctx(), {
            bucket: 'bkt',
            key: 'obj',
            uploadId,
            partNumber: i + 1,
            headers: {},
            body: chunks(p),
          })
        ).etag,
      );
    await service.completeMultipartUpload(ctx(), {
      bucket: 'bkt',
      key: 'obj',
      uploadId,
      parts: etags.map((etag, i) => ({ partNumber: i + 1, etag })),
    });
    const bodiesBefore = new Map(
      [...(await store.list('d/')).entries].map((e) => [e.name, Buffer.from(store.peek(e.name) as Uint8Array)]),
    );
    const copied = await service.copyObject(ctx(), {
      bucket: 'bkt',
      key: 'obj',
      source: { bucket: 'bkt', key: 'obj' },
      headers: kmsWith(k2),
    });
    expect(copied.path).toBe('rekey');
    expect(copied.headers['x-amz-server-side-encryption-aws-kms-key-id']).toBe(k2);
    const bodiesAfter = (await store.list('d/')).entries;
    expect(bodiesAfter.map((e) => e.name)).toEqual([...bodiesBefore.keys()]);
    for (const e of bodiesAfter)
      expect(Buffer.from(store.peek(e.name) as Uint8Array).equals(bodiesBefore.get(e.name) as Buffer)).toBe(true);
    await kms.as(ALICE).disableKey({ KeyId: k1 });
    const got = await service.getObject(ctx(), { bucket: 'bkt', key: 'obj', headers: {} });
    expect((await collect(got.body)).equals(Buffer.concat(parts))).toBe(true);
    expect(
      (await service.headObject(ctx(), { bucket: 'bkt', key: 'obj', headers: {} })).headers[
        'x-amz-server-side-encryption-aws-kms-key-id'
      ],
    ).toBe(k2);
  });

  it('re-keys SSE-S3 to SSE-KMS and back through the API without re-encrypting', async () => {
    const { service, kms, store } = await harness();
    const k = (await kms.as(ALICE).createKey({})).KeyMetadata.Arn;
    await service.putObject(ctx(), { bucket: 'bkt', key: 'o', headers: {}, body: chunks(pattern(5000)) });
    const [body] = (await store.list('d/')).entries;
    const before = Buffer.from(store.peek(body?.name as string) as Uint8Array);
    const r = await service.rekeyObject(ctx(), { bucket: 'bkt', key: 'o', keyId: k });
    expect(r.headers['x-amz-server-side-encryption']).toBe('aws:kms');
    expect(Buffer.from(store.peek(body?.name as string) as Uint8Array).equals(before)).toBe(true);
    expect(
      (await collect((await service.getObject(ctx(), { bucket: 'bkt', key: 'o', headers: {} })).body)).equals(
        pattern(5000),
      ),
    ).toBe(true);
    await service.rekeyObject(ctx(), { bucket: 'bkt', key: 'o', algorithm: 'AES256' });
    expect(
      (await service.headObject(ctx(), { bucket: 'bkt', key: 'o', headers: {} })).headers[
        'x-amz-server-side-encryption'
      ],
    ).toBe('AES256');
    expect(
      (await collect((await service.getObject(ctx(), { bucket: 'bkt', key: 'o', headers: {} })).body)).equals(
        pattern(5000),
      ),
    ).toBe(true);
  });

  it('copy to another key or with a bucket key re-encrypts; metadata COPY or REPLACE; onto itself with no change is InvalidRequest', async () => {
    const { service } = await harness();
    await service.putObject(ctx(), {
      bucket: 'bkt',
      key: 'src',
      headers: { 'x-amz-meta-a': '1', 'content-type': 'text/x' },
      body: chunks(pattern(1500)),
    });
    const c1 = await service.copyObject(ctx(), {
      bucket: 'bkt',
      key: 'dst',
      source: { bucket: 'bkt', key: 'src' },
      headers: { 'x-amz-server-side-encryption': 'aws:kms' },
    });
    expect(c1.path).toBe('reencrypt');
    const head = await service.headObject(ctx(), { bucket: 'bkt', key: 'dst', headers: {} });
    expect(head.headers['x-amz-meta-a']).toBe('1');
    expect(head.headers['content-type']).toBe('text/x');
    expect(head.headers['x-amz-server-side-encryption']).toBe('aws:kms');
    const c2 = await service.copyObject(ctx(), {
      bucket: 'bkt',
      key: 'src',
      source: { bucket: 'bkt', key: 'src' },
      headers: { 'x-amz-metadata-directive': 'REPLACE', 'x-amz-meta-b': '2' },
    });
    expect(c2.path).toBe('reencrypt');
    const h2 = await service.headObject(ctx(), { bucket: 'bkt', key: 'src', headers: {} });
    expect(h2.headers['x-amz-meta-a']).toBeUndefined();
    expect(h2.headers['x-amz-meta-b']).toBe('2');
    const c3 = await service.copyObject(ctx(), {
      bucket: 'bkt',
      key: 'src',
      source: { bucket: 'bkt', key: 'src' },
      headers: { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-bucket-key-enabled': 'true' },
    });
    expect(c3.path).toBe('reencrypt');
    expect(c3.headers['x-amz-server-side-encryption-bucket-key-enabled']).toBe('true');
    expect(
      (await collect((await service.getObject(ctx(), { bucket: 'bkt', key: 'src', headers: {} })).body)).equals(
        pattern(1500),
      ),
    ).toBe(true);
    expect(
      await s3CodeOf(
        service.copyObject(ctx(), { bucket: 'bkt', key: 'src', source: { bucket: 'bkt', key: 'src' }, headers: {} }),
      ),
    ).toBe('InvalidRequest');
  });

  it('re-keying needs kms:Decrypt on the old key as the caller: a principal without it gets AccessDenied and the object is unchanged', async () => {
    const { service, kms } = await harness();
    const admin = kms.as(ALICE);
    const k1 = (await admin.createKey({})).KeyMetadata.Arn;
    const k2 = (await admin.createKey({})).KeyMetadata.Arn;
    await service.putObject(ctx(), { bucket: 'bkt', key: 'o', headers: kmsWith(k1), body: chunks(pattern(100)) });
    const policy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:*', Resource: '*' }],
    };
    await admin.putKeyPolicy({ KeyId: k1, PolicyName: 'default', Policy: JSON.stringify(policy) });
    expect(await s3CodeOf(service.rekeyObject(ctx(BOB), { bucket: 'bkt', key: 'o', keyId: k2 }))).toBe('AccessDenied');
    expect(
      (await service.headObject(ctx(), { bucket: 'bkt', key: 'o', headers: {} })).headers[
        'x-amz-server-side-encryption-aws-kms-key-id'
      ],
    ).toBe(k1);
  });
});
