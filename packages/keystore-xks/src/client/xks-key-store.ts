import { randomBytes, randomUUID } from 'node:crypto';
import {
  DataKey,
  ErrorCodes,
  KeyStoreError,
  type EncryptedDataKey,
  type GenerateRequest,
  type GeneratedDataKey,
  type KeyStore,
  type KeyStoreOperation,
  type KeyStoreRequest,
} from '@sealflow/core';
import { assertInteger, assertPattern, invalidArgument } from '@sealflow/core/validate';
import { timeKeyStoreCall } from '@sealflow/core/keystore-kit';
import { encodeBase64 } from '../shared/base64.js';
import { EXTERNAL_KEY_ID, XKS_CDIV_ALGORITHM, XKS_ENCRYPTION_ALGORITHM } from '../shared/xks-wire.js';
import { resolveClientOptions, type ResolvedClientOptions, type XksKeyStoreOptions } from './client-options.js';
import { contextAad } from './context-aad.js';
import { decodeXksEdk, encodeXksEdk, XKS_PROVIDER_ID } from './edk-layout.js';
import { toKeyStoreError } from './error-mapping.js';
import {
  checkDecryptAnswer,
  checkEncryptAnswer,
  checkHealthAnswer,
  checkMetadataAnswer,
  type XksHealthStatus,
  type XksKeyMetadata,
} from './xks-responses.js';
import { XksCallError, XksTransport, type CallFailure } from './xks-transport.js';

/** Thrown inside a call when the proxy's answer fails a check; becomes ERR_KEY_STORE_FAILED. */
class MalformedAnswer extends Error {}

/**
 * A core `KeyStore` whose key lives behind an XKS proxy, called directly (no AWS in
 * the path). XKS has no GenerateDataKey: data keys are made here with a CSPRNG
 * (`crypto.randomBytes`) and wrapped with XKS Encrypt; the encryption context is bound
 * through the AAD. EDKs use provider ID `sealflow-xks` (README "EDK layout").
 *
 * Failures are `KeyStoreError`s whose message names this store's `id`, the step and
 * the reason, with the XKS request ID; every call publishes `sealflow:keystore:call`.
 * The data key travels to the proxy Base64-encoded inside the request body: a JS
 * string that cannot be wiped, as with any KMS client.
 */
export class XksKeyStore implements KeyStore {
  readonly id: string;
  readonly principal: string;
  /** This store publishes its own `sealflow:keystore:call` events (with request IDs). */
  readonly publishesCallEvents = true;
  readonly #options: ResolvedClientOptions;
  readonly #transport: XksTransport;

  /** @throws {InvalidArgumentError} for invalid options (each message names the field). */
  constructor(options: XksKeyStoreOptions) {
    this.#options = resolveClientOptions(options);
    this.id = this.#options.id;
    this.principal = this.#options.principal;
    this.#transport = new XksTransport(this.#options);
  }

  /** The external key ID this store wraps under. */
  get keyId(): string {
    return this.#options.keyId;
  }

  /** True for well-formed `sealflow-xks` EDKs naming this store's external key. */
  canUnwrap(edk: EncryptedDataKey): boolean {
    return edk.providerId === XKS_PROVIDER_ID && decodeXksEdk(edk)?.keyId === this.#options.keyId;
  }

  /**
   * Makes a data key locally with a CSPRNG and wraps it with XKS Encrypt.
   * @throws {KeyStoreError} (the new key is destroyed first).
   */
  async generateDataKey(request: GenerateRequest): Promise<GeneratedDataKey> {
    const keyId =
      request.keyId === undefined
        ? this.#options.keyId
        : assertPattern(request.keyId, 'generateDataKey: keyId', EXTERNAL_KEY_ID, 'an external key ID');
    assertInteger(request.length, 'generateDataKey: length', 1, 4096);
    const dataKey = new DataKey(new Uint8Array(randomBytes(request.length)));
    try {
      const encryptedDataKey = await this.#wrap('generate', 'GenerateDataKey', keyId, dataKey, request);
      return { dataKey, encryptedDataKey };
    } catch (error) {
      dataKey.destroy();
      throw error;
    }
  }

  /** Wraps an existing data key with XKS Encrypt. @throws {KeyStoreError} */
  async wrapDataKey(dataKey: DataKey, request: KeyStoreRequest): Promise<EncryptedDataKey> {
    return this.#wrap('wrap', 'Encrypt', this.#options.keyId, dataKey, request);
  }

  /**
   * Unwraps an EDK with XKS Decrypt under `request.context`; the caller destroys the key.
   * @throws {KeyStoreError} `ERR_INVALID_KEY_CIPHERTEXT` for an EDK this store cannot read.
   */
  async unwrapDataKey(edk: EncryptedDataKey, request: KeyStoreRequest): Promise<DataKey> {
    const fields = decodeXksEdk(edk);
    if (fields === undefined || fields.keyId !== this.#options.keyId || fields.ciphertext.length !== request.length) {
      throw new KeyStoreError(
        ErrorCodes.INVALID_KEY_CIPHERTEXT,
        `XKS key store "${this.id}" cannot read this encrypted data key`,
        {
          store: this.id,
          keyId: this.#options.keyId,
        },
      );
    }
    const aad = contextAad(request.context);
    return this.#call('unwrap', 'unwrap the data key', fields.keyId, async (requestId) => {
      const json = await this.#transport.call(
        'Decrypt',
        fields.keyId,
        {
          requestMetadata: this.#metadata(requestId, 'Decrypt'),
          ciphertext: encodeBase64(fields.ciphertext),
          initializationVector: encodeBase64(fields.iv),
          authenticationTag: encodeBase64(fields.tag),
          encryptionAlgorithm: XKS_ENCRYPTION_ALGORITHM,
          additionalAuthenticatedData: encodeBase64(aad),
          ...(fields.ciphertextMetadata === undefined
            ? {}
            : { ciphertextMetadata: encodeBase64(fields.ciphertextMetadata) }),
        },
        requestId,
        request.signal,
      );
      const plaintext = checkDecryptAnswer(json, fields.ciphertext.length);
      if (typeof plaintext === 'string') throw new MalformedAnswer(plaintext);
      return new DataKey(plaintext);
    });
  }

  /** GetKeyMetadata for this store's key. @throws {KeyStoreError} */
  async describeKey(): Promise<XksKeyMetadata> {
    return this.#call(undefined, 'describe the key', this.#options.keyId, async (requestId) => {
      const json = await this.#transport.call(
        'GetKeyMetadata',
        this.#options.keyId,
        { requestMetadata: this.#metadata(requestId, 'DescribeKey') },
        requestId,
      );
      const answer = checkMetadataAnswer(json);
      if (typeof answer === 'string') throw new MalformedAnswer(answer);
      return answer;
    });
  }

  /**
   * GetHealthStatus. Resolves with the proxy's report when it answers 200 (each member's
   * `healthStatus` says more); rejects when the proxy is unreachable, slow or unhealthy.
   * @throws {KeyStoreError}
   */
  async checkHealth(): Promise<XksHealthStatus> {
    return this.#call(undefined, 'check health', this.#options.keyId, async (requestId) => {
      const json = await this.#transport.call(
        'GetHealthStatus',
        undefined,
        { requestMetadata: { kmsRequestId: requestId, kmsOperation: 'KmsHealthCheck' } },
        requestId,
      );
      const answer = checkHealthAnswer(json);
      if (typeof answer === 'string') throw new MalformedAnswer(answer);
      return answer;
    });
  }

  /** Closes idle connections to the proxy. The store can still be used afterwards. */
  close(): void {
    this.#transport.close();
  }

  async #wrap(
    operation: KeyStoreOperation,
    kmsOperation: string,
    keyId: string,
    dataKey: DataKey,
    request: KeyStoreRequest,
  ): Promise<EncryptedDataKey> {
    if (!(dataKey instanceof DataKey)) throw invalidArgument('wrapDataKey: expected a DataKey');
    const aad = contextAad(request.context);
    const integrity = this.#options.integrityCheck;
    return this.#call(operation, 'wrap the data key', keyId, async (requestId) => {
      const json = await this.#transport.call(
        'Encrypt',
        keyId,
        {
          requestMetadata: this.#metadata(requestId, kmsOperation),
          plaintext: encodeBase64(dataKey.reveal()),
          encryptionAlgorithm: XKS_ENCRYPTION_ALGORITHM,
          additionalAuthenticatedData: encodeBase64(aad),
          ...(integrity ? { ciphertextDataIntegrityValueAlgorithm: XKS_CDIV_ALGORITHM } : {}),
        },
        requestId,
        request.signal,
      );
      const answer = checkEncryptAnswer(json, dataKey.length, aad, integrity);
      if (typeof answer === 'string') throw new MalformedAnswer(answer);
      return encodeXksEdk({ keyId, ...answer });
    });
  }

  #metadata(requestId: string, kmsOperation: string): Record<string, string> {
    return {
      kmsRequestId: requestId,
      kmsOperation,
      awsPrincipalArn: this.principal,
      kmsKeyArn: this.#options.kmsKeyArn,
    };
  }

  /**
   * Runs one logical call with a fresh request ID and maps its failures; key-store
   * operations (not describeKey or checkHealth) also publish their call event.
   */
  async #call<T>(
    operation: KeyStoreOperation | undefined,
    step: string,
    keyId: string,
    run: (requestId: string) => Promise<T>,
  ): Promise<T> {
    const requestId = randomUUID();
    const mapped = async (): Promise<T> => {
      try {
        return await run(requestId);
      } catch (error) {
        const failure: CallFailure | undefined =
          error instanceof XksCallError
            ? error.failure
            : error instanceof MalformedAnswer
              ? { kind: 'malformed', why: error.message }
              : undefined;
        throw failure === undefined ? error : toKeyStoreError(this.id, keyId, step, failure, requestId, error);
      }
    };
    return operation === undefined
      ? mapped()
      : timeKeyStoreCall({ store: this.id, operation, keyId, requestId }, mapped);
  }
}
