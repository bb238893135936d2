import { corrupt } from './record-bytes.js';
import { CHECKSUM_ALGORITHMS, CHECKSUM_DIGEST_LENGTHS, type ChecksumAlgorithm } from '../checksums/checksum.js';

/**
 * The sealed trailer: the last bytes of every message's plaintext, after the object bytes,
 * so they are encrypted and authenticated under the object's own data key and cost no
 * extra KMS call. Layout (docs/S3-OBJECTS.md): version 1 (u8), count (u8), then per
 * checksum its algorithm (u8, 1-based in CHECKSUM_ALGORITHMS order) and digest (fixed length).
 */
export const TRAILER_VERSION = 1;

export type SealedChecksums = Readonly<Partial<Record<ChecksumAlgorithm, Uint8Array>>>;

export function encodeTrailer(checksums: SealedChecksums): Uint8Array {
  const entries = CHECKSUM_ALGORITHMS.filter((a) => checksums[a] !== undefined);
  const size = 2 + entries.reduce((n, a) => n + 1 + CHECKSUM_DIGEST_LENGTHS[a], 0);
  const out = new Uint8Array(size);
  out[0] = TRAILER_VERSION;
  out[1] = entries.length;
  let at = 2;
  for (const algorithm of entries) {
    const digest = checksums[algorithm] as Uint8Array;
    if (digest.length !== CHECKSUM_DIGEST_LENGTHS[algorithm])
      throw new TypeError(`encodeTrailer: a ${algorithm} digest has ${CHECKSUM_DIGEST_LENGTHS[algorithm]} bytes`);
    out[at] = CHECKSUM_ALGORITHMS.indexOf(algorithm) + 1;
    out.set(digest, at + 1);
    at += 1 + digest.length;
  }
  return out;
}

/** Parses a trailer (already authenticated by its message). @throws {MalformedMessageError} */
export function decodeTrailer(bytes: Uint8Array): SealedChecksums {
  if (bytes.length < 2 || bytes[0] !== TRAILER_VERSION) throw corrupt('object trailer');
  const out: Partial<Record<ChecksumAlgorithm, Uint8Array>> = {};
  let at = 2;
  for (let i = 0; i < (bytes[1] as number); i++) {
    const algorithm = CHECKSUM_ALGORITHMS[(bytes[at] ?? 0) - 1];
    if (algorithm === undefined || out[algorithm] !== undefined) throw corrupt('object trailer');
    const end = at + 1 + CHECKSUM_DIGEST_LENGTHS[algorithm];
    if (end > bytes.length) throw corrupt('object trailer');
    out[algorithm] = bytes.slice(at + 1, end);
    at = end;
  }
  if (at !== bytes.length) throw corrupt('object trailer');
  return out;
}
