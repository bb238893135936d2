import type { BigIntStats } from 'node:fs';
import { open } from 'node:fs/promises';
import { ErrorCodes, KeyStoreError } from '@sealflow/core';

/**
 * Reading the store file as one consistent snapshot: its bytes and its identity on disk
 * (device, inode, size, mtime, ctime), both through one handle, so they describe the same
 * file even while other processes rename new versions over the path.
 */

/** Largest store file read: keys are small; anything bigger is not ours. */
export const MAX_STORE_FILE_BYTES: number = 64 * 1024 * 1024;

/** A `KeyStoreError` about the store file at `path`. */
export function storeError(
  code:
    typeof ErrorCodes.KEY_STORE_CORRUPT | typeof ErrorCodes.KEY_STORE_LOCKED | typeof ErrorCodes.KEY_STORE_UNAVAILABLE,
  path: string,
  message: string,
  cause?: unknown,
): KeyStoreError {
  return new KeyStoreError(code, `key store file ${path}: ${message}`, {
    store: `memory-kms:${path}`,
    ...(cause === undefined ? {} : { cause }),
  });
}

/** The file's identity: any rewrite (a rename of a new file) changes it. */
export const signatureOf = (info: BigIntStats): string =>
  `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;

/**
 * The file's bytes and identity, or `undefined` when there is no file.
 * @throws {KeyStoreError} `ERR_KEY_STORE_UNAVAILABLE` for an I/O error, `ERR_KEY_STORE_CORRUPT` over the size cap.
 */
export async function readSnapshot(path: string): Promise<{ bytes: Buffer; signature: string } | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw storeError(
      ErrorCodes.KEY_STORE_UNAVAILABLE,
      path,
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      error,
    );
  }
  try {
    const info = await handle.stat({ bigint: true });
    if (info.size > BigInt(MAX_STORE_FILE_BYTES))
      throw storeError(ErrorCodes.KEY_STORE_CORRUPT, path, `it is over ${MAX_STORE_FILE_BYTES} bytes`);
    return { bytes: await handle.readFile(), signature: signatureOf(info) };
  } catch (error) {
    if (error instanceof KeyStoreError) throw error;
    throw storeError(
      ErrorCodes.KEY_STORE_UNAVAILABLE,
      path,
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      error,
    );
  } finally {
    await handle.close();
  }
}
