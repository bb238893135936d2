// @sealflow/s3 public surface. Every export is named here; nothing else is API.
// Grouped by area so each area's owner can add to its own group.

// --- errors (s3-rules) ---
export { S3ErrorCodes, isS3ErrorCode } from './errors/s3-error-codes.js';
export type { S3ErrorCode, S3ErrorCodeEntry } from './errors/s3-error-codes.js';
export { S3Error, s3Error, isS3Error, invalidArgument } from './errors/s3-error.js';
export type { S3ErrorOptions } from './errors/s3-error.js';
export { mapKeyStoreError } from './errors/map-key-store-error.js';
export { S3Limits } from './limits.js';

// --- request rules (s3-rules) ---
export {
  SseHeaders,
  SSE_C_HEADERS,
  SSE_ALGORITHMS,
  AWS_MANAGED_S3_KEY_ALIAS,
  isSseAlgorithm,
  isKmsAlgorithm,
} from './rules/sse-headers.js';
export type { SseAlgorithm, RequestHeaders } from './rules/sse-headers.js';
export { resolveEncryption } from './rules/resolve-encryption.js';
export type {
  EncryptionDecision,
  EncryptionRequest,
  ReadEncryptionRequest,
  EncryptingOperation,
  ReadingOperation,
  AlgorithmSource,
  KeyIdSource,
} from './rules/resolve-encryption.js';
export {
  parseEncryptionContextHeader,
  encodeEncryptionContextHeader,
  S3_ARN_CONTEXT_KEY,
} from './rules/encryption-context-header.js';
export { DEFAULT_BUCKET_ENCRYPTION } from './rules/bucket-encryption.js';
export type { BucketEncryption } from './rules/bucket-encryption.js';
export {
  parseSseCustomerKey,
  hasSseCustomerHeaders,
  customerKeyCheck,
  matchesCustomerKey,
  CopySourceSseCHeaders,
} from './rules/sse-customer-key.js';
export type { SseCustomerKey, CustomerKeyCheck, SseCustomerHeaderSet } from './rules/sse-customer-key.js';
export { SSE_C_KEY_NAMESPACE, SSE_C_KEY_NAME } from './objects/sse-c.js';
export { encryptionResponseHeaders } from './rules/response-headers.js';
export type { StoredEncryption, EncryptionReportingOperation } from './rules/response-headers.js';

// --- XML (s3-rules) ---
export { parseBucketEncryptionXml, bucketEncryptionToXml } from './xml/bucket-encryption-xml.js';
export { S3_XML_NAMESPACE, parseXmlDocument } from './xml/xml-document.js';
export type { XmlNode, XmlValue } from './xml/xml-document.js';

// --- checksums (s3-rules) ---
export {
  CHECKSUM_ALGORITHMS,
  CHECKSUM_DIGEST_LENGTHS,
  createChecksum,
  checksumOf,
  checksumAlgorithmName,
  isChecksumAlgorithm,
} from './checksums/checksum.js';
export type { Checksum, ChecksumAlgorithm } from './checksums/checksum.js';
export {
  parseChecksumHeaders,
  parseChecksumAlgorithmHeader,
  checksumFromTrailers,
  checksumHeaderName,
  assertChecksumValue,
  verifyChecksum,
  compositeChecksum,
  checksumResponseHeaders,
  checksumModeEnabled,
} from './checksums/checksum-headers.js';
export type { ChecksumRequest, ChecksumType } from './checksums/checksum-headers.js';
export { parseContentMd5, ContentMd5Verifier } from './checksums/content-md5.js';

// --- bucket policies (s3-rules) ---
export { parseBucketPolicy } from './policy/bucket-policy.js';
export type {
  BucketPolicy,
  PolicyStatement,
  PolicyPrincipal,
  ParseBucketPolicyOptions,
} from './policy/bucket-policy.js';
export { evaluateBucketPolicy } from './policy/evaluate-bucket-policy.js';
export type { PolicyRequest, PolicyDecision } from './policy/evaluate-bucket-policy.js';
export { conditionKeysFor } from './policy/condition-keys.js';
export type { ConditionRequest } from './policy/condition-keys.js';
export { CONDITION_OPERATORS } from './policy/policy-condition.js';
export type {
  ConditionOperator,
  PolicyCondition,
  ConditionKeyValue,
  ConditionKeys,
} from './policy/policy-condition.js';

// --- storage (s3-objects) ---
export {
  isBlobName,
  isBlobPrefix,
  MAX_BLOB_NAME_LENGTH,
  MAX_BLOB_SEGMENT_LENGTH,
  MAX_BLOB_LIST_LIMIT,
} from './store/blob-store.js';
export type {
  BlobStore,
  BlobInfo,
  BlobPutOptions,
  BlobPutCondition,
  BlobGetOptions,
  BlobListOptions,
  BlobListing,
} from './store/blob-store.js';
export { MemoryBlobStore } from './store/memory-blob-store.js';
export type { BlobReadLog } from './store/memory-blob-store.js';

// --- stored objects (s3-objects) ---
export {
  encodeObjectRecord,
  decodeObjectRecord,
  encodePartRecord,
  decodePartRecord,
  RecordLimits,
  RECORD_VERSION,
} from './objects/object-record.js';
export type { ObjectRecord, StoredPart, ObjectEncryption, PartRecord } from './objects/object-record.js';
export { S3Service } from './objects/s3-service.js';
export type { SweepOptions, SweepResult } from './objects/orphan-sweeper.js';
export type { DeleteObjectsResult } from './objects/s3-service.js';
export { assertOwnerOnlyAclHeaders } from './objects/bucket-owner-enforced.js';
export type { S3ServiceOptions, S3ServiceStats } from './objects/service-core.js';
export {
  combineCrcs,
  FULL_OBJECT_ALGORITHMS,
  isFullObjectAlgorithm,
  type FullObjectAlgorithm,
} from './checksums/crc-combine.js';
export { multipartChecksumType } from './multipart/multipart-checksum.js';
export {
  asWriteVerification,
  WriteKeyMemo,
  type VerifyWrites,
  type WriteKeyMemoOptions,
} from './objects/write-key-memo.js';
export type { RequestContext } from './objects/request-context.js';
export { kmsKeyProvider, S3_KMS_AUDIT_CHANNEL } from './objects/key-provider.js';
export type {
  S3KeyProvider,
  S3KmsClient,
  S3KmsKeyMetadata,
  S3KmsAuditRecord,
  KmsKeyProviderOptions,
} from './objects/key-provider.js';
export type {
  BodyInput,
  PutObjectInput,
  WriteResult,
  GetObjectInput,
  GetObjectResult,
  HeadObjectResult,
} from './objects/object-operations.js';
export type { BucketInput, BucketSummary } from './objects/bucket-operations.js';
export { parseRange } from './objects/range-header.js';
export type { ByteRange } from './objects/range-header.js';
export { RANGE_WINDOW } from './objects/object-reader.js';
export type { CopyObjectInput, CopyObjectResult } from './objects/copy-object.js';
export type { ListObjectsInput, ListObjectsResult, ObjectSummary } from './objects/listing.js';
export type { RekeyInput } from './objects/rekey.js';
export type {
  UploadInput,
  UploadPartInput,
  UploadPartCopyInput,
  CompletedPart,
  PartSummary,
  UploadSummary,
  ListPartsResult,
  ListMultipartUploadsResult,
} from './multipart/multipart-operations.js';
