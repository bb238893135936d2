import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { invalidArgument } from '@sealflow/core/internal';

/**
 * Takes the lock of an in-process KMS file for this process: `<storeFile>.lock`, created
 * exclusively, holding the process ID. The file is the whole KMS state, rewritten by the
 * process that holds it, so two processes over one file would each overwrite the keys
 * the other made (objects acknowledged under them could never be read again). A lock left
 * by a process that no longer runs (kill -9) is taken over.
 * Resolves to the release function.
 * @throws {InvalidArgumentError} (rejects) while another live process holds the lock, or
 * when the lock file cannot be made.
 */
export async function lockStoreFile(storeFile: string): Promise<() => Promise<void>> {
  const lock = `${storeFile}.lock`;
  await mkdir(dirname(storeFile), { recursive: true, mode: 0o700 });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(lock, 'wx', 0o600);
      try {
        await handle.writeFile(`${process.pid}\n`);
      } finally {
        await handle.close();
      }
      return () => unlink(lock).catch(() => undefined);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw invalidArgument(`keyStore.storeFile: cannot create ${lock} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const holder = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
    if (Number.isSafeInteger(holder) && holder > 0 && isRunning(holder)) {
      throw invalidArgument(
        `keyStore.storeFile: ${storeFile} is in use by process ${holder}; the in-process KMS file serves one gateway process (gateways sharing a store need a shared KMS: "aws-kms")`,
      );
    }
    // Its holder is gone: a stale lock.
    await unlink(lock).catch(() => undefined);
  }
  throw invalidArgument(`keyStore.storeFile: cannot take ${lock}`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
