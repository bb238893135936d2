import { hkdfSync, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { open, readFile, stat } from 'node:fs/promises';
import { ErrorCodes, InvalidArgumentError } from '@sealflow/core';

/**
 * The root key that seals a persistent `MemoryKms` store: derived with scrypt from a
 * passphrase (salt and cost stored in the file), or read from a 32-byte key file. Two
 * subkeys come from it through HKDF-SHA256: the sealing key, and a check value stored
 * in the file so a wrong passphrase is told apart from an altered file.
 */

export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/** Default cost: N = 2^15, r = 8, p = 1 (32 MiB, on the order of 100 ms). */
export const DEFAULT_SCRYPT: ScryptParams = Object.freeze({ N: 2 ** 15, r: 8, p: 1 });
/** Caps on the cost a store file may ask for: a hostile file must not exhaust memory. */
const SCRYPT_CAPS = Object.freeze({ minN: 2 ** 10, maxN: 2 ** 20, maxR: 16, maxP: 4, maxMemory: 256 * 1024 * 1024 });

export interface RootKeys {
  readonly sealKey: Uint8Array;
  readonly check: Uint8Array;
}

/** Whether `params` is within {@link SCRYPT_CAPS}. */
export function scryptParamsAllowed(params: ScryptParams): boolean {
  const { N, r, p } = params;
  return (
    Number.isInteger(N) &&
    Number.isInteger(r) &&
    Number.isInteger(p) &&
    N >= SCRYPT_CAPS.minN &&
    N <= SCRYPT_CAPS.maxN &&
    (N & (N - 1)) === 0 &&
    r >= 1 &&
    r <= SCRYPT_CAPS.maxR &&
    p >= 1 &&
    p <= SCRYPT_CAPS.maxP &&
    128 * N * r <= SCRYPT_CAPS.maxMemory
  );
}

/** scrypt(passphrase, salt) → 32 bytes. The caller checked `params` against the caps. */
export async function deriveFromPassphrase(
  passphrase: string | Uint8Array,
  salt: Uint8Array,
  params: ScryptParams,
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    scrypt(
      passphrase,
      salt,
      32,
      { N: params.N, r: params.r, p: params.p, maxmem: 128 * params.N * params.r * 2 + 1024 * 1024 },
      (error, key) => {
        if (error !== null) reject(error);
        else resolve(new Uint8Array(key.buffer, key.byteOffset, key.byteLength));
      },
    );
  });
}

/**
 * Reads a key file: exactly 32 raw bytes, or 64 hexadecimal characters (a trailing
 * newline allowed).
 * @throws {InvalidArgumentError} when the file is missing, unreadable or of another shape.
 */
export async function readKeyFile(path: string): Promise<Uint8Array> {
  const invalid = (why: string): InvalidArgumentError =>
    new InvalidArgumentError(
      ErrorCodes.INVALID_ARGUMENT,
      `keyFile ${path}: ${why}; expected 32 raw bytes or 64 hex characters`,
    );
  let bytes: Buffer;
  try {
    const info = await stat(path);
    if (!info.isFile() || info.size > 128) throw invalid('not a small regular file');
    bytes = await readFile(path);
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw error;
    throw invalid('cannot be read');
  }
  try {
    if (bytes.length === 32) return new Uint8Array(bytes);
    const text = bytes.toString('latin1').replace(/\r?\n$/, '');
    if (/^[0-9a-fA-F]{64}$/.test(text)) {
      const decoded = Buffer.from(text, 'hex');
      const key = new Uint8Array(decoded);
      decoded.fill(0);
      return key;
    }
    throw invalid(`it holds ${bytes.length} bytes of another shape`);
  } finally {
    bytes.fill(0);
  }
}

/**
 * Creates a new key file of 32 random bytes, mode 0600; refuses to overwrite one.
 * @throws {Error} `EEXIST` when `path` exists.
 */
export async function createKeyFile(path: string): Promise<void> {
  const handle = await open(path, 'wx', 0o600);
  try {
    const key = randomBytes(32);
    await handle.writeFile(key);
    key.fill(0);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The sealing key and check value of a root key (HKDF-SHA256, distinct labels). */
export function rootKeys(root: Uint8Array): RootKeys {
  const derive = (label: string): Uint8Array =>
    new Uint8Array(hkdfSync('sha256', root, new Uint8Array(0), `sealflow memory-kms store v1 ${label}`, 32));
  return { sealKey: derive('seal'), check: derive('check') };
}

/** Constant-time comparison of a stored check value with a derived one. */
export function checkMatches(stored: Uint8Array, derived: Uint8Array): boolean {
  return stored.length === derived.length && timingSafeEqual(stored, derived);
}

export function newSalt(): Uint8Array {
  return new Uint8Array(randomBytes(16));
}
