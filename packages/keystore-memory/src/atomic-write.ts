import { randomBytes } from 'node:crypto';
import { open, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Replaces `path` with `bytes` so that a crash at any point leaves either the old file or
 * the new one, never a mix: write a temporary file in the same directory, fsync it,
 * rename it over `path` (atomic on POSIX file systems), then fsync the directory so the
 * rename itself is durable.
 */

/** Test seam: runs after the temporary file is durable and before the rename. */
export interface AtomicWriteHooks {
  readonly beforeRename?: (tempPath: string) => void | Promise<void>;
}

const TEMP_SUFFIX = '.tmp';

function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
}

/** @throws {Error} the file system error; the temporary file is removed when possible. */
export async function writeFileAtomic(path: string, bytes: Uint8Array, hooks: AtomicWriteHooks = {}): Promise<void> {
  const tempPath = tempPathFor(path);
  const handle = await open(tempPath, 'wx', 0o600);
  let renamed = false;
  try {
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await hooks.beforeRename?.(tempPath);
    await rename(tempPath, path);
    renamed = true;
    await syncDirectory(dirname(path));
  } finally {
    if (!renamed) await unlink(tempPath).catch(() => undefined);
  }
}

async function syncDirectory(directory: string): Promise<void> {
  let handle;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch {
    // Some platforms (Windows) cannot open or fsync a directory; the rename still happened.
  } finally {
    await handle?.close();
  }
}

/**
 * Removes temporary files a crashed writer left beside `path` (only ours: the
 * `.<name>.<pid>.<hex>.tmp` pattern). Never touches `path` itself.
 */
export async function removeStaleTempFiles(path: string): Promise<number> {
  const prefix = `.${basename(path)}.`;
  let removed = 0;
  let entries: string[];
  try {
    entries = await readdir(dirname(path));
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (entry.startsWith(prefix) && entry.endsWith(TEMP_SUFFIX) && /^\.\S+\.\d+\.[0-9a-f]{12}\.tmp$/.test(entry)) {
      await unlink(join(dirname(path), entry)).then(
        () => (removed += 1),
        () => undefined,
      );
    }
  }
  return removed;
}
