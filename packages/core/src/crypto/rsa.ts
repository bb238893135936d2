import { constants, createPrivateKey, createPublicKey, privateDecrypt, publicEncrypt, type KeyObject } from 'node:crypto';

export type OaepHash = 'sha1' | 'sha256' | 'sha384' | 'sha512';

/** Parses a PEM/DER RSA key (public or private) into a KeyObject. */
export function importRsaKey(pem: string | Uint8Array, kind: 'public' | 'private'): KeyObject {
  const input = typeof pem === 'string' ? pem : Buffer.from(pem.buffer, pem.byteOffset, pem.byteLength);
  return kind === 'private' ? createPrivateKey(input) : createPublicKey(input);
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
    return new Uint8Array(privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, ciphertext));
  } catch {
    return undefined;
  }
}
