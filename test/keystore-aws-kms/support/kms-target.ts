// A KMS implementation the contract suite runs against: an emulator reached over HTTP
// (moto, local-kms), or the in-process MemoryKms. Each gives the suite an admin side
// (create keys and aliases, disable keys), key stores over it, and a record of the
// requests those stores sent (operation, KeyId, EncryptionContext; never key material).
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DisableKeyCommand,
  KMSClient,
  UpdateAliasCommand,
  type KMSClientConfig,
} from '@aws-sdk/client-kms';
import type { KeyStore } from '@sealflow/core';
import { AwsKmsKeyStore, type AwsKmsKeyStoreOptions } from '@sealflow/keystore-aws-kms';

import { LOCAL_KMS_ACCOUNT, LOCAL_KMS_REGION, MOTO_ACCOUNT } from '../../setup/kms-emulator-env.js';
import { requireLocalKms, requireMoto } from '../../setup/required-services.js';

export interface CreatedKey {
  /** The bare key ID (a UUID). */
  readonly keyId: string;
  /** The full key ARN. */
  readonly arn: string;
}

/** One KMS request a store sent, as the target saw it. */
export interface SentRequest {
  readonly operation: string;
  readonly keyId: string | undefined;
  readonly context: Readonly<Record<string, string>>;
}

/** Store options the suite chooses; the target supplies the client. */
export type StoreOptions = Omit<AwsKmsKeyStoreOptions, 'client' | 'region' | 'endpoint' | 'credentials'>;

/** Where an implementation knowingly differs from AWS KMS (each use says why). */
export interface Divergences {
  /** DisableKey makes GenerateDataKey/Encrypt/Decrypt fail with DisabledException. */
  readonly enforcesKeyState: boolean;
  /** Answers carry an `x-amzn-RequestId`. */
  readonly returnsRequestIds: boolean;
}

export interface KmsTarget {
  readonly name: string;
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
  readonly divergences: Divergences;
  createKey(): Promise<CreatedKey>;
  createAlias(aliasName: string, keyId: string): Promise<void>;
  updateAlias(aliasName: string, keyId: string): Promise<void>;
  disableKey(keyId: string): Promise<void>;
  /** A key store over this KMS through a client that records what it sends. */
  store(options: StoreOptions): KeyStore;
  /** A key store that builds its own client from region, endpoint and credentials (HTTP targets). */
  builtStore?(options: StoreOptions): AwsKmsKeyStore;
  /** Requests sent by stores from {@link store} since the last call (then forgets them). */
  takeRequests(): SentRequest[];
  /** Releases clients (sockets). */
  close(): void;
}

export const TEST_CREDENTIALS = { accessKeyId: 'AKIDSEALFLOWTEST', secretAccessKey: 'sealflow-test-secret' } as const;

/** SDK client config for an emulator endpoint; the SDK's retries are off (ours run). */
export function emulatorClientConfig(endpoint: string, region: string): KMSClientConfig {
  return { endpoint, region, credentials: TEST_CREDENTIALS, maxAttempts: 1 };
}

interface HttpTargetSpec {
  readonly name: string;
  readonly endpoint: string;
  readonly region: string;
  readonly accountId: string;
  readonly divergences: Divergences;
}

/** A target over an HTTP KMS emulator. */
export function httpTarget(spec: HttpTargetSpec): KmsTarget {
  const { name, endpoint, region } = spec;
  const admin = new KMSClient(emulatorClientConfig(endpoint, region));
  const clients: KMSClient[] = [admin];
  const stores: AwsKmsKeyStore[] = [];
  let sent: SentRequest[] = [];
  return {
    name,
    region,
    accountId: spec.accountId,
    partition: 'aws',
    divergences: spec.divergences,
    async createKey() {
      const out = await admin.send(new CreateKeyCommand({ Description: `sealflow contract suite (${name})` }));
      const meta = out.KeyMetadata;
      if (meta?.KeyId === undefined || meta.Arn === undefined) throw new Error(`${name}: CreateKey returned no key`);
      return { keyId: meta.KeyId, arn: meta.Arn };
    },
    async createAlias(aliasName, keyId) {
      await admin.send(new CreateAliasCommand({ AliasName: aliasName, TargetKeyId: keyId }));
    },
    async updateAlias(aliasName, keyId) {
      await admin.send(new UpdateAliasCommand({ AliasName: aliasName, TargetKeyId: keyId }));
    },
    async disableKey(keyId) {
      await admin.send(new DisableKeyCommand({ KeyId: keyId }));
    },
    store(options) {
      const client = new KMSClient(emulatorClientConfig(endpoint, region));
      // Records each request's operation, KeyId and context before it is signed and sent.
      client.middlewareStack.add(
        (next, context) => async (args) => {
          const input = args.input as { KeyId?: string; EncryptionContext?: Record<string, string> };
          sent.push({
            operation: String(context.commandName).replace(/Command$/, ''),
            keyId: input.KeyId,
            context: { ...input.EncryptionContext },
          });
          return next(args);
        },
        { step: 'initialize', name: 'sealflowRecordRequests' },
      );
      clients.push(client);
      return new AwsKmsKeyStore({ ...options, client });
    },
    builtStore(options) {
      const store = new AwsKmsKeyStore({ ...options, region, endpoint, credentials: TEST_CREDENTIALS });
      stores.push(store);
      return store;
    },
    takeRequests() {
      const out = sent;
      sent = [];
      return out;
    },
    close() {
      for (const store of stores) store.close();
      for (const client of clients) client.destroy();
    },
  };
}

/**
 * The emulators the global setup started. Reading one that is not running throws, naming
 * how to install it (`test/setup/required-services.ts`): its suites fail, never skip.
 */
export const emulatorEndpoints = {
  get moto(): string {
    return requireMoto();
  },
  get localKms(): string {
    return requireLocalKms();
  },
};

// moto 5.2.5 records DisableKey (DescribeKey shows Disabled) but its GenerateDataKey,
// Encrypt and Decrypt never look at the key state (moto/kms/models.py).
export const MOTO_DIVERGENCES: Divergences = { enforcesKeyState: false, returnsRequestIds: true };
// local-kms sends no x-amzn-RequestId header, so its errors and events carry no request ID.
export const LOCAL_KMS_DIVERGENCES: Divergences = { enforcesKeyState: true, returnsRequestIds: false };

export function motoTarget(endpoint: string): KmsTarget {
  return httpTarget({
    name: 'moto',
    endpoint,
    // moto takes the region from the request's SigV4 scope; any region works.
    region: 'us-east-1',
    accountId: MOTO_ACCOUNT,
    divergences: MOTO_DIVERGENCES,
  });
}

export function localKmsTarget(endpoint: string): KmsTarget {
  return httpTarget({
    name: 'local-kms',
    endpoint,
    // local-kms serves the one region and account it was started with (test/setup).
    region: LOCAL_KMS_REGION,
    accountId: LOCAL_KMS_ACCOUNT,
    divergences: LOCAL_KMS_DIVERGENCES,
  });
}
