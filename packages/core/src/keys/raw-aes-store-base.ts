import type { CipherBackend } from '../crypto/backend.js';
import { ErrorCodes, KeyStoreError } from '../errors.js';
import { utf8Encode } from '../format/bytes.js';
import { assertBytes, assertString, invalid, readOptions } from '../assert.js';
import { BUCKET_KEY_PROVIDER_ID } from './bucket-key-edk.js';
import { DataKey } from './data-key.js';
import { isRawAesEdk, rawAesUnwrap, rawAesWrap, type RawAesWrappingKey } from './raw-aes-wrap.js';
import type { EncryptedDataKey, GenerateRequest, GeneratedDataKey, KeyStore, KeyStoreRequest } from './key-store.js';

export interface RawAesKeyStoreOptions {
  /** Key namespace: written as the EDK provider ID. Must not start with `aws-kms`. */
  readonly namespace: string;
  /** Key name: the start of the EDK provider info. */
  readonly name: string;
  /** Wrapping key: 16, 24 or 32 bytes. Copied; the caller may wipe its own copy. */
  readonly key: Uint8Array;
  /** Cipher backend (default: node:crypto; in the browser entry `webBackend`). */
  readonly backend?: CipherBackend;
}

/**
 * A key store over a local AES key, byte-compatible with the ESDK raw AES keyring
 * (spec: esdk framework/raw-aes-keyring.md). Provider info is
 * `name || uint32 128 (tag bits) || uint32 12 (IV bytes) || IV`; the EDK ciphertext is
 * `AES-GCM(key, IV, AAD = serialized context).ciphertext || tag`. The AAD uses UTF-8 byte
 * order always; client-node interoperates when built with `utf8Sorting: true`.
 */
export class RawAesStoreBase implements KeyStore {
  readonly id: string;
  readonly #wrapping: RawAesWrappingKey;

  /**
   * `platformBackend`: the entry's default backend, used when the options name none.
   * @throws {InvalidArgumentError} for a bad namespace, name or key.
   */
  constructor(options: RawAesKeyStoreOptions, platformBackend: CipherBackend) {
    const o = readOptions(options, 'RawAesKeyStore options', ['namespace', 'name', 'key', 'backend']);
    const namespace = assertString(o.raw('namespace'), 'RawAesKeyStore namespace');
    const name = assertString(o.raw('name'), 'RawAesKeyStore name');
    const key = assertBytes(o.raw('key'), 'RawAesKeyStore key', [16, 24, 32]);
    // spec: esdk raw-aes-keyring.md: provider IDs starting with aws-kms are reserved.
    if (namespace.startsWith('aws-kms'))
      throw invalid('RawAesKeyStore namespace', 'a namespace not starting with "aws-kms"', namespace);
    // The bucket-key envelope's provider ID is ours; a raw store under it would be ambiguous on decrypt.
    if (namespace === BUCKET_KEY_PROVIDER_ID)
      throw invalid('RawAesKeyStore namespace', `a namespace other than "${BUCKET_KEY_PROVIDER_ID}"`, namespace);
    const backend = (o.raw('backend') as CipherBackend | undefined) ?? platformBackend;
    this.#wrapping = { namespace, name: utf8Encode(name), key: backend.importKey(key), backend };
    this.id = `raw-aes:${namespace}/${name}`;
  }

  canUnwrap(edk: EncryptedDataKey): boolean {
    return isRawAesEdk(this.#wrapping, edk);
  }

  async generateDataKey(request: GenerateRequest): Promise<GeneratedDataKey> {
    const dataKey = new DataKey(this.#wrapping.backend.randomBytes(request.length));
    return { dataKey, encryptedDataKey: await this.wrapDataKey(dataKey, request) };
  }

  async wrapDataKey(dataKey: DataKey, request: KeyStoreRequest): Promise<EncryptedDataKey> {
    return rawAesWrap(this.#wrapping, dataKey.reveal(), request.context);
  }

  async unwrapDataKey(edk: EncryptedDataKey, request: KeyStoreRequest): Promise<DataKey> {
    if (!this.canUnwrap(edk)) {
      throw new KeyStoreError(
        ErrorCodes.INVALID_KEY_CIPHERTEXT,
        `${this.id}: the encrypted data key was not written by this key`,
        { store: this.id },
      );
    }
    const plaintext = rawAesUnwrap(this.#wrapping, edk, request.context);
    if (plaintext === undefined) {
      throw new KeyStoreError(
        ErrorCodes.INVALID_KEY_CIPHERTEXT,
        `${this.id}: the encrypted data key does not decrypt under this key and context`,
        { store: this.id },
      );
    }
    return new DataKey(plaintext);
  }
}
