import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from '@sealflow/core';
import { afterEach, describe, expect, it } from 'vitest';
import { lockStoreFile } from '../../src/config/store-lock.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));
function storeFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sealflow-lock-'));
  dirs.push(dir);
  return join(dir, 'sub', 'keystore.sealflow');
}

describe('lockStoreFile', () => {
  it('holds <storeFile>.lock with this process ID until released; a live holder refuses a second taker', async () => {
    const file = storeFile();
    const release = await lockStoreFile(file);
    expect(readFileSync(`${file}.lock`, 'utf8')).toBe(`${process.pid}\n`);
    const second = await lockStoreFile(file).catch((error: unknown) => error);
    expect(second).toBeInstanceOf(InvalidArgumentError);
    expect((second as Error).message).toContain(`is in use by process ${process.pid}`);
    await release();
    expect(existsSync(`${file}.lock`)).toBe(false);
    await (await lockStoreFile(file))();
  });

  it('takes over a lock whose process is gone, or that holds no process ID', async () => {
    const file = storeFile();
    await (await lockStoreFile(file))();
    // A process that has exited: its ID names no running process (barring reuse).
    const gone = spawnSync(process.execPath, ['-e', '0']).pid as number;
    for (const content of [`${gone}\n`, 'not a pid', '']) {
      writeFileSync(`${file}.lock`, content);
      const release = await lockStoreFile(file);
      expect(readFileSync(`${file}.lock`, 'utf8')).toBe(`${process.pid}\n`);
      await release();
    }
  });
});
