import { invalidArgument } from '../assert.js';
import { ErrorCodes, KeyStoreError } from '../errors.js';
import { fromBase64 } from '../format/base64.js';
import { bytesEqual, copyBytes, utf8Encode } from '../format/bytes.js';
import { DataKey } from '../keys/data-key.js';
import type {
  EncryptedDataKey,
  GenerateRequest,
  GeneratedDataKey,
  KeyStore,
  KeyStoreRequest,
} from '../keys/key-store.js';
import { readRawRsaOptions, type OaepHash, type RawRsaKeyStoreOptions } from '../keys/raw-rsa-options.js';

const HASH_NAMES = { sha1: 'SHA-1', sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' } as const;
const BAD_KEY = 'RawRsaKeyStore key: expected a PEM or DER RSA key (SPKI public, PKCS#8 private)';

/** WebCrypto's CryptoKey (named through `crypto.subtle`: this package compiles without the DOM lib). */
type WebCryptoKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

interface RsaKeys {
  readonly publicKey: WebCryptoKey | undefined;
  readonly privateKey: WebCryptoKey | undefined;
}

/** DER bytes of a PEM block with `label`, or the bytes themselves when they are DER. */
function derOf(key: string | Uint8Array, label: 'PUBLIC KEY' | 'PRIVATE KEY'): Uint8Array {
  const text = typeof key === 'string' ? key : key[0] === 0x30 ? undefined : new TextDecoder().decode(key);
  if (text === undefined) return copyBytes(key as Uint8Array);
  const match = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`).exec(text);
  const der = match?.[1] === undefined ? undefined : fromBase64(match[1].replace(/\s+/g, ''));
  if (der === undefined) throw invalidArgument(BAD_KEY);
  return der;
}

/**
 * The browser entry's raw RSA key store: wire-compatible with the ESDK raw RSA keyring in
 * OAEP mode, as the Node entry's, over WebCrypto (`crypto.subtle` RSA-OAEP; key stores
 * are async, so WebCrypto serves here). Keys: PEM or DER, SPKI public and PKCS#8 private
 * (WebCrypto reads no PKCS#1 `RSA PRIVATE KEY`). The keys are imported on first use: a
 * key WebCrypto refuses fails that call with INVALID_ARGUMENT. The private key is
 * imported non-extractable (its public half is derived once, when no `publicKey` is given).
 */
export class RawRsaKeyStore implements KeyStore {
  readonly id: string;
  readonly #namespace: string;
  readonly #name: Uint8Array;
  readonly #keys: Promise<RsaKeys>;
  readonly #canUnwrap: boolean;

  /** @throws {InvalidArgumentError} for bad names, hash, or a key that is not PEM or DER. */
  constructor(options: RawRsaKeyStoreOptions) {
    const { namespace, name, hash, publicKey, privateKey } = readRawRsaOptions(options);
    const publicDer = publicKey === undefined ? undefined : derOf(publicKey, 'PUBLIC KEY');
    const privateDer = privateKey === undefined ? undefined : derOf(privateKey, 'PRIVATE KEY');
    this.#keys = importKeys(publicDer, privateDer, hash);
    // Failures are reported by the call that awaits the keys; this stops an unhandled rejection meanwhile.
    this.#keys.catch(() => {});
    this.#canUnwrap = privateDer !== undefined;
    this.#namespace = namespace;
    this.#name = utf8Encode(name);
    this.id = `raw-rsa:${namespace}/${name}`;
  }

  canUnwrap(edk: EncryptedDataKey): boolean {
    return this.#canUnwrap && edk.providerId === this.#namespace && bytesEqual(edk.providerInfo, this.#name);
  }

  async generateDataKey(request: GenerateRequest): Promise<GeneratedDataKey> {
    const dataKey = new DataKey(crypto.getRandomValues(new Uint8Array(request.length)));
    return { dataKey, encryptedDataKey: await this.wrapDataKey(dataKey, request) };
  }

  async wrapDataKey(dataKey: DataKey, _request: KeyStoreRequest): Promise<EncryptedDataKey> {
    const { publicKey } = await this.#keys;
    if (publicKey === undefined)
      throw new KeyStoreError(ErrorCodes.UNSUPPORTED_KEY, `${this.id}: no public key to wrap with`, { store: this.id });
    const ciphertext = await crypto.subtle.encrypt({ name: 'RSA-OAEP' }, publicKey, dataKey.reveal());
    return { providerId: this.#namespace, providerInfo: copyBytes(this.#name), ciphertext: new Uint8Array(ciphertext) };
  }

  async unwrapDataKey(edk: EncryptedDataKey, _request: KeyStoreRequest): Promise<DataKey> {
    if (!this.canUnwrap(edk)) {
      throw new KeyStoreError(ErrorCodes.INVALID_KEY_CIPHERTEXT, `${this.id}: cannot unwrap this encrypted data key`, {
        store: this.id,
      });
    }
    const { privateKey } = await this.#keys;
    let plaintext: ArrayBuffer;
    try {
      plaintext = await crypto.subtle.decrypt({ name: 'RSA-OAEP' }, privateKey as WebCryptoKey, edk.ciphertext);
    } catch {
      throw new KeyStoreError(
        ErrorCodes.INVALID_KEY_CIPHERTEXT,
        `${this.id}: the encrypted data key does not decrypt under this key`,
        { store: this.id },
      );
    }
    return new DataKey(new Uint8Array(plaintext));
  }
}

async function importKeys(
  publicDer: Uint8Array | undefined,
  privateDer: Uint8Array | undefined,
  hash: OaepHash,
): Promise<RsaKeys> {
  const algorithm = { name: 'RSA-OAEP', hash: HASH_NAMES[hash] };
  try {
    const privateKey =
      privateDer === undefined
        ? undefined
        : await crypto.subtle.importKey('pkcs8', privateDer, algorithm, false, ['decrypt']);
    let publicKey =
      publicDer === undefined
        ? undefined
        : await crypto.subtle.importKey('spki', publicDer, algorithm, true, ['encrypt']);
    if (privateDer !== undefined) {
      // The public half (n, e) of the private key: to wrap with when no publicKey was given,
      // and to refuse a mismatched pair (it would write EDKs this store can never open).
      const jwk = await crypto.subtle.exportKey(
        'jwk',
        await crypto.subtle.importKey('pkcs8', privateDer, algorithm, true, ['decrypt']),
      );
      const half = { kty: 'RSA', n: jwk.n ?? '', e: jwk.e ?? '' };
      if (publicKey === undefined) publicKey = await crypto.subtle.importKey('jwk', half, algorithm, true, ['encrypt']);
      else {
        const given = await crypto.subtle.exportKey('jwk', publicKey);
        if (given.n !== jwk.n || given.e !== jwk.e)
          throw invalidArgument(
            'RawRsaKeyStore publicKey: expected the public half of privateKey, got a key from another pair',
          );
      }
      privateDer.fill(0);
    }
    return { publicKey, privateKey };
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('RawRsaKeyStore')) throw error;
    throw invalidArgument(BAD_KEY);
  }
}
