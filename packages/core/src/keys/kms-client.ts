import { ErrorCodes, KeyStoreError, type ErrorCode } from '../errors.js';

/**
 * The KMS client shape sealflow's KMS key stores talk to: the subset of the AWS SDK v3
 * aggregated `KMS` client that the ESDK AWS KMS keyring uses, and the mapping of its
 * exceptions to stable sealflow codes. Core has no runtime dependency on any SDK.
 */

/** Per-call options every KMS-shaped client accepts (the AWS SDK v3 `HttpHandlerOptions` subset). */
export interface KmsCallOptions {
  readonly abortSignal?: AbortSignal;
}

/** The metadata AWS SDK v3 responses and exceptions carry. */
export interface KmsResponseMetadata {
  readonly requestId?: string | undefined;
}

export interface KmsGenerateDataKeyInput {
  KeyId: string;
  EncryptionContext?: Record<string, string>;
  NumberOfBytes?: number;
  GrantTokens?: string[];
}
export interface KmsGenerateDataKeyOutput {
  readonly KeyId?: string | undefined;
  readonly Plaintext?: Uint8Array | undefined;
  readonly CiphertextBlob?: Uint8Array | undefined;
  readonly $metadata?: KmsResponseMetadata;
}
export interface KmsEncryptInput {
  KeyId: string;
  Plaintext: Uint8Array;
  EncryptionContext?: Record<string, string>;
  GrantTokens?: string[];
}
export interface KmsEncryptOutput {
  readonly KeyId?: string | undefined;
  readonly CiphertextBlob?: Uint8Array | undefined;
  readonly $metadata?: KmsResponseMetadata;
}
export interface KmsDecryptInput {
  CiphertextBlob: Uint8Array;
  KeyId?: string;
  EncryptionContext?: Record<string, string>;
  GrantTokens?: string[];
}
export interface KmsDecryptOutput {
  readonly KeyId?: string | undefined;
  readonly Plaintext?: Uint8Array | undefined;
  readonly $metadata?: KmsResponseMetadata;
}

/**
 * The three calls the ESDK AWS KMS keyring makes, shaped like the AWS SDK v3 aggregated
 * `KMS` client (so that client, `@sealflow/keystore-memory`'s `MemoryKms`, or a test fake
 * fits without an adapter). Core has no runtime dependency on any SDK.
 */
export interface KmsClientLike {
  generateDataKey(input: KmsGenerateDataKeyInput, options?: KmsCallOptions): Promise<KmsGenerateDataKeyOutput>;
  encrypt(input: KmsEncryptInput, options?: KmsCallOptions): Promise<KmsEncryptOutput>;
  decrypt(input: KmsDecryptInput, options?: KmsCallOptions): Promise<KmsDecryptOutput>;
}

// The one KMS ARN grammar (key or alias); each caller checks the resource its own way.
const KMS_ARN = /^arn:([a-z0-9-]+):kms:([a-z0-9-]+):(\d{12}):(key|alias)\/(.+)$/;
const KEY_RESOURCE = /^[A-Za-z0-9-]{1,128}$/;

/** The parts of a KMS ARN: `arn:<partition>:kms:<region>:<account>:<key|alias>/<resource>`. */
export interface KmsArnParts {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly resourceType: 'key' | 'alias';
  /** After `key/` or `alias/`; not checked further (callers apply their key ID or alias rules). */
  readonly resource: string;
}

/** Splits a KMS key or alias ARN; `undefined` for anything else. The one KMS ARN parser. */
export function parseKmsArn(value: string): KmsArnParts | undefined {
  const match = KMS_ARN.exec(value);
  if (match === null) return undefined;
  const [, partition = '', region = '', accountId = '', resourceType, resource = ''] = match;
  return { partition, region, accountId, resourceType: resourceType === 'key' ? 'key' : 'alias', resource };
}

/** The parts of a KMS key ARN a key store filters on. */
export interface KmsKeyArnParts {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly keyId: string;
}

/** Splits a full KMS key ARN (`arn:<partition>:kms:<region>:<account>:key/<id>`); `undefined` for anything else. */
export function parseKmsKeyArn(value: string): KmsKeyArnParts | undefined {
  const arn = parseKmsArn(value);
  if (arn === undefined || arn.resourceType !== 'key' || !KEY_RESOURCE.test(arn.resource)) return undefined;
  return { partition: arn.partition, region: arn.region, accountId: arn.accountId, keyId: arn.resource };
}

/** Whether `value` is a full KMS key ARN. */
export function isKmsKeyArn(value: string): boolean {
  return parseKmsKeyArn(value) !== undefined;
}

/** Where a mapped KMS failure happened. */
export interface KmsErrorContext {
  /** The key store's `id`. */
  readonly store?: string;
  /** The key identifier the call named. */
  readonly keyId?: string;
}

const BY_NAME: Readonly<Record<string, ErrorCode>> = {
  NotFoundException: ErrorCodes.KEY_NOT_FOUND,
  DisabledException: ErrorCodes.KEY_DISABLED,
  KMSInvalidStateException: ErrorCodes.KEY_INVALID_STATE,
  AccessDeniedException: ErrorCodes.ACCESS_DENIED,
  InvalidCiphertextException: ErrorCodes.INVALID_KEY_CIPHERTEXT,
  IncorrectKeyException: ErrorCodes.INVALID_KEY_CIPHERTEXT,
  InvalidKeyUsageException: ErrorCodes.UNSUPPORTED_KEY,
  UnsupportedOperationException: ErrorCodes.UNSUPPORTED_KEY,
  ThrottlingException: ErrorCodes.THROTTLED,
  LimitExceededException: ErrorCodes.THROTTLED,
  TooManyRequestsException: ErrorCodes.THROTTLED,
  RequestLimitExceeded: ErrorCodes.THROTTLED,
  KMSInternalException: ErrorCodes.KEY_STORE_UNAVAILABLE,
  DependencyTimeoutException: ErrorCodes.KEY_STORE_UNAVAILABLE,
  KeyUnavailableException: ErrorCodes.KEY_STORE_UNAVAILABLE,
  ServiceUnavailableException: ErrorCodes.KEY_STORE_UNAVAILABLE,
  TimeoutError: ErrorCodes.KEY_STORE_UNAVAILABLE,
  AbortError: ErrorCodes.KEY_STORE_UNAVAILABLE,
};
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * The stable sealflow code for a KMS exception name (`NotFoundException` →
 * `ERR_KEY_NOT_FOUND`, ...); names starting `CustomKeyStore` or `Xks` mean the key's
 * external store is unreachable. Unknown names give `undefined`.
 */
export function kmsExceptionCode(name: string): ErrorCode | undefined {
  if (Object.hasOwn(BY_NAME, name)) return BY_NAME[name];
  if (name.startsWith('CustomKeyStore') || name.startsWith('Xks') || name.startsWith('CloudHsm'))
    return ErrorCodes.KEY_STORE_UNAVAILABLE;
  return undefined;
}

/**
 * Turns anything a KMS-shaped client threw into a `KeyStoreError`: by SDK exception name,
 * then by shape (a server fault or HTTP 5xx, a Node network error code: unavailable; HTTP
 * 429: throttled), else `ERR_KEY_STORE_FAILED`. The original is kept as `cause`, the
 * request ID comes from `$metadata.requestId`. Reusable by SDK adapters.
 */
export function mapKmsError(error: unknown, context: KmsErrorContext = {}): KeyStoreError {
  const fields = error !== null && typeof error === 'object' ? (error as Record<string, unknown>) : {};
  const name = typeof fields['name'] === 'string' ? fields['name'] : 'Error';
  const metadata =
    fields['$metadata'] !== null && typeof fields['$metadata'] === 'object'
      ? (fields['$metadata'] as Record<string, unknown>)
      : {};
  const status = typeof metadata['httpStatusCode'] === 'number' ? metadata['httpStatusCode'] : undefined;
  const requestId = typeof metadata['requestId'] === 'string' ? metadata['requestId'] : undefined;
  const errno = typeof fields['code'] === 'string' ? fields['code'] : undefined;
  let code = kmsExceptionCode(name);
  if (code === undefined) {
    if (status === 429) code = ErrorCodes.THROTTLED;
    else if (fields['$fault'] === 'server' || (status !== undefined && status >= 500))
      code = ErrorCodes.KEY_STORE_UNAVAILABLE;
    else if (errno !== undefined && NETWORK_CODES.has(errno)) code = ErrorCodes.KEY_STORE_UNAVAILABLE;
    else code = ErrorCodes.KEY_STORE_FAILED;
  }
  const message = typeof fields['message'] === 'string' ? fields['message'] : String(error);
  return new KeyStoreError(code, `KMS call failed (${name}): ${message}`, {
    cause: error,
    ...(context.store === undefined ? {} : { store: context.store }),
    ...(context.keyId === undefined ? {} : { keyId: context.keyId }),
    ...(requestId === undefined ? {} : { requestId }),
  });
}
