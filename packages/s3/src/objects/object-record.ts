import { ErrorCodes, MalformedMessageError } from '@sealflow/core';
import { ByteReader, ByteWriter, corrupt } from './record-bytes.js';

import { CHECKSUM_ALGORITHMS, type ChecksumAlgorithm } from '../checksums/checksum.js';
import type { ChecksumType } from '../checksums/checksum-headers.js';
import type { SseAlgorithm } from '../rules/sse-headers.js';
import { CUSTOMER_KEY_HMAC_BYTES, CUSTOMER_KEY_SALT_BYTES, type CustomerKeyCheck } from '../rules/sse-customer-key.js';

/** How an object is encrypted: what HEAD reports and what reads need. */
export interface ObjectEncryption {
  readonly algorithm: SseAlgorithm;
  /** The full key ARN (SSE-KMS), or undefined (SSE-S3). */
  readonly keyArn: string | undefined;
  readonly bucketKey: boolean;
  /** The full encryption context the messages are sealed under (`aws:s3:arn` included). */
  readonly context: Readonly<Record<string, string>>;
  /**
   * SSE-C (customer-provided key; `algorithm` is then `AES256`): the salted HMAC of the key
   * that tells a wrong key apart. The key itself is never stored.
   */
  readonly customerKey?: CustomerKeyCheck | undefined;
}

/** One ESDK message of an object: its header lives in the record, its body in a blob. */
export interface StoredPart {
  /** 0 for a single-part object, else the multipart part number (1 to 10,000). */
  readonly partNumber: number;
  /** The message header (`engine.rewrapHeader` replaces it when the object is re-keyed). */
  readonly header: Uint8Array;
  /** The blob holding the message body (frames, final frame). */
  readonly blob: string;
  /** Body bytes in `blob`. */
  readonly bodyLength: number;
  /** Object bytes in this message (its plaintext minus the sealed trailer). */
  readonly plaintextLength: number;
  /** Sealed trailer bytes at the end of the message plaintext (checksums; see docs/S3-OBJECTS.md). */
  readonly trailerLength: number;
  readonly etag: string;
}

/** Everything stored about one object, except its body. */
export interface ObjectRecord {
  readonly key: string;
  /** Milliseconds since the epoch. */
  readonly lastModified: number;
  /** Plaintext bytes. */
  readonly size: number;
  /** Quoted, as sent in responses. */
  readonly etag: string;
  readonly encryption: ObjectEncryption;
  readonly contentType: string | undefined;
  /** `x-amz-meta-*` pairs, names lower-case without the prefix. */
  readonly metadata: Readonly<Record<string, string>>;
  /** Other stored headers (cache-control, content-disposition, content-encoding, content-language, expires). */
  readonly headers: Readonly<Record<string, string>>;
  /** The checksum sealed in the trailers, if one was sent. */
  readonly checksumAlgorithm: ChecksumAlgorithm | undefined;
  readonly checksumType: ChecksumType | undefined;
  readonly multipart: boolean;
  readonly parts: readonly StoredPart[];
}

export const RecordLimits: Readonly<{
  maxRecordBytes: number;
  maxPartRecordBytes: number;
  maxKeyBytes: number;
  maxEtagBytes: number;
  maxArnBytes: number;
  maxContextPairs: number;
  maxPairBytes: number;
  maxMetadataPairs: number;
  maxContentTypeBytes: number;
  maxParts: number;
  maxHeaderBytes: number;
  maxBlobNameBytes: number;
  maxTrailerBytes: number;
}> = Object.freeze({
  maxRecordBytes: 32 * 1024 * 1024,
  maxPartRecordBytes: 2 * 1024 * 1024,
  maxKeyBytes: 1024,
  maxEtagBytes: 128,
  maxArnBytes: 2048,
  maxContextPairs: 64,
  maxPairBytes: 8192,
  maxMetadataPairs: 256,
  maxContentTypeBytes: 1024,
  maxParts: 10_000,
  maxHeaderBytes: 1024 * 1024,
  maxBlobNameBytes: 4096,
  maxTrailerBytes: 4096,
});

const MAGIC = [0x53, 0x46, 0x53, 0x33]; // "SFS3"
const PART_MAGIC = [0x53, 0x46, 0x50, 0x54]; // "SFPT"
/** Layout version of both records; a reader refuses any other. */
export const RECORD_VERSION = 1;

const ALGORITHMS: readonly SseAlgorithm[] = ['AES256', 'aws:kms', 'aws:kms:dsse'];
const CHECKSUMS: readonly ChecksumAlgorithm[] = CHECKSUM_ALGORITHMS;
const CHECKSUM_TYPES: readonly ChecksumType[] = ['FULL_OBJECT', 'COMPOSITE'];

function code<T>(list: readonly T[], value: T | undefined): number {
  return value === undefined ? 0 : list.indexOf(value) + 1;
}

function decode<T>(list: readonly T[], value: number, what: string): T | undefined {
  if (value === 0) return undefined;
  const found = list[value - 1];
  if (found === undefined) throw corrupt(what);
  return found;
}

function writePart(w: ByteWriter, part: StoredPart): void {
  w.u16(part.partNumber).u64(part.plaintextLength).u32(part.trailerLength).u64(part.bodyLength);
  w.str16(part.etag, RecordLimits.maxEtagBytes, 'part ETag').str16(
    part.blob,
    RecordLimits.maxBlobNameBytes,
    'part blob',
  );
  w.u32(part.header.length).bytes(part.header);
}

function readPart(r: ByteReader, what: string): StoredPart {
  const partNumber = r.u16();
  const plaintextLength = r.u64();
  const trailerLength = r.u32();
  if (trailerLength > RecordLimits.maxTrailerBytes || partNumber > RecordLimits.maxParts) throw corrupt(what);
  const bodyLength = r.u64();
  const etag = r.str16(RecordLimits.maxEtagBytes, 'part ETag');
  const blob = r.str16(RecordLimits.maxBlobNameBytes, 'part blob');
  // Copied: the record's buffer may be reused; a header outlives it in the parsed record.
  const header = r.bytes(r.u32(), RecordLimits.maxHeaderBytes, 'part header').slice();
  return { partNumber, header, blob, bodyLength, plaintextLength, trailerLength, etag };
}

function magic(r: ByteReader, expected: readonly number[], what: string): void {
  for (const byte of expected) if (r.u8() !== byte) throw corrupt(what);
  const version = r.u8();
  if (version !== RECORD_VERSION)
    throw new MalformedMessageError(
      ErrorCodes.UNSUPPORTED_VERSION,
      `stored ${what} has layout version ${version}; this reader knows ${RECORD_VERSION}`,
    );
}

/** Serializes an object record (layout: docs/S3-OBJECTS.md). @throws {LimitExceededError} a field over its cap */
export function encodeObjectRecord(record: ObjectRecord): Uint8Array {
  const w = new ByteWriter();
  for (const byte of MAGIC) w.u8(byte);
  w.u8(RECORD_VERSION);
  const customer = record.encryption.customerKey;
  w.u8((record.multipart ? 1 : 0) | (record.encryption.bucketKey ? 2 : 0) | (customer === undefined ? 0 : 4));
  w.u8(code(ALGORITHMS, record.encryption.algorithm));
  w.u8(code(CHECKSUMS, record.checksumAlgorithm)).u8(code(CHECKSUM_TYPES, record.checksumType));
  w.u64(record.lastModified).u64(record.size);
  w.str16(record.key, RecordLimits.maxKeyBytes, 'key').str16(record.etag, RecordLimits.maxEtagBytes, 'ETag');
  w.str16(record.encryption.keyArn ?? '', RecordLimits.maxArnBytes, 'key ARN');
  if (customer !== undefined) w.bytes(customer.salt).bytes(customer.hmac);
  w.map16(record.encryption.context, RecordLimits.maxContextPairs, RecordLimits.maxPairBytes, 'encryption context');
  w.str16(record.contentType ?? '', RecordLimits.maxContentTypeBytes, 'content type');
  w.map16(record.metadata, RecordLimits.maxMetadataPairs, RecordLimits.maxPairBytes, 'metadata');
  w.map16(record.headers, RecordLimits.maxMetadataPairs, RecordLimits.maxPairBytes, 'headers');
  w.u32(record.parts.length);
  for (const part of record.parts) writePart(w, part);
  return w.sealed();
}

/**
 * Parses an object record. A corrupted, truncated or foreign record is an error, never
 * wrong data: the digest is checked first, then every length against its cap, then the
 * fields against each other (part sizes add up to the object size, part numbers ascend).
 * @throws {MalformedMessageError} `ERR_MALFORMED_MESSAGE`, `ERR_TRUNCATED`, `ERR_UNSUPPORTED_VERSION`
 * @throws {LimitExceededError} a length over its cap
 */
export function decodeObjectRecord(bytes: Uint8Array): ObjectRecord {
  const what = 'object record';
  const r = new ByteReader(bytes, what, RecordLimits.maxRecordBytes);
  magic(r, MAGIC, what);
  const flags = r.u8();
  if (flags > 7) throw corrupt(what);
  const algorithm = decode(ALGORITHMS, r.u8(), what);
  if (algorithm === undefined) throw corrupt(what);
  const checksumAlgorithm = decode(CHECKSUMS, r.u8(), what);
  const checksumType = decode(CHECKSUM_TYPES, r.u8(), what);
  const lastModified = r.u64();
  const size = r.u64();
  const key = r.str16(RecordLimits.maxKeyBytes, 'key');
  const etag = r.str16(RecordLimits.maxEtagBytes, 'ETag');
  const keyArn = r.str16(RecordLimits.maxArnBytes, 'key ARN');
  // Copied: the record's buffer may be reused.
  const customerKey: CustomerKeyCheck | undefined =
    (flags & 4) === 4
      ? {
          salt: r.bytes(CUSTOMER_KEY_SALT_BYTES, CUSTOMER_KEY_SALT_BYTES, 'customer key salt').slice(),
          hmac: r.bytes(CUSTOMER_KEY_HMAC_BYTES, CUSTOMER_KEY_HMAC_BYTES, 'customer key HMAC').slice(),
        }
      : undefined;
  const context = r.map16(RecordLimits.maxContextPairs, RecordLimits.maxPairBytes, 'encryption context');
  const contentType = r.str16(RecordLimits.maxContentTypeBytes, 'content type');
  const metadata = r.map16(RecordLimits.maxMetadataPairs, RecordLimits.maxPairBytes, 'metadata');
  const headers = r.map16(RecordLimits.maxMetadataPairs, RecordLimits.maxPairBytes, 'headers');
  const count = r.u32();
  if (count === 0 || count > RecordLimits.maxParts) throw corrupt(what);
  const parts: StoredPart[] = [];
  let total = 0;
  for (let i = 0; i < count; i++) {
    const part = readPart(r, what);
    const previous = parts[parts.length - 1];
    if (previous !== undefined && part.partNumber <= previous.partNumber) throw corrupt(what);
    total += part.plaintextLength;
    parts.push(part);
  }
  r.end();
  const multipart = (flags & 1) === 1;
  if (
    total !== size ||
    (!multipart && (count !== 1 || parts[0]?.partNumber !== 0)) ||
    (algorithm === 'AES256') !== (keyArn === '') ||
    (customerKey !== undefined && (algorithm !== 'AES256' || (flags & 2) === 2))
  )
    throw corrupt(what);
  return {
    key,
    lastModified,
    size,
    etag,
    encryption: {
      algorithm,
      keyArn: keyArn === '' ? undefined : keyArn,
      bucketKey: (flags & 2) === 2,
      context,
      ...(customerKey === undefined ? {} : { customerKey }),
    },
    contentType: contentType === '' ? undefined : contentType,
    metadata,
    headers,
    checksumAlgorithm,
    checksumType,
    multipart,
    parts,
  };
}

/** One uploaded part as kept under its upload until completion. */
export interface PartRecord {
  readonly part: StoredPart;
  /** When the part was uploaded, in ms since the epoch. */
  readonly lastModified: number;
}

/** Serializes one uploaded part. */
export function encodePartRecord(record: PartRecord): Uint8Array {
  const w = new ByteWriter();
  for (const byte of PART_MAGIC) w.u8(byte);
  w.u8(RECORD_VERSION);
  w.u64(record.lastModified);
  writePart(w, record.part);
  return w.sealed();
}

/** Parses one uploaded part. @throws {MalformedMessageError | LimitExceededError} as `decodeObjectRecord` */
export function decodePartRecord(bytes: Uint8Array): PartRecord {
  const what = 'part record';
  const r = new ByteReader(bytes, what, RecordLimits.maxPartRecordBytes);
  magic(r, PART_MAGIC, what);
  const lastModified = r.u64();
  const part = readPart(r, what);
  r.end();
  if (part.partNumber === 0) throw corrupt(what);
  return { part, lastModified };
}
