import { s3Error } from '../errors/s3-error.js';
import { header, type RequestHeaders } from '../rules/sse-headers.js';
import { encryptionResponseHeaders, type EncryptionReportingOperation } from '../rules/response-headers.js';
import type { ObjectRecord } from './object-record.js';
import { sseCustomerReport } from './sse-c.js';

/** Standard headers stored with an object and returned unchanged. */
export const STORED_HEADERS = [
  'cache-control',
  'content-disposition',
  'content-encoding',
  'content-language',
  'expires',
] as const;

/** Most bytes of user metadata (`x-amz-meta-*` names and values), as S3 allows. */
export const MAX_METADATA_BYTES = 2048;

/** The metadata, content type and stored headers of a write request. @throws {S3Error} MetadataTooLarge */
export function storedFields(headers: RequestHeaders): {
  contentType: string | undefined;
  metadata: Record<string, string>;
  headers: Record<string, string>;
} {
  const metadata: Record<string, string> = {};
  const stored: Record<string, string> = {};
  let bytes = 0;
  for (const name of Object.keys(headers)) {
    const value = header(headers, name);
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (lower.startsWith('x-amz-meta-')) {
      const key = lower.slice('x-amz-meta-'.length);
      metadata[key] = value;
      bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
    } else if ((STORED_HEADERS as readonly string[]).includes(lower)) {
      stored[lower] = value;
    }
  }
  if (bytes > MAX_METADATA_BYTES) throw metadataTooLarge();
  const contentType = header(headers, 'content-type');
  return {
    contentType: contentType === undefined || contentType === '' ? undefined : contentType,
    metadata,
    headers: stored,
  };
}

const metadataTooLarge = (): Error =>
  s3Error('MetadataTooLarge', 'Your metadata headers exceed the maximum allowed metadata size.');

/** HTTP date of a time in ms (`Last-Modified`). */
export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

/** The headers GET and HEAD answer with (before Content-Length / Content-Range). */
export function objectResponseHeaders(
  record: ObjectRecord,
  operation: EncryptionReportingOperation,
): Record<string, string> {
  const out: Record<string, string> = {
    etag: record.etag,
    'last-modified': httpDate(record.lastModified),
    'accept-ranges': 'bytes',
    'content-type': record.contentType ?? 'binary/octet-stream',
    ...record.headers,
    ...encryptionResponseHeaders(
      {
        sseCustomer: sseCustomerReport(record.encryption),
        algorithm: record.encryption.algorithm,
        ...(record.encryption.keyArn === undefined ? {} : { keyArn: record.encryption.keyArn }),
        bucketKey: record.encryption.bucketKey,
        context: record.encryption.context,
      },
      operation,
    ),
  };
  for (const [name, value] of Object.entries(record.metadata)) out[`x-amz-meta-${name}`] = value;
  if (record.multipart) out['x-amz-mp-parts-count'] = String(record.parts.length);
  return out;
}
