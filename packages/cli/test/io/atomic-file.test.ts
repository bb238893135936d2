import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AtomicFile } from '../../src/io/atomic-file.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sealflow-atomic-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const write = (file: AtomicFile, text: string): Promise<void> =>
  new Promise((resolve, reject) => file.stream.write(text, (e) => (e ? reject(e) : resolve())));

describe('AtomicFile', () => {
  it('writes to a private temp file beside the target; the target appears only on commit', async () => {
    const target = join(dir, 'out.bin');
    const file = await AtomicFile.create(target, false);
    await write(file, 'hello');
    expect(existsSync(target)).toBe(false);
    expect(statSync(file.tempPath).mode & 0o777).toBe(0o600);
    expect(file.tempPath.startsWith(join(dir, '.out.bin.sealflow-'))).toBe(true);
    await file.commit();
    expect(readFileSync(target, 'utf8')).toBe('hello');
    expect(readdirSync(dir)).toEqual(['out.bin']);
  });

  it('abort removes the temp file and leaves an existing target untouched', async () => {
    const target = join(dir, 'keep.txt');
    writeFileSync(target, 'old');
    const file = await AtomicFile.create(target, true);
    await write(file, 'partial new');
    await file.abort();
    await file.abort();
    expect(readFileSync(target, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['keep.txt']);
  });

  it('refuses an existing target without overwrite (EEXIST), replaces it with', async () => {
    const target = join(dir, 'exists');
    writeFileSync(target, 'old');
    await expect(AtomicFile.create(target, false)).rejects.toMatchObject({ code: 'EEXIST' });
    const file = await AtomicFile.create(target, true);
    await write(file, 'new');
    await file.commit();
    expect(readFileSync(target, 'utf8')).toBe('new');
  });

  it('abortAll removes every temp file still open (the interrupt path)', async () => {
    const a = await AtomicFile.create(join(dir, 'a'), false);
    const b = await AtomicFile.create(join(dir, 'b'), false);
    await write(a, 'x');
    await write(b, 'y');
    await AtomicFile.abortAll();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('fails with ENOENT for a missing folder', async () => {
    await expect(AtomicFile.create(join(dir, 'no', 'such'), false)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
