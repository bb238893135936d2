import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '../shared/sha256.js';
import { XKS_SERVICE } from '../shared/xks-wire.js';

/** One SigV4 credential a prefix accepts. */
export interface XksCredential {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** A request as received, for verification. */
export interface SignedRequest {
  readonly method: string;
  /** The request target as received (path and query). */
  readonly target: string;
  /** `IncomingMessage.rawHeaders`: names and values as received, alternating. */
  readonly rawHeaders: readonly string[];
  /** The raw body bytes, before any parsing. */
  readonly body: Uint8Array;
}

/** The outcome: who signed, or why the signature is refused (for the log only). */
export type VerifyResult =
  | { readonly ok: true; readonly accessKeyId: string; readonly region: string }
  | { readonly ok: false; readonly reason: string };

/** SigV4 accepts a clock skew of at most 5 minutes either way (spec: xks-api.md §10.1). */
const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

const ALGORITHM = 'AWS4-HMAC-SHA256';
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const SIGNATURE = /^[0-9a-f]{64}$/;
const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;

/**
 * Verifies AWS Signature V4 on an XKS request by re-signing its canonical request
 * with the credential's secret through `@smithy/signature-v4` and comparing the two
 * signatures in constant time. It canonicalizes exactly the headers the request lists
 * in `SignedHeaders` (which must include `host` and `x-amz-date`), with the Host header
 * as received, and hashes the raw body bytes (spec: xks-api.md §10.1, §15 items 1-3).
 */
export class SigV4Verifier {
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** `lookup` returns the secret for an access key id of the URI's prefix, or undefined. */
  async verify(request: SignedRequest, lookup: (accessKeyId: string) => string | undefined): Promise<VerifyResult> {
    const headers = collectHeaders(request.rawHeaders);
    const auth = parseAuthorization(headers.get('authorization'));
    if (typeof auth === 'string') return { ok: false, reason: auth };
    const secret = lookup(auth.accessKeyId);
    if (secret === undefined) return { ok: false, reason: 'unknown access key id for this URI prefix' };

    const amzDate = headers.get('x-amz-date');
    const signingDate = amzDate === undefined ? undefined : parseAmzDate(amzDate);
    if (signingDate === undefined) return { ok: false, reason: 'missing or malformed X-Amz-Date' };
    if (amzDate?.slice(0, 8) !== auth.date)
      return { ok: false, reason: 'credential scope date differs from X-Amz-Date' };
    if (Math.abs(this.#now() - signingDate.getTime()) > MAX_CLOCK_SKEW_MS) {
      return { ok: false, reason: 'X-Amz-Date is more than 5 minutes from the proxy clock' };
    }

    const bodyHash = createHash('sha256').update(request.body).digest('hex');
    const declaredHash = headers.get('x-amz-content-sha256');
    // smithy trusts this header as the payload hash; we only accept it when it is true.
    if (declaredHash !== undefined && declaredHash !== bodyHash)
      return { ok: false, reason: 'x-amz-content-sha256 does not match the body' };

    const signed: Record<string, string> = {};
    for (const name of auth.signedHeaders) {
      const value = headers.get(name);
      if (value === undefined) return { ok: false, reason: `signed header "${name}" is missing` };
      signed[name] = value;
    }
    const queryAt = request.target.indexOf('?');
    const signer = new SignatureV4({
      service: XKS_SERVICE,
      region: auth.region,
      credentials: { accessKeyId: auth.accessKeyId, secretAccessKey: secret },
      sha256: Sha256,
      applyChecksum: false,
    });
    const resigned = await signer.sign(
      new HttpRequest({
        method: request.method,
        hostname: 'unused',
        path: queryAt === -1 ? request.target : request.target.slice(0, queryAt),
        query: queryAt === -1 ? {} : parseQuery(request.target.slice(queryAt + 1)),
        headers: signed,
        body: request.body,
      }),
      { signingDate, signableHeaders: new Set(auth.signedHeaders) },
    );
    const expected = parseAuthorization(resigned.headers['authorization']);
    if (typeof expected === 'string' || expected.signedHeaders.join(';') !== auth.signedHeaders.join(';')) {
      return { ok: false, reason: 'the signed header list cannot be reproduced' };
    }
    const equal = timingSafeEqual(Buffer.from(expected.signature, 'latin1'), Buffer.from(auth.signature, 'latin1'));
    return equal
      ? { ok: true, accessKeyId: auth.accessKeyId, region: auth.region }
      : { ok: false, reason: 'signature mismatch' };
  }
}

interface ParsedAuthorization {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

/** Parses `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`; a string is the reason it failed. */
function parseAuthorization(value: string | undefined): ParsedAuthorization | string {
  if (value === undefined) return 'missing Authorization header';
  if (!value.startsWith(`${ALGORITHM} `)) return 'Authorization is not AWS4-HMAC-SHA256';
  const fields = new Map<string, string>();
  for (const part of value.slice(ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    const name = part.slice(0, eq).trim();
    if (eq === -1 || fields.has(name)) return 'malformed Authorization header';
    fields.set(name, part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential')?.split('/');
  const signedHeaders = fields.get('SignedHeaders')?.split(';');
  const signature = fields.get('Signature');
  if (fields.size !== 3 || credential === undefined || signedHeaders === undefined || signature === undefined) {
    return 'Authorization needs exactly Credential, SignedHeaders and Signature';
  }
  const [accessKeyId, date, region, service, terminator] = credential;
  if (credential.length !== 5 || !accessKeyId || !date || !region || terminator !== 'aws4_request')
    return 'malformed credential scope';
  if (service !== XKS_SERVICE) return `credential scope service is not ${XKS_SERVICE}`;
  if (!SIGNATURE.test(signature)) return 'malformed signature';
  const sorted = [...signedHeaders].sort();
  if (
    signedHeaders.some((name, i) => !HEADER_NAME.test(name) || name !== sorted[i] || name === signedHeaders[i - 1]) ||
    !signedHeaders.includes('host') ||
    !signedHeaders.includes('x-amz-date') ||
    signedHeaders.includes('authorization')
  ) {
    return 'SignedHeaders must be sorted lowercase names including host and x-amz-date';
  }
  return { accessKeyId, date, region, signedHeaders, signature };
}

/** Header values by lowercase name; repeated headers joined with "," as SigV4 canonicalizes them. */
function collectHeaders(rawHeaders: readonly string[]): Map<string, string> {
  const headers = new Map<string, string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as string).toLowerCase();
    const value = (rawHeaders[i + 1] as string).trim();
    const previous = headers.get(name);
    headers.set(name, previous === undefined ? value : `${previous},${value}`);
  }
  return headers;
}

function parseAmzDate(value: string): Date | undefined {
  const m = AMZ_DATE.exec(value);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // Refuse dates that Date.UTC silently rolls over (e.g. month 13).
  return date.getUTCMonth() === mo - 1 && date.getUTCDate() === d && date.getUTCHours() === h ? date : undefined;
}

function parseQuery(query: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const [name, value] of new URLSearchParams(query)) {
    const previous = out[name];
    out[name] = previous === undefined ? value : Array.isArray(previous) ? [...previous, value] : [previous, value];
  }
  return out;
}
