import { decodeBase64Strict, base64Length } from '../shared/base64.js';
import { XKS_CDIV_ALGORITHM, XKS_ENCRYPTION_ALGORITHM, XksLimits, type XksOperation } from '../shared/xks-wire.js';
import { XksRequestError, validation } from './xks-error.js';

/** requestMetadata as received: every string-valued field, unknown ones included. */
export type RequestMetadata = Readonly<Record<string, string>>;

/** Caps this proxy enforces on top of the spec's minimums. */
export interface FieldLimits {
  readonly maxPlaintextBytes: number;
  readonly maxAadBytes: number;
}

export interface EncryptInput {
  readonly plaintext: Uint8Array;
  readonly aad: Uint8Array | undefined;
  readonly withCdiv: boolean;
}

export interface DecryptInput {
  readonly ciphertext: Uint8Array;
  readonly iv: Uint8Array;
  readonly tag: Uint8Array;
  readonly aad: Uint8Array | undefined;
  readonly ciphertextMetadata: Uint8Array | undefined;
}

/** A JSON object read off the wire. */
type Json = Readonly<Record<string, unknown>>;

/** The longest requestMetadata value kept; the spec needs ARNs up to 2048 characters. */
const MAX_METADATA_VALUE = 4096;

/** requestMetadata fields each operation requires (spec: xks-api.md §3). */
const REQUIRED_METADATA: Readonly<Record<XksOperation, readonly string[]>> = {
  GetHealthStatus: ['kmsRequestId', 'kmsOperation'],
  // Not kmsKeyArn: spec v1.0.3 no longer lists it for GetKeyMetadata (§3, note).
  GetKeyMetadata: ['kmsRequestId', 'kmsOperation', 'awsPrincipalArn'],
  Encrypt: ['kmsRequestId', 'kmsOperation', 'awsPrincipalArn', 'kmsKeyArn'],
  Decrypt: ['kmsRequestId', 'kmsOperation', 'awsPrincipalArn', 'kmsKeyArn'],
};

/**
 * Parses the body as a JSON object. Invalid UTF-8 or JSON, or a non-object, is
 * `ValidationException` (spec: xks-api.md §9, reference behaviour).
 * @throws {XksRequestError}
 */
export function parseJsonBody(body: Uint8Array): Json {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    throw validation('the request body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw validation('the request body must be a JSON object');
  return value as Json;
}

/**
 * Reads requestMetadata leniently: required fields must be non-empty strings, other
 * fields are kept when they are strings and ignored otherwise, since KMS may add
 * fields at any time (spec §3, Appendix B). Values are opaque: kmsRequestId is not
 * checked as a UUID, nor kmsOperation against a list (spec §15 items 5-6).
 * @throws {XksRequestError}
 */
export function readRequestMetadata(body: Json, operation: XksOperation): RequestMetadata {
  const raw = own(body, 'requestMetadata');
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw validation('requestMetadata must be an object');
  const metadata: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value === 'string' && value.length <= MAX_METADATA_VALUE) metadata[name] = value;
  }
  for (const name of REQUIRED_METADATA[operation]) {
    const value = own(raw as Json, name);
    if (typeof value !== 'string' || value.length === 0)
      throw validation(`requestMetadata.${name} is required (a non-empty string)`);
    if (value.length > MAX_METADATA_VALUE) {
      throw new XksRequestError(
        'UnsupportedOperationException',
        `requestMetadata.${name} is longer than ${MAX_METADATA_VALUE} characters`,
      );
    }
  }
  return metadata;
}

/** @throws {XksRequestError} */
export function readEncryptInput(body: Json, limits: FieldLimits): EncryptInput {
  checkAlgorithm(body);
  const cdivAlgorithm = own(body, 'ciphertextDataIntegrityValueAlgorithm');
  if (cdivAlgorithm !== undefined && cdivAlgorithm !== XKS_CDIV_ALGORITHM) {
    throw validation(`ciphertextDataIntegrityValueAlgorithm must be "${XKS_CDIV_ALGORITHM}"`);
  }
  return {
    plaintext: readBase64(body, 'plaintext', limits.maxPlaintextBytes) as Uint8Array,
    aad: readBase64(body, 'additionalAuthenticatedData', limits.maxAadBytes, true),
    withCdiv: cdivAlgorithm !== undefined,
  };
}

/** @throws {XksRequestError} */
export function readDecryptInput(body: Json, limits: FieldLimits): DecryptInput {
  checkAlgorithm(body);
  const iv = readBase64(body, 'initializationVector', 16) as Uint8Array;
  if (!XksLimits.ivBytes.includes(iv.length)) throw validation('initializationVector must be 12 or 16 bytes');
  const tag = readBase64(body, 'authenticationTag', XksLimits.tagBytes) as Uint8Array;
  if (tag.length !== XksLimits.tagBytes) throw validation('authenticationTag must be 16 bytes');
  return {
    ciphertext: readBase64(body, 'ciphertext', limits.maxPlaintextBytes) as Uint8Array,
    iv,
    tag,
    aad: readBase64(body, 'additionalAuthenticatedData', limits.maxAadBytes, true),
    ciphertextMetadata: readBase64(body, 'ciphertextMetadata', XksLimits.maxCiphertextMetadataBytes, true),
  };
}

function checkAlgorithm(body: Json): void {
  if (own(body, 'encryptionAlgorithm') !== XKS_ENCRYPTION_ALGORITHM) {
    throw validation(`encryptionAlgorithm must be "${XKS_ENCRYPTION_ALGORITHM}"`);
  }
}

/**
 * A strict Base64 field of at most `maxBytes` raw bytes. Length is checked on the
 * text before decoding, so nothing over the cap is allocated. Over our own caps (which
 * sit at or above the spec's minimums) is `UnsupportedOperationException`; over a
 * limit the spec itself fixes (IV, tag, metadata) is `ValidationException`.
 * @throws {XksRequestError}
 */
function readBase64(body: Json, name: string, maxBytes: number, optional = false): Uint8Array | undefined {
  const value = own(body, name);
  if (value === undefined && optional) return undefined;
  if (typeof value !== 'string') throw validation(`${name} must be a Base64 string`);
  const tooLong = (): XksRequestError =>
    SPEC_CAPPED.has(name)
      ? validation(`${name} is longer than ${maxBytes} bytes`)
      : new XksRequestError(
          'UnsupportedOperationException',
          `${name} is longer than this proxy's limit of ${maxBytes} bytes`,
        );
  if (value.length > base64Length(maxBytes)) throw tooLong();
  const bytes = decodeBase64Strict(value);
  if (bytes === undefined) throw validation(`${name} is not standard padded Base64`);
  if (bytes.length > maxBytes) throw tooLong();
  return bytes;
}

/** Fields whose size the spec itself fixes; the others are capped by this proxy's limits. */
const SPEC_CAPPED: ReadonlySet<string> = new Set(['initializationVector', 'authenticationTag', 'ciphertextMetadata']);

function own(object: Json, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}
