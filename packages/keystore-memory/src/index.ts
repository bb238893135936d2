// @sealflow/keystore-memory public surface. Every export is named here; nothing else is API.
export { MemoryKms } from './memory-kms.js';
export type { MemoryKmsOptions, MemoryKmsOpenOptions } from './memory-kms-options.js';
export { memoryKeyStore } from './memory-key-store.js';
export type { MemoryKeyStoreOptions } from './memory-key-store.js';
export { createKeyFile } from './root-key.js';
export type { ScryptParams } from './root-key.js';
export { KMS_AUDIT_CHANNEL } from './audit-trail.js';
export type { KmsAuditOptions, KmsMetrics, KmsCallCounter } from './audit-trail.js';
export type { KmsAuditRecord, KmsAuditParameters, KmsAuditResource, KmsOperationName } from './audit-record.js';
export {
  KmsException,
  AccessDeniedException,
  AlreadyExistsException,
  DisabledException,
  DryRunOperationException,
  IncorrectKeyException,
  InvalidCiphertextException,
  InvalidKeyUsageException,
  InvalidMarkerException,
  KMSInternalException,
  KMSInvalidStateException,
  LimitExceededException,
  MalformedPolicyDocumentException,
  NotAuthorizedException,
  NotFoundException,
  UnsupportedOperationException,
  ValidationException,
} from './exceptions.js';
export type { KmsExceptionOptions } from './exceptions.js';
export { BLOB_VERSION, MAX_BLOB_LENGTH } from './ciphertext-blob.js';
export type {
  KmsCallOptions,
  MetadataBearer,
  KeyState,
  KeyManager,
  EncryptionContextType,
  Tag,
  KeyMetadata,
  CreateKeyRequest,
  CreateKeyResponse,
  DescribeKeyRequest,
  DescribeKeyResponse,
  ListKeysRequest,
  KeyListEntry,
  ListKeysResponse,
  CreateAliasRequest,
  UpdateAliasRequest,
  DeleteAliasRequest,
  ListAliasesRequest,
  AliasListEntry,
  ListAliasesResponse,
  KeyIdRequest,
  KeyIdResponse,
  EmptyResponse,
  ScheduleKeyDeletionRequest,
  ScheduleKeyDeletionResponse,
  EnableKeyRotationRequest,
  GetKeyRotationStatusResponse,
  PutKeyPolicyRequest,
  GetKeyPolicyRequest,
  GetKeyPolicyResponse,
  GenerateDataKeyRequest,
  GenerateDataKeyResponse,
  GenerateDataKeyWithoutPlaintextRequest,
  GenerateDataKeyWithoutPlaintextResponse,
  EncryptRequest,
  EncryptResponse,
  DecryptRequest,
  DecryptResponse,
  ReEncryptRequest,
  ReEncryptResponse,
} from './types.js';
