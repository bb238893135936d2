// Conditional reads, conditional copies, conditional writes and GetObject response
// overrides, driven over real sockets by @aws-sdk/client-s3 (S3 API reference: GetObject,
// HeadObject, CopyObject, UploadPartCopy, PutObject, CompleteMultipartUpload).
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3ServiceException,
  UploadPartCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, BACKENDS, startHarness, type Harness } from './support/gateway-harness.js';
import { errorCode, rawRequest } from './support/raw-request.js';

async function failure(promise: Promise<unknown>): Promise<{ name: string; status: number | undefined }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof S3ServiceException) return { name: error.name, status: error.$metadata.httpStatusCode };
    throw error;
  }
  throw new Error('expected an S3 error');
}

const PAST = new Date('1994-10-29T19:43:31Z');
const FUTURE = new Date('2100-10-29T19:43:31Z');
const BUCKET = 'conditional';

describe.each(BACKENDS)('gateway over %s: conditional requests and response overrides', (backend) => {
  let h: Harness;
  let s3: S3Client;
  let etag: string;
  let lastModified: Date;

  beforeAll(async () => {
    h = await startHarness(backend);
    s3 = h.client();
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'obj', Body: 'conditional body' }));
    etag = put.ETag as string;
    lastModified = (await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'obj' }))).LastModified as Date;
  });
  afterAll(async () => h?.close());

  const get = (extra: Record<string, unknown>) =>
    s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'obj', ...extra })).then((r) => r.Body?.transformToString());
  const head = (extra: Record<string, unknown>) =>
    s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'obj', ...extra })).then((r) => r.ETag);

  it('If-Match: the ETag quoted, unquoted, in a list or * reads the object; another ETag is 412 PreconditionFailed', async () => {
    expect(await get({ IfMatch: etag })).toBe('conditional body');
    expect(await get({ IfMatch: etag.replaceAll('"', '') })).toBe('conditional body');
    expect(await get({ IfMatch: `"0000", ${etag}` })).toBe('conditional body');
    expect(await get({ IfMatch: '*' })).toBe('conditional body');
    expect(await head({ IfMatch: etag })).toBe(etag);
    expect(await failure(get({ IfMatch: '"0123456789abcdef"' }))).toEqual({ name: 'PreconditionFailed', status: 412 });
    // A weak tag never matches under If-Match's strong comparison.
    expect(await failure(get({ IfMatch: `W/${etag}` }))).toMatchObject({ status: 412 });
    expect(await failure(head({ IfMatch: '"0123456789abcdef"' }))).toMatchObject({ status: 412 });
  });

  it('If-None-Match: the ETag (quoted, unquoted, weak or *) is 304 Not Modified with no body; another reads', async () => {
    for (const value of [etag, etag.replaceAll('"', ''), `W/${etag}`, '*', `"0000", ${etag}`]) {
      expect(await failure(get({ IfNoneMatch: value }))).toMatchObject({ status: 304 });
      expect(await failure(head({ IfNoneMatch: value }))).toMatchObject({ status: 304 });
    }
    expect(await get({ IfNoneMatch: '"0123456789abcdef"' })).toBe('conditional body');
  });

  it('a 304 carries the ETag and Last-Modified and no body; a GET 412 carries the S3 XML error', async () => {
    const path = `/${BUCKET}/obj`;
    const notModified = await rawRequest(h.gateway.url, h.ca as string, {
      path,
      headers: { 'if-none-match': etag },
      credentials: ALICE,
    });
    expect([notModified.status, notModified.body, notModified.headers.etag]).toEqual([304, '', etag]);
    expect(notModified.headers['last-modified']).toBe(lastModified.toUTCString());
    const failed = await rawRequest(h.gateway.url, h.ca as string, {
      path,
      headers: { 'if-match': '"nope"' },
      credentials: ALICE,
    });
    expect([failed.status, errorCode(failed.body)]).toEqual([412, 'PreconditionFailed']);
    expect(failed.body).toContain('<Condition>If-Match</Condition>');
  });

  it('If-Modified-Since / If-Unmodified-Since compare whole seconds of Last-Modified', async () => {
    expect(await get({ IfModifiedSince: PAST })).toBe('conditional body');
    expect(await failure(get({ IfModifiedSince: lastModified }))).toMatchObject({ status: 304 });
    expect(await failure(head({ IfModifiedSince: new Date(lastModified.getTime() + 1000) }))).toMatchObject({
      status: 304,
    });
    expect(await failure(get({ IfUnmodifiedSince: PAST }))).toEqual({ name: 'PreconditionFailed', status: 412 });
    expect(await get({ IfUnmodifiedSince: lastModified })).toBe('conditional body');
    expect(await get({ IfUnmodifiedSince: FUTURE })).toBe('conditional body');
  });

  it("S3's precedence: If-Match true wins over If-Unmodified-Since false; If-None-Match false gives 304 whatever If-Modified-Since says; 412 before 304 and before 416", async () => {
    expect(await get({ IfMatch: etag, IfUnmodifiedSince: PAST })).toBe('conditional body');
    expect(await failure(get({ IfNoneMatch: etag, IfModifiedSince: PAST }))).toMatchObject({ status: 304 });
    // If-None-Match present and not matching: If-Modified-Since is not consulted.
    expect(await get({ IfNoneMatch: '"other"', IfModifiedSince: FUTURE })).toBe('conditional body');
    expect(await failure(get({ IfMatch: '"other"', IfNoneMatch: etag }))).toMatchObject({ status: 412 });
    expect(await failure(get({ IfMatch: '"other"', Range: 'bytes=1000-' }))).toMatchObject({ status: 412 });
  });

  it('CopyObject honours x-amz-copy-source-if-* (every failure 412); if-match true with if-unmodified-since false copies', async () => {
    const copy = (extra: Record<string, unknown>) =>
      s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'copy', CopySource: `${BUCKET}/obj`, ...extra }));
    await copy({ CopySourceIfMatch: etag });
    await copy({ CopySourceIfMatch: etag, CopySourceIfUnmodifiedSince: PAST });
    await copy({ CopySourceIfNoneMatch: '"other"', CopySourceIfModifiedSince: PAST });
    const refused = [
      { CopySourceIfMatch: '"other"' },
      { CopySourceIfNoneMatch: etag },
      { CopySourceIfNoneMatch: etag, CopySourceIfModifiedSince: PAST },
      { CopySourceIfModifiedSince: FUTURE },
      { CopySourceIfUnmodifiedSince: PAST },
    ];
    for (const extra of refused)
      expect(await failure(copy(extra))).toEqual({ name: 'PreconditionFailed', status: 412 });
    const copied = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'copy' }));
    expect(await copied.Body?.transformToString()).toBe('conditional body');
  });

  it('UploadPartCopy honours x-amz-copy-source-if-*', async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'mp-copy' }));
    const part = (extra: Record<string, unknown>) =>
      s3.send(
        new UploadPartCopyCommand({
          Bucket: BUCKET,
          Key: 'mp-copy',
          UploadId,
          PartNumber: 1,
          CopySource: `${BUCKET}/obj`,
          ...extra,
        }),
      );
    expect(await failure(part({ CopySourceIfMatch: '"other"' }))).toEqual({ name: 'PreconditionFailed', status: 412 });
    expect(await failure(part({ CopySourceIfUnmodifiedSince: PAST }))).toMatchObject({ status: 412 });
    const done = await part({ CopySourceIfMatch: etag, CopySourceIfModifiedSince: PAST });
    expect(done.CopyPartResult?.ETag).toMatch(/^".+"$/);
  });

  it('a conditional DeleteObject (If-Match) is refused 501 and deletes nothing', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'keep', Body: 'kept' }));
    expect(
      await failure(s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'keep', IfMatch: '"other"' }))),
    ).toEqual({ name: 'NotImplemented', status: 501 });
    expect((await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'keep' }))).ContentLength).toBe(4);
  });

  it('GetObject and HeadObject response-* overrides set the response headers on signed requests', async () => {
    const overrides = {
      ResponseContentType: 'text/x-override',
      ResponseContentLanguage: 'fr-CA',
      ResponseExpires: new Date('2030-01-01T00:00:00Z'),
      ResponseCacheControl: 'no-cache',
      ResponseContentDisposition: 'attachment; filename="x.txt"',
      ResponseContentEncoding: 'identity',
    };
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'obj', ...overrides }));
    expect(await got.Body?.transformToString()).toBe('conditional body');
    expect({
      type: got.ContentType,
      language: got.ContentLanguage,
      expires: got.ExpiresString,
      cache: got.CacheControl,
      disposition: got.ContentDisposition,
      encoding: got.ContentEncoding,
    }).toEqual({
      type: 'text/x-override',
      language: 'fr-CA',
      expires: 'Tue, 01 Jan 2030 00:00:00 GMT',
      cache: 'no-cache',
      disposition: 'attachment; filename="x.txt"',
      encoding: 'identity',
    });
    const headed = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'obj', ResponseContentType: 'a/b' }));
    expect(headed.ContentType).toBe('a/b');
    const plain = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'obj' }));
    expect(plain.ContentType).not.toBe('a/b');
  });

  it('an anonymous GET naming a response-* override is 400 InvalidRequest, even where the policy lets it read', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'public/o', Body: 'public' }));
    const policy = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/public/*` },
      ],
    };
    await s3.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: JSON.stringify(policy) }));
    const plain = await rawRequest(h.gateway.url, h.ca as string, { path: `/${BUCKET}/public/o` });
    expect([plain.status, plain.body]).toEqual([200, 'public']);
    const refused = await rawRequest(h.gateway.url, h.ca as string, {
      path: `/${BUCKET}/public/o?response-content-type=text%2Fplain`,
    });
    expect([refused.status, errorCode(refused.body)]).toEqual([400, 'InvalidRequest']);
  });

  it('conditional writes: If-None-Match * and If-Match on PutObject, CopyObject and CompleteMultipartUpload (fs) or 501 (s3 backend)', async () => {
    const put = (key: string, extra: Record<string, unknown>) =>
      s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: `v-${key}`, ...extra }));
    const copyOnto = (key: string, extra: Record<string, unknown>) =>
      s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: key, CopySource: `${BUCKET}/obj`, ...extra }));
    if (backend === 's3') {
      expect(await failure(copyOnto('w-copy', { IfNoneMatch: '*' }))).toEqual({ name: 'NotImplemented', status: 501 });
      // The s3 backend cannot check and commit atomically: refused, never a racy check.
      expect(await failure(put('w-new', { IfNoneMatch: '*' }))).toEqual({ name: 'NotImplemented', status: 501 });
      expect(await failure(put('obj', { IfMatch: etag }))).toEqual({ name: 'NotImplemented', status: 501 });
      expect(await failure(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'w-new' })))).toMatchObject({
        status: 404,
      });
      return;
    }
    const first = await put('w-new', { IfNoneMatch: '*' });
    expect(await failure(put('w-new', { IfNoneMatch: '*' }))).toEqual({ name: 'PreconditionFailed', status: 412 });
    expect(await failure(put('w-new', { IfMatch: '"other"' }))).toEqual({ name: 'PreconditionFailed', status: 412 });
    expect(await failure(put('w-absent', { IfMatch: '"other"' }))).toEqual({ name: 'NoSuchKey', status: 404 });
    expect(await failure(put('w-new', { IfNoneMatch: first.ETag }))).toEqual({ name: 'NotImplemented', status: 501 });
    // CopyObject's destination conditions, as PutObject's.
    await copyOnto('w-copy', { IfNoneMatch: '*' });
    expect(await failure(copyOnto('w-copy', { IfNoneMatch: '*' }))).toEqual({
      name: 'PreconditionFailed',
      status: 412,
    });
    expect(await failure(copyOnto('w-copy', { IfMatch: '"other"' }))).toMatchObject({ status: 412 });
    expect(await failure(copyOnto('w-copy-absent', { IfMatch: '"other"' }))).toMatchObject({ status: 404 });
    const copied = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'w-copy' }));
    await copyOnto('w-copy', { IfMatch: copied.ETag });
    const second = await put('w-new', { IfMatch: first.ETag, Body: 'second' });
    expect(second.ETag).not.toBe(first.ETag);
    const now = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'w-new' }));
    expect(await now.Body?.transformToString()).toBe('second');

    const complete = async (key: string, extra: Record<string, unknown>) => {
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
      const part = await s3.send(
        new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber: 1, Body: 'only part' }),
      );
      return s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: BUCKET,
          Key: key,
          UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
          ...extra,
        }),
      );
    };
    expect(await failure(complete('w-new', { IfNoneMatch: '*' }))).toEqual({ name: 'PreconditionFailed', status: 412 });
    expect(await failure(complete('w-new', { IfMatch: first.ETag }))).toMatchObject({ status: 412 });
    const mp = await complete('w-mp', { IfNoneMatch: '*' });
    expect(mp.ETag).toMatch(/-1"$/);
    await complete('w-mp', { IfMatch: mp.ETag });
  });
});

// The s3 backend answers 501 to conditional writes (above), so the race runs over fs only.
describe('gateway over fs: racing conditional writes', () => {
  let h: Harness;
  let s3: S3Client;
  beforeAll(async () => {
    h = await startHarness('fs');
    s3 = h.client();
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });
  afterAll(async () => h?.close());

  it('of 8 concurrent If-None-Match: * PUTs of one key exactly one wins; the rest are 412', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'race', Body: `writer ${i}`, IfNoneMatch: '*' })),
      ),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results)
      if (r.status === 'rejected') expect((r.reason as S3ServiceException).$metadata.httpStatusCode).toBe(412);
    const stored = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'race' }));
    expect(stored.ETag).toBe((won[0] as PromiseFulfilledResult<{ ETag?: string }>).value.ETag);
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'race' }));
  });
});
