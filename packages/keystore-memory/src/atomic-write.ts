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
 * Whether process `pid` still runs on this machine. `kill(pid, 0)` sends nothing: ESRCH
 * means no such process; EPERM means it exists under another user. Anything else counts
 * as alive, so a doubt never deletes a file.
 */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Removes temporary files that writers which are gone left beside `path` (only ours: the
 * `.<name>.<pid>.<hex>.tmp` pattern), and keeps those of live processes: a writer of
 * another process may be between its temp write and its rename, and removing its file
 * would fail its call. Callers also hold the store lock, so no lock-holding writer is in
 * flight. A temp file whose pid was reused by another process stays until that one ends.
 * Never touches `path` itself.
 */
export async function removeStaleTempFiles(
  path: string,
  isAlive: (pid: number) => boolean = processIsAlive,
): Promise<number> {
  const prefix = `.${basename(path)}.`;
  let removed = 0;
  let entries: string[];
  try {
    entries = await readdir(dirname(path));
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (!entry.startsWith(prefix) || !entry.endsWith(TEMP_SUFFIX)) continue;
    const owner = /^\.(\d+)\.[0-9a-f]{12}\.tmp$/.exec(entry.slice(prefix.length - 1));
    if (owner === null) continue;
    const pid = Number(owner[1]);
    if (!Number.isSafeInteger(pid) || pid <= 0 || isAlive(pid)) continue;
    await unlink(join(dirname(path), entry)).then(
      () => (removed += 1),
      () => undefined,
    );
  }
  return removed;
}
