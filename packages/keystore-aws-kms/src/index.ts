// @sealflow/keystore-aws-kms public surface. Every export is named here; nothing else is API.
export { AwsKmsKeyStore } from './aws-kms-key-store.js';
export type { AwsKmsKeyStoreOptions } from './aws-kms-key-store.js';
export type { KmsSendClient, KmsCommand } from './retrying-kms-client.js';
export { DEFAULT_RETRY_POLICY } from './retry-policy.js';
export type { RetryPolicy } from './retry-policy.js';
export { parseKeyIdentifier } from './key-identifier.js';
export type { KeyIdentifier, KeyIdentifierKind } from './key-identifier.js';
export { KMS_AUDIT_CHANNEL } from './kms-audit.js';
export type { AwsKmsAuditRecord, AuditedOperation } from './kms-audit.js';
