import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  S3ServiceException,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startHarness, type Harness } from './support/gateway-harness.js';

const MiB = 1024 * 1024;

function pattern(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed * 7 + (i >> 10)) & 0xff;
  return out;
}

async function s3Error(promise: Promise<unknown>): Promise<{ name: string; status: number | undefined }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof S3ServiceException) return { name: error.name, status: error.$metadata.httpStatusCode };
    throw error;
  }
  throw new Error('expected an S3 error');
}

describe.each(BACKENDS)('gateway over %s: listing, copy, multipart through the SDK', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(backend);
    await h.client().send(new CreateBucketCommand({ Bucket: 'ops' }));
  });
  afterAll(async () => h?.close());

  it('ListObjectsV2 and ListObjects: prefix, delimiter, pagination, plaintext sizes', async () => {
    const s3 = h.client();
    const keys = ['list/a.txt', 'list/b/1', 'list/b/2', 'list/c d+é.txt', 'list/z'];
    for (const [i, key] of keys.entries())
      await s3.send(new PutObjectCommand({ Bucket: 'ops', Key: key, Body: 'x'.repeat(i + 1) }));
    const v2 = await s3.send(new ListObjectsV2Command({ Bucket: 'ops', Prefix: 'list/', Delimiter: '/' }));
    expect(v2.Contents?.map((c) => [c.Key, c.Size])).toEqual([
      ['list/a.txt', 1],
      ['list/c d+é.txt', 4],
      ['list/z', 5],
    ]);
    expect(v2.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['list/b/']);
    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: 'ops', Prefix: 'list/', MaxKeys: 2, ContinuationToken: token }),
      );
      pages.push((page.Contents ?? []).map((c) => c.Key as string));
      token = page.NextContinuationToken;
    } while (token !== undefined);
    expect(pages.flat()).toEqual(keys);
    expect(pages[0]).toHaveLength(2);
    const v1 = await s3.send(new ListObjectsCommand({ Bucket: 'ops', Prefix: 'list/b/', Marker: 'list/b/1' }));
    expect(v1.Contents?.map((c) => c.Key)).toEqual(['list/b/2']);
    expect(
      await s3Error(s3.send(new ListObjectsV2Command({ Bucket: 'ops', ...({ MaxKeys: -1 } as object) }))),
    ).toMatchObject({ status: 400 });
  });

  it('CopyObject copies across keys, and onto itself with new SSE headers re-keys it', async () => {
    const s3 = h.client();
    await s3.send(new PutObjectCommand({ Bucket: 'ops', Key: 'copy/src', Body: 'copy me', Metadata: { m: '1' } }));
    const copy = await s3.send(new CopyObjectCommand({ Bucket: 'ops', Key: 'copy/dst', CopySource: 'ops/copy/src' }));
    expect(copy.CopyObjectResult?.ETag).toMatch(/^"[0-9a-f]+"$/);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'ops', Key: 'copy/dst' }));
    expect(await got.Body!.transformToString()).toBe('copy me');
    expect(got.Metadata).toEqual({ m: '1' });
    // Onto itself without a change: 400 InvalidRequest.
    expect(
      await s3Error(s3.send(new CopyObjectCommand({ Bucket: 'ops', Key: 'copy/src', CopySource: 'ops/copy/src' }))),
    ).toMatchObject({ name: 'InvalidRequest', status: 400 });
    const rekeyed = await s3.send(
      new CopyObjectCommand({
        Bucket: 'ops',
        Key: 'copy/src',
        CopySource: 'ops/copy/src',
        ServerSideEncryption: 'aws:kms',
      }),
    );
    expect(rekeyed.ServerSideEncryption).toBe('aws:kms');
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'ops', Key: 'copy/src' }));
    expect(head.ServerSideEncryption).toBe('aws:kms');
    expect(head.SSEKMSKeyId).toMatch(/^arn:aws:kms:/);
    expect(
      await (await s3.send(new GetObjectCommand({ Bucket: 'ops', Key: 'copy/src' }))).Body!.transformToString(),
    ).toBe('copy me');
  });

  it('lib-storage multipart upload (concurrent parts, SSE-KMS), then range reads across part boundaries', async () => {
    const s3 = h.client();
    const body = pattern(12 * MiB + 12345, 3);
    const upload = new Upload({
      client: s3,
      params: { Bucket: 'ops', Key: 'mp/big.bin', Body: body, ServerSideEncryption: 'aws:kms', BucketKeyEnabled: true },
      partSize: 5 * MiB,
      queueSize: 3,
    });
    const done = await upload.done();
    expect(done.ETag).toMatch(/-3"$/);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'ops', Key: 'mp/big.bin' }));
    expect(head.ContentLength).toBe(body.length);
    expect(head.ServerSideEncryption).toBe('aws:kms');
    const whole = Buffer.from(
      await (await s3.send(new GetObjectCommand({ Bucket: 'ops', Key: 'mp/big.bin' }))).Body!.transformToByteArray(),
    );
    expect(whole.equals(body)).toBe(true);
    const start = 5 * MiB - 100;
    const ranged = await s3.send(
      new GetObjectCommand({ Bucket: 'ops', Key: 'mp/big.bin', Range: `bytes=${start}-${start + 199}` }),
    );
    expect(ranged.ContentRange).toBe(`bytes ${start}-${start + 199}/${body.length}`);
    expect(Buffer.from(await ranged.Body!.transformToByteArray()).equals(body.subarray(start, start + 200))).toBe(true);
    const suffix = await s3.send(new GetObjectCommand({ Bucket: 'ops', Key: 'mp/big.bin', Range: 'bytes=-10' }));
    expect(Buffer.from(await suffix.Body!.transformToByteArray()).equals(body.subarray(body.length - 10))).toBe(true);
    expect(
      await s3Error(
        s3.send(new GetObjectCommand({ Bucket: 'ops', Key: 'mp/big.bin', Range: `bytes=${body.length}-` })),
      ),
    ).toMatchObject({ name: 'InvalidRange', status: 416 });
  });

  it('multipart by hand: parts out of order, ListParts, ListMultipartUploads, UploadPartCopy, errors, abort', async () => {
    const s3 = h.client();
    const create = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'ops', Key: 'mp/hand' }));
    const uploadId = create.UploadId as string;
    const part1 = pattern(5 * MiB, 1);
    const p2 = await s3.send(
      new UploadPartCommand({
        Bucket: 'ops',
        Key: 'mp/hand',
        UploadId: uploadId,
        PartNumber: 2,
        Body: Buffer.from('tail'),
      }),
    );
    const p1 = await s3.send(
      new UploadPartCommand({ Bucket: 'ops', Key: 'mp/hand', UploadId: uploadId, PartNumber: 1, Body: part1 }),
    );
    await s3.send(new PutObjectCommand({ Bucket: 'ops', Key: 'mp/source', Body: 'copied-part' }));
    const p3 = await s3.send(
      new UploadPartCopyCommand({
        Bucket: 'ops',
        Key: 'mp/hand',
        UploadId: uploadId,
        PartNumber: 3,
        CopySource: 'ops/mp/source',
        CopySourceRange: 'bytes=0-5',
      }),
    );
    const parts = await s3.send(new ListPartsCommand({ Bucket: 'ops', Key: 'mp/hand', UploadId: uploadId }));
    expect(parts.Parts?.map((p) => [p.PartNumber, p.Size])).toEqual([
      [1, part1.length],
      [2, 4],
      [3, 6],
    ]);
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'ops', Prefix: 'mp/' }));
    expect(uploads.Uploads?.map((u) => u.UploadId)).toContain(uploadId);
    // Part 2 (4 bytes) is not the last and is under 5 MiB: EntityTooSmall.
    expect(
      await s3Error(
        s3.send(
          new CompleteMultipartUploadCommand({
            Bucket: 'ops',
            Key: 'mp/hand',
            UploadId: uploadId,
            MultipartUpload: {
              Parts: [
                { PartNumber: 1, ETag: p1.ETag },
                { PartNumber: 2, ETag: p2.ETag },
                { PartNumber: 3, ETag: p3.CopyPartResult?.ETag },
              ],
            },
          }),
        ),
      ),
    ).toMatchObject({ name: 'EntityTooSmall', status: 400 });
    expect(
      await s3Error(
        s3.send(
          new CompleteMultipartUploadCommand({
            Bucket: 'ops',
            Key: 'mp/hand',
            UploadId: uploadId,
            MultipartUpload: {
              Parts: [
                { PartNumber: 1, ETag: p1.ETag },
                { PartNumber: 1, ETag: p1.ETag },
              ],
            },
          }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidPartOrder', status: 400 });
    // Part numbers must strictly ascend.
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'ops',
        Key: 'mp/hand',
        UploadId: uploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: p1.ETag },
            { PartNumber: 3, ETag: p3.CopyPartResult?.ETag },
          ],
        },
      }),
    );
    expect(done.ETag).toMatch(/-2"$/);
    const got = Buffer.from(
      await (await s3.send(new GetObjectCommand({ Bucket: 'ops', Key: 'mp/hand' }))).Body!.transformToByteArray(),
    );
    expect(got.equals(Buffer.concat([part1, Buffer.from('copied')]))).toBe(true);
    const other = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'ops', Key: 'mp/aborted' }));
    await s3.send(new AbortMultipartUploadCommand({ Bucket: 'ops', Key: 'mp/aborted', UploadId: other.UploadId }));
    expect(
      await s3Error(s3.send(new ListPartsCommand({ Bucket: 'ops', Key: 'mp/aborted', UploadId: other.UploadId }))),
    ).toMatchObject({ name: 'NoSuchUpload', status: 404 });
  });

  it('DeleteObjects deletes a batch and reports each key', async () => {
    const s3 = h.client();
    for (const key of ['del/1', 'del/2']) await s3.send(new PutObjectCommand({ Bucket: 'ops', Key: key, Body: key }));
    const result = await s3.send(
      new DeleteObjectsCommand({
        Bucket: 'ops',
        Delete: { Objects: [{ Key: 'del/1' }, { Key: 'del/2' }, { Key: 'del/none' }] },
      }),
    );
    expect(result.Deleted?.map((d) => d.Key).sort()).toEqual(['del/1', 'del/2', 'del/none']);
    const left = await s3.send(new ListObjectsV2Command({ Bucket: 'ops', Prefix: 'del/' }));
    expect(left.KeyCount).toBe(0);
  });
});
