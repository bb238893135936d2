import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processIsAlive, removeStaleTempFiles, writeFileAtomic } from '../src/atomic-write.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealflow-atomic-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('replaces the file with the new bytes, readable only by its owner', async () => {
    const path = join(dir, 'store.json');
    await writeFile(path, 'old');
    await writeFileAtomic(path, new TextEncoder().encode('new'));
    expect(await readFile(path, 'utf8')).toBe('new');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['store.json']);
  });

  it('a writer killed between the temp write and the rename leaves the previous file whole', async () => {
    const path = join(dir, 'store.json');
    await writeFile(path, 'previous');
    let tempSeen = '';
    // The "kill": the writer never gets past this point (its promise never settles).
    void writeFileAtomic(path, new TextEncoder().encode('next'), {
      beforeRename: (temp) => {
        tempSeen = temp;
        return new Promise<void>(() => undefined);
      },
    });
    await expect.poll(() => tempSeen).not.toBe('');
    expect(await readFile(tempSeen, 'utf8')).toBe('next');
    expect(await readFile(path, 'utf8')).toBe('previous');
    // Its writer (this process) still runs: the temp file is not stale.
    expect(await removeStaleTempFiles(path)).toBe(0);
    // Once its writer is gone, it is.
    expect(await removeStaleTempFiles(path, () => false)).toBe(1);
    expect(await readdir(dir)).toEqual(['store.json']);
  });

  it('removeStaleTempFiles removes the temp file of a process that has exited, and keeps the one of a live process', async () => {
    const path = join(dir, 'store.json');
    await writeFile(path, 'x');
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    expect(processIsAlive(gone)).toBe(false);
    expect(processIsAlive(process.pid)).toBe(true);
    const dead = `.store.json.${gone}.0123456789ab.tmp`;
    const live = `.store.json.${process.pid}.0123456789ab.tmp`;
    await writeFile(join(dir, dead), 'd');
    await writeFile(join(dir, live), 'l');
    expect(await removeStaleTempFiles(path)).toBe(1);
    expect((await readdir(dir)).sort()).toEqual([live, 'store.json']);
  });

  it('a failure before the rename leaves the previous file and removes the temp file', async () => {
    const path = join(dir, 'store.json');
    await writeFile(path, 'previous');
    await expect(
      writeFileAtomic(path, new TextEncoder().encode('next'), {
        beforeRename: () => {
          throw new Error('crash');
        },
      }),
    ).rejects.toThrow('crash');
    expect(await readFile(path, 'utf8')).toBe('previous');
    expect(await readdir(dir)).toEqual(['store.json']);
  });

  it('removeStaleTempFiles leaves files that are not its own temp files', async () => {
    const path = join(dir, 'store.json');
    await writeFile(path, 'x');
    await writeFile(join(dir, '.store.json.backup'), 'y');
    await writeFile(join(dir, 'other.tmp'), 'z');
    expect(await removeStaleTempFiles(path)).toBe(0);
    expect((await readdir(dir)).sort()).toEqual(['.store.json.backup', 'other.tmp', 'store.json']);
  });
});
