import { ErrorCodes, KeyStoreError, kmsExceptionCode } from '@sealflow/core';

/**
 * The errors `MemoryKms` throws. Each is a `KeyStoreError` (so it carries a stable sealflow
 * `code`, from `kmsExceptionCode`) whose `name` is the AWS SDK v3 exception name, with the
 * SDK's `$fault` and `$metadata` fields: code written against the SDK (`error.name ===
 * 'NotFoundException'`, `error.$metadata.requestId`) runs unchanged. Messages name keys,
 * actions and principals, never key material or plaintext.
 */

/** The SDK response metadata every exception and response carries. */
export interface KmsResponseMetadata {
  readonly httpStatusCode: number;
  readonly requestId?: string;
  readonly attempts: number;
  readonly totalRetryDelay: number;
}

export interface KmsExceptionOptions {
  readonly cause?: unknown;
}

const SERVER_FAULTS: Readonly<Record<string, number>> = { KMSInternalException: 500, DependencyTimeoutException: 503 };

/** Base class: an AWS KMS service exception, as `MemoryKms` raises it. */
export class KmsException extends KeyStoreError {
  readonly #name: string;
  /** `client` when the request was at fault, `server` otherwise (as in the SDK). */
  readonly $fault: 'client' | 'server';
  /** Filled with the request ID when the exception leaves a `MemoryKms` call. */
  $metadata: KmsResponseMetadata;

  constructor(name: string, message: string, options: KmsExceptionOptions = {}) {
    super(kmsExceptionCode(name) ?? ErrorCodes.KEY_STORE_FAILED, message, options);
    this.#name = name;
    const status = Object.hasOwn(SERVER_FAULTS, name) ? (SERVER_FAULTS[name] as number) : 400;
    this.$fault = status >= 500 ? 'server' : 'client';
    this.$metadata = { httpStatusCode: status, attempts: 1, totalRetryDelay: 0 };
  }

  override get name(): string {
    return this.#name;
  }

  /** Stamps the request ID (once, when the call that raised it ends). */
  withRequestId(requestId: string): this {
    if (this.$metadata.requestId === undefined) this.$metadata = { ...this.$metadata, requestId };
    return this;
  }
}

/** The caller's principal may not perform the action on the key (key policy). */
export class AccessDeniedException extends KmsException {
  constructor(message: string, options?: KmsExceptionOptions) {
    super('AccessDeniedException', message, options);
  }
}
/** The alias already exists in the account. */
export class AlreadyExistsException extends KmsException {
  constructor(message: string, options?: KmsExceptionOptions) {
    super('AlreadyExistsException', message, options);
  }
}
/** The key is disabled. */
export class DisabledException extends KmsException {
  constructor(message: string, options?: KmsExceptionOptions) {
    super('DisabledException', message, options);
  }
}
/** `DryRun: true`: the request would have succeeded. */
export class DryRunOperationException extends KmsException {
  constructor(message: string, options?: KmsExceptionOptions) {
    super('DryRunOperationException', message, options);
  }
}
/** Decrypt or ReEncrypt named a key other than the one that encrypted the blob. */
export class IncorrectKeyException extends KmsException {
  constructor(message: string, options?: KmsExceptionOptions) {
    super('IncorrectKeyException', message, options);
  }
}
/** The ciphertext blob is altered, truncated, not ours, or presented with another context. */
export class InvalidCiphertextException extends KmsException {
  constructor(message: string, options?: KmsExceptionOptions) {
    super('InvalidCiphertextException', message, options);
  }
}
/** The key cannot do this (e.g. a non-symmetric encryption algorithm was requested). */
export class InvalidKeyUsageException extends KmsException {
  constructor(message: string, options?: KmsExceptionOptions) {
    super('InvalidKeyUsageException', message, options);
  }
}
/** A pagination marker this instance did not issue. */
export class InvalidMarkerException extends KmsException {
  constructor(message: string, options?: KmsExceptionOptions) {
    super('InvalidMarkerException', message, options);
  }
}
/** The instance failed or was closed. */
export class KMSInternalException extends KmsException {
  constructor(message: string, options?: KmsExceptionOptions) {
    super('KMSInternalException', message, options);
  }
}
/** The key's state (pending deletion, ...) does not allow the operation. */
export class KMSInvalidStateException extends KmsException {
  constructor(message: string, options?: KmsExceptionOptions) {
    super('KMSInvalidStateException', message, options);
  }
}
/** A quota was reached (e.g. on-demand rotations per key). */
export class LimitExceededException extends KmsException {
  constructor(message: string, options?: KmsExceptionOptions) {
    super('LimitExceededException', message, options);
  }
}
/** The key policy is not valid JSON, uses unsupported elements, or would lock the caller out. */
export class MalformedPolicyDocumentException extends KmsException {
  constructor(message: string, options?: KmsExceptionOptions) {
    super('MalformedPolicyDocumentException', message, options);
  }
}
/** The name is reserved for AWS (`alias/aws/...`): AWS sends this unmodeled error. */
export class NotAuthorizedException extends KmsException {
  constructor(message: string, options?: KmsExceptionOptions) {
    super('NotAuthorizedException', message, options);
  }
}
/** No such key or alias (in the caller's account, or in this region). */
export class NotFoundException extends KmsException {
  constructor(message: string, options?: KmsExceptionOptions) {
    super('NotFoundException', message, options);
  }
}
/** The request asks for something this KMS does not do (asymmetric or HMAC keys, ...). */
export class UnsupportedOperationException extends KmsException {
  constructor(message: string, options?: KmsExceptionOptions) {
    super('UnsupportedOperationException', message, options);
  }
}
/** A request field is missing, of the wrong type, or out of range. */
export class ValidationException extends KmsException {
  constructor(message: string, options?: KmsExceptionOptions) {
    super('ValidationException', message, options);
  }
}
