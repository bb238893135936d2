import type { KeyObject } from 'node:crypto';
import { importRsaKey, publicKeyOf, rsaOaepDecrypt, rsaOaepEncrypt } from '../crypto/rsa.js';
import { nodeBackend } from '../crypto/node-backend.js';
import { ErrorCodes, KeyStoreError } from '../errors.js';
import { bytesEqual, copyBytes, utf8Encode } from '../format/bytes.js';
import { invalidArgument } from '../assert.js';
import { DataKey } from './data-key.js';
import { readRawRsaOptions, type OaepHash, type RawRsaKeyStoreOptions } from './raw-rsa-options.js';
import type { EncryptedDataKey, GenerateRequest, GeneratedDataKey, KeyStore, KeyStoreRequest } from './key-store.js';

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
    const { namespace, name, hash, publicKey, privateKey } = readRawRsaOptions(options);
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
    this.#hash = hash;
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

export type { RawRsaKeyStoreOptions } from './raw-rsa-options.js';
