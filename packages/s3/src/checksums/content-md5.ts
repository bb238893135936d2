import { createHash, type Hash } from 'node:crypto';
import { s3Error } from '../errors/s3-error.js';
import { S3Limits } from '../limits.js';

const BASE64_MD5 = /^[A-Za-z0-9+/]{22}==$/;

/**
 * Reads a `Content-MD5` header: base64 of a 16-byte MD5 digest. Returns the canonical value.
 *
 * @throws {S3Error} 400 `InvalidDigest` ("The Content-MD5 you specified is not valid.").
 */
export function parseContentMd5(value: string): string {
  const trimmed = typeof value === 'string' ? value.trim() : '';
  if (
    trimmed.length > S3Limits.maxChecksumHeaderLength ||
    !BASE64_MD5.test(trimmed) ||
    Buffer.from(trimmed, 'base64').length !== 16
  ) {
    throw s3Error('InvalidDigest', 'The Content-MD5 you specified is not valid.');
  }
  return trimmed;
}

/** A running MD5 of a request body, to check against `Content-MD5`. */
export class ContentMd5Verifier {
  readonly #expected: string;
  readonly #hash: Hash = createHash('md5');

  /**
   * @param contentMd5 the request's `Content-MD5` header.
   * @throws {S3Error} 400 `InvalidDigest` when the header is not a base64 MD5 digest.
   */
  constructor(contentMd5: string) {
    this.#expected = parseContentMd5(contentMd5);
  }

  /** Adds body bytes. */
  update(bytes: Uint8Array): void {
    this.#hash.update(bytes);
  }

  /**
   * Ends the body and compares.
   *
   * @throws {S3Error} 400 `BadDigest` ("The Content-MD5 you specified did not match what we received.").
   */
  verify(): void {
    if (this.#hash.digest('base64') !== this.#expected) {
      throw s3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.');
    }
  }
}
