import { randomBytes } from 'node:crypto';
import { isChecksumAlgorithm, type ChecksumAlgorithm } from '../checksums/checksum.js';
import type { ChecksumType } from '../checksums/checksum-headers.js';
import { s3Error } from '../errors/s3-error.js';
import type { ObjectEncryption } from '../objects/object-record.js';

/** A multipart upload in progress, as stored at `u/<bucket>/<uploadId>/upload` (JSON, capped). */
export interface UploadRecord {
  readonly version: 1;
  readonly uploadId: string;
  readonly key: string;
  readonly initiated: number;
  readonly initiator: string;
  readonly owner: string;
  readonly encryption: ObjectEncryption;
  readonly headerContext: Readonly<Record<string, string>>;
  readonly keyId: string | undefined;
  readonly contentType: string | undefined;
  readonly metadata: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly checksumAlgorithm: ChecksumAlgorithm | undefined;
  /** FULL_OBJECT or COMPOSITE (absent in records written before types: COMPOSITE when there is an algorithm). */
  readonly checksumType?: ChecksumType | undefined;
  /** Where this upload's part bodies go. */
  readonly dataPrefix: string;
}

export const MAX_UPLOAD_RECORD_BYTES: number = 64 * 1024;
const UPLOAD_ID = /^[0-9a-f]{48}$/;

export function newUploadId(): string {
  return randomBytes(24).toString('hex');
}

export function isUploadId(value: unknown): value is string {
  return typeof value === 'string' && UPLOAD_ID.test(value);
}

export function noSuchUpload(): Error {
  return s3Error(
    'NoSuchUpload',
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
  );
}

export function encodeUploadRecord(record: UploadRecord): Uint8Array {
  return Buffer.from(
    JSON.stringify({
      ...record,
      keyId: record.keyId ?? null,
      contentType: record.contentType ?? null,
      checksumAlgorithm: record.checksumAlgorithm ?? null,
      checksumType: record.checksumType ?? null,
      encryption: {
        ...record.encryption,
        keyArn: record.encryption.keyArn ?? null,
        // SSE-C: the salted HMAC of the customer key (never the key), hex.
        customerKey:
          record.encryption.customerKey === undefined
            ? null
            : {
                salt: Buffer.from(record.encryption.customerKey.salt).toString('hex'),
                hmac: Buffer.from(record.encryption.customerKey.hmac).toString('hex'),
              },
      },
    }),
  );
}

const strings = (value: unknown): value is Record<string, string> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.values(value).every((v) => typeof v === 'string');

/** @throws {S3Error} InternalError for a record that is not one */
export function decodeUploadRecord(bytes: Uint8Array): UploadRecord {
  const corrupt = (): Error => s3Error('InternalError', 'We encountered an internal error. Please try again.');
  if (bytes.length > MAX_UPLOAD_RECORD_BYTES) throw corrupt();
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
  } catch {
    throw corrupt();
  }
  const e = raw['encryption'] as Record<string, unknown> | undefined;
  const ok =
    raw['version'] === 1 &&
    isUploadId(raw['uploadId']) &&
    typeof raw['key'] === 'string' &&
    typeof raw['initiated'] === 'number' &&
    typeof raw['initiator'] === 'string' &&
    typeof raw['owner'] === 'string' &&
    typeof raw['dataPrefix'] === 'string' &&
    strings(raw['headerContext']) &&
    strings(raw['metadata']) &&
    strings(raw['headers']) &&
    (raw['keyId'] === null || typeof raw['keyId'] === 'string') &&
    (raw['contentType'] === null || typeof raw['contentType'] === 'string') &&
    (raw['checksumAlgorithm'] === null || isChecksumAlgorithm(raw['checksumAlgorithm'])) &&
    (raw['checksumType'] === undefined ||
      raw['checksumType'] === null ||
      raw['checksumType'] === 'FULL_OBJECT' ||
      raw['checksumType'] === 'COMPOSITE') &&
    e !== undefined &&
    (e['algorithm'] === 'AES256' || e['algorithm'] === 'aws:kms' || e['algorithm'] === 'aws:kms:dsse') &&
    (e['keyArn'] === null || typeof e['keyArn'] === 'string') &&
    typeof e['bucketKey'] === 'boolean' &&
    strings(e['context']);
  if (!ok || e === undefined) throw corrupt();
  const customer = e['customerKey'] as { salt?: unknown; hmac?: unknown } | null | undefined;
  if (
    customer !== null &&
    customer !== undefined &&
    !(
      typeof customer.salt === 'string' &&
      /^[0-9a-f]{32}$/.test(customer.salt) &&
      typeof customer.hmac === 'string' &&
      /^[0-9a-f]{64}$/.test(customer.hmac)
    )
  )
    throw corrupt();
  return {
    version: 1,
    uploadId: raw['uploadId'] as string,
    key: raw['key'] as string,
    initiated: raw['initiated'] as number,
    initiator: raw['initiator'] as string,
    owner: raw['owner'] as string,
    encryption: {
      algorithm: e['algorithm'] as 'AES256' | 'aws:kms' | 'aws:kms:dsse',
      keyArn: (e['keyArn'] as string | null) ?? undefined,
      bucketKey: e['bucketKey'] as boolean,
      context: e['context'] as Record<string, string>,
      ...(customer === null || customer === undefined
        ? {}
        : {
            customerKey: {
              salt: Buffer.from(customer.salt as string, 'hex'),
              hmac: Buffer.from(customer.hmac as string, 'hex'),
            },
          }),
    },
    headerContext: raw['headerContext'] as Record<string, string>,
    keyId: (raw['keyId'] as string | null) ?? undefined,
    contentType: (raw['contentType'] as string | null) ?? undefined,
    metadata: raw['metadata'] as Record<string, string>,
    headers: raw['headers'] as Record<string, string>,
    checksumAlgorithm: (raw['checksumAlgorithm'] as ChecksumAlgorithm | null) ?? undefined,
    checksumType: (raw['checksumType'] as ChecksumType | null | undefined) ?? undefined,
    dataPrefix: raw['dataPrefix'] as string,
  };
}
