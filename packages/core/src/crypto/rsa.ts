import {
  constants,
  createPrivateKey,
  createPublicKey,
  privateDecrypt,
  publicEncrypt,
  type KeyObject,
} from 'node:crypto';

import type { OaepHash } from './oaep-hash.js';

export type { OaepHash } from './oaep-hash.js';

const PEM_START = '-----BEGIN';

/**
 * Parses an RSA key (public or private) into a KeyObject: PEM as a string or bytes, or DER
 * bytes (SPKI for public keys, PKCS#8 for private ones; node:crypto reads bytes as PEM
 * unless told otherwise).
 * @throws {Error} when the input is not an RSA key of that kind.
 */
export function importRsaKey(pem: string | Uint8Array, kind: 'public' | 'private'): KeyObject {
  const bytes = typeof pem === 'string' ? undefined : Buffer.from(pem.buffer, pem.byteOffset, pem.byteLength);
  const der = bytes !== undefined && bytes.subarray(0, PEM_START.length).toString('latin1') !== PEM_START;
  const source = bytes ?? (pem as string);
  const key =
    kind === 'private'
      ? createPrivateKey(der ? { key: source, format: 'der', type: 'pkcs8' } : source)
      : createPublicKey(der ? { key: source, format: 'der', type: 'spki' } : source);
  if (key.asymmetricKeyType !== 'rsa') throw new Error(`expected an RSA key, got ${String(key.asymmetricKeyType)}`);
  return key;
}

/** The public half of an RSA private key (KeyObject#export cannot write a private key as SPKI). */
export function publicKeyOf(privateKey: KeyObject): KeyObject {
  return createPublicKey(privateKey);
}

/** RSA-OAEP encryption (MGF1 with the same hash, as the ESDK raw RSA keyring uses). */
export function rsaOaepEncrypt(key: KeyObject, hash: OaepHash, plaintext: Uint8Array): Uint8Array {
  return new Uint8Array(publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, plaintext));
}

/** RSA-OAEP decryption; undefined when the ciphertext does not decrypt. */
export function rsaOaepDecrypt(key: KeyObject, hash: OaepHash, ciphertext: Uint8Array): Uint8Array | undefined {
  try {
    return new Uint8Array(
      privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, ciphertext),
    );
  } catch {
    return undefined;
  }
}
