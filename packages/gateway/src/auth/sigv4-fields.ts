import { authError } from './auth-error.js';
import { AuthLimits } from './limits.js';

/**
 * Parsing of the SigV4 fields a request carries (the `Authorization` header, or the
 * `X-Amz-*` query parameters of a presigned URL) into checked values. Pure: no
 * secrets, no clock; every malformed field is an S3 error naming the field.
 */

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
export const S3_SERVICE = 's3';

/** The credential scope `AKID/yyyymmdd/region/service/aws4_request`. */
export interface CredentialScope {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
}

/** What a SigV4 header or query says, before verification. */
export interface SigV4Fields {
  readonly scope: CredentialScope;
  /** Lower-case names, as listed (already checked to be sorted and unique). */
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

const HEX_SIGNATURE = /^[0-9a-f]{64}$/;
const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const SCOPE_DATE = /^\d{8}$/;

/**
 * Parses `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`.
 * @throws S3Error AuthorizationHeaderMalformed when a field is missing or malformed.
 */
export function parseAuthorizationHeader(value: string): SigV4Fields {
  const malformed = (why: string): Error =>
    authError('AuthorizationHeaderMalformed', `The authorization header is malformed; ${why}.`);
  if (value.length > AuthLimits.maxAuthorizationBytes) throw malformed('it is too long');
  if (!value.startsWith(`${SIGV4_ALGORITHM} `)) throw malformed(`the algorithm must be ${SIGV4_ALGORITHM}`);
  const fields = new Map<string, string>();
  for (const part of value.slice(SIGV4_ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    const name = eq === -1 ? part.trim() : part.slice(0, eq).trim();
    if (eq === -1 || fields.has(name)) throw malformed(`the field "${name}" is malformed or repeated`);
    fields.set(name, part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (credential === undefined || signedHeaders === undefined || signature === undefined || fields.size !== 3) {
    throw malformed('it needs exactly Credential, SignedHeaders and Signature');
  }
  return {
    scope: parseCredential(credential, malformed),
    signedHeaders: parseSignedHeaders(signedHeaders, malformed),
    signature: parseSignature(signature, malformed),
  };
}

/** The presigned-URL fields, plus the signing time and lifetime. */
export interface PresignedFields extends SigV4Fields {
  readonly amzDate: string;
  readonly expiresSeconds: number;
}

/**
 * Reads `X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`,
 * `X-Amz-SignedHeaders` and `X-Amz-Signature` from a decoded query.
 * @throws S3Error AuthorizationQueryParametersError when one is missing, repeated or malformed.
 */
export function parsePresignedQuery(query: ReadonlyMap<string, readonly string[]>): PresignedFields {
  const malformed = (why: string): Error =>
    authError(
      'AuthorizationQueryParametersError',
      `Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters; ${why}.`,
    );
  const one = (name: string): string => {
    const values = query.get(name);
    if (values === undefined || values.length !== 1) throw malformed(`${name} is missing or repeated`);
    return values[0] as string;
  };
  if (one('X-Amz-Algorithm') !== SIGV4_ALGORITHM) throw malformed(`X-Amz-Algorithm must be ${SIGV4_ALGORITHM}`);
  const scope = parseCredential(one('X-Amz-Credential'), malformed);
  const amzDate = one('X-Amz-Date');
  if (parseAmzDate(amzDate) === undefined) throw malformed('X-Amz-Date is malformed');
  const expires = one('X-Amz-Expires');
  const expiresSeconds = /^\d{1,7}$/.test(expires) ? Number(expires) : Number.NaN;
  if (!(expiresSeconds >= AuthLimits.minPresignExpiresSeconds))
    throw malformed('X-Amz-Expires must be a positive number of seconds');
  if (expiresSeconds > AuthLimits.maxPresignExpiresSeconds) {
    throw authError(
      'AuthorizationQueryParametersError',
      'X-Amz-Expires must be less than a week (in seconds) that is 604800',
    );
  }
  return {
    scope,
    signedHeaders: parseSignedHeaders(one('X-Amz-SignedHeaders'), malformed),
    signature: parseSignature(one('X-Amz-Signature'), malformed),
    amzDate,
    expiresSeconds,
  };
}

function parseCredential(value: string, malformed: (why: string) => Error): CredentialScope {
  const parts = value.split('/');
  const [accessKeyId, date, region, service, terminator] = parts;
  if (
    parts.length !== 5 ||
    !accessKeyId ||
    !date ||
    !region ||
    !service ||
    terminator !== 'aws4_request' ||
    !SCOPE_DATE.test(date)
  ) {
    throw malformed('the Credential must be ACCESS-KEY/yyyymmdd/region/service/aws4_request');
  }
  return { accessKeyId, date, region, service };
}

function parseSignedHeaders(value: string, malformed: (why: string) => Error): readonly string[] {
  const names = value.split(';');
  for (let i = 0; i < names.length; i += 1) {
    const name = names[i] as string;
    // spec: SigV4 canonical request: names lower-case, sorted, each once.
    if (!HEADER_NAME.test(name) || (i > 0 && (names[i - 1] as string) >= name)) {
      throw malformed('SignedHeaders must be sorted, unique, lower-case header names');
    }
  }
  if (!names.includes('host')) throw malformed('SignedHeaders must include host');
  if (names.includes('authorization')) throw malformed('SignedHeaders must not include authorization');
  return names;
}

function parseSignature(value: string, malformed: (why: string) => Error): string {
  if (!HEX_SIGNATURE.test(value)) throw malformed('the Signature must be 64 lower-case hex digits');
  return value;
}

/** Parses `yyyymmddThhmmssZ` into a Date, refusing values Date.UTC would roll over. */
export function parseAmzDate(value: string): Date | undefined {
  const m = AMZ_DATE.exec(value);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  const same =
    date.getUTCFullYear() === y &&
    date.getUTCMonth() === mo - 1 &&
    date.getUTCDate() === d &&
    date.getUTCHours() === h &&
    date.getUTCMinutes() === mi &&
    date.getUTCSeconds() === s;
  return same ? date : undefined;
}
