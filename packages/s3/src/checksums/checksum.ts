import { createHash, type Hash } from 'node:crypto';
import { Crc32 } from '@aws-crypto/crc32';
import { Crc32c } from '@aws-crypto/crc32c';
import { Crc64Nvme } from '@aws-sdk/crc64-nvme';

/** The additional checksums S3 supports, in the lower-case spelling of their header names. */
export const CHECKSUM_ALGORITHMS = ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256'] as const;

/** One of {@link CHECKSUM_ALGORITHMS}. */
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

/** Digest length in bytes of each algorithm (what its base64 header value must decode to). */
export const CHECKSUM_DIGEST_LENGTHS: Readonly<Record<ChecksumAlgorithm, number>> = {
  crc32: 4,
  crc32c: 4,
  crc64nvme: 8,
  sha1: 20,
  sha256: 32,
};

/** S3's upper-case name of an algorithm (`CRC64NVME`), as in `x-amz-sdk-checksum-algorithm` and error messages. */
export function checksumAlgorithmName(algorithm: ChecksumAlgorithm): string {
  return algorithm.toUpperCase();
}

/** Whether `value` is one of {@link CHECKSUM_ALGORITHMS}. */
export function isChecksumAlgorithm(value: unknown): value is ChecksumAlgorithm {
  return typeof value === 'string' && (CHECKSUM_ALGORITHMS as readonly string[]).includes(value);
}

/** A running checksum over a stream of bytes. */
export interface Checksum {
  readonly algorithm: ChecksumAlgorithm;
  /** Adds bytes; call any number of times before {@link digest}. */
  update(bytes: Uint8Array): void;
  /** The digest bytes (big-endian for CRCs, as S3 encodes them). Call once. */
  digest(): Promise<Uint8Array>;
  /** The digest as S3 sends it in `x-amz-checksum-*` headers: base64. Call once (instead of {@link digest}). */
  digestBase64(): Promise<string>;
}

/**
 * A new running checksum: CRC32 (`@aws-crypto/crc32`), CRC32C (`@aws-crypto/crc32c`),
 * CRC64NVME (`@aws-sdk/crc64-nvme`), SHA-1 and SHA-256 (`node:crypto`), the same
 * implementations the AWS SDKs use to compute what they send.
 *
 * @throws {TypeError} for an algorithm not in {@link CHECKSUM_ALGORITHMS}.
 */
export function createChecksum(algorithm: ChecksumAlgorithm): Checksum {
  switch (algorithm) {
    case 'crc32':
      return crcChecksum(algorithm, new Crc32());
    case 'crc32c':
      return crcChecksum(algorithm, new Crc32c());
    case 'crc64nvme': {
      const crc = new Crc64Nvme();
      return wrap(
        algorithm,
        (bytes) => crc.update(bytes),
        () => crc.digest(),
      );
    }
    case 'sha1':
    case 'sha256':
      return hashChecksum(algorithm, createHash(algorithm));
    default:
      throw new TypeError(`unknown checksum algorithm ${String(algorithm)}`);
  }
}

function crcChecksum(
  algorithm: ChecksumAlgorithm,
  crc: { update(data: Uint8Array): unknown; digest(): number },
): Checksum {
  return wrap(
    algorithm,
    (bytes) => crc.update(bytes),
    () => {
      const out = new Uint8Array(4);
      new DataView(out.buffer).setUint32(0, crc.digest() >>> 0, false);
      return Promise.resolve(out);
    },
  );
}

function hashChecksum(algorithm: ChecksumAlgorithm, hash: Hash): Checksum {
  return wrap(
    algorithm,
    (bytes) => hash.update(bytes),
    () => Promise.resolve(new Uint8Array(hash.digest())),
  );
}

function wrap(
  algorithm: ChecksumAlgorithm,
  update: (bytes: Uint8Array) => void,
  digest: () => Promise<Uint8Array>,
): Checksum {
  return {
    algorithm,
    update,
    digest,
    async digestBase64(): Promise<string> {
      return Buffer.from(await digest()).toString('base64');
    },
  };
}

/**
 * The checksum of a whole buffer, base64. A convenience over {@link createChecksum}.
 *
 * @throws {TypeError} for an unknown algorithm.
 */
export async function checksumOf(algorithm: ChecksumAlgorithm, bytes: Uint8Array): Promise<string> {
  const checksum = createChecksum(algorithm);
  checksum.update(bytes);
  return checksum.digestBase64();
}
