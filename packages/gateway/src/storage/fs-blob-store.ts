import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { assertString, invalidArgument } from '@sealflow/core/validate';
import {
  isBlobName,
  isBlobPrefix,
  MAX_BLOB_LIST_LIMIT,
  type BlobGetOptions,
  type BlobInfo,
  type BlobListing,
  type BlobListOptions,
  type BlobPutCondition,
  type BlobPutOptions,
  type BlobStore,
} from '@sealflow/s3';
import { NameLock } from './name-lock.js';
import { BLOB_SUFFIX, CONTINUED, blobPathSegments, compareNames, decodeSegment } from './blob-names.js';

/** Where uploads are written before they are renamed into place (same file system). */
const TEMP_DIR = '.tmp';
/**
 * Bytes per read of a blob stream when the reader gives no `chunkBytes` hint (64 KiB, node's
 * default, is less than one frame: every frame would be gathered and opened alone), and the
 * bounds put on a hint. Measured on the gateway bench: 1 MiB reads kept more buffers alive
 * across scavenges and set off back-to-back mark-compacts (V8 counts external memory
 * allocated since the last one against the old-generation limit); 256 KiB did not. At most
 * this much is read ahead per open stream.
 */
const READ_CHUNK_BYTES = 256 * 1024;
const MIN_READ_CHUNK_BYTES = 16 * 1024;
const MAX_READ_CHUNK_BYTES = 1024 * 1024;

/**
 * Blobs as files under one directory: the `fs` storage backend and the embedded default.
 *
 * Atomicity: a put streams into a temp file under `<root>/.tmp`, fsyncs it, renames it
 * over the final path and fsyncs the directory. A reader sees the old blob or the new one,
 * never a part; a crash leaves at most a temp file, which is never listed and is removed on
 * the next open. Two concurrent puts of one name: both write their own temp file, the
 * later rename wins, and the survivor is a complete blob.
 *
 * Conditional puts: every rename into place and every delete of a name runs under a
 * per-name lock, and `putConditionally` checks the current bytes and renames under it, so
 * the check and the commit are atomic against this process's other writers. The fs backend
 * serves one gateway process; several processes over one directory do not share the lock
 * (the README says so: conditional writes are race-safe within one fs gateway process).
 */
export class FsBlobStore implements BlobStore {
  readonly #root: string;
  readonly #lock = new NameLock();

  private constructor(root: string) {
    this.#root = root;
  }

  /**
   * Opens (creating if needed) a store rooted at `dir`, removing temp files a crash left.
   * @throws {InvalidArgumentError} (rejects) for an empty path.
   */
  static async open(dir: string): Promise<FsBlobStore> {
    assertString(dir, 'FsBlobStore.open: dir');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    // Temp files of a previous process can only be leftovers of a crash: nothing references them.
    await rm(join(dir, TEMP_DIR), { recursive: true, force: true });
    await mkdir(join(dir, TEMP_DIR), { mode: 0o700 });
    return new FsBlobStore(dir);
  }

  /** `put`, once `condition` accepts the current bytes, checked and renamed under the name's lock. @throws (rejects) with the condition's error, nothing stored */
  putConditionally(
    name: string,
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    condition: BlobPutCondition,
    options: BlobPutOptions = {},
  ): Promise<BlobInfo> {
    return this.#put(name, source, options, condition);
  }

  /** @throws {InvalidArgumentError} (rejects) for an invalid name; rejects with the source's or the signal's error, leaving nothing. */
  async put(
    name: string,
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    options: BlobPutOptions = {},
  ): Promise<BlobInfo> {
    return this.#put(name, source, options, undefined);
  }

  // put and putConditionally: the condition, when given, runs where the blob is replaced.
  async #put(
    name: string,
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    options: BlobPutOptions,
    condition: BlobPutCondition | undefined,
  ): Promise<BlobInfo> {
    const path = this.#pathOf(name);
    options.signal?.throwIfAborted();
    let size = 0;
    const temp = join(this.#root, TEMP_DIR, randomBytes(12).toString('hex'));
    const out = createWriteStream(temp, { flags: 'wx', mode: 0o600 });
    try {
      options.signal?.throwIfAborted();
      for await (const chunk of source) {
        options.signal?.throwIfAborted();
        size += chunk.length;
        // Back-pressure: wait for the file to drain before taking the next chunk.
        if (!out.write(chunk))
          await new Promise<void>((resolveDrain, rejectDrain) => {
            const onError = (error: Error): void => rejectDrain(error);
            out.once('error', onError);
            out.once('drain', () => {
              out.off('error', onError);
              resolveDrain();
            });
          });
      }
      options.signal?.throwIfAborted();
      out.end();
      await finished(out);
      await syncFile(temp);
      await this.#lock.run(name, async () => {
        if (condition !== undefined) condition(await readFile(path).catch(absent));
        await this.#install(temp, path);
      });
      return { name, size };
    } catch (error) {
      // The stream opens its file asynchronously: wait until it is closed, so the unlink
      // cannot run before the file exists (which would leave a temp file behind).
      out.destroy();
      await finished(out).catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      throw error;
    }
  }

  /** A stream of the blob's bytes `[start, end)` (whole blob by default, clipped to it); `undefined` when absent. */
  async get(name: string, range: BlobGetOptions = {}): Promise<AsyncIterable<Uint8Array> | undefined> {
    const path = this.#pathOf(name);
    const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
      throw error;
    });
    if (handle === undefined) return undefined;
    const start = range.start ?? 0;
    if (range.end !== undefined && range.end <= start) {
      await handle.close();
      return emptyStream();
    }
    // The open handle pins the file: a rename over it during the read does not change what is read.
    // The stream owns the handle: it closes it at the end, on an error and when destroyed early.
    return createReadStream('', {
      fd: handle,
      start,
      highWaterMark: readChunkBytes(range.chunkBytes),
      ...(range.end === undefined ? {} : { end: range.end - 1 }),
      ...(range.signal === undefined ? {} : { signal: range.signal }),
    });
  }

  /** Up to `length` bytes at `position` (fewer only at the end); `undefined` when the blob is absent. */
  async read(name: string, position: number, length: number): Promise<Uint8Array | undefined> {
    const handle = await open(this.#pathOf(name), 'r').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
      throw error;
    });
    if (handle === undefined) return undefined;
    try {
      const buffer = Buffer.alloc(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return buffer.subarray(0, done);
    } finally {
      await handle.close();
    }
  }

  async stat(name: string): Promise<BlobInfo | undefined> {
    try {
      const info = await stat(this.#pathOf(name));
      return { name, size: info.size };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR')
        return undefined;
      throw error;
    }
  }

  /** Removes a blob and the directories it leaves empty; `false` when there was none. */
  async delete(name: string): Promise<boolean> {
    const segments = blobPathSegments(this.#checkName(name));
    const existed = await this.#lock.run(name, () =>
      unlink(join(this.#root, ...segments)).then(
        () => true,
        (error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT' && error.code !== 'ENOTDIR') throw error;
          return false;
        },
      ),
    );
    for (let depth = segments.length - 1; depth > 0; depth--) {
      // ENOTEMPTY (or ENOENT after a concurrent delete) ends the clean-up.
      const removed = await rmdir(join(this.#root, ...segments.slice(0, depth))).then(
        () => true,
        () => false,
      );
      if (!removed) break;
    }
    return existed;
  }

  /**
   * Blobs whose name starts with `prefix`, after `startAfter`, ascending, at most `limit`.
   * @throws {InvalidArgumentError} (rejects) for an invalid prefix or limit.
   */
  async list(prefix: string, options: BlobListOptions = {}): Promise<BlobListing> {
    if (!isBlobPrefix(prefix)) throw invalidArgument('FsBlobStore.list: not a valid blob name prefix');
    const limit = options.limit ?? MAX_BLOB_LIST_LIMIT;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_BLOB_LIST_LIMIT)
      throw invalidArgument(`FsBlobStore.list: limit must be 1 to ${MAX_BLOB_LIST_LIMIT}`);
    const found: BlobInfo[] = [];
    await this.#walk(this.#root, '', '', prefix, found);
    const after = options.startAfter;
    const sorted = found
      .filter((entry) => after === undefined || compareNames(entry.name, after) > 0)
      .sort((a, b) => compareNames(a.name, b.name));
    return { entries: sorted.slice(0, limit), truncated: sorted.length > limit };
  }

  // Walks the tree, skipping directories whose decoded name cannot lead to `prefix`.
  async #walk(dir: string, namePrefix: string, pending: string, prefix: string, found: BlobInfo[]): Promise<void> {
    const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      let encoded = entry.name;
      const kind = encoded.endsWith(BLOB_SUFFIX) ? 'blob' : encoded.endsWith(CONTINUED) ? 'continued' : 'dir';
      if (kind !== 'dir') encoded = encoded.slice(0, -1);
      const piece = `${pending}${encoded}`;
      if (kind === 'continued') {
        if (entry.isDirectory()) await this.#walk(join(dir, entry.name), namePrefix, piece, prefix, found);
        continue;
      }
      const segment = decodeSegment(piece);
      if (segment === undefined) continue;
      if (kind === 'blob') {
        const name = `${namePrefix}${segment}`;
        if (!entry.isFile() || !name.startsWith(prefix)) continue;
        const info = await stat(join(dir, entry.name)).catch(() => undefined);
        if (info !== undefined) found.push({ name, size: info.size });
        continue;
      }
      const below = `${namePrefix}${segment}/`;
      // Only descend where the prefix and the path so far agree.
      if (entry.isDirectory() && (below.startsWith(prefix) || prefix.startsWith(below))) {
        await this.#walk(join(dir, entry.name), below, '', prefix, found);
      }
    }
  }

  async #install(temp: string, path: string): Promise<void> {
    const dir = join(path, '..');
    for (let attempt = 0; ; attempt++) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      try {
        await rename(temp, path);
        break;
      } catch (error) {
        // A concurrent delete removed the (then empty) directory between mkdir and rename.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 3) throw error;
      }
    }
    await syncFile(dir);
  }

  #checkName(name: string): string {
    // spec: BlobStore names: path tricks (`..`, `/a`, `a//b`) never reach the file system.
    if (!isBlobName(name)) throw invalidArgument('FsBlobStore: not a valid blob name');
    return name;
  }

  #pathOf(name: string): string {
    return join(this.#root, ...blobPathSegments(this.#checkName(name)));
  }
}

/** A missing file reads as `undefined` (no blob); any other error propagates. */
function absent(error: NodeJS.ErrnoException): undefined {
  if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
  throw error;
}

/** fsync of a file or directory (a directory's entry makes a rename durable). */
async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function* emptyStream(): AsyncIterable<Uint8Array> {
  // No bytes: a zero-length range.
}

/** The read size for a `chunkBytes` hint: the hint within bounds, or the default. */
function readChunkBytes(hint: number | undefined): number {
  if (hint === undefined || !Number.isSafeInteger(hint)) return READ_CHUNK_BYTES;
  return Math.min(MAX_READ_CHUNK_BYTES, Math.max(MIN_READ_CHUNK_BYTES, hint));
}
