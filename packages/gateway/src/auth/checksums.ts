import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';

/** An incremental checksum whose digest is base64, as S3 sends `x-amz-checksum-*` values. */
export interface ChecksumHasher {
  update(bytes: Uint8Array): void;
  digest(): string;
}

/**
 * Builds a hasher for an S3 checksum algorithm name (`crc32`, `crc32c`,
 * `crc64nvme`, `sha1`, `sha256`), or undefined when it cannot compute it (the
 * caller then verifies that trailer itself).
 */
export type ChecksumFactory = (algorithm: string) => ChecksumHasher | undefined;

/**
 * The checksums node:crypto and node:zlib compute: `sha1`, `sha256` and `crc32`.
 * `crc32c` and `crc64nvme` are left to a factory the gateway passes in (the
 * `@sealflow/s3` checksum module).
 */
export const nodeChecksums: ChecksumFactory = (algorithm) => {
  switch (algorithm) {
    case 'sha1':
    case 'sha256': {
      const hash = createHash(algorithm);
      return { update: (bytes) => void hash.update(bytes), digest: () => hash.digest('base64') };
    }
    case 'crc32': {
      let value = 0;
      return {
        update: (bytes) => {
          value = crc32(bytes, value);
        },
        digest: () => {
          const out = Buffer.alloc(4);
          out.writeUInt32BE(value >>> 0);
          return out.toString('base64');
        },
      };
    }
    default:
      return undefined;
  }
};
