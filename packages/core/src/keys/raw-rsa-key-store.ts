import type { KeyObject } from 'node:crypto';
import { importRsaKey, publicKeyOf, rsaOaepDecrypt, rsaOaepEncrypt, type OaepHash } from '../crypto/rsa.js';
import { nodeBackend } from '../crypto/node-backend.js';
import { ErrorCodes, KeyStoreError } from '../errors.js';
import { bytesEqual, copyBytes, utf8Encode } from '../format/bytes.js';
import { assertString, invalid, invalidArgument, readOptions } from '../assert.js';
import { BUCKET_KEY_PROVIDER_ID } from './bucket-key-edk.js';
import { DataKey } from './data-key.js';
import type { EncryptedDataKey, GenerateRequest, GeneratedDataKey, KeyStore, KeyStoreRequest } from './key-store.js';

export interface RawRsaKeyStoreOptions {
  readonly namespace: string;
  readonly name: string;
  /** PEM (or DER) public key: needed to generate and wrap. */
  readonly publicKey?: string | Uint8Array;
  /** PEM (or DER) private key: needed to unwrap (its public half is used to wrap when `publicKey` is absent). */
  readonly privateKey?: string | Uint8Array;
  /** OAEP hash (MGF1 uses the same). Default sha256. */
  readonly oaepHash?: OaepHash;
}

const OAEP_HASHES: readonly OaepHash[] = ['sha1', 'sha256', 'sha384', 'sha512'];

/**
 * A key store over an RSA key pair, wire-compatible with the ESDK raw RSA keyring in
 * OAEP mode (spec: esdk framework/raw-rsa-keyring.md): provider ID = namespace, provider
 * info = key name, ciphertext = RSA-OAEP(data key). RSA wrapping cannot bind the context;
 * the header tag does.
 */
export class RawRsaKeyStore implements KeyStore {
  readonly id: string;
  readonly #namespace: string;
  readonly #name: Uint8Array;
  readonly #public: KeyObject | undefined;
  readonly #private: KeyObject | undefined;
  readonly #hash: OaepHash;

  /** @throws {InvalidArgumentError} for bad names, keys or hash. */
  constructor(options: RawRsaKeyStoreOptions) {
    const o = readOptions(options, 'RawRsaKeyStore options', [
      'namespace',
      'name',
      'publicKey',
      'privateKey',
      'oaepHash',
    ]);
    const namespace = assertString(o.raw('namespace'), 'RawRsaKeyStore namespace');
    const name = assertString(o.raw('name'), 'RawRsaKeyStore name');
    if (namespace.startsWith('aws-kms'))
      throw invalid('RawRsaKeyStore namespace', 'a namespace not starting with "aws-kms"', namespace);
    // The bucket-key envelope's provider ID is ours; a raw store under it would be ambiguous on decrypt.
    if (namespace === BUCKET_KEY_PROVIDER_ID)
      throw invalid('RawRsaKeyStore namespace', `a namespace other than "${BUCKET_KEY_PROVIDER_ID}"`, namespace);
    const hash = o.raw('oaepHash') ?? 'sha256';
    if (!OAEP_HASHES.includes(hash as OaepHash))
      throw invalid('RawRsaKeyStore oaepHash', OAEP_HASHES.join(' | '), hash);
    const publicKey = o.raw('publicKey') as string | Uint8Array | undefined;
    const privateKey = o.raw('privateKey') as string | Uint8Array | undefined;
    if (publicKey === undefined && privateKey === undefined)
      throw invalid('RawRsaKeyStore', 'a publicKey or a privateKey', undefined);
    try {
      this.#private = privateKey === undefined ? undefined : importRsaKey(privateKey, 'private');
      this.#public =
        publicKey === undefined
          ? this.#private === undefined
            ? undefined
            : publicKeyOf(this.#private)
          : importRsaKey(publicKey, 'public');
    } catch {
      throw invalidArgument('RawRsaKeyStore key: expected a PEM or DER RSA key');
    }
    // A mismatched pair would write EDKs this store can never open.
    if (
      publicKey !== undefined &&
      this.#private !== undefined &&
      !publicKeyOf(this.#private).equals(this.#public as KeyObject)
    ) {
      throw invalidArgument(
        'RawRsaKeyStore publicKey: expected the public half of privateKey, got a key from another pair',
      );
    }
    this.#namespace = namespace;
    this.#name = utf8Encode(name);
    this.#hash = hash as OaepHash;
    this.id = `raw-rsa:${namespace}/${name}`;
  }

  canUnwrap(edk: EncryptedDataKey): boolean {
    return (
      this.#private !== undefined && edk.providerId === this.#namespace && bytesEqual(edk.providerInfo, this.#name)
    );
  }

  async generateDataKey(request: GenerateRequest): Promise<GeneratedDataKey> {
    const dataKey = new DataKey(nodeBackend.randomBytes(request.length));
    return { dataKey, encryptedDataKey: await this.wrapDataKey(dataKey, request) };
  }

  async wrapDataKey(dataKey: DataKey, _request: KeyStoreRequest): Promise<EncryptedDataKey> {
    if (this.#public === undefined)
      throw new KeyStoreError(ErrorCodes.UNSUPPORTED_KEY, `${this.id}: no public key to wrap with`, { store: this.id });
    return {
      providerId: this.#namespace,
      providerInfo: copyBytes(this.#name),
      ciphertext: rsaOaepEncrypt(this.#public, this.#hash, dataKey.reveal()),
    };
  }

  async unwrapDataKey(edk: EncryptedDataKey, _request: KeyStoreRequest): Promise<DataKey> {
    if (this.#private === undefined || !this.canUnwrap(edk)) {
      throw new KeyStoreError(ErrorCodes.INVALID_KEY_CIPHERTEXT, `${this.id}: cannot unwrap this encrypted data key`, {
        store: this.id,
      });
    }
    const plaintext = rsaOaepDecrypt(this.#private, this.#hash, edk.ciphertext);
    if (plaintext === undefined)
      throw new KeyStoreError(
        ErrorCodes.INVALID_KEY_CIPHERTEXT,
        `${this.id}: the encrypted data key does not decrypt under this key`,
        { store: this.id },
      );
    return new DataKey(plaintext);
  }
}
