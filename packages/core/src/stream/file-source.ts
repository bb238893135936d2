import { fstatSync, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { ErrorCodes, InvalidArgumentError } from '../errors.js';
import type { RandomAccessSource } from '../engine/range-reader.js';

/**
 * A `RandomAccessSource` over a file (Node only), for `engine.decryptRange(fileSource(path), …)`:
 * positioned reads, so a range decrypt reads only the header, the final frame and the
 * frames it needs. The size is taken once, here; reads never go past it.
 *
 * Given a path, each read opens, reads and closes the file (a range read makes about three),
 * so nothing is left open for the caller to close. Given a `FileHandle`, reads go through
 * it and the caller keeps owning (and closing) it.
 * @throws {InvalidArgumentError} unless `file` is a string path or a FileHandle.
 * @throws {NodeJS.ErrnoException} when the path cannot be stat'ed (ENOENT, EACCES), or is not a regular file (EISDIR).
 */
export function fileSource(file: string | FileHandle): RandomAccessSource {
  if (typeof file === 'string') {
    const stat = statSync(file);
    if (!stat.isFile())
      throw Object.assign(new Error(`EISDIR: not a regular file, open '${file}'`), {
        code: 'EISDIR',
        path: file,
        syscall: 'open',
      });
    const size = stat.size;
    return {
      size,
      read: async (position, length) => {
        const handle = await open(file, 'r');
        try {
          return await readAt(handle, size, position, length);
        } finally {
          await handle.close();
        }
      },
    };
  }
  if (typeof file !== 'object' || file === null || typeof file.fd !== 'number' || typeof file.read !== 'function') {
    throw new InvalidArgumentError(ErrorCodes.INVALID_ARGUMENT, 'fileSource: expected a path or a FileHandle');
  }
  const size = fstatSync(file.fd).size;
  return {
    size,
    read: (position, length) => readAt(file, size, position, length),
  };
}

/** Up to `length` bytes at `position`, clamped to `size`; fewer only at the end of the file. */
async function readAt(handle: FileHandle, size: number, position: number, length: number): Promise<Uint8Array> {
  const wanted = Math.max(0, Math.min(length, size - position));
  const buffer = new Uint8Array(wanted);
  let filled = 0;
  while (filled < wanted) {
    const { bytesRead } = await handle.read(buffer, filled, wanted - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}
