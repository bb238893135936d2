import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeObjectRecord, type RequestHeaders } from '@sealflow/s3';
import { chunks, collect, ctx, harness, pattern, s3CodeOf } from './fixtures.js';

const A = 'x-amz-server-side-encryption-customer-algorithm';
const K = 'x-amz-server-side-encryption-customer-key';
const M = 'x-amz-server-side-encryption-customer-key-md5';

function sseC(key: Buffer, prefix = 'x-amz-server-side-encryption-customer'): Record<string, string> {
  return {
    [`${prefix}-algorithm`]: 'AES256',
    [`${prefix}-key`]: key.toString('base64'),
    [`${prefix}-key-md5`]: createHash('md5').update(key).digest('base64'),
  };
}
const copySource = (key: Buffer) => sseC(key, 'x-amz-copy-source-server-side-encryption-customer');

async function failure(promise: Promise<unknown>): Promise<{ s3Code?: string; status?: number; message?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { s3Code?: string; status?: number; message?: string };
  }
  throw new Error('expected a failure');
}

describe('S3Service: SSE-C (customer-provided keys)', () => {
  const key = randomBytes(32);
  const other = randomBytes(32);

  it('PUT, GET, HEAD and ranges with the key; responses echo the algorithm and key MD5, never x-amz-server-side-encryption', async () => {
    const { service } = await harness();
    const body = pattern(5000);
    const put = await service.putObject(ctx(), { bucket: 'bkt', key: 'c', headers: sseC(key), body: chunks(body) });
    expect(put.headers[A]).toBe('AES256');
    expect(put.headers[M]).toBe(createHash('md5').update(key).digest('base64'));
    expect(put.headers['x-amz-server-side-encryption']).toBeUndefined();
    // The ETag is not the plaintext MD5 (S3: "The ETag in the response is not the MD5 of the object data").
    expect(put.etag).not.toBe(`"${createHash('md5').update(body).digest('hex')}"`);
    const got = await service.getObject(ctx(), { bucket: 'bkt', key: 'c', headers: sseC(key) });
    expect(await collect(got.body)).toEqual(body);
    expect(got.headers[A]).toBe('AES256');
    expect(got.headers[M]).toBe(put.headers[M]);
    const head = await service.headObject(ctx(), { bucket: 'bkt', key: 'c', headers: sseC(key) });
    expect(head.contentLength).toBe(5000);
    expect(head.headers['x-amz-server-side-encryption']).toBeUndefined();
    const range = await service.getObject(ctx(), {
      bucket: 'bkt',
      key: 'c',
      headers: { ...sseC(key), range: 'bytes=1000-3100' },
    });
    expect(range.status).toBe(206);
    expect(await collect(range.body)).toEqual(body.subarray(1000, 3101));
  });

  it('the record keeps a salted HMAC of the key, never the key or its MD5', async () => {
    const { service, store } = await harness();
    await service.putObject(ctx(), { bucket: 'bkt', key: 'c', headers: sseC(key), body: chunks(pattern(10)) });
    const [entry] = (await store.list('m/bkt/')).entries;
    const bytes = (await store.read(entry!.name, 0, 1 << 20)) as Uint8Array;
    const raw = Buffer.from(bytes);
    expect(raw.includes(key)).toBe(false);
    expect(raw.includes(createHash('md5').update(key).digest())).toBe(false);
    expect(raw.includes(Buffer.from(key.toString('base64')))).toBe(false);
    const record = decodeObjectRecord(bytes);
    expect(record.encryption.customerKey?.salt).toHaveLength(16);
    expect(record.encryption.customerKey?.hmac).toHaveLength(32);
  });

  it('reads: no key 400 InvalidRequest, wrong key 403 AccessDenied, SSE-C headers on a non-SSE-C object 400 InvalidRequest', async () => {
    const { service } = await harness();
    await service.putObject(ctx(), { bucket: 'bkt', key: 'c', headers: sseC(key), body: chunks(pattern(10)) });
    await service.putObject(ctx(), { bucket: 'bkt', key: 'plain', headers: {}, body: chunks(pattern(10)) });
    for (const op of ['getObject', 'headObject'] as const) {
      expect(await failure(service[op](ctx(), { bucket: 'bkt', key: 'c', headers: {} }))).toMatchObject({
        s3Code: 'InvalidRequest',
        status: 400,
      });
      expect(await failure(service[op](ctx(), { bucket: 'bkt', key: 'c', headers: sseC(other) }))).toMatchObject({
        s3Code: 'AccessDenied',
        status: 403,
      });
      expect(await failure(service[op](ctx(), { bucket: 'bkt', key: 'plain', headers: sseC(key) }))).toMatchObject({
        s3Code: 'InvalidRequest',
        status: 400,
      });
      expect(await s3CodeOf(service[op](ctx(), { bucket: 'bkt', key: 'missing', headers: sseC(key) }))).toBe(
        'NoSuchKey',
      );
    }
  });

  it('header errors: bad algorithm, missing parts, bad MD5, short key, plain HTTP; mixing with SSE-KMS stays InvalidArgument', async () => {
    const { service } = await harness();
    const put = (headers: RequestHeaders, over = {}) =>
      failure(service.putObject(ctx(undefined, over), { bucket: 'bkt', key: 'c', headers, body: chunks(pattern(1)) }));
    const good = sseC(key);
    expect(await put({ ...good, [A]: 'AES128' })).toMatchObject({
      s3Code: 'InvalidEncryptionAlgorithmError',
      status: 400,
    });
    for (const missing of [A, K, M]) {
      const headers: Record<string, string> = { ...good };
      delete headers[missing];
      expect(await put(headers)).toMatchObject({ s3Code: 'InvalidArgument', status: 400 });
    }
    expect(await put({ ...good, [M]: createHash('md5').update(other).digest('base64') })).toMatchObject({
      s3Code: 'InvalidArgument',
      message: 'The calculated MD5 hash of the key did not match the hash that was provided.',
    });
    const short = randomBytes(16);
    expect(await put(sseC(short))).toMatchObject({ s3Code: 'InvalidArgument', status: 400 });
    expect(await put(good, { secureTransport: false })).toMatchObject({ s3Code: 'InvalidRequest', status: 400 });
    expect(await put({ ...good, 'x-amz-server-side-encryption': 'aws:kms' })).toMatchObject({
      s3Code: 'InvalidArgument',
      status: 400,
    });
    expect(await s3CodeOf(service.headObject(ctx(), { bucket: 'bkt', key: 'c', headers: {} }))).toBe('NoSuchKey');
  });

  it('no error, record or audit entry carries key material', async () => {
    const { service, store, audit } = await harness();
    const secrets = [key.toString('base64'), key.toString('hex'), createHash('md5').update(key).digest('hex')];
    const errors: unknown[] = [];
    await service.putObject(ctx(), { bucket: 'bkt', key: 'c', headers: sseC(key), body: chunks(pattern(10)) });
    errors.push(await failure(service.getObject(ctx(), { bucket: 'bkt', key: 'c', headers: sseC(other) })));
    errors.push(
      await failure(
        service.putObject(ctx(), {
          bucket: 'bkt',
          key: 'd',
          headers: { ...sseC(key), [M]: 'AAAA' },
          body: chunks(pattern(1)),
        }),
      ),
    );
    errors.push(
      await failure(
        service.putObject(ctx(), {
          bucket: 'bkt',
          key: 'd',
          headers: { ...sseC(key), [K]: `${key.toString('base64').slice(0, -4)}AAA=` },
          body: chunks(pattern(1)),
        }),
      ),
    );
    const seen = JSON.stringify(errors, Object.getOwnPropertyNames(errors[0] as object)) + JSON.stringify(audit);
    const dumped = errors.map((e) => JSON.stringify({ ...(e as object), message: (e as Error).message })).join();
    const blobs: string[] = [];
    for (const entry of (await store.list('')).entries)
      blobs.push(Buffer.from((await store.read(entry.name, 0, entry.size)) as Uint8Array).toString('latin1'));
    for (const secret of secrets) {
      expect(seen).not.toContain(secret);
      expect(dumped).not.toContain(secret);
      expect(blobs.join()).not.toContain(secret);
    }
    expect(blobs.join()).not.toContain(key.toString('latin1'));
  });

  it('multipart: every part sends the same key; ListParts works; the object reads back whole and by range', async () => {
    const { service } = await harness();
    const { uploadId } = await service.createMultipartUpload(ctx(), { bucket: 'bkt', key: 'mp', headers: sseC(key) });
    const p1 = pattern(3000, 1);
    const p2 = pattern(2000, 2);
    const part = (partNumber: number, body: Buffer, headers: RequestHeaders) =>
      service.uploadPart(ctx(), { bucket: 'bkt', key: 'mp', uploadId, partNumber, headers, body: chunks(body) });
    expect(await failure(part(1, p1, {}))).toMatchObject({ s3Code: 'InvalidRequest', status: 400 });
    expect(await failure(part(1, p1, sseC(other)))).toMatchObject({ s3Code: 'InvalidArgument', status: 400 });
    const r1 = await part(1, p1, sseC(key));
    expect(r1.headers[A]).toBe('AES256');
    const r2 = await part(2, p2, sseC(key));
    const listed = await service.listParts(ctx(), { bucket: 'bkt', key: 'mp', uploadId });
    expect(listed.parts.map((p) => p.size)).toEqual([3000, 2000]);
    const done = await service.completeMultipartUpload(ctx(), {
      bucket: 'bkt',
      key: 'mp',
      uploadId,
      parts: [
        { partNumber: 1, etag: r1.etag },
        { partNumber: 2, etag: r2.etag },
      ],
    });
    expect(done.headers[A]).toBe('AES256');
    const whole = await service.getObject(ctx(), { bucket: 'bkt', key: 'mp', headers: sseC(key) });
    expect(await collect(whole.body)).toEqual(Buffer.concat([p1, p2]));
    const span = await service.getObject(ctx(), {
      bucket: 'bkt',
      key: 'mp',
      headers: { ...sseC(key), range: 'bytes=2990-3010' },
    });
    expect(await collect(span.body)).toEqual(Buffer.concat([p1, p2]).subarray(2990, 3011));
    expect(await s3CodeOf(service.getObject(ctx(), { bucket: 'bkt', key: 'mp', headers: sseC(other) }))).toBe(
      'AccessDenied',
    );
  });

  it('a plain upload refuses SSE-C parts', async () => {
    const { service } = await harness();
    const { uploadId } = await service.createMultipartUpload(ctx(), { bucket: 'bkt', key: 'mp', headers: {} });
    expect(
      await failure(
        service.uploadPart(ctx(), {
          bucket: 'bkt',
          key: 'mp',
          uploadId,
          partNumber: 1,
          headers: sseC(key),
          body: chunks(pattern(5)),
        }),
      ),
    ).toMatchObject({ s3Code: 'InvalidRequest', status: 400 });
  });

  it('copy: SSE-C source needs the copy-source key; SSE-C to SSE-KMS, SSE-KMS to SSE-C, and SSE-C to another key', async () => {
    const { service } = await harness();
    const body = pattern(4000);
    await service.putObject(ctx(), { bucket: 'bkt', key: 'c', headers: sseC(key), body: chunks(body) });
    const copy = (dest: string, source: string, headers: RequestHeaders) =>
      service.copyObject(ctx(), { bucket: 'bkt', key: dest, source: { bucket: 'bkt', key: source }, headers });
    expect(await failure(copy('x', 'c', {}))).toMatchObject({ s3Code: 'InvalidRequest', status: 400 });
    expect(await failure(copy('x', 'c', copySource(other)))).toMatchObject({ s3Code: 'AccessDenied', status: 403 });
    const toKms = await copy('kms', 'c', { ...copySource(key), 'x-amz-server-side-encryption': 'aws:kms' });
    expect(toKms.headers['x-amz-server-side-encryption']).toBe('aws:kms');
    expect(await collect((await service.getObject(ctx(), { bucket: 'bkt', key: 'kms', headers: {} })).body)).toEqual(
      body,
    );
    const back = await copy('back', 'kms', sseC(other));
    expect(back.headers[A]).toBe('AES256');
    expect(back.headers[M]).toBe(createHash('md5').update(other).digest('base64'));
    expect(
      await collect((await service.getObject(ctx(), { bucket: 'bkt', key: 'back', headers: sseC(other) })).body),
    ).toEqual(body);
    // Onto itself under a new key: re-encrypted; the old key no longer opens it.
    const self = await copy('c', 'c', { ...copySource(key), ...sseC(other) });
    expect(self.path).toBe('reencrypt');
    expect(await s3CodeOf(service.getObject(ctx(), { bucket: 'bkt', key: 'c', headers: sseC(key) }))).toBe(
      'AccessDenied',
    );
    expect(
      await collect((await service.getObject(ctx(), { bucket: 'bkt', key: 'c', headers: sseC(other) })).body),
    ).toEqual(body);
    // Copy-source SSE-C headers on a source that is not SSE-C: 400 InvalidRequest.
    expect(await failure(copy('y', 'kms', copySource(key)))).toMatchObject({ s3Code: 'InvalidRequest' });
  });

  it('UploadPartCopy from an SSE-C source into an SSE-C upload', async () => {
    const { service } = await harness();
    const body = pattern(3000);
    await service.putObject(ctx(), { bucket: 'bkt', key: 'src', headers: sseC(key), body: chunks(body) });
    const { uploadId } = await service.createMultipartUpload(ctx(), {
      bucket: 'bkt',
      key: 'dst',
      headers: sseC(other),
    });
    const part = await service.uploadPartCopy(ctx(), {
      bucket: 'bkt',
      key: 'dst',
      uploadId,
      partNumber: 1,
      headers: { ...sseC(other), ...copySource(key) },
      source: { bucket: 'bkt', key: 'src' },
      sourceRange: 'bytes=100-1099',
    });
    await service.completeMultipartUpload(ctx(), {
      bucket: 'bkt',
      key: 'dst',
      uploadId,
      parts: [{ partNumber: 1, etag: part.etag }],
      headers: sseC(other),
    });
    const got = await service.getObject(ctx(), { bucket: 'bkt', key: 'dst', headers: sseC(other) });
    expect(await collect(got.body)).toEqual(body.subarray(100, 1100));
  });
});
