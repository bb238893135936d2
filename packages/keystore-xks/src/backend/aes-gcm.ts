import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { XksBackendError, type XksSealedBytes } from './key-backend.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM with a fresh random 96-bit IV per call. Random IVs are safe here
 * because each key wraps few messages compared with the 2^32 bound NIST SP 800-38D
 * sets for random 96-bit IVs under one key.
 */
export function gcmSeal(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): XksSealedBytes {
  const iv = new Uint8Array(randomBytes(IV_BYTES));
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { ciphertext: new Uint8Array(ciphertext), iv, tag: new Uint8Array(cipher.getAuthTag()) };
}

/**
 * Opens an AES-256-GCM result; a tag that does not verify (or a malformed IV or
 * tag) is `InvalidCiphertextException`, which never says which input was wrong.
 * @throws {XksBackendError}
 */
export function gcmOpen(key: Uint8Array, sealed: XksSealedBytes, aad: Uint8Array): Uint8Array {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.tag);
    return new Uint8Array(Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]));
  } catch (cause) {
    throw new XksBackendError('InvalidCiphertextException', 'the ciphertext did not authenticate', { cause });
  }
}
