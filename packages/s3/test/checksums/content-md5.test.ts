import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ContentMd5Verifier, parseContentMd5 } from '@sealflow/s3';
import { expectS3Error } from '../rules/support.js';

const body = Buffer.from('hello, world');
const md5 = createHash('md5').update(body).digest('base64');

describe('Content-MD5', () => {
  it('accepts base64 of a 16-byte digest and verifies the body, in any split', () => {
    expect(parseContentMd5(md5)).toBe(md5);
    const verifier = new ContentMd5Verifier(md5);
    verifier.update(body.subarray(0, 5));
    verifier.update(body.subarray(5));
    expect(() => verifier.verify()).not.toThrow();
  });

  it.each([
    '',
    'abc',
    Buffer.alloc(15).toString('base64'),
    Buffer.alloc(17).toString('base64'),
    createHash('md5').update(body).digest('hex'),
    'A'.repeat(5000),
  ])('an invalid header %j: 400 InvalidDigest', (value) => {
    expectS3Error(() => new ContentMd5Verifier(value), 'InvalidDigest', 400);
  });

  it('a body that does not match: 400 BadDigest', () => {
    const verifier = new ContentMd5Verifier(md5);
    verifier.update(Buffer.from('hello, world!'));
    const error = expectS3Error(() => verifier.verify(), 'BadDigest', 400);
    expect(error.message).toBe('The Content-MD5 you specified did not match what we received.');
  });
});
