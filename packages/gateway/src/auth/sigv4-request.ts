import { authError, SIGNATURE_MISMATCH } from './auth-error.js';
import type { AccountCredentials, CredentialLookup } from './credentials.js';
import { AuthLimits } from './limits.js';
import { canonicalPath, queryRecord } from './request-target.js';
import {
  S3_SERVICE,
  parseAmzDate,
  parseAuthorizationHeader,
  parsePresignedQuery,
  type CredentialScope,
  type SigV4Fields,
} from './sigv4-fields.js';
import { SigV4Signer, sameSignature } from './sigv4-signer.js';

/** The parts of a received request SigV4 covers. */
export interface ReceivedRequest {
  readonly method: string;
  /** The raw path as received, percent-encoded, without the query. */
  readonly path: string;
  readonly query: ReadonlyMap<string, readonly string[]>;
  /** Lower-case name to value (repeated headers joined with ","). */
  readonly headers: ReadonlyMap<string, string>;
}

/** A request whose SigV4 signature verified. */
export interface VerifiedSigV4 {
  readonly accessKeyId: string;
  readonly account: AccountCredentials;
  readonly signer: SigV4Signer;
  /** The request signature: the seed of an aws-chunked chain. */
  readonly signature: string;
  /** The payload hash the signature covers (hex, UNSIGNED-PAYLOAD or STREAMING-*). */
  readonly payloadHash: string;
}

/** Verification settings. */
export interface VerifyContext {
  readonly region: string;
  readonly now: number;
  readonly credentials: CredentialLookup;
}

const PRESIGN_PARAMS = new Set(['X-Amz-Signature']);

/**
 * Verifies `Authorization: AWS4-HMAC-SHA256 ...` by recomputing the signature
 * with the account's secret (smithy canonicalization) and comparing in constant time.
 * @throws S3Error AuthorizationHeaderMalformed, InvalidAccessKeyId, AccessDenied,
 * RequestTimeTooSkewed, InvalidRequest, SignatureDoesNotMatch.
 */
export async function verifyHeaderSignature(request: ReceivedRequest, context: VerifyContext): Promise<VerifiedSigV4> {
  const fields = parseAuthorizationHeader(request.headers.get('authorization') ?? '');
  checkScope(fields.scope, context.region, 'AuthorizationHeaderMalformed', 'The authorization header is malformed;');
  const account = lookup(fields.scope, context.credentials);
  const amzDate = request.headers.get('x-amz-date');
  const signingDate = amzDate === undefined ? undefined : parseAmzDate(amzDate);
  if (amzDate === undefined || signingDate === undefined) {
    throw authError('AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header');
  }
  if (amzDate.slice(0, 8) !== fields.scope.date) {
    throw authError(
      'AuthorizationHeaderMalformed',
      'The authorization header is malformed; Invalid credential date. Date is not the same as X-Amz-Date.',
    );
  }
  if (Math.abs(context.now - signingDate.getTime()) > AuthLimits.maxClockSkewMs) {
    throw authError(
      'RequestTimeTooSkewed',
      'The difference between the request time and the current time is too large.',
    );
  }
  const payloadHash = request.headers.get('x-amz-content-sha256');
  if (payloadHash === undefined)
    throw authError('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
  checkAmzHeadersSigned(request.headers, fields.signedHeaders);
  const signer = new SigV4Signer(fields.scope, account.secret, signingDate);
  const expected = await signer.requestSignature({
    method: request.method,
    canonicalPath: canonicalPath(request.path),
    query: queryRecord(request.query),
    headers: signedHeaderValues(request.headers, fields),
    payloadHash,
  });
  if (!sameSignature(expected, fields.signature)) throw authError('SignatureDoesNotMatch', SIGNATURE_MISMATCH);
  return { accessKeyId: fields.scope.accessKeyId, account, signer, signature: expected, payloadHash };
}

/**
 * Verifies a presigned URL (`X-Amz-Algorithm`, `-Credential`, `-Date`, `-Expires`,
 * `-SignedHeaders`, `-Signature` in the query). Its payload is `UNSIGNED-PAYLOAD`
 * unless the query names `X-Amz-Content-Sha256`.
 * @throws S3Error AuthorizationQueryParametersError, InvalidAccessKeyId, AccessDenied
 * (expired or not yet valid), SignatureDoesNotMatch.
 */
export async function verifyPresignedSignature(
  request: ReceivedRequest,
  context: VerifyContext,
): Promise<VerifiedSigV4> {
  const fields = parsePresignedQuery(request.query);
  checkScope(
    fields.scope,
    context.region,
    'AuthorizationQueryParametersError',
    'Error parsing the X-Amz-Credential parameter;',
  );
  const account = lookup(fields.scope, context.credentials);
  const signingDate = parseAmzDate(fields.amzDate) as Date;
  if (fields.amzDate.slice(0, 8) !== fields.scope.date) {
    throw authError(
      'AuthorizationQueryParametersError',
      'Invalid credential date. Date is not the same as X-Amz-Date.',
    );
  }
  if (signingDate.getTime() - context.now > AuthLimits.maxClockSkewMs)
    throw authError('AccessDenied', 'Request is not valid yet');
  if (context.now > signingDate.getTime() + fields.expiresSeconds * 1000)
    throw authError('AccessDenied', 'Request has expired');
  checkAmzHeadersSigned(request.headers, fields.signedHeaders);
  const payloadHash = request.query.get('X-Amz-Content-Sha256')?.[0] ?? 'UNSIGNED-PAYLOAD';
  const signer = new SigV4Signer(fields.scope, account.secret, signingDate);
  const expected = await signer.requestSignature({
    method: request.method,
    canonicalPath: canonicalPath(request.path),
    query: queryRecord(request.query, PRESIGN_PARAMS),
    headers: signedHeaderValues(request.headers, fields),
    payloadHash,
  });
  if (!sameSignature(expected, fields.signature)) throw authError('SignatureDoesNotMatch', SIGNATURE_MISMATCH);
  return { accessKeyId: fields.scope.accessKeyId, account, signer, signature: expected, payloadHash };
}

function checkScope(
  scope: CredentialScope,
  region: string,
  code: 'AuthorizationHeaderMalformed' | 'AuthorizationQueryParametersError',
  prefix: string,
): void {
  if (scope.service !== S3_SERVICE) {
    throw authError(code, `${prefix} incorrect service '${scope.service}'. This endpoint belongs to '${S3_SERVICE}'.`);
  }
  if (scope.region !== region)
    throw authError(code, `${prefix} the region '${scope.region}' is wrong; expecting '${region}'`);
}

function lookup(scope: CredentialScope, credentials: CredentialLookup): AccountCredentials {
  const account = credentials(scope.accessKeyId);
  if (account === undefined)
    throw authError('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
  return account;
}

/** S3 refuses `x-amz-*` headers that the signature does not cover: they would change the request unsigned. */
function checkAmzHeadersSigned(headers: ReadonlyMap<string, string>, signed: readonly string[]): void {
  for (const name of headers.keys()) {
    if (name.startsWith('x-amz-') && !signed.includes(name)) {
      throw authError('AccessDenied', `There were headers present in the request which were not signed: ${name}`);
    }
  }
}

function signedHeaderValues(headers: ReadonlyMap<string, string>, fields: SigV4Fields): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const name of fields.signedHeaders) {
    const value = headers.get(name);
    // A signed header that is absent cannot be the one that was signed.
    if (value === undefined) throw authError('SignatureDoesNotMatch', SIGNATURE_MISMATCH);
    out[name] = value;
  }
  return out;
}
