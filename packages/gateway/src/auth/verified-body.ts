import { createHash, timingSafeEqual } from 'node:crypto';
import { authError } from './auth-error.js';

/**
 * Passes a body through while hashing it, and compares the SHA-256 with the
 * signed `x-amz-content-sha256` value before reporting the end: the mismatch is an
 * error thrown in place of completion, so a consumer that commits on completion
 * never commits the altered body. Bytes are passed through uncopied.
 *
 * @throws S3Error XAmzContentSHA256Mismatch when the hashes differ.
 */
export async function* sha256VerifiedBody(
  source: AsyncIterable<Uint8Array>,
  expectedHex: string,
): AsyncGenerator<Uint8Array, void, undefined> {
  const hash = createHash('sha256');
  for await (const piece of source) {
    hash.update(piece);
    yield piece;
  }
  const actual = hash.digest();
  const expected = Buffer.from(expectedHex, 'hex');
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    throw authError(
      'XAmzContentSHA256Mismatch',
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );
  }
}
