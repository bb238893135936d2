import { createEngine, RawAesKeyStore, type EncryptionContext, type Engine } from '@sealflow/core';
import { s3Error } from '../errors/s3-error.js';
import type { RequestHeaders } from '../rules/sse-headers.js';
import type { EncryptionDecision } from '../rules/resolve-encryption.js';
import {
  customerKeyCheck,
  hasSseCustomerHeaders,
  matchesCustomerKey,
  parseSseCustomerKey,
  type SseCustomerHeaderSet,
  type SseCustomerKey,
} from '../rules/sse-customer-key.js';
import type { ObjectEncryption } from './object-record.js';
import type { WritePlan } from './service-core.js';

/**
 * SSE-C (customer-provided keys) for S3Service. Each message's data key is wrapped under the
 * customer's key exactly as the ESDK raw AES keyring wraps it (namespace `sealflow-s3`, name
 * `sse-c`), so any ESDK with a raw AES keyring and that key reads a stored body. The record
 * keeps only a salted HMAC of the key (`CustomerKeyCheck`), to tell a wrong key apart.
 */
export const SSE_C_KEY_NAMESPACE = 'sealflow-s3';
export const SSE_C_KEY_NAME = 'sse-c';

/** What one request's customer key opened: the engine over it, and the MD5 responses echo. */
export interface CustomerSession {
  readonly engine: Engine;
  readonly keyMd5: string;
}

// Keyed by the ObjectEncryption of the record or plan the request works on: the session
// lives exactly as long as the request holds that object, and no key outlives it.
const sessions = new WeakMap<ObjectEncryption, CustomerSession>();

/**
 * An engine over the customer's key for one request. The raw key bytes are wiped as soon as
 * the key store has imported them; the engine keeps no data key beyond each message.
 */
export function customerSession(key: SseCustomerKey, frameLength: number): CustomerSession {
  try {
    const keyStore = new RawAesKeyStore({ namespace: SSE_C_KEY_NAMESPACE, name: SSE_C_KEY_NAME, key: key.key });
    return { engine: createEngine({ keyStore, frameLength }), keyMd5: key.keyMd5 };
  } finally {
    key.wipe();
  }
}

/** Binds a request's customer session to the encryption it opens. */
export function attachCustomerSession(encryption: ObjectEncryption, session: CustomerSession): void {
  sessions.set(encryption, session);
}

/** The customer session bound to `encryption` by this request, if any. */
export function customerSessionOf(encryption: ObjectEncryption): CustomerSession | undefined {
  return sessions.get(encryption);
}

/** What responses report of an SSE-C object (undefined for any other). */
export function sseCustomerReport(encryption: ObjectEncryption): { keyMd5: string | undefined } | undefined {
  return encryption.customerKey === undefined ? undefined : { keyMd5: sessions.get(encryption)?.keyMd5 };
}

const NOT_APPLICABLE = 'The encryption parameters are not applicable to this object.';
const READ_NEEDS_KEY =
  'The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.';
const PART_NEEDS_KEY =
  'The multipart upload initiate requested encryption. Subsequent part requests must include the appropriate encryption parameters.';
const PART_NOT_ENCRYPTED =
  'The multipart upload initiate did not request encryption with customer provided keys. Subsequent part requests must not include encryption parameters.';
const PART_OTHER_KEY = 'The provided encryption parameters did not match the ones used originally.';

/**
 * Checks a request's SSE-C headers against the object (or upload) it reads or extends and,
 * for an SSE-C object, binds a session over the given key to `encryption`:
 *
 * - SSE-C headers on an object that is not SSE-C: 400 `InvalidRequest`;
 * - an SSE-C object without them: 400 `InvalidRequest`;
 * - another key than the object's: 403 `AccessDenied` (reads; S3 checks the salted HMAC
 *   first), 400 `InvalidArgument` (a part of an upload started with another key).
 *
 * `mode` `part` is UploadPart/UploadPartCopy against the upload's settings.
 * @throws {S3Error} as listed, and the header errors of `parseSseCustomerKey`.
 */
export function openCustomerEncryption(
  encryption: ObjectEncryption,
  headers: RequestHeaders,
  options: {
    readonly set?: SseCustomerHeaderSet;
    readonly mode: 'read' | 'part';
    readonly secureTransport?: boolean;
    readonly frameLength: number;
    readonly resource?: string;
  },
): CustomerSession | undefined {
  const set = options.set ?? 'object';
  const check = encryption.customerKey;
  if (check === undefined) {
    if (hasSseCustomerHeaders(headers, set))
      throw s3Error('InvalidRequest', options.mode === 'part' ? PART_NOT_ENCRYPTED : NOT_APPLICABLE);
    return undefined;
  }
  const key = parseSseCustomerKey(headers, {
    set,
    ...(options.secureTransport === undefined ? {} : { secureTransport: options.secureTransport }),
  });
  if (key === undefined) throw s3Error('InvalidRequest', options.mode === 'part' ? PART_NEEDS_KEY : READ_NEEDS_KEY);
  if (!matchesCustomerKey(check, key.key)) {
    key.wipe();
    if (options.mode === 'part') throw s3Error('InvalidArgument', PART_OTHER_KEY);
    throw s3Error(
      'AccessDenied',
      'Access Denied',
      options.resource === undefined ? {} : { resource: options.resource },
    );
  }
  const session = customerSession(key, options.frameLength);
  attachCustomerSession(encryption, session);
  return session;
}

/**
 * The write plan of an SSE-C PutObject, CopyObject or CreateMultipartUpload: an engine over
 * the request's key, and a record that keeps only the key's salted HMAC.
 * @throws {S3Error} the header errors of `parseSseCustomerKey`
 */
export function customerWritePlan(
  headers: RequestHeaders,
  decision: EncryptionDecision,
  headerContext: EncryptionContext,
  frameLength: number,
): WritePlan {
  const key = parseSseCustomerKey(headers);
  if (key === undefined) throw s3Error('InvalidRequest', READ_NEEDS_KEY);
  const check = customerKeyCheck(key.key);
  const session = customerSession(key, frameLength);
  const encryption: ObjectEncryption = {
    algorithm: 'AES256',
    keyArn: undefined,
    bucketKey: false,
    context: {},
    customerKey: check,
  };
  attachCustomerSession(encryption, session);
  return { engine: session.engine, encryption, headerContext, keyId: undefined, bucketKey: undefined, decision };
}
