/**
 * Every cap @sealflow/s3 applies to untrusted input, in one place (STYLE.md 7: caps before
 * allocation). Each is checked before the input is decoded or parsed.
 */
export const S3Limits = {
  /**
   * `x-amz-server-side-encryption-context` header value, in characters (base64). Amazon S3
   * refuses request header sections over 8 KiB, so no context header S3 accepts is longer.
   */
  maxContextHeaderLength: 8192,
  /** Pairs in the decoded context (keeps the sealed header well under the core's context cap). */
  maxContextPairs: 64,
  /** `x-amz-server-side-encryption-aws-kms-key-id`: KMS's own `KeyId` length constraint. */
  maxKeyIdLength: 2048,
  /** Bucket policy document, in bytes of UTF-8: "Bucket policies are limited to 20 KB in size." */
  maxBucketPolicyBytes: 20_480, // 20 * 1024
  /** Statements in a bucket policy (a 20 KiB document cannot usefully hold more). */
  maxPolicyStatements: 1000,
  /** A `ServerSideEncryptionConfiguration` XML body, in bytes. */
  maxEncryptionConfigurationXmlBytes: 65_536, // 64 * 1024
  /** Nesting depth of configuration XML (the schema needs 4). */
  maxXmlDepth: 16,
  /** A checksum or Content-MD5 header value, in characters (the longest, SHA-256, is 44). */
  maxChecksumHeaderLength: 128,
} as const;
