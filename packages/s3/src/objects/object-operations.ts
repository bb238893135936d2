import { createHash } from 'node:crypto';
import {
  checksumFromTrailers,
  checksumModeEnabled,
  checksumResponseHeaders,
  parseChecksumHeaders,
  type ChecksumRequest,
} from '../checksums/checksum-headers.js';
import type { ChecksumAlgorithm } from '../checksums/checksum.js';
import { s3Error } from '../errors/s3-error.js';
import { encryptionResponseHeaders, type StoredEncryption } from '../rules/response-headers.js';
import { resolveEncryption } from '../rules/resolve-encryption.js';
import { header, type RequestHeaders } from '../rules/sse-headers.js';
import { BlobNames } from './blob-names.js';
import { type ChecksumPlan, type WrittenMessage, writeMessage } from './message-writer.js';
import { multipartChecksum } from '../multipart/multipart-checksum.js';
import { isMissingBody } from './message-source.js';
import { readRange, readTrailers, readWhole, type ReadPlan } from './object-reader.js';
import { httpDate, objectResponseHeaders, storedFields } from './object-headers.js';
import { type ObjectRecord, type StoredPart, encodeObjectRecord } from './object-record.js';
import { leasedBody } from './object-readers.js';
import { checkReadConditions } from './conditional-request.js';
import {
  commitConditionally,
  parseWriteCondition,
  precheckWriteCondition,
  type WriteCondition,
} from './conditional-write.js';
import { parseRange } from './range-header.js';
import type { RequestContext } from './request-context.js';
import { toS3Error, type ServiceCore, type WritePlan } from './service-core.js';
import { openCustomerEncryption, sseCustomerReport } from './sse-c.js';

/** A write's body: plaintext bytes, and (aws-chunked with trailing checksums) the trailers once the body ends. */
export interface BodyInput {
  readonly body: AsyncIterable<Uint8Array>;
  /** The declared plaintext length (Content-Length or x-amz-decoded-content-length), when known. */
  readonly contentLength?: number;
  readonly trailers?: Promise<Readonly<Record<string, string>>>;
  readonly signal?: AbortSignal;
}

export interface PutObjectInput extends BodyInput {
  readonly bucket: string;
  readonly key: string;
  /** Request headers, lower-case names. */
  readonly headers: RequestHeaders;
}

/** What a write answers: the ETag and the response headers to send (ETag included). */
export interface WriteResult {
  readonly etag: string;
  readonly headers: Record<string, string>;
}

export interface GetObjectInput {
  readonly bucket: string;
  readonly key: string;
  /** Request headers, lower-case (`range`, `x-amz-checksum-mode`, ...). */
  readonly headers: RequestHeaders;
  readonly signal?: AbortSignal;
}

export interface HeadObjectResult {
  /** 200, or 206 for a range. */
  readonly status: 200 | 206;
  readonly headers: Record<string, string>;
  /** Plaintext bytes the body has (the range's length for 206). */
  readonly contentLength: number;
}

export interface GetObjectResult extends HeadObjectResult {
  /** Plaintext; errors mid-stream when stored bytes fail to authenticate. */
  readonly body: AsyncIterable<Uint8Array>;
}

export function checksumPlanOf(
  request: ChecksumRequest | undefined,
  trailers: Promise<Readonly<Record<string, string>>> | undefined,
): ChecksumPlan | undefined {
  if (request === undefined) return undefined;
  const expected = async (): Promise<string | undefined> => {
    if (request.location === 'header') return request.expected;
    if (trailers === undefined)
      throw s3Error('InvalidRequest', 'The checksum trailer was declared but the body carries no trailers.');
    return checksumFromTrailers(request, await trailers);
  };
  return { algorithm: request.algorithm, expected };
}

/** Writes one message for `plan` into a fresh blob under `dataPrefix`. */
export async function writeBody(
  core: ServiceCore,
  plan: WritePlan,
  input: BodyInput,
  blob: string,
  partNumber: number,
  headers: RequestHeaders,
  checksum: ChecksumPlan | undefined,
): Promise<WrittenMessage> {
  return writeMessage(input.body, {
    engine: plan.engine,
    encrypt: {
      context: plan.headerContext,
      ...(plan.keyId === undefined ? {} : { keyId: plan.keyId }),
      ...(plan.bucketKey === undefined ? {} : { bucketKey: plan.bucketKey }),
      ...(input.signal === undefined ? {} : { signal: input.signal }),
    },
    expectContext: plan.headerContext,
    store: core.store,
    blob,
    partNumber,
    checksum,
    contentMd5: header(headers, 'content-md5'),
    md5Etag: md5Etag(plan.encryption),
    maxSize: core.maxObjectSize,
    declaredSize: input.contentLength,
    signal: input.signal,
  });
}

/**
 * Commits `record` as the object (the atomic commit point: one blob put), then deletes the
 * data blobs of the object it replaced that the new one does not use.
 */
export async function commitRecord(
  core: ServiceCore,
  bucket: string,
  record: ObjectRecord,
  condition?: WriteCondition,
): Promise<void> {
  const name = BlobNames.object(bucket, record.key);
  let previous: ObjectRecord | undefined;
  if (condition === undefined) {
    previous = await core.recordAt(name).catch(() => undefined);
    await core.store.put(name, [encodeObjectRecord(record)]);
  } else {
    previous = await commitConditionally(core, bucket, record, condition);
  }
  if (previous !== undefined) {
    const kept = new Set(record.parts.map((p) => p.blob));
    await removeBodies(
      core,
      name,
      previous.parts.filter((p) => !kept.has(p.blob)),
    );
  }
}

/** Deletes replaced bodies of object `name` once this process's readers of it are done. */
function removeBodies(core: ServiceCore, name: string, parts: readonly StoredPart[]): Promise<void> {
  if (parts.length === 0) return Promise.resolve();
  return core.readers.removeAfterReaders(
    name,
    parts.map((p) => p.blob),
    (blobs) => Promise.all(blobs.map((blob) => core.store.delete(blob).catch(() => false))),
  );
}

/** PutObject. @throws {S3Error} */
export async function putObject(core: ServiceCore, ctx: RequestContext, input: PutObjectInput): Promise<WriteResult> {
  const bucket = await core.bucket(input.bucket);
  core.assertKey(input.key);
  const plan = await core.writePlan(ctx, 'PutObject', input.bucket, input.key, input.headers);
  await core.authorize(ctx, bucket, 's3:PutObject', input.key, plan, input.headers);
  const condition = parseWriteCondition(input.headers);
  if (condition !== undefined) await precheckWriteCondition(core, input.bucket, input.key, condition);
  const fields = storedFields(input.headers);
  const checksumRequest = parseChecksumHeaders(input.headers);
  const blob = BlobNames.part(BlobNames.newDataPrefix(input.bucket), 0);
  let written;
  try {
    written = await writeBody(
      core,
      plan,
      input,
      blob,
      0,
      input.headers,
      checksumPlanOf(checksumRequest, input.trailers),
    );
  } catch (error) {
    throw toS3Error(error);
  }
  // The MD5 is there exactly when md5Etag(plan.encryption) asked for it (SSE-S3).
  const etag = `"${written.md5 ?? core.newEtag()}"`;
  const record: ObjectRecord = {
    key: input.key,
    lastModified: core.now(),
    size: written.part.plaintextLength,
    etag,
    encryption: plan.encryption,
    ...fields,
    checksumAlgorithm: checksumRequest?.algorithm,
    checksumType: checksumRequest === undefined ? undefined : 'FULL_OBJECT',
    multipart: false,
    parts: [{ ...written.part, etag }],
  };
  await commitRecord(core, input.bucket, record, condition).catch(async (error: unknown) => {
    // A refused commit (a precondition lost to a concurrent write) leaves no body behind.
    await core.store.delete(blob).catch(() => false);
    throw error;
  });
  const checksumHeaders =
    checksumRequest === undefined || written.checksum === undefined
      ? {}
      : checksumResponseHeaders({ [checksumRequest.algorithm]: written.checksum }, 'FULL_OBJECT');
  return { etag, headers: { etag, ...encryptionResponseHeaders(reported(record), 'PutObject'), ...checksumHeaders } };
}

/** Whether ETags are plaintext MD5s: SSE-S3 only (never SSE-KMS, never SSE-C, as S3). */
export function md5Etag(encryption: ObjectRecord['encryption']): boolean {
  return encryption.algorithm === 'AES256' && encryption.customerKey === undefined;
}

export function reported(record: Pick<ObjectRecord, 'encryption'>): StoredEncryption {
  const e = record.encryption;
  return {
    sseCustomer: sseCustomerReport(e),
    algorithm: e.algorithm,
    ...(e.keyArn === undefined ? {} : { keyArn: e.keyArn }),
    bucketKey: e.bucketKey,
    context: e.context,
  };
}

/** The record of an existing object, after the read-side request rules. @throws {S3Error} NoSuchKey, InvalidArgument */
export async function readableRecord(
  core: ServiceCore,
  ctx: RequestContext,
  input: GetObjectInput,
  operation: 'GetObject' | 'HeadObject',
  copySourceKey = false,
): Promise<ObjectRecord> {
  const bucket = await core.bucket(input.bucket);
  core.assertKey(input.key);
  await core.authorize(ctx, bucket, 's3:GetObject', input.key, undefined, input.headers);
  const record = await core.record(input.bucket, input.key);
  resolveEncryption({
    operation,
    headers: input.headers,
    bucket: input.bucket,
    key: input.key,
    region: core.region,
    accountId: ctx.accountId,
    secureTransport: ctx.secureTransport,
    anonymous: ctx.anonymous,
    storedAlgorithm: record?.encryption.algorithm,
    // A missing object answers NoSuchKey whatever SSE-C headers came.
    storedSseCustomer: record === undefined || record.encryption.customerKey !== undefined,
  });
  if (record === undefined)
    throw s3Error('NoSuchKey', 'The specified key does not exist.', { resource: `/${input.bucket}/${input.key}` });
  openCustomerEncryption(record.encryption, input.headers, {
    mode: 'read',
    secureTransport: ctx.secureTransport,
    frameLength: core.frameLength,
    resource: `/${input.bucket}/${input.key}`,
    ...(copySourceKey ? { set: 'copy-source' as const } : {}),
  });
  return record;
}

export function readPlan(
  core: ServiceCore,
  ctx: RequestContext,
  bucket: string,
  record: ObjectRecord,
  signal?: AbortSignal,
): ReadPlan {
  return {
    engine: core.messageEngine(ctx, record.encryption),
    store: core.store,
    record,
    expectContext: core.headerContext(bucket, record.key, record.encryption.context),
    signal,
  };
}

/** The stored checksum headers (x-amz-checksum-mode: ENABLED): decrypts only the trailers. */
async function checksumHeaders(core: ServiceCore, plan: ReadPlan): Promise<Record<string, string>> {
  const algorithm = plan.record.checksumAlgorithm as ChecksumAlgorithm | undefined;
  if (algorithm === undefined) return {};
  const trailers = await core.kms(() => readTrailers(plan));
  const values = trailers.map((t) => t[algorithm]).filter((v): v is Uint8Array => v !== undefined);
  if (values.length !== trailers.length) return {};
  const b64 = values.map((v) => Buffer.from(v).toString('base64'));
  if (!plan.record.multipart) return checksumResponseHeaders({ [algorithm]: b64[0] as string }, 'FULL_OBJECT');
  const type = plan.record.checksumType ?? 'COMPOSITE';
  const parts = plan.record.parts.map((p, i) => ({ trailer: trailers[i] ?? {}, plaintextLength: p.plaintextLength }));
  const value = await multipartChecksum(algorithm, type, parts);
  return value === undefined ? {} : checksumResponseHeaders({ [algorithm]: value }, type);
}

async function describe(
  core: ServiceCore,
  ctx: RequestContext,
  input: GetObjectInput,
  operation: 'GetObject' | 'HeadObject',
) {
  const record = await readableRecord(core, ctx, input, operation);
  // Preconditions come before the range (a 412/304 wins over a 416), as in RFC 7232 §6.
  checkReadConditions(input.headers, record);
  const plan = readPlan(core, ctx, input.bucket, record, input.signal);
  const range = parseRange(header(input.headers, 'range'), record.size);
  const headers = objectResponseHeaders(record, operation);
  if (range === undefined && checksumModeEnabled(input.headers))
    Object.assign(headers, await checksumHeaders(core, plan));
  if (range !== undefined) headers['content-range'] = range.contentRange;
  const contentLength = range === undefined ? record.size : range.end - range.start;
  headers['content-length'] = String(contentLength);
  return { record, plan, range, headers, contentLength, status: range === undefined ? (200 as const) : (206 as const) };
}

/** HeadObject: no KMS call unless checksums are asked for. @throws {S3Error} */
export async function headObject(
  core: ServiceCore,
  ctx: RequestContext,
  input: GetObjectInput,
): Promise<HeadObjectResult> {
  // Checksum mode reads the sealed trailers from the bodies: they stay while it does.
  const { status, headers, contentLength } = await core.readers.reading(BlobNames.object(input.bucket, input.key), () =>
    describe(core, ctx, input, 'HeadObject'),
  );
  return { status, headers, contentLength };
}

/**
 * GetObject: the plaintext as a stream. The first message's header is unwrapped before
 * this resolves, so key errors (AccessDenied, KMS.DisabledException...) answer as S3
 * errors rather than a broken body. The bodies it reads stay until the stream ends (read
 * to the end, failed, returned, or `input.signal` aborted). @throws {S3Error}
 */
export async function getObject(
  core: ServiceCore,
  ctx: RequestContext,
  input: GetObjectInput,
): Promise<GetObjectResult> {
  for (let attempt = 1; ; attempt++) {
    // Leased before the record is read: no commit of this process deletes what it names.
    const lease = core.readers.lease(BlobNames.object(input.bucket, input.key));
    try {
      const result = await openObject(core, ctx, input);
      return { ...result, body: leasedBody(result.body, lease, input.signal) };
    } catch (error) {
      lease.end();
      // Another process committed an overwrite (and deleted the body this GET's record
      // named) before the first byte went out: the new record names a whole object.
      if (attempt >= GET_ATTEMPTS || !isMissingBody(error)) throw error;
    }
  }
}

/** Reads of a GET that another process's overwrite may race before its first byte (then the record is read again). */
const GET_ATTEMPTS = 3;

async function openObject(core: ServiceCore, ctx: RequestContext, input: GetObjectInput): Promise<GetObjectResult> {
  const { status, headers, contentLength, plan, range } = await describe(core, ctx, input, 'GetObject');
  const source = range === undefined ? readWhole(plan) : readRange(plan, range.start, range.end);
  const iterator = source[Symbol.asyncIterator]();
  // Pull the first chunk now: it needs the data key, so key failures surface as the response.
  let first: IteratorResult<Uint8Array> | undefined =
    contentLength === 0 ? await drain(iterator) : await core.kms(() => iterator.next());
  const reader: AsyncIterableIterator<Uint8Array> = {
    [Symbol.asyncIterator]: () => reader,
    async next() {
      const pulled = first;
      first = undefined;
      if (pulled !== undefined) return pulled;
      try {
        return await iterator.next();
      } catch (error) {
        throw toS3Error(error);
      }
    },
    // A body given up before its end releases what the source holds (file handles, data keys).
    async return() {
      first = undefined;
      await iterator.return?.();
      return { done: true, value: undefined };
    },
  };
  return { status, headers, contentLength, body: reader };
}

/** An empty object is still authenticated (its message is read to the end) before answering. */
async function drain(iterator: AsyncIterator<Uint8Array>): Promise<IteratorResult<Uint8Array>> {
  try {
    while (!(await iterator.next()).done);
  } catch (error) {
    throw toS3Error(error);
  }
  return { done: true, value: undefined };
}

/** DeleteObject: removes the record (the commit point), then its data blobs. Deleting a missing key succeeds, as in S3. */
export async function deleteObject(
  core: ServiceCore,
  ctx: RequestContext,
  input: { readonly bucket: string; readonly key: string },
): Promise<{ headers: Record<string, string> }> {
  const bucket = await core.bucket(input.bucket);
  core.assertKey(input.key);
  await core.authorize(ctx, bucket, 's3:DeleteObject', input.key);
  const name = BlobNames.object(input.bucket, input.key);
  const record = await core.recordAt(name).catch(() => undefined);
  await core.store.delete(name);
  if (record !== undefined) await removeBodies(core, name, record.parts);
  return { headers: {} };
}

export { httpDate };
export const md5Hex = (bytes: Uint8Array): string => createHash('md5').update(bytes).digest('hex');
