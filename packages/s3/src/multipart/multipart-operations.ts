import { createHash } from 'node:crypto';
import {
  checksumResponseHeaders,
  parseChecksumAlgorithmHeader,
  parseChecksumHeaders,
} from '../checksums/checksum-headers.js';
import type { ChecksumAlgorithm } from '../checksums/checksum.js';
import { s3Error } from '../errors/s3-error.js';
import { BlobNames } from '../objects/blob-names.js';
import { writeMessage } from '../objects/message-writer.js';
import { decodeTrailer } from '../objects/sealed-trailer.js';
import {
  completeChecksumHeaders,
  multipartChecksum,
  multipartChecksumType,
  type PartChecksumInput,
} from './multipart-checksum.js';
import { messageSource } from '../objects/message-source.js';
import { checkCopySourceConditions } from '../objects/conditional-request.js';
import { parseWriteCondition, precheckWriteCondition } from '../objects/conditional-write.js';
import {
  checksumPlanOf,
  commitRecord,
  readableRecord,
  readPlan,
  md5Etag,
  reported,
  type BodyInput,
  type WriteResult,
} from '../objects/object-operations.js';
import { readRange, readWhole } from '../objects/object-reader.js';
import { httpDate, storedFields } from '../objects/object-headers.js';
import {
  decodePartRecord,
  encodePartRecord,
  type ObjectRecord,
  RecordLimits,
  type PartRecord,
  type StoredPart,
} from '../objects/object-record.js';
import type { RequestContext } from '../objects/request-context.js';
import { toS3Error, type ServiceCore } from '../objects/service-core.js';
import { copySourceSseCHeaders } from '../objects/copy-object.js';
import { openCustomerEncryption } from '../objects/sse-c.js';
import { hasSseCustomerHeaders } from '../rules/sse-customer-key.js';
import { encryptionResponseHeaders } from '../rules/response-headers.js';
import { header, type RequestHeaders } from '../rules/sse-headers.js';
import { readWholeBlob } from '../store/read-whole-blob.js';
import {
  decodeUploadRecord,
  encodeUploadRecord,
  isUploadId,
  MAX_UPLOAD_RECORD_BYTES,
  newUploadId,
  noSuchUpload,
  type UploadRecord,
} from './upload-record.js';

export interface UploadInput {
  readonly bucket: string;
  readonly key: string;
  readonly uploadId: string;
}

export interface UploadPartInput extends UploadInput, BodyInput {
  readonly partNumber: number;
  readonly headers: RequestHeaders;
}

export interface UploadPartCopyInput extends UploadInput {
  readonly partNumber: number;
  readonly headers: RequestHeaders;
  readonly source: { readonly bucket: string; readonly key: string };
  /** `x-amz-copy-source-range` (`bytes=first-last`), when given. */
  readonly sourceRange?: string;
}

export interface CompletedPart {
  readonly partNumber: number;
  readonly etag: string;
}

export interface PartSummary {
  readonly partNumber: number;
  readonly etag: string;
  readonly size: number;
  readonly lastModified: Date;
}

export interface UploadSummary {
  readonly key: string;
  readonly uploadId: string;
  readonly initiated: Date;
  readonly initiator: string;
  readonly owner: string;
}

/** ListParts' result: one page of parts, and the upload's owner and checksum choice. */
export interface ListPartsResult {
  readonly bucket: string;
  readonly key: string;
  readonly uploadId: string;
  readonly parts: PartSummary[];
  readonly isTruncated: boolean;
  readonly partNumberMarker: number;
  readonly nextPartNumberMarker: number;
  readonly maxParts: number;
  readonly initiator: string;
  readonly owner: string;
  readonly checksumAlgorithm: ChecksumAlgorithm | undefined;
  readonly headers: Record<string, string>;
}

/** ListMultipartUploads' result: one page of uploads, by key then initiation time. */
export interface ListMultipartUploadsResult {
  readonly bucket: string;
  readonly uploads: UploadSummary[];
  readonly isTruncated: boolean;
  readonly nextKeyMarker: string | undefined;
  readonly nextUploadIdMarker: string | undefined;
  readonly maxUploads: number;
  readonly prefix: string | undefined;
}

const MAX_PART_NUMBER = 10_000;

async function upload(
  core: ServiceCore,
  ctx: RequestContext,
  input: UploadInput,
  action: string,
): Promise<UploadRecord> {
  const bucket = await core.bucket(input.bucket);
  core.assertKey(input.key);
  await core.authorize(ctx, bucket, action, input.key);
  if (!isUploadId(input.uploadId)) throw noSuchUpload();
  const bytes = await core.store.read(BlobNames.upload(input.bucket, input.uploadId), 0, MAX_UPLOAD_RECORD_BYTES);
  if (bytes === undefined) throw noSuchUpload();
  const record = decodeUploadRecord(bytes);
  if (record.key !== input.key) throw noSuchUpload();
  return record;
}

function assertPartNumber(partNumber: number): void {
  if (!Number.isSafeInteger(partNumber) || partNumber < 1 || partNumber > MAX_PART_NUMBER) {
    throw s3Error('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive', {
      fields: { ArgumentName: 'partNumber', ArgumentValue: String(partNumber) },
    });
  }
}

/** CreateMultipartUpload: the SSE choice is made here and applies to every part. @throws {S3Error} */
export async function createMultipartUpload(
  core: ServiceCore,
  ctx: RequestContext,
  input: { readonly bucket: string; readonly key: string; readonly headers: RequestHeaders },
): Promise<{ uploadId: string; headers: Record<string, string> }> {
  const bucket = await core.bucket(input.bucket);
  core.assertKey(input.key);
  const plan = await core.writePlan(ctx, 'CreateMultipartUpload', input.bucket, input.key, input.headers);
  await core.authorize(ctx, bucket, 's3:PutObject', input.key, plan, input.headers);
  const fields = storedFields(input.headers);
  const uploadId = newUploadId();
  const checksumAlgorithm = parseChecksumAlgorithmHeader(input.headers);
  const record: UploadRecord = {
    version: 1,
    uploadId,
    key: input.key,
    initiated: core.now(),
    initiator: ctx.principal,
    owner: ctx.accountId,
    encryption: plan.encryption,
    headerContext: plan.headerContext,
    keyId: plan.keyId,
    ...fields,
    checksumAlgorithm,
    checksumType: multipartChecksumType(checksumAlgorithm, input.headers),
    dataPrefix: BlobNames.newDataPrefix(input.bucket),
  };
  await core.store.put(BlobNames.upload(input.bucket, uploadId), [encodeUploadRecord(record)]);
  const checksum =
    record.checksumAlgorithm === undefined
      ? {}
      : {
          'x-amz-checksum-algorithm': record.checksumAlgorithm.toUpperCase(),
          ...(record.checksumType === undefined ? {} : { 'x-amz-checksum-type': record.checksumType }),
        };
  return {
    uploadId,
    headers: { ...encryptionResponseHeaders(reported(record), 'CreateMultipartUpload'), ...checksum },
  };
}

async function storePart(
  core: ServiceCore,
  ctx: RequestContext,
  input: UploadInput & { readonly partNumber: number; readonly headers: RequestHeaders },
  record: UploadRecord,
  body: BodyInput,
  fromCopy: boolean,
): Promise<WriteResult> {
  // SSE-C: every part must send the upload's key (checked against its salted HMAC).
  const session = openCustomerEncryption(record.encryption, input.headers, {
    mode: 'part',
    secureTransport: ctx.secureTransport,
    frameLength: core.frameLength,
  });
  const engine = session?.engine ?? core.messageEngine(ctx, record.encryption);
  const requested = fromCopy ? undefined : parseChecksumHeaders(input.headers);
  if (
    requested !== undefined &&
    record.checksumAlgorithm !== undefined &&
    requested.algorithm !== record.checksumAlgorithm
  ) {
    throw s3Error(
      'InvalidRequest',
      `Checksum Type mismatch occurred, expected checksum Type: ${record.checksumAlgorithm}, actual checksum Type: ${requested.algorithm}`,
    );
  }
  const checksum =
    checksumPlanOf(requested, body.trailers) ??
    (record.checksumAlgorithm === undefined ? undefined : { algorithm: record.checksumAlgorithm });
  const blob = BlobNames.part(record.dataPrefix, input.partNumber);
  const bucketKey = record.encryption.bucketKey ? { context: record.encryption.context } : undefined;
  const written = await writeMessage(body.body, {
    engine,
    encrypt: {
      context: record.headerContext,
      ...(record.keyId === undefined ? {} : { keyId: record.keyId }),
      ...(bucketKey === undefined ? {} : { bucketKey }),
      ...(body.signal === undefined ? {} : { signal: body.signal }),
    },
    expectContext: record.headerContext,
    store: core.store,
    blob,
    partNumber: input.partNumber,
    checksum,
    contentMd5: fromCopy ? undefined : header(input.headers, 'content-md5'),
    md5Etag: md5Etag(record.encryption),
    maxSize: core.maxObjectSize,
    declaredSize: body.contentLength,
    signal: body.signal,
  }).catch((error: unknown) => {
    throw toS3Error(error);
  });
  // The MD5 is there exactly when md5Etag(record.encryption) asked for it (SSE-S3).
  const etag = `"${written.md5 ?? core.newEtag()}"`;
  const name = BlobNames.uploadPart(input.bucket, input.uploadId, input.partNumber);
  const previous = await readPart(core, name).catch(() => undefined);
  await core.store.put(name, [encodePartRecord({ part: { ...written.part, etag }, lastModified: core.now() })]);
  // A re-sent part replaces the earlier one; its body is no longer referenced.
  if (previous !== undefined && previous.part.blob !== blob)
    await core.store.delete(previous.part.blob).catch(() => false);
  // An abort or completion that raced this upload: do not leave the part behind.
  if ((await core.store.stat(BlobNames.upload(input.bucket, input.uploadId))) === undefined) {
    await core.store.delete(name);
    await core.store.delete(blob);
    throw noSuchUpload();
  }
  const checksumHeaders =
    written.checksum === undefined || checksum === undefined
      ? {}
      : checksumResponseHeaders({ [checksum.algorithm]: written.checksum });
  return { etag, headers: { etag, ...encryptionResponseHeaders(reported(record), 'UploadPart'), ...checksumHeaders } };
}

// A re-sent part replaces its record while CompleteMultipartUpload may be reading it: one
// consistent read of the whole record.
async function readPart(core: ServiceCore, name: string): Promise<PartRecord | undefined> {
  const bytes = await readWholeBlob(core.store, name, 'maxPartRecordBytes', RecordLimits.maxPartRecordBytes);
  return bytes === undefined ? undefined : decodePartRecord(bytes);
}

/** UploadPart: each part its own message under the upload's settings; any order, concurrent, re-sent. @throws {S3Error} */
export async function uploadPart(core: ServiceCore, ctx: RequestContext, input: UploadPartInput): Promise<WriteResult> {
  assertPartNumber(input.partNumber);
  const record = await upload(core, ctx, input, 's3:PutObject');
  return storePart(core, ctx, input, record, input, false);
}

/** UploadPartCopy: a part from (a range of) another object, decrypted and sealed under the upload's settings. @throws {S3Error} */
export async function uploadPartCopy(
  core: ServiceCore,
  ctx: RequestContext,
  input: UploadPartCopyInput,
): Promise<WriteResult & { lastModified: Date }> {
  assertPartNumber(input.partNumber);
  // Leased before the source's record is read: no commit of this process deletes its bodies mid-copy.
  return core.readers.reading(BlobNames.object(input.source.bucket, input.source.key), () =>
    uploadPartCopyLeased(core, ctx, input),
  );
}

async function uploadPartCopyLeased(
  core: ServiceCore,
  ctx: RequestContext,
  input: UploadPartCopyInput,
): Promise<WriteResult & { lastModified: Date }> {
  const record = await upload(core, ctx, input, 's3:PutObject');
  const source = await readableRecord(
    core,
    ctx,
    { bucket: input.source.bucket, key: input.source.key, headers: copySourceSseCHeaders(input.headers) },
    'GetObject',
    true,
  );
  checkCopySourceConditions(input.headers, source);
  const plan = readPlan(core, ctx, input.source.bucket, source);
  let body: AsyncIterable<Uint8Array>;
  if (input.sourceRange === undefined) body = readWhole(plan);
  else {
    const match = /^bytes=(\d{1,16})-(\d{1,16})$/.exec(input.sourceRange.trim());
    const first = Number(match?.[1]);
    const last = Number(match?.[2]);
    if (match === null || last < first)
      throw s3Error(
        'InvalidArgument',
        'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy',
      );
    if (last >= source.size) throw s3Error('InvalidRange', 'The requested range is not satisfiable');
    body = readRange(plan, first, last + 1);
  }
  const result = await storePart(core, ctx, input, record, { body }, true);
  return { ...result, lastModified: new Date(core.now()) };
}

/**
 * CompleteMultipartUpload: checks the list (ascending: InvalidPartOrder; known part and
 * ETag: InvalidPart; all but the last at least the minimum size: EntityTooSmall), verifies
 * every chosen part's stored header through the key store, commits one record that lists
 * the parts' messages, then drops the upload and the parts left out. @throws {S3Error}
 */
export async function completeMultipartUpload(
  core: ServiceCore,
  ctx: RequestContext,
  input: UploadInput & { readonly parts: readonly CompletedPart[]; readonly headers?: RequestHeaders },
): Promise<WriteResult & { location: string; bucket: string; key: string }> {
  const record = await upload(core, ctx, input, 's3:PutObject');
  const condition = parseWriteCondition(input.headers ?? {});
  if (condition !== undefined) await precheckWriteCondition(core, input.bucket, input.key, condition);
  if (!Array.isArray(input.parts) || input.parts.length === 0)
    throw s3Error('InvalidRequest', 'You must specify at least one part');
  if (input.parts.length > MAX_PART_NUMBER) throw s3Error('InvalidArgument', 'Too many parts');
  const stored = new Map<number, PartRecord>();
  let startAfter: string | undefined;
  const prefix = BlobNames.uploadPartsPrefix(input.bucket, input.uploadId);
  for (;;) {
    const page = await core.store.list(prefix, startAfter === undefined ? {} : { startAfter });
    for (const entry of page.entries) {
      const part = await readPart(core, entry.name);
      if (part !== undefined) stored.set(part.part.partNumber, part);
    }
    if (!page.truncated) break;
    startAfter = page.entries[page.entries.length - 1]?.name;
  }
  const chosen: StoredPart[] = [];
  let previous = 0;
  for (const [i, wanted] of input.parts.entries()) {
    if (!Number.isSafeInteger(wanted.partNumber) || wanted.partNumber <= previous)
      throw s3Error(
        'InvalidPartOrder',
        'The list of parts was not in ascending order. Parts must be ordered by part number.',
      );
    previous = wanted.partNumber;
    const have = stored.get(wanted.partNumber);
    if (have === undefined || unquote(have.part.etag) !== unquote(String(wanted.etag))) {
      throw s3Error(
        'InvalidPart',
        "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
      );
    }
    if (i < input.parts.length - 1 && have.part.plaintextLength < core.minPartSize)
      throw s3Error('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.');
    chosen.push(have.part);
  }
  const etagCore = md5Etag(record.encryption)
    ? createHash('md5')
        .update(Buffer.concat(chosen.map((p) => Buffer.from(unquote(p.etag), 'hex'))))
        .digest('hex')
    : core.newEtag();
  const etag = `"${etagCore}-${chosen.length}"`;
  const checksumType =
    record.checksumAlgorithm === undefined ? undefined : (record.checksumType ?? ('COMPOSITE' as const));
  const object: ObjectRecord = {
    key: input.key,
    lastModified: core.now(),
    size: chosen.reduce((n, p) => n + p.plaintextLength, 0),
    etag,
    encryption: record.encryption,
    contentType: record.contentType,
    metadata: record.metadata,
    headers: record.headers,
    checksumAlgorithm: record.checksumAlgorithm,
    checksumType,
    multipart: true,
    parts: chosen,
  };
  // Write-path verification: every part's stored header unwraps and authenticates now.
  // SSE-C: S3 does not require the key here; parts were verified under it when uploaded,
  // and they are verified again when the request sends the key. Their checksums are sealed
  // under that key, so an upload with checksums needs it to complete.
  const customer =
    record.encryption.customerKey === undefined || !hasSseCustomerHeaders(input.headers ?? {})
      ? undefined
      : openCustomerEncryption(object.encryption, input.headers ?? {}, {
          mode: 'part',
          secureTransport: ctx.secureTransport,
          frameLength: core.frameLength,
        });
  const verify = record.encryption.customerKey === undefined || customer !== undefined;
  if (!verify && record.checksumAlgorithm !== undefined)
    throw s3Error(
      'InvalidRequest',
      'The SSE-C key headers are required to complete an upload with checksums: the part checksums are sealed under that key.',
    );
  const engine = verify ? (customer?.engine ?? core.messageEngine(ctx, record.encryption)) : undefined;
  const trailers: PartChecksumInput[] = [];
  if (engine !== undefined) {
    for (const part of chosen) {
      const trailer = await core.kms(() =>
        engine.decryptRange(messageSource(core.store, part), {
          start: part.plaintextLength,
          end: part.plaintextLength + part.trailerLength,
          expectContext: record.headerContext,
        }),
      );
      trailers.push({ trailer: decodeTrailer(trailer), plaintextLength: part.plaintextLength });
    }
  }
  // The object checksum (FULL_OBJECT: the parts' CRCs combined; COMPOSITE: checksum of checksums),
  // checked against the client's value before anything is committed.
  const checksumHeaders =
    record.checksumAlgorithm === undefined || checksumType === undefined
      ? {}
      : completeChecksumHeaders(
          record.checksumAlgorithm,
          checksumType,
          await multipartChecksum(record.checksumAlgorithm, checksumType, trailers),
          input.headers ?? {},
        );
  await commitRecord(core, input.bucket, object, condition);
  const kept = new Set(chosen.map((p) => p.blob));
  await core.store.delete(BlobNames.upload(input.bucket, input.uploadId));
  for (const part of stored.values()) {
    await core.store.delete(BlobNames.uploadPart(input.bucket, input.uploadId, part.part.partNumber));
    if (!kept.has(part.part.blob)) await core.store.delete(part.part.blob).catch(() => false);
  }
  return {
    etag,
    bucket: input.bucket,
    key: input.key,
    location: `/${input.bucket}/${input.key}`,
    headers: { etag, ...encryptionResponseHeaders(reported(object), 'CompleteMultipartUpload'), ...checksumHeaders },
  };
}

const unquote = (etag: string): string => etag.replace(/^"|"$/g, '');

/** AbortMultipartUpload: the upload, its parts and their bodies are deleted. @throws {S3Error} NoSuchUpload */
export async function abortMultipartUpload(
  core: ServiceCore,
  ctx: RequestContext,
  input: UploadInput,
): Promise<{ headers: Record<string, string> }> {
  await upload(core, ctx, input, 's3:AbortMultipartUpload');
  await core.store.delete(BlobNames.upload(input.bucket, input.uploadId));
  const prefix = BlobNames.uploadPartsPrefix(input.bucket, input.uploadId);
  for (;;) {
    const page = await core.store.list(prefix);
    for (const entry of page.entries) {
      const part = await readPart(core, entry.name).catch(() => undefined);
      if (part !== undefined) await core.store.delete(part.part.blob).catch(() => false);
      await core.store.delete(entry.name);
    }
    if (!page.truncated) break;
  }
  return { headers: {} };
}

/** ListParts (plaintext sizes), paginated by part number. @throws {S3Error} NoSuchUpload */
export async function listParts(
  core: ServiceCore,
  ctx: RequestContext,
  input: UploadInput & { readonly maxParts?: number; readonly partNumberMarker?: number },
): Promise<ListPartsResult> {
  const record = await upload(core, ctx, input, 's3:ListMultipartUploadParts');
  const max = Math.min(Math.max(input.maxParts ?? 1000, 0), 1000);
  const marker = input.partNumberMarker ?? 0;
  const startAfter = marker > 0 ? BlobNames.uploadPart(input.bucket, input.uploadId, marker) : undefined;
  const page = await core.store.list(BlobNames.uploadPartsPrefix(input.bucket, input.uploadId), {
    limit: Math.max(1, max),
    ...(startAfter === undefined ? {} : { startAfter }),
  });
  const parts: PartSummary[] = [];
  for (const entry of page.entries.slice(0, max)) {
    const part = await readPart(core, entry.name);
    if (part !== undefined)
      parts.push({
        partNumber: part.part.partNumber,
        etag: part.part.etag,
        size: part.part.plaintextLength,
        lastModified: new Date(part.lastModified),
      });
  }
  const truncated = page.truncated || page.entries.length > max;
  const last = parts[parts.length - 1];
  return {
    bucket: input.bucket,
    key: input.key,
    uploadId: input.uploadId,
    parts,
    isTruncated: truncated,
    partNumberMarker: marker,
    nextPartNumberMarker: last?.partNumber ?? marker,
    maxParts: max,
    initiator: record.initiator,
    owner: record.owner,
    checksumAlgorithm: record.checksumAlgorithm,
    headers: encryptionResponseHeaders(reported(record), 'UploadPart'),
  };
}

/** ListMultipartUploads (by key, then initiation time). Delimiters are not supported. @throws {S3Error} */
export async function listMultipartUploads(
  core: ServiceCore,
  ctx: RequestContext,
  input: {
    readonly bucket: string;
    readonly prefix?: string;
    readonly maxUploads?: number;
    readonly keyMarker?: string;
    readonly uploadIdMarker?: string;
  },
): Promise<ListMultipartUploadsResult> {
  const bucket = await core.bucket(input.bucket);
  await core.authorize(ctx, bucket, 's3:ListBucketMultipartUploads', undefined);
  const all: UploadSummary[] = [];
  let startAfter: string | undefined;
  for (;;) {
    const page = await core.store.list(
      BlobNames.uploadsPrefix(input.bucket),
      startAfter === undefined ? {} : { startAfter },
    );
    for (const entry of page.entries) {
      if (!entry.name.endsWith('/upload')) continue;
      const bytes = await core.store.read(entry.name, 0, MAX_UPLOAD_RECORD_BYTES);
      if (bytes === undefined) continue;
      const r = decodeUploadRecord(bytes);
      if (input.prefix !== undefined && !r.key.startsWith(input.prefix)) continue;
      all.push({
        key: r.key,
        uploadId: r.uploadId,
        initiated: new Date(r.initiated),
        initiator: r.initiator,
        owner: r.owner,
      });
    }
    if (!page.truncated) break;
    startAfter = page.entries[page.entries.length - 1]?.name;
  }
  all.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.initiated.getTime() - b.initiated.getTime()));
  const after = all.filter(
    (u) =>
      input.keyMarker === undefined ||
      u.key > input.keyMarker ||
      (u.key === input.keyMarker && input.uploadIdMarker !== undefined && u.uploadId > input.uploadIdMarker),
  );
  const max = Math.min(Math.max(input.maxUploads ?? 1000, 0), 1000);
  const uploads = after.slice(0, max);
  const last = uploads[uploads.length - 1];
  return {
    bucket: input.bucket,
    uploads,
    isTruncated: after.length > max,
    nextKeyMarker: last?.key,
    nextUploadIdMarker: last?.uploadId,
    maxUploads: max,
    prefix: input.prefix,
  };
}

export { httpDate };
