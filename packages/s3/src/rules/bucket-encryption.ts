import type { SseAlgorithm } from './sse-headers.js';

/**
 * A bucket's default encryption (PutBucketEncryption's `ServerSideEncryptionConfiguration`
 * with its one `Rule`): the algorithm, the KMS key (`KMSMasterKeyID`: key ID, key ARN, alias
 * name or alias ARN, as given) and whether new SSE-KMS objects use a bucket key.
 */
export interface BucketEncryption {
  readonly algorithm: SseAlgorithm;
  readonly kmsMasterKeyId?: string;
  readonly bucketKeyEnabled: boolean;
}

/**
 * What a bucket without a configuration behaves as: since January 2023 every bucket
 * encrypts new objects with SSE-S3, and GetBucketEncryption reports this configuration.
 */
export const DEFAULT_BUCKET_ENCRYPTION: BucketEncryption = Object.freeze({
  algorithm: 'AES256',
  bucketKeyEnabled: false,
});
