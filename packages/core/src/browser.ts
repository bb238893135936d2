// @sealflow/core for browsers and edge runtimes (the `browser`, `worker`, `workerd`,
// `edge-light` and `deno` export conditions). Every export is named here. It shares the
// format, crypto, keys and engine code with the Node entry (index.ts) and reaches no
// `node:` module: test/browser-entry.test.ts walks its import graph to prove it.
export {
  ErrorCodes,
  SealflowError,
  InvalidArgumentError,
  MalformedMessageError,
  AuthenticationError,
  LimitExceededError,
  KeyStoreError,
  WorkerError,
  serializeError,
  deserializeError,
  isSealflowError,
} from './errors.js';
export type {
  ErrorCode,
  InvalidArgumentCode,
  MalformedMessageCode,
  AuthenticationCode,
  LimitExceededCode,
  KeyStoreCode,
  WorkerCode,
  SealflowErrorOptions,
  KeyStoreErrorOptions,
  KeyStoreFailure,
  SerializedError,
} from './errors.js';
export { Channels, publish, subscribe } from './events.js';
export type {
  EventListener,
  KeyStoreCallEvent,
  KeyStoreOperation,
  MessageEvent,
  FailureEvent,
  BucketKeyEvent,
} from './events.js';
export { DataKey } from './keys/data-key.js';
export type { EncryptedDataKey } from './format/encrypted-data-key.js';
export type { EncryptionContext } from './format/encryption-context.js';
export type { KeyStore, KeyStoreRequest, GenerateRequest, GeneratedDataKey } from './keys/key-store.js';
export {
  serializeEncryptionContext,
  parseEncryptionContext,
  RESERVED_CONTEXT_PREFIX,
  PUBLIC_KEY_CONTEXT_KEY,
} from './format/encryption-context.js';
export { DEFAULT_DECRYPT_LIMITS, DEFAULT_FRAME_LENGTH, FormatLimits } from './format/limits.js';
export type { DecryptLimits } from './format/limits.js';
export { KmsKeyStore, KMS_PROVIDER_ID } from './keys/kms-key-store.js';
export type { KmsKeyStoreOptions, KmsDiscoveryFilter } from './keys/kms-key-store.js';
export { mapKmsError, kmsExceptionCode, isKmsKeyArn, parseKmsKeyArn, parseKmsArn } from './keys/kms-client.js';
export { fetchKmsClient } from './keys/fetch-kms-client.js';
export type { FetchKmsClientOptions, KmsHttpRequest } from './keys/fetch-kms-client.js';
export { KMS_AUDIT_CHANNEL } from './keys/kms-audit-record.js';
export type {
  KmsAuditRecord,
  KmsAuditParameters,
  KmsAuditResource,
  KmsAuditIdentityType,
  KmsOperationName,
} from './keys/kms-audit-record.js';
export type {
  KmsClientLike,
  KmsCallOptions,
  KmsResponseMetadata,
  KmsGenerateDataKeyInput,
  KmsGenerateDataKeyOutput,
  KmsEncryptInput,
  KmsEncryptOutput,
  KmsDecryptInput,
  KmsDecryptOutput,
  KmsErrorContext,
  KmsKeyArnParts,
  KmsArnParts,
} from './keys/kms-client.js';
export { createEngine } from './browser/create-engine.js';
export { subtleOffload } from './browser/subtle-offload.js';
export type { PortableEngine, DecryptResult, RangeOptions, RewrapOptions } from './portable-engine.js';
export type { RewrappedHeader } from './engine/header-rewrap.js';
export type { EngineOptions, EncryptOptions, DecryptOptions, BucketKeyOption } from './engine/options.js';
export type { FrameOffload, OffloadEncryptInit, OffloadDecryptInit, OffloadedBody } from './engine/frame-offload.js';
export type { DecryptedHeader } from './engine/decrypt-session.js';
export type { HeaderInfo } from './engine/header-info.js';
export type { RandomAccessSource } from './engine/range-reader.js';
export type { EngineStats } from './stats.js';
export type { BucketKeyOptions } from './keys/bucket-key-cache.js';
export { s3BucketContext } from './keys/bucket-key-cache.js';
export { BUCKET_KEY_PROVIDER_ID, decodeBucketKeyEdk } from './keys/bucket-key-edk.js';
export type { BucketKeyEdk, BucketKeyLayout } from './keys/bucket-key-edk.js';
export { BUCKET_DATA_KEY_NAMESPACE, bucketKeyName } from './keys/bucket-key-wrap.js';
export { RawAesKeyStore } from './browser/raw-aes-key-store.js';
export type { RawAesKeyStoreOptions } from './keys/raw-aes-store-base.js';
export { RawRsaKeyStore } from './browser/raw-rsa-key-store.js';
export type { RawRsaKeyStoreOptions, OaepHash } from './keys/raw-rsa-options.js';
export { nobleBackend } from './crypto/noble-backend.js';
export { registerCipherBackend } from './crypto/backend-registry.js';
export type { BackendName } from './crypto/backend-registry.js';
export type { CipherBackend, CipherKey, MessageSigner, MessageVerifier } from './crypto/backend.js';
export { CommitmentPolicy, DEFAULT_SUITE } from './format/suites.js';
export type { SuiteId } from './format/suites.js';
