import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  assertChecksumValue,
  checksumFromTrailers,
  checksumModeEnabled,
  checksumOf,
  checksumResponseHeaders,
  compositeChecksum,
  parseChecksumAlgorithmHeader,
  parseChecksumHeaders,
  verifyChecksum,
} from '@sealflow/s3';
import { expectS3Error } from '../rules/support.js';

const CRC32_OF_CHECK = Buffer.from('cbf43926', 'hex').toString('base64');
const SHA256_OF_EMPTY = '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=';

describe('parseChecksumHeaders', () => {
  it('reads one x-amz-checksum-* header with its expected value', () => {
    expect(parseChecksumHeaders({ 'x-amz-checksum-crc32': CRC32_OF_CHECK })).toEqual({
      algorithm: 'crc32',
      location: 'header',
      expected: CRC32_OF_CHECK,
    });
    expect(
      parseChecksumHeaders({
        'x-amz-checksum-sha256': SHA256_OF_EMPTY,
        'x-amz-sdk-checksum-algorithm': 'SHA256',
        'x-amz-checksum-type': 'full_object',
      }),
    ).toEqual({
      algorithm: 'sha256',
      location: 'header',
      expected: SHA256_OF_EMPTY,
      type: 'FULL_OBJECT',
    });
  });

  it('reads a trailer checksum declared in x-amz-trailer (aws-chunked uploads of the current SDKs)', () => {
    expect(
      parseChecksumHeaders({
        'x-amz-trailer': 'x-amz-checksum-crc64nvme',
        'x-amz-sdk-checksum-algorithm': 'CRC64NVME',
      }),
    ).toEqual({ algorithm: 'crc64nvme', location: 'trailer' });
  });

  it('asks for nothing without checksum headers', () => {
    expect(parseChecksumHeaders({ 'content-type': 'text/plain' })).toBeUndefined();
  });

  it('ignores x-amz-sdk-checksum-algorithm when an individual checksum is given, as S3 documents', () => {
    expect(
      parseChecksumHeaders({ 'x-amz-checksum-crc32': CRC32_OF_CHECK, 'x-amz-sdk-checksum-algorithm': 'CRC32C' })
        ?.algorithm,
    ).toBe('crc32');
  });

  it('more than one checksum: 400 InvalidRequest', () => {
    expectS3Error(
      () => parseChecksumHeaders({ 'x-amz-checksum-crc32': CRC32_OF_CHECK, 'x-amz-checksum-sha256': SHA256_OF_EMPTY }),
      'InvalidRequest',
      400,
    );
    expectS3Error(
      () => parseChecksumHeaders({ 'x-amz-checksum-crc32': CRC32_OF_CHECK, 'x-amz-trailer': 'x-amz-checksum-crc32c' }),
      'InvalidRequest',
      400,
    );
  });

  it.each([
    ['x-amz-checksum-crc32', 'not base64'],
    ['x-amz-checksum-crc32', Buffer.alloc(8).toString('base64')],
    ['x-amz-checksum-crc64nvme', CRC32_OF_CHECK],
    ['x-amz-checksum-sha1', SHA256_OF_EMPTY],
    ['x-amz-checksum-sha256', 'A'.repeat(10_000)],
    ['x-amz-checksum-crc32c', ''],
  ])('an invalid %s value: 400 InvalidRequest', (name, value) => {
    const error = expectS3Error(() => parseChecksumHeaders({ [name]: value }), 'InvalidRequest', 400);
    expect(error.message).toBe(`Value for ${name} header is invalid.`);
  });

  it('unknown algorithm, trailer or type: 400 InvalidRequest; an SDK algorithm without checksum nor trailer: 400', () => {
    expectS3Error(
      () => parseChecksumHeaders({ 'x-amz-sdk-checksum-algorithm': 'MD5', 'x-amz-checksum-crc32': CRC32_OF_CHECK }),
      'InvalidRequest',
    );
    expectS3Error(() => parseChecksumHeaders({ 'x-amz-trailer': 'x-amz-checksum-md5' }), 'InvalidRequest');
    expectS3Error(
      () => parseChecksumHeaders({ 'x-amz-checksum-crc32': CRC32_OF_CHECK, 'x-amz-checksum-type': 'PARTIAL' }),
      'InvalidRequest',
    );
    expectS3Error(() => parseChecksumHeaders({ 'x-amz-sdk-checksum-algorithm': 'CRC32' }), 'InvalidRequest', 400);
  });

  it('x-amz-checksum-algorithm of CreateMultipartUpload', () => {
    expect(parseChecksumAlgorithmHeader({ 'x-amz-checksum-algorithm': 'CRC32C' })).toBe('crc32c');
    expect(parseChecksumAlgorithmHeader({})).toBeUndefined();
    expectS3Error(() => parseChecksumAlgorithmHeader({ 'x-amz-checksum-algorithm': 'XXH3' }), 'InvalidRequest');
  });
});

describe('checksumFromTrailers and verifyChecksum', () => {
  it('takes the declared trailer and validates it; a missing or bad trailer: 400 InvalidRequest', () => {
    const request = { algorithm: 'crc32', location: 'trailer' } as const;
    expect(checksumFromTrailers(request, { 'x-amz-checksum-crc32': CRC32_OF_CHECK })).toBe(CRC32_OF_CHECK);
    expectS3Error(() => checksumFromTrailers(request, {}), 'InvalidRequest');
    expectS3Error(() => checksumFromTrailers(request, { 'x-amz-checksum-crc32': '!!' }), 'InvalidRequest');
  });

  it('a mismatch is 400 BadDigest naming the algorithm; a match passes', async () => {
    const computed = await checksumOf('crc32', Buffer.from('123456789'));
    expect(() => verifyChecksum('crc32', CRC32_OF_CHECK, computed)).not.toThrow();
    const error = expectS3Error(() => verifyChecksum('crc32', CRC32_OF_CHECK, zeroCrc32()), 'BadDigest', 400);
    expect(error.message).toBe('The CRC32 you specified did not match the calculated checksum.');
    expect(() => assertChecksumValue('crc32', ` ${CRC32_OF_CHECK} `)).not.toThrow();
  });
});

function zeroCrc32(): string {
  return Buffer.alloc(4).toString('base64');
}

describe('compositeChecksum (multipart COMPOSITE checksums)', () => {
  it('is the checksum of the concatenated raw part checksums, then -N', async () => {
    const parts = [Buffer.from('part one'), Buffer.from('part two'), Buffer.from('3')];
    const partSums = await Promise.all(parts.map((p) => checksumOf('sha256', p)));
    const raw = Buffer.concat(partSums.map((s) => Buffer.from(s, 'base64')));
    const expected = `${createHash('sha256').update(raw).digest('base64')}-3`;
    expect(await compositeChecksum('sha256', partSums)).toBe(expected);
  });
});

describe('checksumResponseHeaders and checksumModeEnabled', () => {
  it('reports each stored checksum, and the type with it', () => {
    expect(checksumResponseHeaders({ crc32: CRC32_OF_CHECK }, 'FULL_OBJECT')).toEqual({
      'x-amz-checksum-crc32': CRC32_OF_CHECK,
      'x-amz-checksum-type': 'FULL_OBJECT',
    });
    expect(checksumResponseHeaders({}, 'COMPOSITE')).toEqual({});
  });

  it('x-amz-checksum-mode: ENABLED (any case) asks for checksums', () => {
    expect(checksumModeEnabled({ 'x-amz-checksum-mode': 'ENABLED' })).toBe(true);
    expect(checksumModeEnabled({ 'x-amz-checksum-mode': 'enabled' })).toBe(true);
    expect(checksumModeEnabled({ 'x-amz-checksum-mode': 'DISABLED' })).toBe(false);
    expect(checksumModeEnabled({})).toBe(false);
  });
});
