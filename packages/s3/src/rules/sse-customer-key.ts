import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { s3Error } from '../errors/s3-error.js';
import { header, SseHeaders, type RequestHeaders } from './sse-headers.js';

/** The SSE-C request headers of a copy's source object (CopyObject, UploadPartCopy). */
export const CopySourceSseCHeaders = {
  customerAlgorithm: 'x-amz-copy-source-server-side-encryption-customer-algorithm',
  customerKey: 'x-amz-copy-source-server-side-encryption-customer-key',
  customerKeyMd5: 'x-amz-copy-source-server-side-encryption-customer-key-md5',
} as const;

/** Which SSE-C header set to read: the object's own, or the copy source's. */
export type SseCustomerHeaderSet = 'object' | 'copy-source';

/** What a record keeps to recognise a customer key: a random salt and HMAC-SHA256(salt, key). Never the key. */
export interface CustomerKeyCheck {
  /** 16 random bytes. */
  readonly salt: Uint8Array;
  /** HMAC-SHA256 keyed by `salt` over the 32 key bytes. */
  readonly hmac: Uint8Array;
}

/**
 * A customer-provided key taken from a request. `key` is the caller's only copy: call
 * `wipe()` as soon as the key store has imported it. It redacts itself when printed.
 */
export interface SseCustomerKey {
  /** The 32 AES-256 key bytes (zeroed by `wipe`). */
  readonly key: Buffer;
  /** Base64 MD5 of the key, as the client sent it and as responses echo it (not secret). */
  readonly keyMd5: string;
  wipe(): void;
}

const KEY_BYTES = 32;
export const CUSTOMER_KEY_SALT_BYTES = 16;
export const CUSTOMER_KEY_HMAC_BYTES = 32;

const NEEDS_ALGORITHM =
  'Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm.';
const NEEDS_KEY =
  'Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key.';
const NEEDS_MD5 =
  'Requests specifying Server Side Encryption with Customer provided keys must provide the client calculated MD5 of the secret key.';
const BAD_KEY = 'The secret key was invalid for the specified algorithm.';
const BAD_MD5 = 'The calculated MD5 hash of the key did not match the hash that was provided.';
const OVER_HTTP =
  'Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection.';

function names(set: SseCustomerHeaderSet) {
  return set === 'object'
    ? {
        algorithm: SseHeaders.customerAlgorithm,
        key: SseHeaders.customerKey,
        md5: SseHeaders.customerKeyMd5,
      }
    : {
        algorithm: CopySourceSseCHeaders.customerAlgorithm,
        key: CopySourceSseCHeaders.customerKey,
        md5: CopySourceSseCHeaders.customerKeyMd5,
      };
}

/** Whether any header of the set is present. */
export function hasSseCustomerHeaders(headers: RequestHeaders, set: SseCustomerHeaderSet = 'object'): boolean {
  const n = names(set);
  return [n.algorithm, n.key, n.md5].some((name) => header(headers, name) !== undefined);
}

/**
 * Reads and checks the SSE-C headers of a request, as Amazon S3 does (S3 API reference,
 * PutObject / GetObject "SSECustomerAlgorithm", "SSECustomerKey", "SSECustomerKeyMD5"):
 *
 * - none of the three: `undefined`;
 * - algorithm other than `AES256`: 400 `InvalidEncryptionAlgorithmError`;
 * - algorithm missing: 400 `InvalidArgument`; key missing: 400 `InvalidArgument`; MD5 missing: 400 `InvalidArgument`;
 * - key not base64 of exactly 32 bytes: 400 `InvalidArgument`;
 * - MD5 not the base64 MD5 of the key bytes: 400 `InvalidArgument`;
 * - over plain HTTP (`secureTransport: false`): 400 `InvalidRequest` (S3 refuses every SSE-C request over HTTP).
 *
 * Errors never carry the key or its MD5.
 * @throws {S3Error} as listed.
 */
export function parseSseCustomerKey(
  headers: RequestHeaders,
  options: { readonly set?: SseCustomerHeaderSet; readonly secureTransport?: boolean } = {},
): SseCustomerKey | undefined {
  const n = names(options.set ?? 'object');
  const algorithm = header(headers, n.algorithm);
  const encoded = header(headers, n.key);
  const md5 = header(headers, n.md5);
  if (algorithm === undefined && encoded === undefined && md5 === undefined) return undefined;
  if (options.secureTransport === false) throw s3Error('InvalidRequest', OVER_HTTP);
  if (algorithm === undefined) throw argument(NEEDS_ALGORITHM, n.algorithm);
  if (algorithm !== 'AES256')
    throw s3Error(
      'InvalidEncryptionAlgorithmError',
      'The encryption request you specified is not valid. The valid value is AES256.',
      { fields: { ArgumentName: n.algorithm, ArgumentValue: algorithm.slice(0, 64) } },
    );
  if (encoded === undefined) throw argument(NEEDS_KEY, n.key);
  if (md5 === undefined) throw argument(NEEDS_MD5, n.md5);
  const trimmed = encoded.trim();
  // Strict base64 (44 characters for 32 bytes): Buffer.from would skip junk silently.
  if (!/^[A-Za-z0-9+/]{43}=$/.test(trimmed)) throw argument(BAD_KEY, n.key);
  const key = Buffer.from(trimmed, 'base64');
  if (key.length !== KEY_BYTES) {
    key.fill(0);
    throw argument(BAD_KEY, n.key);
  }
  const digest = createHash('md5').update(key).digest();
  const sent = Buffer.from(md5.trim(), 'base64');
  if (sent.length !== digest.length || !timingSafeEqual(sent, digest)) {
    key.fill(0);
    throw argument(BAD_MD5, n.md5);
  }
  const keyMd5 = digest.toString('base64');
  return {
    key,
    keyMd5,
    wipe: () => key.fill(0),
    toString: () => '[SseCustomerKey]',
    toJSON: () => '[SseCustomerKey]',
    [Symbol.for('nodejs.util.inspect.custom')]: () => '[SseCustomerKey]',
  } as SseCustomerKey;
}

// The argument's name only: its value is (or derives from) the secret key.
function argument(message: string, name: string): Error {
  return s3Error('InvalidArgument', message, { fields: { ArgumentName: name } });
}

/** A fresh salted HMAC of `key` for a new object's record. */
export function customerKeyCheck(key: Uint8Array): CustomerKeyCheck {
  const salt = randomBytes(CUSTOMER_KEY_SALT_BYTES);
  return { salt, hmac: createHmac('sha256', salt).update(key).digest() };
}

/** Whether `key` is the key `check` was made from (constant time). */
export function matchesCustomerKey(check: CustomerKeyCheck, key: Uint8Array): boolean {
  const hmac = createHmac('sha256', check.salt).update(key).digest();
  return hmac.length === check.hmac.length && timingSafeEqual(hmac, check.hmac);
}
