import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SealflowError } from '@sealflow/core';
import {
  decodeObjectRecord,
  decodePartRecord,
  encodeObjectRecord,
  encodePartRecord,
  type ObjectRecord,
  type StoredPart,
} from '@sealflow/s3';

const part = (n: number, size: number): StoredPart => ({
  partNumber: n,
  header: Uint8Array.from({ length: 90 }, (_, i) => (i * 7 + n) & 0xff),
  blob: `d/bucket/abc/${n}`,
  bodyLength: size + 40,
  plaintextLength: size,
  trailerLength: 9,
  etag: `"etag-${n}"`,
});

const record: ObjectRecord = {
  key: 'photos/2026/été.jpg',
  lastModified: 1_780_000_000_123,
  size: 30,
  etag: '"abc-2"',
  encryption: {
    algorithm: 'aws:kms',
    keyArn: 'arn:aws:kms:us-east-1:111122223333:key/1234',
    bucketKey: true,
    context: { 'aws:s3:arn': 'arn:aws:s3:::bucket/photos/2026/été.jpg', b: '2', a: '1' },
  },
  contentType: 'image/jpeg',
  metadata: { owner: 'ana', 'x-y': 'z' },
  headers: { 'cache-control': 'no-cache' },
  checksumAlgorithm: 'crc32c',
  checksumType: 'COMPOSITE',
  multipart: true,
  parts: [part(1, 10), part(3, 20)],
};

const code = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof SealflowError) return error.code;
    throw error;
  }
  return 'no error';
};

/** Re-seals a body with a valid digest, to reach the checks behind it. */
const reseal = (bytes: Uint8Array): Uint8Array => {
  const body = bytes.subarray(0, bytes.length - 32);
  return Buffer.concat([body, createHash('sha256').update(body).digest()]);
};

describe('object record codec', () => {
  it('round-trips every field and encodes one record one way', () => {
    const bytes = encodeObjectRecord(record);
    const back = decodeObjectRecord(bytes);
    expect(back).toEqual(record);
    expect(Buffer.from(encodeObjectRecord(back)).equals(Buffer.from(bytes))).toBe(true);
    expect(Buffer.from(bytes.subarray(0, 5)).toString('latin1')).toBe('SFS3\u0001');
  });

  it('round-trips a single-part SSE-S3 record without optional fields', () => {
    const single: ObjectRecord = {
      ...record,
      multipart: false,
      checksumAlgorithm: undefined,
      checksumType: undefined,
      contentType: undefined,
      size: 10,
      parts: [part(0, 10)],
      encryption: { algorithm: 'AES256', keyArn: undefined, bucketKey: false, context: {} },
    };
    expect(decodeObjectRecord(encodeObjectRecord(single))).toEqual(single);
  });

  it('refuses every single flipped bit (digest) and every truncation: never wrong data', () => {
    const bytes = encodeObjectRecord(record);
    for (let i = 0; i < bytes.length; i++) {
      const flipped = Uint8Array.from(bytes);
      flipped[i] = (flipped[i] as number) ^ 0x10;
      expect(code(() => decodeObjectRecord(flipped))).toBe('ERR_MALFORMED_MESSAGE');
    }
    for (let n = 0; n < bytes.length; n++) {
      expect(['ERR_TRUNCATED', 'ERR_MALFORMED_MESSAGE']).toContain(
        code(() => decodeObjectRecord(bytes.subarray(0, n))),
      );
    }
  });

  it('refuses another layout version, fields that disagree, and lengths over their caps', () => {
    const bytes = Uint8Array.from(encodeObjectRecord(record));
    bytes[4] = 2;
    expect(code(() => decodeObjectRecord(reseal(bytes)))).toBe('ERR_UNSUPPORTED_VERSION');
    expect(code(() => decodeObjectRecord(encodeObjectRecord({ ...record, size: 31 })))).toBe('ERR_MALFORMED_MESSAGE');
    expect(code(() => decodeObjectRecord(encodeObjectRecord({ ...record, parts: [part(3, 10), part(1, 20)] })))).toBe(
      'ERR_MALFORMED_MESSAGE',
    );
    expect(code(() => encodeObjectRecord({ ...record, key: 'k'.repeat(1025) }))).toBe('ERR_LIMIT_EXCEEDED');
    // a header length field claiming 16 MiB is refused before any allocation
    const huge = Uint8Array.from(encodePartRecord({ part: part(1, 5), lastModified: 1 }));
    const at = huge.length - 32 - 90 - 4;
    new DataView(huge.buffer).setUint32(at, 16 * 1024 * 1024);
    expect(code(() => decodePartRecord(reseal(huge)))).toBe('ERR_LIMIT_EXCEEDED');
    expect(code(() => decodeObjectRecord(new Uint8Array(33 * 1024 * 1024)))).toBe('ERR_LIMIT_EXCEEDED');
    expect(code(() => decodeObjectRecord(encodePartRecord({ part: part(1, 5), lastModified: 1 })))).toBe(
      'ERR_MALFORMED_MESSAGE',
    );
  });

  it('round-trips part records and refuses part number 0 in one', () => {
    expect(decodePartRecord(encodePartRecord({ part: part(7, 100), lastModified: 42 }))).toEqual({
      part: part(7, 100),
      lastModified: 42,
    });
    expect(code(() => decodePartRecord(encodePartRecord({ part: part(0, 100), lastModified: 1 })))).toBe(
      'ERR_MALFORMED_MESSAGE',
    );
  });
});
