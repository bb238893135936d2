import { open, type FileHandle } from 'node:fs/promises';
import type { RandomAccessSource } from '@sealflow/core';

/**
 * A `RandomAccessSource` over a file: positioned reads through one `FileHandle`, so a
 * range decrypt reads only the header, the final frame and the frames it needs. Reads
 * never go past the size seen at open (a growing file cannot make it allocate more).
 */
export class FileSource implements RandomAccessSource {
  readonly size: number;
  readonly #handle: FileHandle;

  private constructor(handle: FileHandle, size: number) {
    this.#handle = handle;
    this.size = size;
  }

  /** @throws {NodeJS.ErrnoException} when the file cannot be opened (ENOENT, EACCES, EISDIR). */
  static async open(path: string): Promise<FileSource> {
    const handle = await open(path, 'r');
    try {
      const stat = await handle.stat();
      if (!stat.isFile())
        throw Object.assign(new Error(`EISDIR: not a regular file, open '${path}'`), {
          code: 'EISDIR',
          path,
          syscall: 'open',
        });
      return new FileSource(handle, stat.size);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Up to `length` bytes at `position`; fewer only at the end of the file. */
  async read(position: number, length: number): Promise<Uint8Array> {
    const wanted = Math.max(0, Math.min(length, this.size - position));
    const buffer = new Uint8Array(wanted);
    let filled = 0;
    while (filled < wanted) {
      const { bytesRead } = await this.#handle.read(buffer, filled, wanted - filled, position + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return filled === wanted ? buffer : buffer.subarray(0, filled);
  }

  async close(): Promise<void> {
    await this.#handle.close();
  }
}
