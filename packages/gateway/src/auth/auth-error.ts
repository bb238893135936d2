/**
 * The S3 errors the authentication layer answers with. They carry the shape of
 * `@sealflow/s3`'s `S3Error` (code `'ERR_S3'`, `s3Code`, HTTP `status`, `message`,
 * optional `resource`) so the server renders them as S3 XML errors.
 *
 * Messages are Amazon S3's own sentences where S3 documents them; none of them says
 * which byte, header or secret was wrong beyond what S3 itself says.
 */

/** Every S3 error code the auth layer throws, with its HTTP status. */
export const AuthErrorStatus = {
  AccessDenied: 403,
  AuthorizationHeaderMalformed: 400,
  AuthorizationQueryParametersError: 400,
  BadDigest: 400,
  EntityTooLarge: 400,
  EntityTooSmall: 400,
  IncompleteBody: 400,
  InvalidAccessKeyId: 403,
  InvalidArgument: 400,
  InvalidDigest: 400,
  InvalidRequest: 400,
  MalformedPOSTRequest: 400,
  MaxMessageLengthExceeded: 400,
  MissingContentLength: 411,
  MissingSecurityHeader: 400,
  NotImplemented: 501,
  RequestTimeTooSkewed: 403,
  SignatureDoesNotMatch: 403,
  XAmzContentSHA256Mismatch: 400,
} as const;

/** An S3 error code the auth layer can throw. */
export type AuthErrorCode = keyof typeof AuthErrorStatus;

/** An S3 error as `@sealflow/s3` models it: the server renders it as `<Error>` XML. */
export class AuthError extends Error {
  readonly code = 'ERR_S3' as const;
  readonly s3Code: AuthErrorCode;
  readonly status: number;
  readonly resource: string | undefined;
  /** Extra response headers (none today; present for the S3Error shape). */
  readonly extra: Readonly<Record<string, string>> = {};

  constructor(s3Code: AuthErrorCode, message: string, resource?: string) {
    super(message);
    this.s3Code = s3Code;
    this.status = AuthErrorStatus[s3Code];
    this.resource = resource;
  }

  override get name(): string {
    return 'S3Error';
  }
}

/** Builds the error for `s3Code` with its status. */
export function authError(s3Code: AuthErrorCode, message: string): AuthError {
  return new AuthError(s3Code, message);
}

/** S3's sentence for a signature that does not verify (never says what differed). */
export const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your key and signing method.';
