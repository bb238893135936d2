import { ErrorCodes, isSealflowError, KeyStoreError, type ErrorCode } from '@sealflow/core';
import { isS3Error, S3Error } from './s3-error.js';
import { S3ErrorCodes, type S3ErrorCode } from './s3-error-codes.js';

/** How long a client should wait before retrying after KMS was unreachable or throttled. */
const RETRY_AFTER_SECONDS = '1';

/**
 * spec: s3-gateway.md "Keys and errors". Key-store codes in the order a multi-store failure
 * is judged: the first failure of a store that maps to a client error wins.
 */
const KEY_STORE_TO_S3: ReadonlyMap<ErrorCode, S3ErrorCode> = new Map<ErrorCode, S3ErrorCode>([
  [ErrorCodes.KEY_NOT_FOUND, 'KMS.NotFoundException'],
  [ErrorCodes.KEY_DISABLED, 'KMS.DisabledException'],
  [ErrorCodes.KEY_INVALID_STATE, 'KMS.KMSInvalidStateException'],
  [ErrorCodes.ACCESS_DENIED, 'AccessDenied'],
  [ErrorCodes.UNSUPPORTED_KEY, 'InvalidArgument'],
  [ErrorCodes.KEY_STORE_UNAVAILABLE, 'ServiceUnavailable'],
  [ErrorCodes.THROTTLED, 'SlowDown'],
]);

const MESSAGES: Partial<Record<S3ErrorCode, string>> = {
  InvalidArgument: 'The KMS key is not a symmetric encryption key; only symmetric encryption KMS keys are supported.',
};

/**
 * Maps a failure met while serving an S3 request to the S3 error to answer, as Amazon S3
 * answers KMS failures: missing key 400 `KMS.NotFoundException`, disabled 400
 * `KMS.DisabledException`, pending deletion or other region 400
 * `KMS.KMSInvalidStateException`, no `kms:GenerateDataKey`/`kms:Decrypt` 403 `AccessDenied`,
 * asymmetric or HMAC key 400 `InvalidArgument`, KMS unreachable 503 `ServiceUnavailable`
 * and throttled 503 `SlowDown` (both with `Retry-After`). An `S3Error` is returned as is;
 * anything else (a key that unwraps nothing, an altered stored object, a bug) is 500
 * `InternalError` with a generic message: the cause is kept for logs, never sent.
 *
 * Never throws.
 */
export function mapKeyStoreError(error: unknown): S3Error {
  if (isS3Error(error)) return error;
  if (error instanceof KeyStoreError) {
    const direct = KEY_STORE_TO_S3.get(error.code);
    if (direct !== undefined) return build(direct, error, error.keyId);
    if (error.code === ErrorCodes.NO_DECRYPTABLE_KEY) {
      // Every store failed on read: answer as the first store whose failure says why.
      for (const failure of error.failures) {
        const mapped = KEY_STORE_TO_S3.get(failure.code);
        if (mapped !== undefined) return build(mapped, error, error.keyId);
      }
    }
  }
  return new S3Error('InternalError', isSealflowError(error) || error instanceof Error ? { cause: error } : {});
}

function build(s3Code: S3ErrorCode, cause: KeyStoreError, keyId: string | undefined): S3Error {
  const retryable = s3Code === 'ServiceUnavailable' || s3Code === 'SlowDown';
  const message =
    MESSAGES[s3Code] ??
    (keyId !== undefined && s3Code.startsWith('KMS.') ? `${S3ErrorCodes[s3Code].message} (${keyId})` : undefined);
  return new S3Error(s3Code, {
    cause,
    ...(message === undefined ? {} : { message }),
    ...(retryable ? { extra: { 'retry-after': RETRY_AFTER_SECONDS } } : {}),
  });
}
