import { ErrorCodes, KeyStoreError, type ErrorCode } from '@sealflow/core';
import type { XksErrorName } from '../shared/xks-wire.js';
import type { CallFailure } from './xks-transport.js';

/** The core error code each XKS error name becomes. */
const CODE_BY_NAME: Readonly<Record<XksErrorName, ErrorCode>> = {
  ValidationException: ErrorCodes.KEY_STORE_FAILED,
  InvalidStateException: ErrorCodes.KEY_INVALID_STATE,
  InvalidCiphertextException: ErrorCodes.INVALID_KEY_CIPHERTEXT,
  InvalidKeyUsageException: ErrorCodes.KEY_INVALID_STATE,
  AuthenticationFailedException: ErrorCodes.ACCESS_DENIED,
  AccessDeniedException: ErrorCodes.ACCESS_DENIED,
  KeyNotFoundException: ErrorCodes.KEY_NOT_FOUND,
  InvalidUriPathException: ErrorCodes.KEY_STORE_FAILED,
  ThrottlingException: ErrorCodes.THROTTLED,
  UnsupportedOperationException: ErrorCodes.KEY_STORE_FAILED,
  DependencyTimeoutException: ErrorCodes.KEY_STORE_UNAVAILABLE,
  InternalException: ErrorCodes.KEY_STORE_UNAVAILABLE,
};

/** What the proxy's answer means, in words, for the error message. */
const MEANING: Readonly<Record<XksErrorName, string>> = {
  ValidationException: 'the proxy refused the request as invalid',
  InvalidStateException: 'the external key or key store is disabled',
  InvalidCiphertextException: 'the encrypted data key did not authenticate (wrong key, context or bytes)',
  InvalidKeyUsageException: 'the external key does not allow this operation',
  AuthenticationFailedException: 'the proxy did not accept our SigV4 credential or clock',
  AccessDeniedException: "the proxy's authorization denied this principal",
  KeyNotFoundException: 'the proxy has no such external key',
  InvalidUriPathException: 'the proxy does not know this URI path (check uriPrefix)',
  ThrottlingException: 'the proxy is throttling requests',
  UnsupportedOperationException: 'the proxy does not support this request (a field may be too large)',
  DependencyTimeoutException: 'the proxy timed out waiting for its key manager',
  InternalException: 'the proxy failed internally',
};

/** The KeyStoreError for a failed call; its message names the store, the step and the reason. */
export function toKeyStoreError(
  store: string,
  keyId: string,
  step: string,
  failure: CallFailure,
  requestId: string,
  cause?: unknown,
): KeyStoreError {
  const [code, why] = classify(failure);
  return new KeyStoreError(code, `XKS key store "${store}" could not ${step}: ${why} (kmsRequestId ${requestId})`, {
    store,
    keyId,
    requestId,
    ...(cause === undefined ? {} : { cause }),
  });
}

function classify(failure: CallFailure): [ErrorCode, string] {
  switch (failure.kind) {
    case 'unreachable':
      return [ErrorCodes.KEY_STORE_UNAVAILABLE, `the proxy is unreachable: ${failure.why}`];
    case 'timeout':
      return [ErrorCodes.KEY_STORE_UNAVAILABLE, `the proxy is too slow: ${failure.why}`];
    case 'cancelled':
      return [ErrorCodes.KEY_STORE_UNAVAILABLE, failure.why];
    case 'malformed':
      return [ErrorCodes.KEY_STORE_FAILED, `the proxy's answer is malformed: ${failure.why}`];
    case 'rejected':
      if (failure.errorName !== undefined) {
        return [CODE_BY_NAME[failure.errorName], `${MEANING[failure.errorName]} (${failure.why})`];
      }
      return failure.status >= 500
        ? [ErrorCodes.KEY_STORE_UNAVAILABLE, `the proxy failed (${failure.why})`]
        : [ErrorCodes.KEY_STORE_FAILED, `the proxy answered ${failure.why} without an XKS error name`];
  }
}
