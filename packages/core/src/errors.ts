/**
 * The error model: one base class with a stable string `code`, and a handful of
 * subclasses that say which side is at fault. Codes are API: they are listed in
 * docs/ERRORS.md and pinned by test/core/errors.test.ts. Messages are for people and
 * may change; programs branch on `code`.
 *
 * Errors never carry key material, plaintext, or (for authentication failures) which
 * byte or key was wrong.
 */

/** Every stable error code, grouped by the class that carries it. */
export const ErrorCodes = {
  // InvalidArgumentError: the caller passed something we refuse before doing any work.
  INVALID_ARGUMENT: 'ERR_INVALID_ARGUMENT',
  RESERVED_CONTEXT_KEY: 'ERR_RESERVED_CONTEXT_KEY',
  COMMITMENT_POLICY: 'ERR_COMMITMENT_POLICY',
  ENGINE_CLOSED: 'ERR_ENGINE_CLOSED',
  // SealflowError: a stream's source sent nothing for its idleTimeoutMs.
  TIMEOUT: 'ERR_TIMEOUT',
  // MalformedMessageError: the bytes are not a message we can read.
  MALFORMED_MESSAGE: 'ERR_MALFORMED_MESSAGE',
  UNSUPPORTED_VERSION: 'ERR_UNSUPPORTED_VERSION',
  UNSUPPORTED_SUITE: 'ERR_UNSUPPORTED_SUITE',
  BASE64_INPUT: 'ERR_BASE64_INPUT',
  TRUNCATED: 'ERR_TRUNCATED',
  TRAILING_BYTES: 'ERR_TRAILING_BYTES',
  FRAME_SEQUENCE: 'ERR_FRAME_SEQUENCE',
  RANGE_NOT_SATISFIABLE: 'ERR_RANGE_NOT_SATISFIABLE',
  // AuthenticationError: the bytes parse but do not authenticate.
  AUTHENTICATION_FAILED: 'ERR_AUTHENTICATION_FAILED',
  COMMITMENT_MISMATCH: 'ERR_COMMITMENT_MISMATCH',
  SIGNATURE_INVALID: 'ERR_SIGNATURE_INVALID',
  CONTEXT_MISMATCH: 'ERR_CONTEXT_MISMATCH',
  // LimitExceededError: a declared size is over a configured or format cap.
  LIMIT_EXCEEDED: 'ERR_LIMIT_EXCEEDED',
  // KeyStoreError: a key store refused or failed.
  NO_DECRYPTABLE_KEY: 'ERR_NO_DECRYPTABLE_KEY',
  KEY_STORE_UNAVAILABLE: 'ERR_KEY_STORE_UNAVAILABLE',
  KEY_NOT_FOUND: 'ERR_KEY_NOT_FOUND',
  KEY_DISABLED: 'ERR_KEY_DISABLED',
  KEY_INVALID_STATE: 'ERR_KEY_INVALID_STATE',
  ACCESS_DENIED: 'ERR_ACCESS_DENIED',
  INVALID_KEY_CIPHERTEXT: 'ERR_INVALID_KEY_CIPHERTEXT',
  THROTTLED: 'ERR_THROTTLED',
  UNSUPPORTED_KEY: 'ERR_UNSUPPORTED_KEY',
  KEY_STORE_FAILED: 'ERR_KEY_STORE_FAILED',
  // A key store's own storage: wrong passphrase or key file / unreadable or altered file.
  KEY_STORE_LOCKED: 'ERR_KEY_STORE_LOCKED',
  KEY_STORE_CORRUPT: 'ERR_KEY_STORE_CORRUPT',
  // WorkerError: a worker thread died or misbehaved (@sealflow/parallel).
  WORKER_FAILED: 'ERR_WORKER_FAILED',
  // S3Error (@sealflow/s3): an S3 request is refused; `s3Code` and `status` say how.
  S3: 'ERR_S3',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

type CodeOf<K extends keyof typeof ErrorCodes> = (typeof ErrorCodes)[K];
/** The codes an {@link InvalidArgumentError} carries. */
export type InvalidArgumentCode = CodeOf<
  'INVALID_ARGUMENT' | 'RESERVED_CONTEXT_KEY' | 'COMMITMENT_POLICY' | 'ENGINE_CLOSED'
>;
/** The codes a {@link MalformedMessageError} carries. */
export type MalformedMessageCode = CodeOf<
  | 'MALFORMED_MESSAGE'
  | 'UNSUPPORTED_VERSION'
  | 'UNSUPPORTED_SUITE'
  | 'BASE64_INPUT'
  | 'TRUNCATED'
  | 'TRAILING_BYTES'
  | 'FRAME_SEQUENCE'
  | 'RANGE_NOT_SATISFIABLE'
>;
/** The codes an {@link AuthenticationError} carries. */
export type AuthenticationCode = CodeOf<
  'AUTHENTICATION_FAILED' | 'COMMITMENT_MISMATCH' | 'SIGNATURE_INVALID' | 'CONTEXT_MISMATCH'
>;
/** The code a {@link LimitExceededError} carries. */
export type LimitExceededCode = CodeOf<'LIMIT_EXCEEDED'>;
/** The codes key stores raise (a {@link KeyStoreError} may also keep a wrapped error's code). */
export type KeyStoreCode = CodeOf<
  | 'NO_DECRYPTABLE_KEY'
  | 'KEY_STORE_UNAVAILABLE'
  | 'KEY_NOT_FOUND'
  | 'KEY_DISABLED'
  | 'KEY_INVALID_STATE'
  | 'ACCESS_DENIED'
  | 'INVALID_KEY_CIPHERTEXT'
  | 'THROTTLED'
  | 'UNSUPPORTED_KEY'
  | 'KEY_STORE_FAILED'
  | 'KEY_STORE_LOCKED'
  | 'KEY_STORE_CORRUPT'
>;
/** The code a {@link WorkerError} carries. */
export type WorkerCode = CodeOf<'WORKER_FAILED'>;

/**
 * The brand every sealflow error carries, registered with `Symbol.for` so that it is the
 * same symbol in every copy of this package (two versions in one node_modules tree, a
 * bundled copy, another realm): `isSealflowError` tests it instead of `instanceof`.
 */
const SEALFLOW_ERROR = Symbol.for('sealflow.error');

/** Options shared by every sealflow error. */
export interface SealflowErrorOptions {
  readonly cause?: unknown;
}

/** Base class of every error sealflow throws on purpose. */
export class SealflowError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options: SealflowErrorOptions = {}) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    this.code = code;
  }

  override get name(): string {
    return this.constructor.name;
  }

  /** A plain record that survives `structuredClone` (worker threads, logs). */
  toJSON(): SerializedError {
    return serializeError(this);
  }
}

// The brand sits on the prototype, out of the type: a type naming it would make the
// SealflowError of one copy unassignable to another's.
Object.defineProperty(SealflowError.prototype, SEALFLOW_ERROR, { value: true });

/** The caller passed an argument or option we refuse. */
export class InvalidArgumentError extends SealflowError {
  declare readonly code: InvalidArgumentCode;

  constructor(code: InvalidArgumentCode, message: string, options?: SealflowErrorOptions) {
    super(code, message, options);
  }
}

/** The input is not a well-formed message (or not one we support). */
export class MalformedMessageError extends SealflowError {
  declare readonly code: MalformedMessageCode;

  constructor(code: MalformedMessageCode, message: string, options?: SealflowErrorOptions) {
    super(code, message, options);
  }
}

/**
 * The message parsed but did not authenticate. The message is deliberately generic:
 * it never names the byte, frame or key that failed.
 */
export class AuthenticationError extends SealflowError {
  declare readonly code: AuthenticationCode;

  constructor(code: AuthenticationCode, message: string, options?: SealflowErrorOptions) {
    super(code, message, options);
  }
}

/** A declared length or count exceeds a cap; raised before anything is allocated. */
export class LimitExceededError extends SealflowError {
  declare readonly code: LimitExceededCode;
  /** Name of the cap, as in `format/limits.ts` (e.g. `maxEncryptedDataKeys`). */
  readonly limit: string;
  /** The cap in force. */
  readonly max: number;
  /** What the input declared. */
  readonly actual: number;

  constructor(limit: string, max: number, actual: number, message?: string) {
    super(ErrorCodes.LIMIT_EXCEEDED, message ?? `${limit} exceeded: the input declares ${actual}, the limit is ${max}`);
    this.limit = limit;
    this.max = max;
    this.actual = actual;
  }
}

/** One key store's failure, as collected when every store failed. */
export interface KeyStoreFailure {
  /** The key store's `id`. */
  readonly store: string;
  readonly code: ErrorCode;
  readonly message: string;
}

export interface KeyStoreErrorOptions extends SealflowErrorOptions {
  /** The key store's `id`. */
  readonly store?: string;
  /** The key identifier involved (an ARN or name, never material). */
  readonly keyId?: string;
  /** The remote request ID (KMS, XKS), kept for audit. */
  readonly requestId?: string;
  /** Every store's failure, when the engine tried several. */
  readonly failures?: readonly KeyStoreFailure[];
}

/** A key store refused, or could not be reached. */
export class KeyStoreError extends SealflowError {
  readonly store: string | undefined;
  readonly keyId: string | undefined;
  readonly requestId: string | undefined;
  readonly failures: readonly KeyStoreFailure[];

  /**
   * `code` is usually a {@link KeyStoreCode}; any other code is that of the sealflow error a
   * store threw, kept when the engine wraps it to name the store.
   */
  constructor(code: KeyStoreCode | ErrorCode, message: string, options: KeyStoreErrorOptions = {}) {
    super(code, message, options);
    this.store = options.store;
    this.keyId = options.keyId;
    this.requestId = options.requestId;
    this.failures = options.failures ?? [];
  }
}

/** A worker thread failed while sealing or opening frames. */
export class WorkerError extends SealflowError {
  declare readonly code: WorkerCode;

  constructor(code: WorkerCode, message: string, options?: SealflowErrorOptions) {
    super(code, message, options);
  }
}

/** The structured-clone-safe shape of an error (for worker threads and JSON logs). */
export interface SerializedError {
  readonly name: string;
  readonly code: ErrorCode;
  readonly message: string;
  readonly limit?: string;
  readonly max?: number;
  readonly actual?: number;
  readonly store?: string;
  readonly keyId?: string;
  readonly requestId?: string;
  readonly failures?: readonly KeyStoreFailure[];
}

const CLASSES = {
  SealflowError,
  InvalidArgumentError,
  MalformedMessageError,
  AuthenticationError,
  LimitExceededError,
  KeyStoreError,
  WorkerError,
} as const;

/** Turns an error into a plain record; the reverse of {@link deserializeError}. */
export function serializeError(error: SealflowError): SerializedError {
  const base = { name: error.name, code: error.code, message: error.message };
  if (error instanceof LimitExceededError) {
    return { ...base, limit: error.limit, max: error.max, actual: error.actual };
  }
  if (error instanceof KeyStoreError) {
    return {
      ...base,
      ...(error.store === undefined ? {} : { store: error.store }),
      ...(error.keyId === undefined ? {} : { keyId: error.keyId }),
      ...(error.requestId === undefined ? {} : { requestId: error.requestId }),
      failures: error.failures,
    };
  }
  return base;
}

/** Rebuilds a `SealflowError` (of the right subclass) from a plain record. */
export function deserializeError(record: SerializedError): SealflowError {
  switch (record.name) {
    case 'LimitExceededError':
      return new LimitExceededError(record.limit ?? 'unknown', record.max ?? 0, record.actual ?? 0, record.message);
    case 'KeyStoreError':
      return new KeyStoreError(record.code, record.message, {
        ...(record.store === undefined ? {} : { store: record.store }),
        ...(record.keyId === undefined ? {} : { keyId: record.keyId }),
        ...(record.requestId === undefined ? {} : { requestId: record.requestId }),
        ...(record.failures === undefined ? {} : { failures: record.failures }),
      });
    default: {
      const Class = Object.hasOwn(CLASSES, record.name) ? CLASSES[record.name as keyof typeof CLASSES] : SealflowError;
      return new (Class as typeof SealflowError)(record.code, record.message);
    }
  }
}

/** The one sentence every authentication failure uses, so failures cannot be told apart. */
const AUTHENTICATION_FAILED_MESSAGE =
  'the message did not authenticate: it was altered, truncated, or encrypted under other keys or context';

/** Shorthand for the generic authentication failure. */
export function authenticationFailed(): AuthenticationError {
  return new AuthenticationError(ErrorCodes.AUTHENTICATION_FAILED, AUTHENTICATION_FAILED_MESSAGE);
}

/**
 * Whether a value is a sealflow error: true for errors of any copy of this package (the
 * `Symbol.for` brand), not only for instances of this copy's `SealflowError`.
 */
export function isSealflowError(value: unknown): value is SealflowError {
  return (
    typeof value === 'object' && value !== null && (value as { [SEALFLOW_ERROR]?: unknown })[SEALFLOW_ERROR] === true
  );
}
