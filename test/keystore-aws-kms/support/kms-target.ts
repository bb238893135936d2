// A KMS implementation the contract suite runs against: an emulator reached over HTTP
// (moto, local-kms), or the in-process MemoryKms. Each gives the suite an admin client
// (create keys and aliases, disable keys) and a factory for key stores over it.
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DisableKeyCommand,
  KMSClient,
  type KMSClientConfig,
} from '@aws-sdk/client-kms';
import { AwsKmsKeyStore, type AwsKmsKeyStoreOptions } from '@sealflow/keystore-aws-kms';

import { KmsEmulatorEnv, LOCAL_KMS_ACCOUNT, LOCAL_KMS_REGION, MOTO_ACCOUNT } from '../../setup/kms-emulator-env.js';

export interface CreatedKey {
  /** The bare key ID (a UUID). */
  readonly keyId: string;
  /** The full key ARN. */
  readonly arn: string;
}

/** Store options the suite chooses; the target supplies the client. */
export type StoreOptions = Omit<AwsKmsKeyStoreOptions, 'client' | 'region' | 'endpoint' | 'credentials'>;

export interface KmsTarget {
  readonly name: string;
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
  createKey(): Promise<CreatedKey>;
  createAlias(aliasName: string, keyId: string): Promise<void>;
  disableKey(keyId: string): Promise<void>;
  /** A key store over this KMS. */
  store(options: StoreOptions): AwsKmsKeyStore;
  /** Releases clients (sockets). */
  close(): void;
}

export const TEST_CREDENTIALS = { accessKeyId: 'AKIDSEALFLOWTEST', secretAccessKey: 'sealflow-test-secret' } as const;

/** SDK client config for an emulator endpoint; the SDK's retries are off (ours run). */
export function emulatorClientConfig(endpoint: string, region: string): KMSClientConfig {
  return { endpoint, region, credentials: TEST_CREDENTIALS, maxAttempts: 1 };
}

/** A target over an HTTP KMS emulator. */
export function httpTarget(name: string, endpoint: string, region: string, accountId: string): KmsTarget {
  const admin = new KMSClient(emulatorClientConfig(endpoint, region));
  const stores: AwsKmsKeyStore[] = [];
  return {
    name,
    region,
    accountId,
    partition: 'aws',
    async createKey() {
      const out = await admin.send(new CreateKeyCommand({ Description: `sealflow contract suite (${name})` }));
      const meta = out.KeyMetadata;
      if (meta?.KeyId === undefined || meta.Arn === undefined) throw new Error(`${name}: CreateKey returned no key`);
      return { keyId: meta.KeyId, arn: meta.Arn };
    },
    async createAlias(aliasName, keyId) {
      await admin.send(new CreateAliasCommand({ AliasName: aliasName, TargetKeyId: keyId }));
    },
    async disableKey(keyId) {
      await admin.send(new DisableKeyCommand({ KeyId: keyId }));
    },
    store(options) {
      const store = new AwsKmsKeyStore({ ...options, region, endpoint, credentials: TEST_CREDENTIALS });
      stores.push(store);
      return store;
    },
    close() {
      for (const store of stores) store.close();
      admin.destroy();
    },
  };
}

/** The emulators the global setup started (absent ones are undefined: their suites do not run). */
export const emulatorEndpoints = {
  moto: process.env[KmsEmulatorEnv.motoEndpoint],
  localKms: process.env[KmsEmulatorEnv.localKmsEndpoint],
} as const;

export function motoTarget(endpoint: string): KmsTarget {
  // moto takes the region from the request's SigV4 scope; any region works.
  return httpTarget('moto', endpoint, 'us-east-1', MOTO_ACCOUNT);
}

export function localKmsTarget(endpoint: string): KmsTarget {
  // local-kms serves the one region and account it was started with (test/setup).
  return httpTarget('local-kms', endpoint, LOCAL_KMS_REGION, LOCAL_KMS_ACCOUNT);
}
