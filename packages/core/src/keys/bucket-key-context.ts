import { ErrorCodes, InvalidArgumentError } from '../errors.js';
import type { EncryptionContext } from './key-store.js';

/** The context pair S3 binds: the object ARN, or the bucket ARN with bucket keys on. */
const S3_ARN_CONTEXT_KEY = 'aws:s3:arn';

/**
 * The S3 bucket-level context for `bucketKey: true`: `aws:s3:arn` of the object
 * (`arn:aws:s3:::bucket/key`) becomes the bucket ARN (`arn:aws:s3:::bucket`), and that
 * one pair is all the key store sees. Other partitions (`arn:aws-cn:s3:::`, ...) keep
 * theirs.
 * @throws {InvalidArgumentError} when the context has no object ARN.
 */
export function s3BucketContext(context: EncryptionContext): Record<string, string> {
  const arn = Object.hasOwn(context, S3_ARN_CONTEXT_KEY) ? context[S3_ARN_CONTEXT_KEY] : undefined;
  const match = arn === undefined ? null : /^(arn:[a-z-]+:s3:::[^/]+)\/.+$/s.exec(arn);
  if (match === null) {
    throw new InvalidArgumentError(
      ErrorCodes.INVALID_ARGUMENT,
      'bucketKey: true needs an "aws:s3:arn" context pair holding an object ARN (arn:aws:s3:::bucket/key)',
    );
  }
  return { [S3_ARN_CONTEXT_KEY]: match[1] as string };
}
