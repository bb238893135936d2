import { randomBytes } from 'node:crypto';
import { createWriteStream, fsync, type WriteStream } from 'node:fs';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { finished } from 'node:stream/promises';

/** Every temp file of this process, so a signal handler can remove them before exit. */
const live = new Set<AtomicFile>();

/**
 * An output file that appears only when complete: bytes go to a temp file in the same
 * directory (so the rename cannot cross file systems), which is fsynced and renamed
 * over the target on {@link commit}, and unlinked on {@link abort}. A failed decrypt
 * therefore leaves no partial plaintext behind, and a reader never sees half a file.
 * The temp file is created with `O_EXCL` and mode 0600 (it may hold plaintext).
 */
export class AtomicFile {
  readonly path: string;
  readonly tempPath: string;
  readonly #stream: WriteStream;
  readonly #fd: number;
  #settled = false;

  private constructor(path: string, tempPath: string, stream: WriteStream, fd: number) {
    this.path = path;
    this.tempPath = tempPath;
    this.#stream = stream;
    this.#fd = fd;
  }

  /**
   * Creates the temp file next to `path`. Unless `overwrite`, fails with `EEXIST` when
   * `path` exists already (checked again, atomically, by the final rename's caller).
   * @throws {NodeJS.ErrnoException} when the directory is missing or not writable.
   */
  static async create(path: string, overwrite: boolean): Promise<AtomicFile> {
    if (!overwrite) {
      // Fail early, before any work; a race with another writer is settled at rename time.
      const existing = await open(path, 'r').then(
        async (h) => {
          await h.close();
          return true;
        },
        () => false,
      );
      if (existing)
        throw Object.assign(new Error(`EEXIST: file already exists, open '${path}'`), {
          code: 'EEXIST',
          path,
          syscall: 'open',
        });
    }
    const tempPath = join(dirname(path), `.${basename(path)}.sealflow-${randomBytes(6).toString('hex')}.tmp`);
    // autoClose off: commit() still needs the descriptor for fsync. (A FileHandle's own
    // write stream would do, but FileHandle.sync() then never settles on Node 20.)
    const stream = createWriteStream(tempPath, { flags: 'wx', mode: 0o600, autoClose: false });
    const fd = await new Promise<number>((resolve, reject) => {
      stream.once('open', resolve);
      stream.once('error', (error: NodeJS.ErrnoException) => {
        // The temp file is ours, not the user's: a missing folder is reported as theirs.
        if (error.code === 'ENOENT' || error.code === 'ENOTDIR') error.path = dirname(path);
        reject(error);
      });
    });
    stream.removeAllListeners('error');
    const file = new AtomicFile(path, tempPath, stream, fd);
    live.add(file);
    return file;
  }

  /** The writable side; pipe into it. */
  get stream(): WriteStream {
    return this.#stream;
  }

  /**
   * Flushes, fsyncs and renames the temp file over the target, then fsyncs the
   * directory so the rename survives a crash.
   * @throws {NodeJS.ErrnoException} (the temp file is removed first).
   */
  async commit(): Promise<void> {
    if (this.#settled) return;
    try {
      if (!this.#stream.writableEnded) this.#stream.end();
      await finished(this.#stream);
      await new Promise<void>((resolve, reject) => fsync(this.#fd, (error) => (error ? reject(error) : resolve())));
      await this.#closeFd();
      await rename(this.tempPath, this.path);
      this.#settled = true;
      live.delete(this);
      await syncDirectory(dirname(this.path));
    } catch (error) {
      await this.abort();
      throw error;
    }
  }

  /** Removes the temp file (idempotent; never throws). */
  async abort(): Promise<void> {
    if (this.#settled) return;
    this.#settled = true;
    live.delete(this);
    await this.#closeFd().catch(() => {});
    await unlink(this.tempPath).catch(() => {});
  }

  #fdClosed = false;

  /** Closes the descriptor through the stream (destroy() always closes it, autoClose or not). */
  async #closeFd(): Promise<void> {
    if (this.#fdClosed) return;
    this.#fdClosed = true;
    if (this.#stream.closed) return;
    const closed = new Promise<void>((resolve) => this.#stream.once('close', () => resolve()));
    this.#stream.destroy();
    await closed;
  }

  /** Removes every temp file still open (the signal handler's cleanup). */
  static async abortAll(): Promise<void> {
    await Promise.all([...live].map((file) => file.abort()));
  }
}

/** fsync of a directory; not supported everywhere (Windows), which is fine to ignore. */
async function syncDirectory(path: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    await handle.sync();
  } catch {
    // Best effort: some platforms refuse to open or fsync directories.
  } finally {
    await handle?.close().catch(() => {});
  }
}
