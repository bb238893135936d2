import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ALICE, chunks, collect, ctx, harness, pattern, s3CodeOf } from '../objects/fixtures.js';

const KMS = { 'x-amz-server-side-encryption': 'aws:kms' };

describe('multipart uploads', () => {
  it('parts in any order, concurrently and re-sent: the object is the chosen parts in order, ETag ends -N, sizes are plaintext', async () => {
    const { service } = await harness({ minPartSize: 3000 });
    const { uploadId } = await service.createMultipartUpload(ctx(), { bucket: 'bkt', key: 'big', headers: KMS });
    const data = [pattern(3000, 1), pattern(4000, 2), pattern(1234, 3)];
    const up = (n: number, bytes: Uint8Array) =>
      service.uploadPart(ctx(), {
        bucket: 'bkt',
        key: 'big',
        uploadId,
        partNumber: n,
        headers: {},
        body: chunks(bytes),
      });
    await up(2, pattern(3500, 9)); // re-sent below
    const [p3, p1, p2] = await Promise.all([
      up(3, data[2] as Uint8Array),
      up(1, data[0] as Uint8Array),
      up(2, data[1] as Uint8Array),
    ]);
    const listed = await service.listParts(ctx(), { bucket: 'bkt', key: 'big', uploadId });
    expect(listed.parts.map((p) => [p.partNumber, p.size])).toEqual([
      [1, 3000],
      [2, 4000],
      [3, 1234],
    ]);
    const done = await service.completeMultipartUpload(ctx(), {
      bucket: 'bkt',
      key: 'big',
      uploadId,
      parts: [
        { partNumber: 1, etag: p1.etag },
        { partNumber: 2, etag: p2.etag },
        { partNumber: 3, etag: p3.etag },
      ],
    });
    expect(done.etag).toMatch(/^"[0-9a-f]{32}-3"$/);
    expect(done.headers['x-amz-server-side-encryption']).toBe('aws:kms');
    const got = await service.getObject(ctx(), { bucket: 'bkt', key: 'big', headers: {} });
    expect(got.contentLength).toBe(8234);
    expect((await collect(got.body)).equals(Buffer.concat(data))).toBe(true);
    expect((await service.listMultipartUploads(ctx(), { bucket: 'bkt' })).uploads).toEqual([]);
    expect(await s3CodeOf(service.listParts(ctx(), { bucket: 'bkt', key: 'big', uploadId }))).toBe('NoSuchUpload');
  });

  it('refuses a wrong order, an unknown part or ETag, a small middle part, and a bad part number', async () => {
    const { service } = await harness({ minPartSize: 100 });
    const { uploadId } = await service.createMultipartUpload(ctx(), { bucket: 'bkt', key: 'k', headers: {} });
    const a = await service.uploadPart(ctx(), {
      bucket: 'bkt',
      key: 'k',
      uploadId,
      partNumber: 1,
      headers: {},
      body: chunks(pattern(50)),
    });
    const b = await service.uploadPart(ctx(), {
      bucket: 'bkt',
      key: 'k',
      uploadId,
      partNumber: 2,
      headers: {},
      body: chunks(pattern(200)),
    });
    const complete = (parts: { partNumber: number; etag: string }[]) =>
      s3CodeOf(service.completeMultipartUpload(ctx(), { bucket: 'bkt', key: 'k', uploadId, parts }));
    expect(
      await complete([
        { partNumber: 2, etag: b.etag },
        { partNumber: 1, etag: a.etag },
      ]),
    ).toBe('InvalidPartOrder');
    expect(await complete([{ partNumber: 1, etag: '"nope"' }])).toBe('InvalidPart');
    expect(await complete([{ partNumber: 3, etag: a.etag }])).toBe('InvalidPart');
    expect(
      await complete([
        { partNumber: 1, etag: a.etag },
        { partNumber: 2, etag: b.etag },
      ]),
    ).toBe('EntityTooSmall');
    expect(
      await s3CodeOf(
        service.uploadPart(ctx(), {
          bucket: 'bkt',
          key: 'k',
          uploadId,
          partNumber: 10_001,
          headers: {},
          body: chunks(pattern(1)),
        }),
      ),
    ).toBe('InvalidArgument');
    expect(
      await s3CodeOf(
        service.uploadPart(ctx(), {
          bucket: 'bkt',
          key: 'k',
          uploadId: 'f'.repeat(48),
          partNumber: 1,
          headers: {},
          body: chunks(pattern(1)),
        }),
      ),
    ).toBe('NoSuchUpload');
  });

  it('abort deletes the upload, its parts and their bodies; nothing is listed', async () => {
    const { service, store } = await harness();
    const before = store.size;
    const { uploadId } = await service.createMultipartUpload(ctx(), { bucket: 'bkt', key: 'k', headers: {} });
    await service.uploadPart(ctx(), {
      bucket: 'bkt',
      key: 'k',
      uploadId,
      partNumber: 1,
      headers: {},
      body: chunks(pattern(500)),
    });
    expect((await service.listMultipartUploads(ctx(), { bucket: 'bkt' })).uploads.map((u) => u.uploadId)).toEqual([
      uploadId,
    ]);
    await service.abortMultipartUpload(ctx(), { bucket: 'bkt', key: 'k', uploadId });
    expect(store.size).toBe(before);
    expect((await service.listObjects(ctx(), { bucket: 'bkt' })).contents).toEqual([]);
  });

  it('UploadPartCopy takes a range of another object', async () => {
    const { service } = await harness();
    const src = pattern(10_000, 4);
    await service.putObject(ctx(), { bucket: 'bkt', key: 'src', headers: KMS, body: chunks(src) });
    const { uploadId } = await service.createMultipartUpload(ctx(), { bucket: 'bkt', key: 'dst', headers: {} });
    const p1 = await service.uploadPartCopy(ctx(), {
      bucket: 'bkt',
      key: 'dst',
      uploadId,
      partNumber: 1,
      headers: {},
      source: { bucket: 'bkt', key: 'src' },
      sourceRange: 'bytes=100-5099',
    });
    const p2 = await service.uploadPartCopy(ctx(), {
      bucket: 'bkt',
      key: 'dst',
      uploadId,
      partNumber: 2,
      headers: {},
      source: { bucket: 'bkt', key: 'src' },
    });
    await service.completeMultipartUpload(ctx(), {
      bucket: 'bkt',
      key: 'dst',
      uploadId,
      parts: [
        { partNumber: 1, etag: p1.etag },
        { partNumber: 2, etag: p2.etag },
      ],
    });
    const got = await service.getObject(ctx(), { bucket: 'bkt', key: 'dst', headers: {} });
    expect((await collect(got.body)).equals(Buffer.concat([src.subarray(100, 5100), src]))).toBe(true);
  });

  it('part checksums are verified against the plaintext and the composite is returned with checksum mode', async () => {
    const { service } = await harness();
    const { uploadId } = await service.createMultipartUpload(ctx(), {
      bucket: 'bkt',
      key: 'c',
      headers: { 'x-amz-checksum-algorithm': 'SHA256' },
    });
    const part = pattern(2000, 5);
    const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('base64');
    expect(
      await s3CodeOf(
        service.uploadPart(ctx(), {
          bucket: 'bkt',
          key: 'c',
          uploadId,
          partNumber: 1,
          headers: { 'x-amz-checksum-sha256': sha(pattern(2000, 6)) },
          body: chunks(part),
        }),
      ),
    ).toBe('BadDigest');
    const p1 = await service.uploadPart(ctx(), {
      bucket: 'bkt',
      key: 'c',
      uploadId,
      partNumber: 1,
      headers: { 'x-amz-checksum-sha256': sha(part) },
      body: chunks(part),
    });
    expect(p1.headers['x-amz-checksum-sha256']).toBe(sha(part));
    await service.completeMultipartUpload(ctx(), {
      bucket: 'bkt',
      key: 'c',
      uploadId,
      parts: [{ partNumber: 1, etag: p1.etag }],
    });
    const head = await service.headObject(ctx(), {
      bucket: 'bkt',
      key: 'c',
      headers: { 'x-amz-checksum-mode': 'ENABLED' },
    });
    const composite = createHash('sha256')
      .update(Buffer.from(sha(part), 'base64'))
      .digest('base64');
    expect(head.headers['x-amz-checksum-sha256']).toBe(`${composite}-1`);
    expect(head.headers['x-amz-checksum-type']).toBe('COMPOSITE');
    expect(ALICE).toContain('alice');
  });
});
