import { readFile } from 'node:fs/promises';
import type { KeyStore } from '@sealflow/core';
import { Env } from './keystore-path.js';
import type { StoreChoice } from './store-flags.js';
import { usageError } from '../options/usage-error.js';

/** A key store the command opened, and how to let it go. */
export interface OpenedStore {
  readonly store: KeyStore;
  /** Releases the store (the embedded KMS flushes its audit trail and wipes its keys). */
  close(): Promise<void>;
}

/**
 * AWS KMS through `@aws-sdk/client-kms`, credentials from the SDK's default chain
 * (environment, shared files, instance roles). Encrypt uses `--key` (default
 * `alias/aws/s3`); decrypt names `--key` when given, else runs in discovery mode (any
 * `aws-kms` EDK in the region, KMS applies its policy).
 * @throws {InvalidArgumentError} (rejects) for a malformed region, endpoint or key identifier.
 */
export async function openAwsStore(
  choice: Extract<StoreChoice, { kind: 'aws' }>,
  key: string | undefined,
  purpose: 'encrypt' | 'decrypt',
): Promise<OpenedStore> {
  // The SDK's notice about future Node versions would land in the middle of the CLI's
  // stderr (progress, one-line errors); the README says so, and a user can turn it back on.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  // Loaded on demand: the AWS SDK costs a noticeable part of a second to import.
  const { AwsKmsKeyStore } = await import('@sealflow/keystore-aws-kms');
  const store = new AwsKmsKeyStore({
    region: choice.region,
    ...(choice.endpoint === undefined ? {} : { endpoint: choice.endpoint }),
    ...(key !== undefined ? { keyId: key } : purpose === 'decrypt' ? { discovery: true as const } : {}),
  });
  return { store, close: async () => store.close() };
}

/**
 * An XKS proxy, called directly (no AWS in the path). The external key comes from
 * `--key` or `$SEALFLOW_XKS_KEY_ID`; the SigV4 credential from
 * `$SEALFLOW_XKS_ACCESS_KEY_ID` / `$SEALFLOW_XKS_SECRET_ACCESS_KEY`; an optional client
 * certificate from `$SEALFLOW_XKS_CLIENT_CERT` / `$SEALFLOW_XKS_CLIENT_KEY` and a CA from
 * `$SEALFLOW_XKS_CA` (PEM file paths).
 * @throws {InvalidArgumentError} when the key or credential is missing.
 */
export async function openXksStore(
  choice: Extract<StoreChoice, { kind: 'xks' }>,
  key: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<OpenedStore> {
  const keyId = key ?? env[Env.xksKeyId];
  if (keyId === undefined || keyId === '') throw usageError(`--xks: needs --key EXTERNAL_KEY_ID (or ${Env.xksKeyId})`);
  const accessKeyId = env[Env.xksAccessKeyId];
  const secretAccessKey = env[Env.xksSecretAccessKey];
  if (accessKeyId === undefined || secretAccessKey === undefined) {
    throw usageError(
      `--xks: set ${Env.xksAccessKeyId} and ${Env.xksSecretAccessKey} to the credential the proxy issued`,
    );
  }
  const pem = async (name: string): Promise<Uint8Array | undefined> => {
    const path = env[name];
    return path === undefined || path === '' ? undefined : new Uint8Array(await readFile(path));
  };
  const [ca, cert, clientKey] = await Promise.all([
    pem('SEALFLOW_XKS_CA'),
    pem('SEALFLOW_XKS_CLIENT_CERT'),
    pem('SEALFLOW_XKS_CLIENT_KEY'),
  ]);
  const tls = {
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined ? {} : { cert }),
    ...(clientKey === undefined ? {} : { key: clientKey }),
  };
  const { XksKeyStore } = await import('@sealflow/keystore-xks');
  const store = new XksKeyStore({
    endpoint: choice.endpoint,
    uriPrefix: choice.uriPrefix,
    keyId,
    region: choice.region,
    credentials: { accessKeyId, secretAccessKey },
    // The CLI is one request at a time and may cross a WAN: a wider deadline than KMS's 250 ms.
    timeoutMs: 5000,
    ...(Object.keys(tls).length === 0 ? {} : { tls }),
  });
  return { store, close: async () => store.close() };
}
