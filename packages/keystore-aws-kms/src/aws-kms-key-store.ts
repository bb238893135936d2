import { KMSClient, type KMSClientConfig } from '@aws-sdk/client-kms';
import {
  ErrorCodes,
  KeyStoreError,
  KmsKeyStore,
  type KeyStoreOperation,
  type DataKey,
  type EncryptedDataKey,
  type GenerateRequest,
  type GeneratedDataKey,
  type KeyStore,
  type KeyStoreRequest,
  type KmsDiscoveryFilter,
  type KmsKeyStoreOptions,
} from '@sealflow/core';
import { invalid, invalidArgument, readOptions } from '@sealflow/core/validate';
import { publishKeyStoreCall } from '@sealflow/core/keystore-kit';

import { assertEndpoint } from './endpoint-url.js';
import {
  assertKeyIdentifier,
  assertRegion,
  assertRegionName,
  edkArn,
  edkRegion,
  parseKeyIdentifier,
} from './key-identifier.js';
import { KmsAuditor } from './kms-audit.js';
import { KmsCaller } from './kms-caller.js';
import { resolveRetryPolicy, type RetryPolicy } from './retry-policy.js';
import { RetryingKmsClient, type KmsSendClient } from './retrying-kms-client.js';

export interface AwsKmsKeyStoreOptions {
  /**
   * An SDK v3 `KMSClient` to use as is (its own retries add to ours: build it with
   * `maxAttempts: 1`). Without it the store builds one from `region`, `endpoint` and
   * `credentials`, with the SDK's retries off, and destroys it on {@link AwsKmsKeyStore.close}.
   */
  readonly client?: KmsSendClient;
  /** Region of the client the store builds (required without `client`). */
  readonly region?: string;
  /** Endpoint of the client the store builds (a KMS emulator, a VPC endpoint): an `http:` or `https:` origin, e.g. `http://127.0.0.1:4566`. */
  readonly endpoint?: string;
  /** Credentials of the client the store builds (default: the SDK's provider chain). */
  readonly credentials?: NonNullable<KMSClientConfig['credentials']>;
  /** Key used to generate and wrap: key ID, key ARN, alias name or alias ARN (key ARN only when `strictArns`). */
  readonly keyId?: string;
  /** Strict decrypt: only EDKs of these key ARNs are unwrapped. */
  readonly keyIds?: readonly string[];
  /** Discovery decrypt: any `aws-kms` EDK in the client's region, optionally filtered by partition and accounts. */
  readonly discovery?: true | KmsDiscoveryFilter;
  /** Passed on every KMS call. */
  readonly grantTokens?: readonly string[];
  /** Accept full key ARNs only, for configuration and per-call key IDs. Default false. */
  readonly strictArns?: boolean;
  /** The caller this store acts as (bucket-key cache partitions on it). */
  readonly principal?: string;
  /** Overrides the store `id` (default `aws-kms:<keyId>`). */
  readonly id?: string;
  /** Retries for throttling, 5xx, network errors and timeouts. Default 3 attempts, 100 ms base, 5 s cap. */
  readonly retry?: Partial<RetryPolicy>;
  /** Deadline of each attempt in milliseconds; 0 turns it off. Default 10000. */
  readonly timeoutMs?: number;
}

const OPTION_KEYS = [
  'client',
  'region',
  'endpoint',
  'credentials',
  'keyId',
  'keyIds',
  'discovery',
  'grantTokens',
  'strictArns',
  'principal',
  'id',
  'retry',
  'timeoutMs',
] as const;
// strictArns is enforced here, not passed on: core's KmsKeyStore would then insist on a
// configured key ARN even for a decrypt-only store (keyIds or discovery, no keyId).
const INNER_KEYS = ['keyId', 'keyIds', 'discovery', 'grantTokens', 'principal', 'id'] as const;
const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * A sealflow key store backed by AWS KMS through `@aws-sdk/client-kms`.
 *
 * On the wire it is the ESDK AWS KMS keyring (core's `KmsKeyStore` writes the EDKs:
 * provider ID `aws-kms`, provider info = key ARN), so messages go both ways with
 * `@aws-crypto/client-node`'s `KmsKeyringNode`. Around it this class adds what a network
 * service needs: retries with backoff and jitter, per-attempt timeouts, AbortSignal
 * support, and the region check: every key ARN (configured, per call, or in an EDK) must
 * be in the client's region, checked before any call.
 */
export class AwsKmsKeyStore implements KeyStore {
  readonly id: string;
  readonly principal?: string;
  /** Every call publishes its own `sealflow:keystore:call` event (key, outcome, request ID); the engine adds none. */
  readonly publishesCallEvents = true;
  readonly #inner: KmsKeyStore;
  readonly #client: KmsSendClient;
  readonly #owned: KMSClient | undefined;
  readonly #strict: boolean;
  readonly #hasKeyId: boolean;
  readonly #keyId: string | undefined;
  readonly #configured: readonly { readonly value: string; readonly label: string }[];
  #region: string | undefined;
  #ready: Promise<void> | undefined;

  /**
   * @throws {InvalidArgumentError} `ERR_INVALID_ARGUMENT` for a missing, unknown or
   * malformed option, a non-ARN identifier in strict mode, or a key ARN in another region.
   */
  constructor(options: AwsKmsKeyStoreOptions) {
    const opts = readOptions(options, 'AwsKmsKeyStore', OPTION_KEYS);
    const retry = resolveRetryPolicy(opts.raw('retry'), 'AwsKmsKeyStore.retry');
    const timeoutMs = opts.integer('timeoutMs', 0, 600_000, DEFAULT_TIMEOUT_MS);
    this.#strict = opts.boolean('strictArns', false);

    // Our checks run before a client is built; if core's KmsKeyStore then refuses an
    // option, the client built is destroyed again.
    const injected = opts.raw('client');
    let build: KMSClientConfig | undefined;
    let injectedClient: KmsSendClient | undefined;
    if (injected !== undefined) {
      for (const key of ['region', 'endpoint', 'credentials'] as const) {
        if (opts.raw(key) !== undefined)
          throw invalidArgument(`AwsKmsKeyStore.${key}: configure the injected client instead, not both`);
      }
      injectedClient = assertClient(injected);
      const region = injectedClient.config.region;
      if (typeof region === 'string') this.#region = assertRegionName(region, 'AwsKmsKeyStore.client.config.region');
    } else {
      this.#region = assertRegionName(opts.raw('region'), 'AwsKmsKeyStore.region');
      const rawEndpoint = opts.optionalString('endpoint');
      const endpoint = rawEndpoint === undefined ? undefined : assertEndpoint(rawEndpoint, 'AwsKmsKeyStore.endpoint');
      const credentials = opts.raw('credentials');
      // maxAttempts 1: the SDK's own retries would multiply ours.
      build = {
        region: this.#region,
        maxAttempts: 1,
        ...(endpoint === undefined ? {} : { endpoint }),
        ...(credentials === undefined
          ? {}
          : { credentials: credentials as NonNullable<KMSClientConfig['credentials']> }),
      };
    }

    // Identifiers are checked here for form and strictness; their region is checked now
    // when the client's region is known, else before the first call.
    const configured: { value: string; label: string }[] = [];
    const keyId = opts.optionalString('keyId');
    this.#hasKeyId = keyId !== undefined;
    this.#keyId = keyId;
    if (keyId !== undefined) configured.push({ value: keyId, label: 'AwsKmsKeyStore.keyId' });
    for (const [i, arn] of (opts.stringArray('keyIds') ?? []).entries())
      configured.push({ value: arn, label: `AwsKmsKeyStore.keyIds[${i}]` });
    for (const { value, label } of configured)
      assertKeyIdentifier(value, label, this.#strict && label === 'AwsKmsKeyStore.keyId', this.#region);
    this.#configured = configured;

    const auditor = new KmsAuditor(() => this.#region, opts.optionalString('principal'));
    this.#owned = injectedClient === undefined ? new KMSClient(build as KMSClientConfig) : undefined;
    this.#client = injectedClient ?? (this.#owned as KMSClient);
    // Passed through as given: KmsKeyStore validates them (keyIds are ARNs, discovery
    // filter, grant tokens) with its own messages, so the declared types are its to check.
    const passed: { -readonly [K in (typeof INNER_KEYS)[number]]?: KmsKeyStoreOptions[K] } = {};
    for (const key of INNER_KEYS) {
      const value = opts.raw(key);
      if (value !== undefined) Object.assign(passed, { [key]: value });
    }
    const inner: KmsKeyStoreOptions = {
      ...passed,
      client: new RetryingKmsClient(this.#client, new KmsCaller({ retry, timeoutMs }), auditor),
    };
    try {
      this.#inner = new KmsKeyStore(inner);
    } catch (error) {
      this.#owned?.destroy();
      throw error;
    }
    this.id = this.#inner.id;
    if (this.#inner.principal !== undefined) this.principal = this.#inner.principal;
    // An SDK client's region is an async provider: resolve it now, so the region check
    // (and canUnwrap's region filter) is in force as early as possible. A failure is
    // reported by the first call, which awaits the same promise.
    if (this.#region === undefined) this.#whenReady().catch(() => {});
  }

  /** The client's region, once known (always, unless an injected client's region is an async provider not yet resolved). */
  get region(): string | undefined {
    return this.#region;
  }

  /** Whether this store may offer `edk` to KMS: core's rules, and the key ARN in the client's region. */
  canUnwrap(edk: EncryptedDataKey): boolean {
    if (!this.#inner.canUnwrap(edk)) return false;
    const region = edkRegion(edk);
    return this.#region === undefined || region === this.#region;
  }

  /**
   * KMS `GenerateDataKey` under the configured key (or `request.keyId`), with the full context.
   * @throws {InvalidArgumentError} for a per-call key ID that is malformed, not an ARN in
   * strict mode, or in another region. @throws {KeyStoreError} for KMS failures, mapped to
   * stable codes, with the SDK error as `cause` and the KMS request ID.
   */
  async generateDataKey(request: GenerateRequest): Promise<GeneratedDataKey> {
    await this.#precheck('generate', request.keyId ?? this.#keyId, () => {
      if (request.keyId !== undefined)
        assertKeyIdentifier(request.keyId, 'generateDataKey: keyId', this.#strict, this.#region);
      else this.#assertStrictKey('generateDataKey');
    });
    return this.#inner.generateDataKey(request);
  }

  /**
   * KMS `Encrypt` of an existing data key under the configured key.
   * @throws {KeyStoreError}
   */
  async wrapDataKey(dataKey: DataKey, request: KeyStoreRequest): Promise<EncryptedDataKey> {
    await this.#precheck('wrap', this.#keyId, () => this.#assertStrictKey('wrapDataKey'));
    return this.#inner.wrapDataKey(dataKey, request);
  }

  /**
   * KMS `Decrypt` of `edk` with the context.
   * @throws {KeyStoreError} `ERR_NO_DECRYPTABLE_KEY` before any call when the EDK is not
   * this store's (strict list, discovery filter, other region); else the mapped KMS failure.
   */
  async unwrapDataKey(edk: EncryptedDataKey, request: KeyStoreRequest): Promise<DataKey> {
    const region = edkRegion(edk);
    await this.#precheck('unwrap', edkArn(edk) ?? this.#keyId, () => {
      if (edk.providerId === 'aws-kms' && region !== undefined && region !== this.#region) {
        throw new KeyStoreError(
          ErrorCodes.NO_DECRYPTABLE_KEY,
          `the encrypted data key is under a key in region ${region}, but the KMS client is in ${String(this.#region)}`,
          { store: this.id },
        );
      }
    });
    return this.#inner.unwrapDataKey(edk, request);
  }

  /** Destroys the KMS client this store built (sockets); an injected client is left to its owner. */
  close(): void {
    this.#owned?.destroy();
  }

  /**
   * The checks made before any KMS call (client region, strictness). The engine leaves
   * call events to this store (`publishesCallEvents`), so a refusal here is published as
   * a failed call, like core's KmsKeyStore publishes the calls it makes.
   */
  async #precheck(operation: KeyStoreOperation, keyId: string | undefined, check: () => void): Promise<void> {
    const started = performance.now();
    try {
      await this.#whenReady();
      check();
    } catch (error) {
      publishKeyStoreCall({ store: this.id, operation, keyId }, started, { error });
      throw error;
    }
  }

  /** Strict mode never falls back to the default `alias/aws/s3`: a key ARN must be named. */
  #assertStrictKey(operation: string): void {
    if (this.#strict && !this.#hasKeyId) {
      throw invalidArgument(
        `${operation}: strict mode needs a key ARN: configure keyId or pass one per call (no default alias)`,
      );
    }
  }

  /** Resolves an injected client's async region once, then checks the configured ARNs against it. */
  #whenReady(): Promise<void> {
    if (this.#region !== undefined) return Promise.resolve();
    this.#ready ??= (async () => {
      const provider = this.#client.config.region;
      const region = assertRegionName(
        typeof provider === 'function' ? await (provider as () => Promise<unknown>)() : provider,
        'AwsKmsKeyStore.client.config.region',
      );
      for (const { value, label } of this.#configured) {
        const parsed = parseKeyIdentifier(value);
        if (parsed !== undefined) assertRegion(parsed, label, region);
      }
      this.#region = region;
    })();
    // A failed check fails every call the same way; it is not retried.
    return this.#ready;
  }
}

function assertClient(value: unknown): KmsSendClient {
  const client = value as Partial<KmsSendClient> | null;
  if (
    typeof client !== 'object' ||
    client === null ||
    typeof client.send !== 'function' ||
    typeof client.config !== 'object' ||
    client.config === null
  ) {
    throw invalid('AwsKmsKeyStore.client', 'an AWS SDK v3 KMSClient (send and config)', value);
  }
  return client as KmsSendClient;
}
