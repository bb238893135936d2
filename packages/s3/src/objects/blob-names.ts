import { randomBytes } from 'node:crypto';
import { MAX_BLOB_SEGMENT_LENGTH } from '../store/blob-store.js';

/**
 * Where an S3Service keeps things in its BlobStore (docs/S3-OBJECTS.md "Blob names").
 * Object keys are hex of their UTF-8 bytes, cut into segments: hex keeps byte order and
 * prefixes (so listing a key prefix is listing a name prefix), and a fixed cut keeps both
 * while every segment fits a file name.
 */
export const BlobNames = {
  bucket: (bucket: string): string => `b/${bucket}`,
  bucketsPrefix: 'b/',
  encryption: (bucket: string): string => `c/${bucket}/encryption`,
  policy: (bucket: string): string => `c/${bucket}/policy`,
  objectsPrefix: (bucket: string): string => `m/${bucket}/`,
  object: (bucket: string, key: string): string => `m/${bucket}/${encodeKeyBytes(Buffer.from(key, 'utf8'))}`,
  /** A fresh data-blob prefix: one per object version or upload (random, never reused). */
  newDataPrefix: (bucket: string): string => `d/${bucket}/${randomBytes(16).toString('hex')}`,
  dataPrefix: (bucket: string): string => `d/${bucket}/`,
  part: (dataPrefix: string, partNumber: number): string =>
    `${dataPrefix}/${String(partNumber).padStart(5, '0')}-${randomBytes(8).toString('hex')}`,
  uploadsPrefix: (bucket: string): string => `u/${bucket}/`,
  upload: (bucket: string, uploadId: string): string => `u/${bucket}/${uploadId}/upload`,
  uploadPartsPrefix: (bucket: string, uploadId: string): string => `u/${bucket}/${uploadId}/p/`,
  uploadPart: (bucket: string, uploadId: string, partNumber: number): string =>
    `u/${bucket}/${uploadId}/p/${String(partNumber).padStart(5, '0')}`,
} as const;

/** Hex of `bytes` with a `/` after every full segment. */
export function encodeKeyBytes(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
  const segments: string[] = [];
  for (let at = 0; at < hex.length; at += MAX_BLOB_SEGMENT_LENGTH)
    segments.push(hex.slice(at, at + MAX_BLOB_SEGMENT_LENGTH));
  return segments.join('/');
}

/** The object key a name under `m/<bucket>/` stands for, or undefined when it is not one. */
export function decodeObjectName(bucket: string, name: string): string | undefined {
  const prefix = BlobNames.objectsPrefix(bucket);
  if (!name.startsWith(prefix)) return undefined;
  const hex = name.slice(prefix.length).replaceAll('/', '');
  if (!/^(?:[0-9a-f]{2})+$/.test(hex)) return undefined;
  return Buffer.from(hex, 'hex').toString('utf8');
}

/** The name prefix for object keys starting with `keyPrefix` (the last partial segment included). */
export function objectNamePrefix(bucket: string, keyPrefix: string): string {
  return BlobNames.objectsPrefix(bucket) + encodeKeyBytes(Buffer.from(keyPrefix, 'utf8'));
}

/**
 * A `startAfter` name that skips every key starting with `keyPrefix` (a byte 0xFF never
 * occurs in UTF-8, so `prefix + FF` sorts after all of them and before anything else).
 */
export function afterEveryKeyWith(bucket: string, keyPrefix: string): string {
  return (
    BlobNames.objectsPrefix(bucket) +
    encodeKeyBytes(Buffer.concat([Buffer.from(keyPrefix, 'utf8'), Buffer.from([0xff])]))
  );
}

/** The name of an object key itself (for `startAfter` a given key). */
export function objectNameOf(bucket: string, key: string): string {
  return BlobNames.object(bucket, key);
}
