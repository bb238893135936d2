import { createChecksum, isChecksumAlgorithm } from '@sealflow/s3';

/** An incremental checksum whose digest is base64, as S3 sends `x-amz-checksum-*` values. */
export interface ChecksumHasher {
  update(bytes: Uint8Array): void;
  digest(): string | Promise<string>;
}

/**
 * Builds a hasher for an S3 checksum algorithm name (`crc32`, `crc32c`,
 * `crc64nvme`, `sha1`, `sha256`), or undefined when it cannot compute it (the
 * caller then verifies that trailer itself).
 */
export type ChecksumFactory = (algorithm: string) => ChecksumHasher | undefined;

/** Every algorithm S3 names, through `@sealflow/s3`'s checksum module. */
export const defaultChecksums: ChecksumFactory = (algorithm) => {
  if (!isChecksumAlgorithm(algorithm)) return undefined;
  const checksum = createChecksum(algorithm);
  return { update: (bytes) => checksum.update(bytes), digest: () => checksum.digestBase64() };
};
