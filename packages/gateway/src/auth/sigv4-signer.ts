import { timingSafeEqual } from 'node:crypto';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4, getCanonicalHeaders } from '@smithy/signature-v4';
import { Sha256 } from './sha256.js';
import { SIGV4_ALGORITHM, type CredentialScope } from './sigv4-fields.js';

/** SHA-256 of the empty string, hex: the "headers hash" of every aws-chunked chunk. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** The request as the canonicalizer needs it: canonical path, decoded query, signed headers only. */
export interface CanonicalInput {
  readonly method: string;
  /** The canonical URI (S3: each segment URI-encoded once, never normalized). */
  readonly canonicalPath: string;
  readonly query: Readonly<Record<string, string | string[]>>;
  /** Exactly the signed headers, lower-case names, values as received. */
  readonly headers: Readonly<Record<string, string>>;
  readonly payloadHash: string;
}

/**
 * Recomputes S3 SigV4 signatures with the account's secret through
 * `@smithy/signature-v4`: its canonical request, string to sign, signing-key
 * derivation (and cache) and HMAC. S3 signs the path as sent (no double encoding,
 * no dot-segment normalization), hence `uriEscapePath: false` with a path this
 * layer canonicalized itself. The chunk and trailer chains of aws-chunked bodies,
 * which smithy does not build, are strings signed by the same `signString`.
 */
export class SigV4Signer extends SignatureV4 {
  readonly #scope: CredentialScope;
  readonly #signingDate: Date;
  readonly #longDate: string;

  constructor(scope: CredentialScope, secret: string, signingDate: Date) {
    super({
      service: scope.service,
      region: scope.region,
      credentials: { accessKeyId: scope.accessKeyId, secretAccessKey: secret },
      sha256: Sha256,
      uriEscapePath: false,
      applyChecksum: false,
    });
    this.#scope = scope;
    this.#signingDate = signingDate;
    this.#longDate = this.formatDate(signingDate).longDate;
  }

  /** `yyyymmdd/region/service/aws4_request`. */
  get scopeString(): string {
    const s = this.#scope;
    return `${s.date}/${s.region}/${s.service}/aws4_request`;
  }

  /** The request signature smithy computes for these exact signed headers. */
  async requestSignature(input: CanonicalInput): Promise<string> {
    const request = new HttpRequest({
      method: input.method,
      hostname: 'unused',
      path: input.canonicalPath,
      query: { ...input.query },
      headers: { ...input.headers },
    });
    const canonicalHeaders = getCanonicalHeaders(request, undefined, new Set(Object.keys(input.headers)));
    const canonical = this.createCanonicalRequest(request, canonicalHeaders, input.payloadHash);
    const stringToSign = await this.createStringToSign(this.#longDate, this.scopeString, canonical, SIGV4_ALGORITHM);
    return this.#sign(stringToSign);
  }

  /** Signs a chunk of an aws-chunked body (spec: sigv4-streaming, "chunk signature"). */
  chunkSignature(previous: string, chunkSha256Hex: string): Promise<string> {
    return this.#sign(
      ['AWS4-HMAC-SHA256-PAYLOAD', this.#longDate, this.scopeString, previous, EMPTY_SHA256, chunkSha256Hex].join('\n'),
    );
  }

  /** Signs the trailing headers of an aws-chunked body (spec: sigv4-streaming-trailers). */
  trailerSignature(previous: string, trailerSha256Hex: string): Promise<string> {
    return this.#sign(
      ['AWS4-HMAC-SHA256-TRAILER', this.#longDate, this.scopeString, previous, trailerSha256Hex].join('\n'),
    );
  }

  /** Signs an arbitrary string (the POST policy, base64) with the derived signing key. */
  signPolicy(policyBase64: string): Promise<string> {
    return this.#sign(policyBase64);
  }

  #sign(stringToSign: string): Promise<string> {
    return this.sign(stringToSign, {
      signingDate: this.#signingDate,
      signingRegion: this.#scope.region,
      signingService: this.#scope.service,
    });
  }
}

/** Constant-time comparison of two hex signatures (lengths are public: always 64). */
export function sameSignature(expected: string, received: string): boolean {
  const a = Buffer.from(expected, 'latin1');
  const b = Buffer.from(received, 'latin1');
  return a.length === b.length && timingSafeEqual(a, b);
}
