import { ErrorCodes, SealflowError } from '@sealflow/core';
import { S3ErrorCodes, type S3ErrorCode } from './s3-error-codes.js';

/** Options of an {@link S3Error}; every field is optional. */
export interface S3ErrorOptions {
  /** The message; defaults to the catalogue's message for the code. */
  readonly message?: string;
  /** The bucket or object the error is about (`/bucket/key`), for the XML `Resource` element. */
  readonly resource?: string;
  /** Response headers to send with the error, e.g. `Retry-After` (lower-case names). */
  readonly extra?: Readonly<Record<string, string>>;
  /**
   * Extra elements of the XML error body, as S3 sends them: `ArgumentName`,
   * `ArgumentValue` (InvalidArgument), `Condition`, `MaxSizeAllowed`, `ProposedSize`...
   * Never secrets: they go to the client.
   */
  readonly fields?: Readonly<Record<string, string>>;
  readonly cause?: unknown;
}

/**
 * An S3 request refused the way Amazon S3 refuses it: `s3Code` goes into the XML error
 * body's `Code`, `status` onto the HTTP response. The sealflow `code` is always `ERR_S3`;
 * programs branch on `s3Code`.
 */
export class S3Error extends SealflowError {
  /** The S3 error code, e.g. `'InvalidArgument'`. */
  readonly s3Code: S3ErrorCode;
  /** The HTTP status S3 answers with for this code. */
  readonly status: number;
  /** The bucket or object concerned, when known. */
  readonly resource: string | undefined;
  /** Response headers to add (lower-case names). */
  readonly extra: Readonly<Record<string, string>>;
  /** Extra XML elements of the error body. */
  readonly fields: Readonly<Record<string, string>>;

  /**
   * @param s3Code one of {@link S3ErrorCodes}; its status comes from the catalogue.
   * @throws {TypeError} when `s3Code` is not in the catalogue (a programming error).
   */
  constructor(s3Code: S3ErrorCode, options: S3ErrorOptions = {}) {
    if (!Object.hasOwn(S3ErrorCodes, s3Code)) throw new TypeError(`unknown S3 error code ${String(s3Code)}`);
    const entry = S3ErrorCodes[s3Code];
    super(ErrorCodes.S3, options.message ?? entry.message, 'cause' in options ? { cause: options.cause } : {});
    this.s3Code = s3Code;
    this.status = entry.status;
    this.resource = options.resource;
    this.extra = Object.freeze({ ...options.extra });
    this.fields = Object.freeze({ ...options.fields });
  }

  /** A copy of this error about `resource` (gateways fill it in when they know the request path). */
  withResource(resource: string): S3Error {
    return new S3Error(this.s3Code, {
      message: this.message,
      resource,
      extra: this.extra,
      fields: this.fields,
      ...(this.cause === undefined ? {} : { cause: this.cause }),
    });
  }
}

/** Shorthand: `new S3Error(code, { message, ...options })`. */
export function s3Error(s3Code: S3ErrorCode, message?: string, options: Omit<S3ErrorOptions, 'message'> = {}): S3Error {
  return new S3Error(s3Code, message === undefined ? options : { ...options, message });
}

/** Whether `value` is an {@link S3Error}. */
export function isS3Error(value: unknown): value is S3Error {
  return value instanceof S3Error;
}

/**
 * S3's `InvalidArgument` with the `ArgumentName`/`ArgumentValue` elements S3 adds. The value
 * is echoed to the client (it came from the client's own request), cut to 256 characters.
 */
export function invalidArgument(message: string, argumentName: string, argumentValue?: string): S3Error {
  const fields: Record<string, string> = { ArgumentName: argumentName };
  if (argumentValue !== undefined)
    fields['ArgumentValue'] = argumentValue.length > 256 ? `${argumentValue.slice(0, 256)}...` : argumentValue;
  return new S3Error('InvalidArgument', { message, fields });
}
