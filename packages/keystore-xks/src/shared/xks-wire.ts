/**
 * Facts of the XKS Proxy API v1 wire format shared by the client and the server
 * (spec: xks-api.md). Values here are the spec's, not tunables.
 */

/** The SigV4 service name every XKS request is signed for (spec: xks-api.md §10.1). */
export const XKS_SERVICE = 'kms-xks-proxy';

/** The path every operation URI continues after the optional prefix. */
export const XKS_BASE_PATH = '/kms/xks/v1';

/** The one encryption algorithm of v1 (spec: xks-api.md §8). */
export const XKS_ENCRYPTION_ALGORITHM = 'AES_GCM';

/** The one integrity-value algorithm of v1 (spec: xks-api.md §7). */
export const XKS_CDIV_ALGORITHM = 'SHA_256';

/** The four operations, by their spec names. */
export type XksOperation = 'GetHealthStatus' | 'GetKeyMetadata' | 'Encrypt' | 'Decrypt';

/** externalKeyId: 1-128 of `A-Z a-z 0-9 - . _` (spec: xks-api.md §2). */
export const EXTERNAL_KEY_ID: RegExp = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * A URI prefix: empty, or `/` followed by `[A-Za-z0-9/_-]`, not ending in `/`; with
 * `/kms/xks/v1` appended it must fit the 128-character XksProxyUriPath (spec §2).
 */
export const URI_PREFIX: RegExp = /^(?:\/[A-Za-z0-9/_-]*[A-Za-z0-9_-])?$/;
export const MAX_URI_PATH = 128;

/** SigV4 access key id: 20-30 of `A-Z 2-7` (spec: xks-api.md §10.1). */
export const ACCESS_KEY_ID: RegExp = /^[A-Z2-7]{20,30}$/;
/** SigV4 secret: 43-64 of `A-Z a-z 0-9 + / =` (spec: xks-api.md §10.1). */
export const SECRET_ACCESS_KEY: RegExp = /^[A-Za-z0-9+/=]{43,64}$/;

/** Byte and count limits fixed by the spec (xks-api.md §11). */
export const XksLimits = {
  /** The proxy must accept at least this much plaintext (and ciphertext). */
  minPlaintextBytes: 4300,
  /** The proxy must accept at least this much AAD. */
  minAadBytes: 8192,
  /** The u16 length prefix of the GCM AAD layout caps the AAD here. */
  maxAadBytes: 65535,
  maxCiphertextMetadataBytes: 20,
  tagBytes: 16,
  ivBytes: [12, 16] as readonly number[],
  maxKeyUsage: 10,
  minFleetDetails: 1,
  maxFleetDetails: 10,
  /** errorMessage must be shorter than this, printable ASCII. */
  maxErrorMessage: 511,
} as const;

/** The error names of spec §9, with the HTTP status each one travels with. */
export const XksErrorStatus = {
  ValidationException: 400,
  InvalidStateException: 400,
  InvalidCiphertextException: 400,
  InvalidKeyUsageException: 400,
  AuthenticationFailedException: 401,
  AccessDeniedException: 403,
  KeyNotFoundException: 404,
  InvalidUriPathException: 404,
  ThrottlingException: 429,
  UnsupportedOperationException: 501,
  DependencyTimeoutException: 503,
  InternalException: 500,
} as const;

export type XksErrorName = keyof typeof XksErrorStatus;

/** Whether `value` is one of the spec's error names. */
export function isXksErrorName(value: unknown): value is XksErrorName {
  return typeof value === 'string' && Object.hasOwn(XksErrorStatus, value);
}

/** The URI path of an operation under `prefix`. */
export function operationPath(prefix: string, operation: XksOperation, keyId?: string): string {
  const base = `${prefix}${XKS_BASE_PATH}`;
  switch (operation) {
    case 'GetHealthStatus':
      return `${base}/health`;
    case 'GetKeyMetadata':
      return `${base}/keys/${keyId ?? ''}/metadata`;
    case 'Encrypt':
      return `${base}/keys/${keyId ?? ''}/encrypt`;
    case 'Decrypt':
      return `${base}/keys/${keyId ?? ''}/decrypt`;
  }
}
