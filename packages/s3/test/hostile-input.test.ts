import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ContentMd5Verifier,
  isS3Error,
  parseBucketEncryptionXml,
  parseBucketPolicy,
  parseChecksumHeaders,
  parseEncryptionContextHeader,
  resolveEncryption,
} from '@sealflow/s3';

/** Runs `fn`; it may return, or throw an S3Error: anything else fails the property. */
function onlyS3Errors(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (error) {
    if (!isS3Error(error)) throw error;
    return error.status >= 400 && error.status < 600;
  }
}

const SSE_NAMES = [
  'x-amz-server-side-encryption',
  'x-amz-server-side-encryption-aws-kms-key-id',
  'x-amz-server-side-encryption-context',
  'x-amz-server-side-encryption-bucket-key-enabled',
  'x-amz-server-side-encryption-customer-algorithm',
  'x-amz-checksum-crc32',
  'x-amz-checksum-sha256',
  'x-amz-sdk-checksum-algorithm',
  'x-amz-trailer',
  'x-amz-checksum-type',
];
const headerValue = fc.oneof(
  fc.constantFrom('aws:kms', 'AES256', 'aws:kms:dsse', 'true', 'e30=', 'CRC32', 'x-amz-checksum-crc32'),
  fc.string(),
  fc.base64String(),
);
const headers = fc.dictionary(fc.constantFrom(...SSE_NAMES), headerValue);

describe('hostile input ends in an S3 error, never a crash', () => {
  it('request headers (resolveEncryption, parseChecksumHeaders)', () => {
    fc.assert(
      fc.property(headers, fc.constantFrom('PutObject', 'CopyObject', 'GetObject', 'HeadObject'), (h, operation) =>
        onlyS3Errors(() => {
          resolveEncryption({
            operation,
            headers: h,
            bucket: 'b',
            key: 'k',
            region: 'us-east-1',
            accountId: '111122223333',
          });
          parseChecksumHeaders(h);
        }),
      ),
      { numRuns: 500 },
    );
  });

  it('encryption context headers: base64 of arbitrary JSON and arbitrary strings', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.json().map((j) => Buffer.from(j).toString('base64')),
          fc.string(),
          fc.base64String(),
        ),
        (value) => onlyS3Errors(() => parseEncryptionContextHeader(value)),
      ),
      { numRuns: 500 },
    );
  });

  it('configuration XML: arbitrary strings and mutated valid documents', () => {
    const valid =
      '<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>';
    const mutated = fc
      .tuple(fc.nat(valid.length), fc.nat(20), fc.string({ maxLength: 20 }))
      .map(([at, drop, insert]) => valid.slice(0, at) + insert + valid.slice(at + drop));
    fc.assert(
      fc.property(fc.oneof(fc.string(), mutated), (body) => onlyS3Errors(() => parseBucketEncryptionXml(body))),
      { numRuns: 500 },
    );
  });

  it('bucket policies: arbitrary JSON and mutated statements', () => {
    const statement = fc.record(
      {
        Effect: fc.oneof(fc.constantFrom('Allow', 'Deny'), fc.jsonValue()),
        Principal: fc.oneof(fc.constant('*'), fc.jsonValue()),
        Action: fc.oneof(fc.constant('s3:*'), fc.jsonValue()),
        Resource: fc.oneof(fc.constant('arn:aws:s3:::b/*'), fc.jsonValue()),
        Condition: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    const policy = fc
      .record({
        Version: fc.constantFrom('2012-10-17', 'x'),
        Statement: fc.oneof(statement, fc.array(statement, { maxLength: 3 })),
      })
      .map((p) => JSON.stringify(p));
    fc.assert(
      fc.property(fc.oneof(policy, fc.json(), fc.string()), (json) =>
        onlyS3Errors(() => parseBucketPolicy(json, { bucket: 'b' })),
      ),
      { numRuns: 500 },
    );
  });

  it('Content-MD5 values', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.base64String()), (value) =>
        onlyS3Errors(() => new ContentMd5Verifier(value).verify()),
      ),
      { numRuns: 300 },
    );
  });

  it('the checker itself rejects a non-S3 error', () => {
    expect(() => onlyS3Errors(() => JSON.parse('{'))).toThrow(SyntaxError);
  });
});
