import type { CipherBackend, CipherKey } from '../crypto/backend.js';
import { serializeEncryptionContext } from '../format/encryption-context.js';
import { IV_LENGTH } from '../format/suites.js';
import type { EncryptionContext } from '../keys/key-store.js';

const ZERO_IV = new Uint8Array(IV_LENGTH);

/**
 * The header auth AAD: the header body exactly as written or received, followed by the
 * serialized authenticate-only pairs (zero bytes when there are none, never `00 00`;
 * spec: esdk encrypt.md#construct-the-header).
 */
function headerAad(headerBody: Uint8Array, authOnly: EncryptionContext): Uint8Array {
  const suffix = serializeEncryptionContext(authOnly);
  if (suffix.length === 0) return headerBody;
  const aad = new Uint8Array(headerBody.length + suffix.length);
  aad.set(headerBody);
  aad.set(suffix, headerBody.length);
  return aad;
}

/** The v2 header tag: AES-GCM over an empty plaintext with a zero IV. */
export function computeHeaderTag(
  backend: CipherBackend,
  key: CipherKey,
  headerBody: Uint8Array,
  authOnly: EncryptionContext,
): Uint8Array {
  return backend.seal(key, ZERO_IV, headerAad(headerBody, authOnly), new Uint8Array(0)).tag;
}

/** Verifies a header tag (v1 passes the IV it read; v2 uses the zero IV). */
export function verifyHeaderTag(
  backend: CipherBackend,
  key: CipherKey,
  headerBody: Uint8Array,
  authOnly: EncryptionContext,
  tag: Uint8Array,
  iv: Uint8Array = ZERO_IV,
): boolean {
  return backend.open(key, iv, headerAad(headerBody, authOnly), new Uint8Array(0), tag) !== undefined;
}
