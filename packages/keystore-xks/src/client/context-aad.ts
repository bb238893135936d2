import { LimitExceededError, serializeEncryptionContext, type EncryptionContext } from '@sealflow/core';
import { XksLimits } from '../shared/xks-wire.js';

/** Domain label in front of the context, so this AAD is never mistaken for another use. */
const LABEL = new TextEncoder().encode('sealflow-xks:v1:');

/**
 * The `additionalAuthenticatedData` an XKS Encrypt/Decrypt carries: the label, then
 * the canonical serialization of the encryption context (UTF-8 byte order, as in the
 * message header). The proxy binds it into the GCM tag, so unwrapping under any other
 * context fails. Proxies need only accept 8192 AAD bytes (spec: xks-api.md §4.3), so a
 * larger context is refused here, before any call.
 * @throws {LimitExceededError} when the AAD would exceed 8192 bytes.
 */
export function contextAad(context: EncryptionContext): Uint8Array {
  const serialized = serializeEncryptionContext(context);
  const total = LABEL.length + serialized.length;
  if (total > XksLimits.minAadBytes) throw new LimitExceededError('xksAadBytes', XksLimits.minAadBytes, total);
  const aad = new Uint8Array(total);
  aad.set(LABEL, 0);
  aad.set(serialized, LABEL.length);
  return aad;
}
