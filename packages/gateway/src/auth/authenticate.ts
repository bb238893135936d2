import { decodeChunkedBody } from '../http/chunked-body.js';
import { authError } from './auth-error.js';
import { checkAuthArguments } from './auth-options.js';
import { defaultChecksums, type ChecksumFactory } from './checksums.js';
import type { CredentialLookup, Identity } from './credentials.js';
import { AuthLimits } from './limits.js';
import { parseRawQuery } from './request-target.js';
import {
  verifyHeaderSignature,
  verifyPresignedSignature,
  type ReceivedRequest,
  type VerifiedSigV4,
} from './sigv4-request.js';
import { sha256VerifiedBody } from './verified-body.js';

/** A request as the HTTP layer received it. */
export interface AuthRequest {
  readonly method: string;
  /** The raw path, percent-encoded as received, without the query. */
  readonly path: string;
  /** The raw query string as received, without the leading `?` ('' when none). */
  readonly query: string;
  /** `IncomingMessage.headers`: lower-case names. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** Whether the request came over TLS. */
  readonly secure: boolean;
}

/** Settings of `authenticate`. */
export interface AuthenticateOptions {
  /** The gateway's region: credential scopes naming another are refused. */
  readonly region: string;
  /** The clock, in milliseconds since the epoch (default `Date.now`). */
  readonly now?: () => number;
  /** Hashers for trailing `x-amz-checksum-*` values (default: all five S3 algorithms, via @sealflow/s3). */
  readonly checksums?: ChecksumFactory;
}

/** How the payload was protected. */
export type PayloadMode =
  'sha256' | 'unsigned' | 'streaming-signed' | 'streaming-signed-trailer' | 'streaming-unsigned-trailer';

/** The outcome of `authenticate`. */
export interface AuthResult {
  readonly identity: Identity;
  readonly payload: PayloadMode;
  /**
   * The decoded body. It completes only after every check passed (payload hash,
   * chunk and trailer signatures, trailing checksums); a failure is thrown in place
   * of completion, so commit only on completion.
   */
  readonly body: AsyncIterable<Uint8Array>;
  /** The decoded length when the request declares it (x-amz-decoded-content-length or Content-Length). */
  readonly contentLength: number | undefined;
  /**
   * Trailing headers (e.g. `x-amz-checksum-crc32`) of an aws-chunked body, resolved
   * just before the body completes and rejected when it fails or is abandoned; `{}`
   * at once for bodies without a trailer section.
   */
  readonly trailers: Promise<Readonly<Record<string, string>>>;
}

const HEX_SHA256 = /^[0-9a-f]{64}$/;
const DECIMAL = /^\d{1,16}$/;
const PRESIGN_MARKERS = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature'];
const TRAILER_NAME = /^x-amz-checksum-[a-z0-9]{1,16}$/;

/**
 * Authenticates an S3 request: SigV4 in the Authorization header, or a presigned
 * URL, verified by recomputing the signature with the account's secret; a request
 * with neither is anonymous (bucket policies decide). The body is wrapped to verify
 * what the signature says about it (`x-amz-content-sha256`): a SHA-256, unsigned,
 * or aws-chunked with chunk signatures and trailing checksums.
 *
 * @throws InvalidArgumentError (rejects) when an argument is not of the documented shape.
 * @throws S3Error (rejects) AuthorizationHeaderMalformed, AuthorizationQueryParametersError,
 * InvalidAccessKeyId, SignatureDoesNotMatch, RequestTimeTooSkewed, AccessDenied (expired
 * presigned URL, unsigned x-amz-* header), InvalidRequest, InvalidArgument,
 * MissingContentLength, NotImplemented (SigV4a); the body throws XAmzContentSHA256Mismatch,
 * SignatureDoesNotMatch, BadDigest, IncompleteBody, InvalidRequest.
 */
export async function authenticate(
  request: AuthRequest,
  body: AsyncIterable<Uint8Array>,
  credentials: CredentialLookup,
  options: AuthenticateOptions,
): Promise<AuthResult> {
  const checked = checkAuthArguments('authenticate', request, body, credentials, options);
  const received: ReceivedRequest = {
    method: request.method,
    path: request.path,
    query: parseRawQuery(request.query),
    headers: normalizeHeaders(request.headers),
  };
  const context = { region: checked.region, now: checked.now(), credentials };
  const authorization = received.headers.get('authorization');
  const presigned = PRESIGN_MARKERS.some((name) => received.query.has(name));
  if (authorization !== undefined && presigned) {
    throw authError(
      'InvalidArgument',
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
    );
  }
  let verified: VerifiedSigV4 | undefined;
  let via: 'header' | 'query' = 'header';
  if (authorization !== undefined) {
    if (authorization.startsWith('AWS4-ECDSA-P256-SHA256'))
      throw authError('NotImplemented', 'Signature Version 4A is not supported.');
    if (authorization.startsWith('AWS ')) {
      throw authError(
        'InvalidRequest',
        'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
      );
    }
    verified = await verifyHeaderSignature(received, context);
  } else if (presigned) {
    via = 'query';
    verified = await verifyPresignedSignature(received, context);
  } else if (received.query.has('Signature') || received.query.has('AWSAccessKeyId')) {
    throw authError(
      'InvalidRequest',
      'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
    );
  }
  const identity: Identity =
    verified === undefined
      ? { anonymous: true }
      : {
          anonymous: false,
          accessKeyId: verified.accessKeyId,
          principal: verified.account.principal,
          accountId: verified.account.accountId,
          displayName: verified.account.displayName,
          via,
          signatureVersion: 'v4',
        };
  const payloadHash = verified?.payloadHash ?? received.headers.get('x-amz-content-sha256') ?? 'UNSIGNED-PAYLOAD';
  return {
    identity,
    ...wrapBody(payloadHash, received.headers, body, verified, via, checked.checksums ?? defaultChecksums),
  };
}

function wrapBody(
  payloadHash: string,
  headers: ReadonlyMap<string, string>,
  body: AsyncIterable<Uint8Array>,
  verified: VerifiedSigV4 | undefined,
  via: 'header' | 'query',
  checksums: ChecksumFactory,
): Pick<AuthResult, 'payload' | 'body' | 'contentLength' | 'trailers'> {
  const contentLength = optionalLength(headers.get('content-length'), 'Content-Length');
  const noTrailers = Promise.resolve<Readonly<Record<string, string>>>({});
  const streaming = payloadHash.startsWith('STREAMING-');
  if (!streaming && headers.has('x-amz-trailer'))
    throw authError('InvalidRequest', 'x-amz-trailer needs an aws-chunked payload with a trailer.');
  if (HEX_SHA256.test(payloadHash)) {
    return { payload: 'sha256', body: sha256VerifiedBody(body, payloadHash), contentLength, trailers: noTrailers };
  }
  if (payloadHash === 'UNSIGNED-PAYLOAD') return { payload: 'unsigned', body, contentLength, trailers: noTrailers };
  if (payloadHash.startsWith('STREAMING-AWS4-ECDSA-P256-SHA256'))
    throw authError('NotImplemented', 'Signature Version 4A is not supported.');
  const mode = streamingMode(payloadHash);
  if (via === 'query') throw authError('InvalidRequest', 'A presigned URL cannot carry an aws-chunked payload.');
  const signedMode = mode !== 'streaming-unsigned-trailer';
  if (signedMode && verified === undefined)
    throw authError('AccessDenied', 'A signed aws-chunked payload needs a signed request.');
  const decodedLength = optionalLength(headers.get('x-amz-decoded-content-length'), 'x-amz-decoded-content-length');
  if (decodedLength === undefined)
    throw authError('MissingContentLength', 'You must provide the x-amz-decoded-content-length HTTP header.');
  const trailerNames = parseTrailerNames(headers.get('x-amz-trailer'), mode);
  let settle: { resolve: (t: Readonly<Record<string, string>>) => void; reject: (e: unknown) => void } | undefined;
  const trailers = new Promise<Readonly<Record<string, string>>>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // The body's own iteration reports the error; the promise must not also surface as unhandled.
  trailers.catch(() => undefined);
  const decoded = decodeChunkedBody(
    body,
    {
      decodedLength,
      signing:
        signedMode && verified !== undefined
          ? { signer: verified.signer, seedSignature: verified.signature }
          : undefined,
      trailerNames,
      checksums,
    },
    (t) => settle?.resolve(t),
  );
  return {
    payload: mode,
    body: settleOnExit(decoded, (e) => settle?.reject(e)),
    contentLength: decodedLength,
    trailers,
  };
}

async function* settleOnExit(
  body: AsyncGenerator<Uint8Array, void, undefined>,
  reject: (e: unknown) => void,
): AsyncGenerator<Uint8Array, void, undefined> {
  let failure: unknown = authError('IncompleteBody', 'The request body was not read to its end.');
  try {
    yield* body;
    failure = undefined;
  } catch (e) {
    failure = e;
    throw e;
  } finally {
    // A resolved promise ignores this; an abandoned or failed body rejects the trailers.
    if (failure !== undefined) reject(failure);
  }
}

function streamingMode(payloadHash: string): PayloadMode {
  switch (payloadHash) {
    case 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD':
      return 'streaming-signed';
    case 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER':
      return 'streaming-signed-trailer';
    case 'STREAMING-UNSIGNED-PAYLOAD-TRAILER':
      return 'streaming-unsigned-trailer';
    default:
      throw authError(
        'InvalidArgument',
        'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, or a valid sha256 value.',
      );
  }
}

function parseTrailerNames(value: string | undefined, mode: PayloadMode): readonly string[] {
  if (mode === 'streaming-signed') {
    if (value !== undefined) throw authError('InvalidRequest', 'x-amz-trailer needs a payload mode with a trailer.');
    return [];
  }
  if (value === undefined || value.trim() === '') return [];
  const names = value.split(',').map((name) => name.trim().toLowerCase());
  if (
    names.length > AuthLimits.maxTrailers ||
    names.some((name, i) => !TRAILER_NAME.test(name) || names.indexOf(name) !== i)
  ) {
    throw authError('InvalidRequest', 'x-amz-trailer must name distinct x-amz-checksum-* headers.');
  }
  return names;
}

function optionalLength(value: string | undefined, label: string): number | undefined {
  if (value === undefined) return undefined;
  const n = DECIMAL.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw authError('InvalidArgument', `${label} must be a decimal number of bytes.`);
  if (n > AuthLimits.maxDecodedContentLength)
    throw authError('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed object size.');
  return n;
}

/** Lower-case names; repeated headers joined with "," as SigV4 canonicalizes them. */
function normalizeHeaders(headers: AuthRequest['headers']): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined) continue;
    out.set(name.toLowerCase(), typeof value === 'string' ? value : value.join(','));
  }
  return out;
}
