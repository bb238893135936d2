// SSE-C (customer-provided keys) through the gateway with @aws-sdk/client-s3 over real
// sockets (TLS), on both storage backends: PutObject / GetObject / HeadObject / ranges,
// multipart (every part with the key) and ListParts, CopyObject and UploadPartCopy with the
// copy-source key, SSE-C ↔ SSE-KMS, S3's error codes; then @aws-crypto/client-node with a
// stock RawAesKeyringNode decrypts a body read straight from the fs backend's files.
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import {
  buildClient,
  CommitmentPolicy,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
} from '@aws-crypto/client-node';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListPartsCommand,
  PutObjectCommand,
  S3ServiceException,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { decodeObjectRecord, S3_KMS_AUDIT_CHANNEL, SSE_C_KEY_NAME, SSE_C_KEY_NAMESPACE } from '@sealflow/s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, BACKENDS, startHarness, type Harness } from './support/gateway-harness.js';
import { errorCode, rawRequest } from './support/raw-request.js';

const KEY = randomBytes(32);
const OTHER = randomBytes(32);
const md5 = (key: Buffer): string => createHash('md5').update(key).digest('base64');
// The SDK base64-encodes the key and computes its MD5 itself when given the raw bytes as a string.
const sse = (key: Buffer) => ({ SSECustomerAlgorithm: 'AES256', SSECustomerKey: key.toString('base64') });
const copySse = (key: Buffer) => ({
  CopySourceSSECustomerAlgorithm: 'AES256',
  CopySourceSSECustomerKey: key.toString('base64'),
  CopySourceSSECustomerKeyMD5: md5(key),
});

/** A signed PutObject whose key MD5 is another key's (what no SDK sends). */
function badMd5Put(h: Harness, key: string) {
  return rawRequest(h.gateway.url, h.ca as string, {
    method: 'PUT',
    path: `/ssec/${key}`,
    headers: {
      'x-amz-server-side-encryption-customer-algorithm': 'AES256',
      'x-amz-server-side-encryption-customer-key': KEY.toString('base64'),
      'x-amz-server-side-encryption-customer-key-md5': md5(OTHER),
    },
    body: 'x',
    credentials: ALICE,
  });
}

function pattern(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i++) out[i] = (i * 131 + seed + (i >>> 10)) & 0xff;
  return out;
}

async function failure(
  promise: Promise<unknown>,
): Promise<{ name: string; status: number | undefined; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof S3ServiceException)
      return { name: error.name, status: error.$metadata.httpStatusCode, message: error.message };
    throw error;
  }
  throw new Error('expected an S3 error');
}

describe.each(BACKENDS)('gateway over %s: SSE-C with @aws-sdk/client-s3', (backend) => {
  let h: Harness;
  const audit: unknown[] = [];
  const onAudit = (record: unknown): void => {
    audit.push(record);
  };
  beforeAll(async () => {
    h = await startHarness(backend);
    subscribe(S3_KMS_AUDIT_CHANNEL, onAudit);
    await h.client().send(new CreateBucketCommand({ Bucket: 'ssec' }));
  });
  afterAll(async () => {
    unsubscribe(S3_KMS_AUDIT_CHANNEL, onAudit);
    await h?.close();
  });

  it('PutObject, GetObject, HeadObject and a range with the key echo the algorithm and the key MD5', async () => {
    const s3 = h.client();
    const body = pattern(200_000, 1);
    const put = await s3.send(new PutObjectCommand({ Bucket: 'ssec', Key: 'one', Body: body, ...sse(KEY) }));
    expect(put.SSECustomerAlgorithm).toBe('AES256');
    expect(put.SSECustomerKeyMD5).toBe(md5(KEY));
    expect(put.ServerSideEncryption).toBeUndefined();
    expect(put.ETag).not.toBe(`"${createHash('md5').update(body).digest('hex')}"`);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'ssec', Key: 'one', ...sse(KEY) }));
    expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(body);
    expect([got.SSECustomerAlgorithm, got.SSECustomerKeyMD5]).toEqual(['AES256', md5(KEY)]);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'ssec', Key: 'one', ...sse(KEY) }));
    expect(head.ContentLength).toBe(200_000);
    expect(head.SSECustomerKeyMD5).toBe(md5(KEY));
    const range = await s3.send(
      new GetObjectCommand({ Bucket: 'ssec', Key: 'one', Range: 'bytes=70000-140000', ...sse(KEY) }),
    );
    expect(range.ContentRange).toBe('bytes 70000-140000/200000');
    expect(Buffer.from(await range.Body!.transformToByteArray())).toEqual(body.subarray(70_000, 140_001));
  });

  it("answers S3's errors: no key 400, wrong key 403, SSE-C on a plain object 400, bad MD5 400, SSE-C with SSE-KMS 400", async () => {
    const s3 = h.client();
    await s3.send(new PutObjectCommand({ Bucket: 'ssec', Key: 'two', Body: 'secret body', ...sse(KEY) }));
    await s3.send(new PutObjectCommand({ Bucket: 'ssec', Key: 'plain', Body: 'plain body' }));
    expect(await failure(s3.send(new GetObjectCommand({ Bucket: 'ssec', Key: 'two' })))).toMatchObject({
      name: 'InvalidRequest',
      status: 400,
    });
    expect(await failure(s3.send(new GetObjectCommand({ Bucket: 'ssec', Key: 'two', ...sse(OTHER) })))).toMatchObject({
      name: 'AccessDenied',
      status: 403,
    });
    expect(await failure(s3.send(new HeadObjectCommand({ Bucket: 'ssec', Key: 'two', ...sse(OTHER) })))).toMatchObject({
      status: 403,
    });
    expect(await failure(s3.send(new GetObjectCommand({ Bucket: 'ssec', Key: 'plain', ...sse(KEY) })))).toMatchObject({
      name: 'InvalidRequest',
      status: 400,
    });
    // The SDK computes the key MD5 itself: a wrong one needs a raw (signed) request.
    const bad = await badMd5Put(h, 'bad');
    expect([bad.status, errorCode(bad.body)]).toEqual([400, 'InvalidArgument']);
    expect(
      await failure(
        s3.send(
          new PutObjectCommand({ Bucket: 'ssec', Key: 'bad', Body: 'x', ...sse(KEY), ServerSideEncryption: 'aws:kms' }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidArgument', status: 400 });
  });

  it('multipart: each part with the key, ListParts, a wrong-key part refused, ranges across parts', async () => {
    const s3 = h.client();
    const p1 = pattern(5 * 1024 * 1024, 2);
    const p2 = pattern(300_000, 3);
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'ssec', Key: 'mp', ...sse(KEY) }));
    const part = (PartNumber: number, Body: Buffer, key: Buffer) =>
      s3.send(new UploadPartCommand({ Bucket: 'ssec', Key: 'mp', UploadId, PartNumber, Body, ...sse(key) }));
    expect(await failure(part(1, p1, OTHER))).toMatchObject({ name: 'InvalidArgument', status: 400 });
    expect(
      await failure(s3.send(new UploadPartCommand({ Bucket: 'ssec', Key: 'mp', UploadId, PartNumber: 1, Body: p2 }))),
    ).toMatchObject({ name: 'InvalidRequest', status: 400 });
    const [e1, e2] = await Promise.all([part(1, p1, KEY), part(2, p2, KEY)]);
    expect(e1.SSECustomerKeyMD5).toBe(md5(KEY));
    const parts = await s3.send(new ListPartsCommand({ Bucket: 'ssec', Key: 'mp', UploadId }));
    expect(parts.Parts?.map((p) => p.Size)).toEqual([p1.length, p2.length]);
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'ssec',
        Key: 'mp',
        UploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: e1.ETag },
            { PartNumber: 2, ETag: e2.ETag },
          ],
        },
      }),
    );
    const all = Buffer.concat([p1, p2]);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'ssec', Key: 'mp', ...sse(KEY) }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(all)).toBe(true);
    const span = await s3.send(
      new GetObjectCommand({
        Bucket: 'ssec',
        Key: 'mp',
        Range: `bytes=${p1.length - 10}-${p1.length + 9}`,
        ...sse(KEY),
      }),
    );
    expect(Buffer.from(await span.Body!.transformToByteArray())).toEqual(all.subarray(p1.length - 10, p1.length + 10));
  });

  it('CopyObject: SSE-C → SSE-KMS → SSE-C under another key, and UploadPartCopy from an SSE-C source', async () => {
    const s3 = h.client();
    const body = pattern(70_000, 4);
    await s3.send(new PutObjectCommand({ Bucket: 'ssec', Key: 'src', Body: body, ...sse(KEY) }));
    expect(
      await failure(s3.send(new CopyObjectCommand({ Bucket: 'ssec', Key: 'x', CopySource: 'ssec/src' }))),
    ).toMatchObject({ name: 'InvalidRequest', status: 400 });
    const toKms = await s3.send(
      new CopyObjectCommand({
        Bucket: 'ssec',
        Key: 'kms',
        CopySource: 'ssec/src',
        ServerSideEncryption: 'aws:kms',
        ...copySse(KEY),
      }),
    );
    expect(toKms.ServerSideEncryption).toBe('aws:kms');
    const kms = await s3.send(new GetObjectCommand({ Bucket: 'ssec', Key: 'kms' }));
    expect(Buffer.from(await kms.Body!.transformToByteArray())).toEqual(body);
    const back = await s3.send(
      new CopyObjectCommand({ Bucket: 'ssec', Key: 'back', CopySource: 'ssec/kms', ...sse(OTHER) }),
    );
    expect(back.SSECustomerKeyMD5).toBe(md5(OTHER));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'ssec', Key: 'back', ...sse(OTHER) }));
    expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(body);

    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'ssec', Key: 'upc', ...sse(OTHER) }));
    const copied = await s3.send(
      new UploadPartCopyCommand({
        Bucket: 'ssec',
        Key: 'upc',
        UploadId,
        PartNumber: 1,
        CopySource: 'ssec/src',
        CopySourceRange: 'bytes=10-60009',
        ...sse(OTHER),
        ...copySse(KEY),
      }),
    );
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'ssec',
        Key: 'upc',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: copied.CopyPartResult?.ETag }] },
        ...sse(OTHER),
      }),
    );
    const upc = await s3.send(new GetObjectCommand({ Bucket: 'ssec', Key: 'upc', ...sse(OTHER) }));
    expect(Buffer.from(await upc.Body!.transformToByteArray())).toEqual(body.subarray(10, 60_010));
  });

  it('no key material reaches errors, metrics or the audit channel', async () => {
    const s3 = h.client();
    const secrets = [KEY, OTHER].flatMap((k) => [k.toString('base64'), k.toString('hex')]);
    const errors = [
      await failure(s3.send(new GetObjectCommand({ Bucket: 'ssec', Key: 'two', ...sse(OTHER) }))),
      (await badMd5Put(h, 'bad2')).body,
    ];
    const metrics = (await h.gateway.metrics.render()).body;
    expect(metrics).toContain('PutObject');
    const text = [JSON.stringify(errors), JSON.stringify(audit), metrics];
    for (const secret of secrets) for (const t of text) expect(t).not.toContain(secret);
  });
});

describe('gateway over fs: a stored SSE-C body read with the ESDK', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('fs');
    await h.client().send(new CreateBucketCommand({ Bucket: 'ssec' }));
  });
  afterAll(async () => h?.close());

  it('a stored body is a standard ESDK message: client-node with a RawAesKeyringNode over the key reads it', async () => {
    const s3 = h.client();
    const body = pattern(150_000, 5);
    await s3.send(new PutObjectCommand({ Bucket: 'ssec', Key: 'esdk', Body: body, ...sse(KEY) }));
    const files = (readdirSync(join(h.dir, 'data'), { recursive: true }) as string[]).map((f) =>
      join(h.dir, 'data', f),
    );
    const objectHex = Buffer.from('esdk').toString('hex');
    const recordFile = files.find((f) => f.includes(`${join('m', 'ssec', objectHex)}~`));
    const record = decodeObjectRecord(readFileSync(recordFile as string));
    const part = record.parts[0]!;
    const bodyFile = files.find((f) => f.endsWith(`${join(...part.blob.split('/'))}~`));
    const message = Buffer.concat([part.header, readFileSync(bodyFile as string)]);
    const keyring = new RawAesKeyringNode({
      keyNamespace: SSE_C_KEY_NAMESPACE,
      keyName: SSE_C_KEY_NAME,
      unencryptedMasterKey: new Uint8Array(KEY),
      wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
    });
    const esdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
    const { plaintext, messageHeader } = await esdk.decrypt(keyring, message);
    expect(messageHeader.encryptionContext['aws:s3:arn']).toBe('arn:aws:s3:::ssec/esdk');
    expect(Buffer.from(plaintext).subarray(0, record.size).equals(body)).toBe(true);
    // The other key does not open it.
    const wrong = new RawAesKeyringNode({
      keyNamespace: SSE_C_KEY_NAMESPACE,
      keyName: SSE_C_KEY_NAME,
      unencryptedMasterKey: new Uint8Array(OTHER),
      wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
    });
    await expect(esdk.decrypt(wrong, message)).rejects.toThrow();
  });
});

describe('gateway on plain HTTP (loopback): SSE-C refused', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('fs', {}, { tls: false });
    await h.client().send(new CreateBucketCommand({ Bucket: 'ssec' }));
  });
  afterAll(async () => h?.close());

  it('PutObject and GetObject with SSE-C headers over plain HTTP: 400 InvalidRequest, nothing stored', async () => {
    const s3 = h.client();
    const put = await failure(s3.send(new PutObjectCommand({ Bucket: 'ssec', Key: 'k', Body: 'x', ...sse(KEY) })));
    expect(put).toMatchObject({ name: 'InvalidRequest', status: 400 });
    expect(put.message).toContain('secure connection');
    expect(await failure(s3.send(new HeadObjectCommand({ Bucket: 'ssec', Key: 'k' })))).toMatchObject({ status: 404 });
  });
});
