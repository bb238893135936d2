import { registerCipherBackend } from './backend-registry.js';
import { gcm } from '@noble/ciphers/aes.js';
import { p256, p384 } from '@noble/curves/nist.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { copyBytes } from '../format/bytes.js';
import type { KdfHash, SignatureCurve } from '../format/suites.js';
import type { CipherBackend, CipherKey, MessageSigner, MessageVerifier } from './backend.js';

interface NobleKey extends CipherKey {
  readonly raw: Uint8Array;
}

const HASH = { sha256, sha384, sha512 } as const;
const CURVE = { 'P-256': { ecdsa: p256, hash: sha256 }, 'P-384': { ecdsa: p384, hash: sha384 } } as const;
const TAG_LENGTH = 16;

function asNobleKey(key: CipherKey): NobleKey {
  if (key.backend !== 'noble') throw new TypeError('noble backend: key was imported by another backend');
  return key as NobleKey;
}

/**
 * Pure-JavaScript backend on the audited @noble libraries, for runtimes without
 * node:crypto. Byte-for-byte identical output to `nodeBackend`; several times slower.
 */
export const nobleBackend: CipherBackend = Object.freeze({
  name: 'noble',

  randomBytes(length: number): Uint8Array {
    return randomBytes(length);
  },

  hkdf(hash: KdfHash, ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
    return hkdf(HASH[hash], ikm, salt, info, length);
  },

  importKey(raw: Uint8Array): CipherKey {
    // A private copy, so the caller may wipe `raw`.
    const key: NobleKey = { backend: 'noble', raw: copyBytes(raw) };
    return key;
  },

  seal(key: CipherKey, iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array) {
    const sealed = gcm(asNobleKey(key).raw, iv, aad).encrypt(plaintext);
    const split = sealed.length - TAG_LENGTH;
    return { ciphertext: sealed.subarray(0, split), tag: sealed.subarray(split) };
  },

  open(key: CipherKey, iv: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array) {
    if (tag.length !== TAG_LENGTH) return undefined;
    const joined = new Uint8Array(ciphertext.length + TAG_LENGTH);
    joined.set(ciphertext);
    joined.set(tag, ciphertext.length);
    try {
      return gcm(asNobleKey(key).raw, iv, aad).decrypt(joined);
    } catch {
      return undefined;
    }
  },

  createSigner(curve: SignatureCurve): MessageSigner {
    const { ecdsa, hash } = CURVE[curve];
    const secretKey = ecdsa.utils.randomSecretKey();
    const h = hash.create();
    return {
      publicKey: ecdsa.getPublicKey(secretKey, true),
      update: (data) => void h.update(data),
      sign: () => {
        const signature = ecdsa.sign(h.digest(), secretKey, { prehash: false, format: 'der', lowS: false });
        secretKey.fill(0);
        return signature;
      },
    };
  },

  createVerifier(curve: SignatureCurve, publicKey: Uint8Array): MessageVerifier | undefined {
    const { ecdsa, hash } = CURVE[curve];
    try {
      ecdsa.Point.fromBytes(publicKey).assertValidity();
    } catch {
      return undefined;
    }
    const h = hash.create();
    return {
      update: (data) => void h.update(data),
      verify: (signature) => {
        try {
          return ecdsa.verify(signature, h.digest(), publicKey, { prehash: false, format: 'der', lowS: false });
        } catch {
          return false;
        }
      },
    };
  },

  timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
    if (a.length !== b.length) return false;
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
    return diff === 0;
  },
});

// `createEngine({ backend: 'noble' })` works once this module is imported.
registerCipherBackend('noble', nobleBackend);
