import { channel } from 'node:diagnostics_channel';
import {
  ErrorCodes,
  isKmsKeyArn,
  KeyStoreError,
  KmsKeyStore,
  mapKmsError,
  type KeyStore,
  type KmsCallOptions,
  type KmsClientLike,
  type KmsDecryptInput,
  type KmsEncryptInput,
  type KmsGenerateDataKeyInput,
} from '@sealflow/core';
import { currentRequest } from './request-context.js';

/**
 * Where `S3Service` gets keys: one key store per principal (so bucket-key caches never
 * cross principals), key resolution to full ARNs, and the AWS-managed key. `kmsKeyProvider`
 * implements it over any KMS-shaped client (`MemoryKms`, the AWS SDK v3 `KMS` client);
 * an XKS or other deployment implements these three methods over its own stores.
 */
export interface S3KeyProvider {
  /** A store acting as `principal`: generates under the per-call key ID (a full ARN) and unwraps the EDKs it owns. */
  keyStoreFor(principal: string): KeyStore;
  /** A store acting as `principal` that wraps data keys under `keyArn` (the re-key target). */
  wrappingStoreFor(principal: string, keyArn: string): KeyStore;
  /**
   * The full key ARN of a key ID, key ARN, alias name or alias ARN, resolved in the caller's
   * account; `alias/aws/s3` is created there on first use. Only symmetric encryption keys.
   * @throws {KeyStoreError} ERR_KEY_NOT_FOUND, ERR_UNSUPPORTED_KEY, ERR_ACCESS_DENIED, ... (rejects)
   */
  resolveKey(principal: string, accountId: string, keyId: string): Promise<string>;
}

/** Key metadata as DescribeKey and CreateKey answer it (the fields used). */
export interface S3KmsKeyMetadata {
  readonly Arn?: string | undefined;
  readonly KeyId?: string | undefined;
  readonly KeySpec?: string | undefined;
  readonly KeyUsage?: string | undefined;
}

/** The KMS calls `kmsKeyProvider` makes: the keyring's three plus DescribeKey, CreateKey, CreateAlias. */
export interface S3KmsClient extends KmsClientLike {
  describeKey(
    input: { KeyId: string },
    options?: KmsCallOptions,
  ): Promise<{ readonly KeyMetadata?: S3KmsKeyMetadata | undefined }>;
  createKey(
    input: { Description?: string },
    options?: KmsCallOptions,
  ): Promise<{ readonly KeyMetadata?: S3KmsKeyMetadata | undefined }>;
  createAlias(input: { AliasName: string; TargetKeyId: string }, options?: KmsCallOptions): Promise<unknown>;
}

/** One KMS call made while serving an S3 request, as the S3 layer audits it. */
export interface S3KmsAuditRecord {
  readonly eventName: 'GenerateDataKey' | 'Encrypt' | 'Decrypt';
  /** The S3 request the call served (undefined outside an `S3Service` call). */
  readonly requestId: string | undefined;
  readonly principal: string;
  /** The key ARN KMS answered with (the requested identifier when the call failed). */
  readonly keyId: string | undefined;
  readonly encryptionContext: Readonly<Record<string, string>>;
  /** KMS's own request ID (links to its audit trail, e.g. MemoryKms `auditLog()` or CloudTrail). */
  readonly kmsRequestId: string | undefined;
  readonly time: string;
  readonly errorCode?: string;
}

/** Every audited KMS call is published here as an `S3KmsAuditRecord`. */
export const S3_KMS_AUDIT_CHANNEL = 'sealflow:s3:kms-call';
const auditChannel = channel(S3_KMS_AUDIT_CHANNEL);

export interface KmsKeyProviderOptions {
  /** The KMS client acting as `principal` (e.g. `(p) => kms.as(p)` for MemoryKms; an SDK client per role). */
  readonly clientFor: (principal: string) => S3KmsClient;
  /** Called with every audited KMS call. */
  readonly audit?: (record: S3KmsAuditRecord) => void;
  /** How long a resolved key ARN is reused, in ms (default 60 s; 0 resolves on every request). */
  readonly resolveCacheMs?: number;
}

const AWS_MANAGED_ALIAS = 'alias/aws/s3';

function audited(
  client: S3KmsClient,
  principal: string,
  sink: ((record: S3KmsAuditRecord) => void) | undefined,
): S3KmsClient {
  const record = (
    eventName: S3KmsAuditRecord['eventName'],
    input: { KeyId?: string | undefined; EncryptionContext?: Record<string, string> | undefined },
    out: { KeyId?: string | undefined; $metadata?: { requestId?: string | undefined } | undefined } | undefined,
    error?: unknown,
  ): void => {
    const failed = error as { name?: unknown; $metadata?: { requestId?: unknown } } | undefined;
    const entry: S3KmsAuditRecord = {
      eventName,
      requestId: currentRequest()?.requestId,
      principal,
      keyId: out?.KeyId ?? input.KeyId,
      encryptionContext: { ...input.EncryptionContext },
      kmsRequestId:
        out?.$metadata?.requestId ??
        (typeof failed?.$metadata?.requestId === 'string' ? failed.$metadata.requestId : undefined),
      time: new Date().toISOString(),
      ...(error === undefined ? {} : { errorCode: typeof failed?.name === 'string' ? failed.name : 'Error' }),
    };
    sink?.(entry);
    if (auditChannel.hasSubscribers) auditChannel.publish(entry);
  };
  async function call<
    I extends { KeyId?: string | undefined; EncryptionContext?: Record<string, string> | undefined },
    O extends { KeyId?: string | undefined },
  >(eventName: S3KmsAuditRecord['eventName'], input: I, fn: () => Promise<O>): Promise<O> {
    try {
      const out = await fn();
      record(eventName, input, out as O & { $metadata?: { requestId?: string } });
      return out;
    } catch (error) {
      record(eventName, input, undefined, error);
      throw error;
    }
  }
  return {
    generateDataKey: (input: KmsGenerateDataKeyInput, options?: KmsCallOptions) =>
      call('GenerateDataKey', input, () => client.generateDataKey(input, options)),
    encrypt: (input: KmsEncryptInput, options?: KmsCallOptions) =>
      call('Encrypt', input, () => client.encrypt(input, options)),
    decrypt: (input: KmsDecryptInput, options?: KmsCallOptions) =>
      call('Decrypt', input, () => client.decrypt(input, options)),
    describeKey: (input, options) => client.describeKey(input, options),
    createKey: (input, options) => client.createKey(input, options),
    createAlias: (input, options) => client.createAlias(input, options),
  };
}

/**
 * An `S3KeyProvider` over KMS-shaped clients. Every GenerateDataKey, Encrypt and Decrypt
 * is audited with the S3 request ID of the `S3Service` call it serves.
 * @throws {TypeError} when `clientFor` is not a function
 */
export function kmsKeyProvider(options: KmsKeyProviderOptions): S3KeyProvider {
  if (typeof options?.clientFor !== 'function') throw new TypeError('kmsKeyProvider: clientFor must be a function');
  const clients = new Map<string, S3KmsClient>();
  const stores = new Map<string, KeyStore>();
  const resolved = new Map<string, { arn: string; until: number }>();
  const pending = new Map<string, Promise<string>>();
  const cacheMs = options.resolveCacheMs ?? 60_000;
  const clientOf = (principal: string): S3KmsClient => {
    let client = clients.get(principal);
    if (client === undefined) {
      client = audited(options.clientFor(principal), principal, options.audit);
      clients.set(principal, client);
    }
    return client;
  };
  const describe = async (principal: string, keyId: string): Promise<string> => {
    const client = clientOf(principal);
    let meta: S3KmsKeyMetadata | undefined;
    try {
      meta = (await client.describeKey({ KeyId: keyId })).KeyMetadata;
    } catch (error) {
      throw mapKmsError(error, { keyId });
    }
    const arn = meta?.Arn;
    if (arn === undefined || !isKmsKeyArn(arn))
      throw new KeyStoreError(ErrorCodes.KEY_STORE_FAILED, `DescribeKey ${keyId}: the answer has no key ARN`, {
        keyId,
      });
    // spec: s3-gateway.md "Keys and errors": only symmetric encryption keys.
    if (
      (meta?.KeySpec !== undefined && meta.KeySpec !== 'SYMMETRIC_DEFAULT') ||
      (meta?.KeyUsage !== undefined && meta.KeyUsage !== 'ENCRYPT_DECRYPT')
    ) {
      throw new KeyStoreError(ErrorCodes.UNSUPPORTED_KEY, `key ${arn} is not a symmetric encryption key`, {
        keyId: arn,
      });
    }
    return arn;
  };
  const awsManaged = async (principal: string): Promise<string> => {
    try {
      return await describe(principal, AWS_MANAGED_ALIAS);
    } catch (error) {
      if (!(error instanceof KeyStoreError) || error.code !== ErrorCodes.KEY_NOT_FOUND) throw error;
    }
    // First use in this account: create the key and its alias. A concurrent creator may win
    // the alias; then its key is the one (AlreadyExistsException), so describe again.
    const client = clientOf(principal);
    try {
      const created = await client.createKey({
        Description: 'Default key that protects my S3 objects when no other key is defined',
      });
      const keyId = created.KeyMetadata?.KeyId ?? created.KeyMetadata?.Arn;
      if (keyId === undefined)
        throw new KeyStoreError(ErrorCodes.KEY_STORE_FAILED, 'CreateKey: the answer has no key ID');
      await client.createAlias({ AliasName: AWS_MANAGED_ALIAS, TargetKeyId: keyId });
    } catch (error) {
      if ((error as { name?: unknown }).name !== 'AlreadyExistsException')
        throw error instanceof KeyStoreError ? error : mapKmsError(error, { keyId: AWS_MANAGED_ALIAS });
    }
    return describe(principal, AWS_MANAGED_ALIAS);
  };
  return {
    keyStoreFor(principal) {
      let store = stores.get(principal);
      if (store === undefined) {
        store = new KmsKeyStore({ client: clientOf(principal), discovery: true, principal, id: `s3-kms:${principal}` });
        stores.set(principal, store);
      }
      return store;
    },
    wrappingStoreFor(principal, keyArn) {
      return new KmsKeyStore({
        client: clientOf(principal),
        keyId: keyArn,
        principal,
        id: `s3-kms-rewrap:${principal}`,
      });
    },
    async resolveKey(principal, accountId, keyId) {
      const cacheKey = `${principal}\u0000${accountId}\u0000${keyId}`;
      const hit = resolved.get(cacheKey);
      if (hit !== undefined && hit.until > Date.now()) return hit.arn;
      let flight = pending.get(cacheKey);
      if (flight === undefined) {
        flight = (keyId === AWS_MANAGED_ALIAS ? awsManaged(principal) : describe(principal, keyId)).finally(() =>
          pending.delete(cacheKey),
        );
        pending.set(cacheKey, flight);
      }
      const arn = await flight;
      if (cacheMs > 0) resolved.set(cacheKey, { arn, until: Date.now() + cacheMs });
      return arn;
    },
  };
}
