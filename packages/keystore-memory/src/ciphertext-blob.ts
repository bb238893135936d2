import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { serializeEncryptionContext } from '@sealflow/core';
import { InvalidCiphertextException } from './exceptions.js';

/**
 * The `CiphertextBlob` layout, version 1 (our own; AWS KMS blobs are opaque too):
 *
 * ```
 * offset  size  field
 *      0     1  format version, 0x01
 *      1    16  key ID (the key's UUID, as 16 raw bytes)
 *     17     4  key material version (uint32 big-endian; 0 = the key's first material)
 *     21    12  IV (random per blob)
 *     33     n  AES-256-GCM ciphertext of the plaintext
 *   33+n    16  GCM tag
 * ```
 *
 * AAD = bytes 0..32 (so the key, version and IV fields are authenticated too) followed by
 * the encryption context in `@sealflow/core`'s canonical serialization (UTF-8 byte order;
 * the empty context adds nothing). Any altered byte, or another context, fails the tag.
 */

export const BLOB_VERSION = 0x01;
const HEADER_LENGTH = 33;
const TAG_LENGTH = 16;
/** spec: KMS CiphertextBlob is 1 to 6144 bytes. */
export const MAX_BLOB_LENGTH = 6144;

export interface BlobHeader {
  /** The key's UUID (key ID). */
  readonly keyId: string;
  /** Index of the key material that sealed the blob. */
  readonly materialVersion: number;
}

/** The one message every blob failure carries: it never says which byte or key was wrong. */
const INVALID_CIPHERTEXT_MESSAGE =
  'the ciphertext blob is invalid: it was altered, truncated, not made by this KMS, or the encryption context differs';

function invalid(): InvalidCiphertextException {
  return new InvalidCiphertextException(INVALID_CIPHERTEXT_MESSAGE);
}

function uuidToBytes(uuid: string): Uint8Array {
  return Uint8Array.from(Buffer.from(uuid.replace(/-/g, ''), 'hex'));
}

function bytesToUuid(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Reads the key and material version a blob names, without any cryptography.
 * @throws {InvalidCiphertextException} for a blob too short, too long or of another version.
 */
export function readBlobHeader(blob: Uint8Array): BlobHeader {
  if (blob.length < HEADER_LENGTH + TAG_LENGTH || blob.length > MAX_BLOB_LENGTH || blob[0] !== BLOB_VERSION)
    throw invalid();
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  return { keyId: bytesToUuid(blob.subarray(1, 17)), materialVersion: view.getUint32(17) };
}

function aad(header: Uint8Array, context: Readonly<Record<string, string>>): Uint8Array {
  const serialized = serializeEncryptionContext(context);
  const out = new Uint8Array(header.length + serialized.length);
  out.set(header, 0);
  out.set(serialized, header.length);
  return out;
}

/** Seals `plaintext` under `material` (32 bytes), binding `header` and `context`. */
export function sealBlob(
  material: Uint8Array,
  header: BlobHeader,
  plaintext: Uint8Array,
  context: Readonly<Record<string, string>>,
): Uint8Array {
  const blob = new Uint8Array(HEADER_LENGTH + plaintext.length + TAG_LENGTH);
  blob[0] = BLOB_VERSION;
  blob.set(uuidToBytes(header.keyId), 1);
  new DataView(blob.buffer).setUint32(17, header.materialVersion);
  // A random 96-bit IV per blob: a key sees far fewer than 2^32 blobs per material version,
  // and each rotation starts a fresh material.
  blob.set(randomBytes(12), 21);
  const cipher = createCipheriv('aes-256-gcm', material, blob.subarray(21, 33));
  cipher.setAAD(aad(blob.subarray(0, HEADER_LENGTH), context));
  const sealed = cipher.update(plaintext);
  blob.set(sealed, HEADER_LENGTH);
  cipher.final();
  blob.set(cipher.getAuthTag(), HEADER_LENGTH + plaintext.length);
  return blob;
}

/**
 * Opens a blob sealed by {@link sealBlob}; the result is a fresh buffer the caller owns.
 * @throws {InvalidCiphertextException} when the tag does not verify.
 */
export function openBlob(
  material: Uint8Array,
  blob: Uint8Array,
  context: Readonly<Record<string, string>>,
): Uint8Array {
  readBlobHeader(blob);
  const bodyEnd = blob.length - TAG_LENGTH;
  const decipher = createDecipheriv('aes-256-gcm', material, blob.subarray(21, 33));
  decipher.setAAD(aad(blob.subarray(0, HEADER_LENGTH), context));
  decipher.setAuthTag(blob.subarray(bodyEnd));
  const out = new Uint8Array(bodyEnd - HEADER_LENGTH);
  const part = decipher.update(blob.subarray(HEADER_LENGTH, bodyEnd));
  out.set(part);
  part.fill(0);
  try {
    decipher.final();
  } catch {
    out.fill(0);
    throw invalid();
  }
  return out;
}

/** Shared with the key registry: the failure for a blob naming a key that is not here. */
export function invalidCiphertext(): InvalidCiphertextException {
  return invalid();
}
