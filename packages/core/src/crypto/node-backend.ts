import {
  createCipheriv,
  createDecipheriv,
  createPublicKey,
  createSecretKey,
  createSign,
  createVerify,
  ECDH,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
  type KeyObject,
} from 'node:crypto';
import type { KdfHash, SignatureCurve } from '../format/suites.js';
import type { CipherBackend, CipherKey, MessageSigner, MessageVerifier } from './backend.js';

interface NodeKey extends CipherKey {
  readonly object: KeyObject;
  readonly algorithm: 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm';
}

const CURVES = { 'P-256': 'prime256v1', 'P-384': 'secp384r1' } as const;
const HASHES = { 'P-256': 'sha256', 'P-384': 'sha384' } as const;
const COORDINATE = { 'P-256': 32, 'P-384': 48 } as const;
const TAG_LENGTH = 16;

function asNodeKey(key: CipherKey): NodeKey {
  if (key.backend !== 'node') throw new TypeError('node backend: key was imported by another backend');
  return key as NodeKey;
}

function view(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

const base64url = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');

/** node:crypto (OpenSSL) backend: the default. */
export const nodeBackend: CipherBackend = Object.freeze({
  name: 'node',

  randomBytes(length: number): Uint8Array {
    return view(randomBytes(length));
  },

  hkdf(hash: KdfHash, ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
    return new Uint8Array(hkdfSync(hash, ikm, salt, info, length));
  },

  importKey(raw: Uint8Array): CipherKey {
    // createSecretKey copies the bytes into OpenSSL-owned memory, so the caller can
    // wipe `raw`; that copy is freed (not zeroed) when the KeyObject is collected.
    const algorithm = raw.length === 16 ? 'aes-128-gcm' : raw.length === 24 ? 'aes-192-gcm' : 'aes-256-gcm';
    const key: NodeKey = { backend: 'node', object: createSecretKey(raw), algorithm };
    return key;
  },

  seal(key: CipherKey, iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array) {
    const k = asNodeKey(key);
    const cipher = createCipheriv(k.algorithm, k.object, iv, { authTagLength: TAG_LENGTH });
    cipher.setAAD(aad);
    const ciphertext = plaintext.length === 0 ? new Uint8Array(0) : view(cipher.update(plaintext));
    cipher.final();
    return { ciphertext, tag: view(cipher.getAuthTag()) };
  },

  open(key: CipherKey, iv: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array) {
    const k = asNodeKey(key);
    if (tag.length !== TAG_LENGTH) return undefined;
    const decipher = createDecipheriv(k.algorithm, k.object, iv, { authTagLength: TAG_LENGTH });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    const plaintext = ciphertext.length === 0 ? new Uint8Array(0) : view(decipher.update(ciphertext));
    try {
      decipher.final();
    } catch {
      // Tag mismatch: the unverified bytes never leave this function.
      plaintext.fill(0);
      return undefined;
    }
    return plaintext;
  },

  createSigner(curve: SignatureCurve): MessageSigner {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: CURVES[curve] });
    const jwk = publicKey.export({ format: 'jwk' });
    const point = Buffer.concat([
      Buffer.from([4]),
      Buffer.from(jwk.x ?? '', 'base64url'),
      Buffer.from(jwk.y ?? '', 'base64url'),
    ]);
    const compressed = view(ECDH.convertKey(point, CURVES[curve], undefined, undefined, 'compressed') as Buffer);
    const sign = createSign(HASHES[curve]);
    return {
      publicKey: compressed,
      update: (data) => void sign.update(data),
      sign: () => view(sign.sign(privateKey)),
    };
  },

  createVerifier(curve: SignatureCurve, publicKey: Uint8Array): MessageVerifier | undefined {
    let key: KeyObject;
    try {
      const point = ECDH.convertKey(publicKey, CURVES[curve], undefined, undefined, 'uncompressed') as Buffer;
      const n = COORDINATE[curve];
      key = createPublicKey({
        key: { kty: 'EC', crv: curve, x: base64url(point.subarray(1, 1 + n)), y: base64url(point.subarray(1 + n)) },
        format: 'jwk',
      });
    } catch {
      return undefined;
    }
    const verify = createVerify(HASHES[curve]);
    return {
      update: (data) => void verify.update(data),
      verify: (signature) => {
        try {
          return verify.verify(key, signature);
        } catch {
          return false;
        }
      },
    };
  },

  timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
    return a.length === b.length && timingSafeEqual(a, b);
  },
});
