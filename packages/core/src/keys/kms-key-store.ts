import { ErrorCodes, KeyStoreError } from '../errors.js';
import type { KeyStoreOperation } from '../events.js';
import { DataKey } from './data-key.js';
import { timeKeyStoreCall, type KeyStoreCall } from './key-store-call.js';
import {
  assertIdentifier,
  resolveKmsKeyStoreOptions,
  type KmsDiscoveryFilter,
  type KmsKeyStoreOptions,
} from './kms-key-store-options.js';
import {
  isKmsKeyArn,
  mapKmsError,
  parseKmsKeyArn,
  type KmsCallOptions,
  type KmsClientLike,
  type KmsDecryptInput,
  type KmsEncryptInput,
  type KmsGenerateDataKeyInput,
  type KmsResponseMetadata,
} from './kms-client.js';
import type {
  EncryptedDataKey,
  EncryptionContext,
  GenerateRequest,
  GeneratedDataKey,
  KeyStore,
  KeyStoreRequest,
} from './key-store.js';

export type { KmsDiscoveryFilter, KmsKeyStoreOptions };

/** The EDK provider ID the ESDK KMS keyring writes. spec: esdk-format.md §13 "AWS KMS keyring". */
export const KMS_PROVIDER_ID = 'aws-kms';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * A key store over any KMS-shaped client that writes what the ESDK AWS KMS keyring writes
 * (spec: esdk-format.md §13): provider ID `aws-kms`, provider info = the UTF-8 key ARN
 * from the KMS response, ciphertext = the KMS `CiphertextBlob`. The full encryption
 * context goes to KMS as `EncryptionContext`, so KMS binds it.
 */
export class KmsKeyStore implements KeyStore {
  readonly id: string;
  readonly principal?: string;
  /** This store publishes its own `sealflow:keystore:call` events (with request IDs). */
  readonly publishesCallEvents = true;
  readonly #client: KmsClientLike;
  readonly #keyId: string;
  readonly #keyIds: readonly string[] | undefined;
  readonly #discovery: KmsDiscoveryFilter | true | undefined;
  readonly #grantTokens: string[] | undefined;
  readonly #strictArns: boolean;

  /** @throws {InvalidArgumentError} when an option is missing, unknown or malformed. */
  constructor(options: KmsKeyStoreOptions) {
    const opts = resolveKmsKeyStoreOptions(options);
    this.#client = opts.client;
    this.#strictArns = opts.strictArns;
    this.#keyId = opts.keyId;
    this.#keyIds = opts.keyIds;
    this.#discovery = opts.discovery;
    this.#grantTokens = opts.grantTokens;
    if (opts.principal !== undefined) this.principal = opts.principal;
    this.id = opts.id ?? `${KMS_PROVIDER_ID}:${this.#keyId}`;
  }

  /**
   * Whether `edk` is an `aws-kms` EDK this store may offer to KMS: listed in `keyIds`,
   * passing the discovery filter, or (by default) equal to the configured key ARN. When
   * the configured key is an alias or key ID, every well-formed EDK qualifies and KMS
   * decides: unwrap names the configured key, and KMS refuses blobs of any other key.
   */
  canUnwrap(edk: EncryptedDataKey): boolean {
    if (edk.providerId !== KMS_PROVIDER_ID) return false;
    const arn = edkArn(edk);
    if (arn === undefined) return false;
    const parsed = parseKmsKeyArn(arn);
    if (parsed === undefined) return false;
    if (this.#keyIds !== undefined) return this.#keyIds.includes(arn);
    if (this.#discovery === true) return true;
    if (this.#discovery !== undefined) {
      return parsed.partition === this.#discovery.partition && this.#discovery.accountIds.includes(parsed.accountId);
    }
    return isKmsKeyArn(this.#keyId) ? arn === this.#keyId : true;
  }

  /**
   * KMS `GenerateDataKey` with `NumberOfBytes = length` and the full context.
   * @throws {KeyStoreError} with the code {@link mapKmsError} gives the KMS failure, or
   * `ERR_KEY_STORE_FAILED` when the response is malformed.
   */
  async generateDataKey(request: GenerateRequest): Promise<GeneratedDataKey> {
    const keyId = (Object.hasOwn(request, 'keyId') ? request.keyId : undefined) ?? this.#keyId;
    return this.#call('generate', keyId, async (call) => {
      assertIdentifier(keyId, 'generateDataKey: keyId', this.#strictArns);
      const input: KmsGenerateDataKeyInput = {
        KeyId: keyId,
        EncryptionContext: plainContext(request.context),
        NumberOfBytes: request.length,
        ...this.#tokens(),
      };
      const response = await this.#send(call, keyId, () => this.#client.generateDataKey(input, callOptions(request)));
      const plaintext = response.Plaintext;
      try {
        if (!(plaintext instanceof Uint8Array) || plaintext.length !== request.length) {
          throw this.#malformed('GenerateDataKey', keyId, 'a plaintext of the requested length');
        }
        const arn = this.#responseArn(response.KeyId, 'GenerateDataKey', keyId);
        const ciphertext = this.#responseBlob(response.CiphertextBlob, 'GenerateDataKey', keyId);
        // The holder gets its own copy; the client's buffer is wiped below, whatever happens.
        return { dataKey: DataKey.copyOf(plaintext), encryptedDataKey: makeEdk(arn, ciphertext) };
      } finally {
        if (plaintext instanceof Uint8Array) plaintext.fill(0);
      }
    });
  }

  /**
   * KMS `Encrypt` of an existing data key under the configured key (multi-store messages).
   * @throws {KeyStoreError}
   */
  async wrapDataKey(dataKey: DataKey, request: KeyStoreRequest): Promise<EncryptedDataKey> {
    return this.#call('wrap', this.#keyId, async (call) => {
      const input: KmsEncryptInput = {
        KeyId: this.#keyId,
        Plaintext: dataKey.reveal(),
        EncryptionContext: plainContext(request.context),
        ...this.#tokens(),
      };
      const response = await this.#send(call, this.#keyId, () => this.#client.encrypt(input, callOptions(request)));
      const arn = this.#responseArn(response.KeyId, 'Encrypt', this.#keyId);
      return makeEdk(arn, this.#responseBlob(response.CiphertextBlob, 'Encrypt', this.#keyId));
    });
  }

  /**
   * KMS `Decrypt` of `edk` with `KeyId` and the context; accepts only a response whose
   * `KeyId` is the EDK's key ARN and whose plaintext has the requested length.
   * @throws {KeyStoreError} `ERR_NO_DECRYPTABLE_KEY` when {@link canUnwrap} refuses the EDK,
   * `ERR_INVALID_KEY_CIPHERTEXT` for a response naming another key or length, or the
   * mapped KMS failure.
   */
  async unwrapDataKey(edk: EncryptedDataKey, request: KeyStoreRequest): Promise<DataKey> {
    const arn = edkArn(edk);
    return this.#call('unwrap', arn ?? this.#keyId, async (call) => {
      if (arn === undefined || !this.canUnwrap(edk)) {
        throw new KeyStoreError(
          ErrorCodes.NO_DECRYPTABLE_KEY,
          'this KMS key store does not unwrap that encrypted data key',
          {
            store: this.id,
          },
        );
      }
      // Discovery and strict-ARN modes name the EDK's own key; an alias or key ID
      // configuration names that identifier, so KMS refuses blobs of any other key.
      const keyId =
        this.#keyIds !== undefined || this.#discovery !== undefined || isKmsKeyArn(this.#keyId) ? arn : this.#keyId;
      const input: KmsDecryptInput = {
        CiphertextBlob: edk.ciphertext,
        KeyId: keyId,
        EncryptionContext: plainContext(request.context),
        ...this.#tokens(),
      };
      const response = await this.#send(call, arn, () => this.#client.decrypt(input, callOptions(request)));
      const plaintext = response.Plaintext;
      if (response.KeyId !== arn || !(plaintext instanceof Uint8Array) || plaintext.length !== request.length) {
        if (plaintext instanceof Uint8Array) plaintext.fill(0);
        throw new KeyStoreError(
          ErrorCodes.INVALID_KEY_CIPHERTEXT,
          'KMS Decrypt answered for another key or with a data key of the wrong length',
          { store: this.id, keyId: arn, ...requestIdOf(response) },
        );
      }
      const dataKey = DataKey.copyOf(plaintext);
      plaintext.fill(0);
      return dataKey;
    });
  }

  #responseArn(keyId: unknown, operation: string, requested: string): string {
    if (typeof keyId !== 'string' || !isKmsKeyArn(keyId))
      throw this.#malformed(operation, requested, 'a KeyId that is a full key ARN');
    return keyId;
  }

  #responseBlob(blob: unknown, operation: string, keyId: string): Uint8Array {
    if (!(blob instanceof Uint8Array) || blob.length === 0)
      throw this.#malformed(operation, keyId, 'a non-empty CiphertextBlob');
    // A private copy: the EDK outlives the response, and the client may reuse its buffer.
    return Uint8Array.prototype.slice.call(blob);
  }

  #malformed(operation: string, keyId: string, expected: string): KeyStoreError {
    return new KeyStoreError(
      ErrorCodes.KEY_STORE_FAILED,
      `KMS ${operation} response is malformed: expected ${expected}`,
      {
        store: this.id,
        keyId,
      },
    );
  }

  #tokens(): { GrantTokens?: string[] } {
    return this.#grantTokens === undefined ? {} : { GrantTokens: [...this.#grantTokens] };
  }

  /**
   * One client call; whatever it throws becomes a `KeyStoreError` (see {@link mapKmsError}).
   * The response's request ID is kept for the call event.
   */
  async #send<T extends { readonly $metadata?: KmsResponseMetadata }>(
    call: KeyStoreCall,
    keyId: string,
    send: () => Promise<T>,
  ): Promise<T> {
    try {
      const response = await send();
      call.requestId = response.$metadata?.requestId;
      return response;
    } catch (error) {
      throw mapKmsError(error, { store: this.id, keyId });
    }
  }

  /** Runs one key-store operation and publishes its `sealflow:keystore:call` event. */
  async #call<T>(operation: KeyStoreOperation, keyId: string, run: (call: KeyStoreCall) => Promise<T>): Promise<T> {
    const call: KeyStoreCall = { store: this.id, operation, keyId };
    return timeKeyStoreCall(call, () => run(call));
  }
}

/**
 * A prototype-free copy of the own pairs: no inherited key leaks into what KMS binds, and
 * a `__proto__` context key stays an ordinary pair.
 */
function plainContext(context: EncryptionContext): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const key of Object.keys(context)) out[key] = context[key] as string;
  return out;
}

function callOptions(request: KeyStoreRequest): KmsCallOptions {
  const signal = Object.hasOwn(request, 'signal') ? request.signal : undefined;
  return signal === undefined ? {} : { abortSignal: signal };
}

function edkArn(edk: EncryptedDataKey): string | undefined {
  try {
    return decoder.decode(edk.providerInfo);
  } catch {
    return undefined;
  }
}

function makeEdk(arn: string, ciphertext: Uint8Array): EncryptedDataKey {
  return { providerId: KMS_PROVIDER_ID, providerInfo: encoder.encode(arn), ciphertext };
}

function requestIdOf(response: { readonly $metadata?: KmsResponseMetadata }): { requestId?: string } {
  const id = response.$metadata?.requestId;
  return id === undefined ? {} : { requestId: id };
}
