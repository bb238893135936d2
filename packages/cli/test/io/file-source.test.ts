import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileSource } from '../../src/io/file-source.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sealflow-source-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('FileSource', () => {
  it('knows the size and reads exactly the bytes at a position', async () => {
    const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
    writeFileSync(join(dir, 'f'), bytes);
    const source = await FileSource.open(join(dir, 'f'));
    try {
      expect(source.size).toBe(1000);
      expect(Buffer.from(await source.read(10, 20)).equals(bytes.subarray(10, 30))).toBe(true);
      expect(Buffer.from(await source.read(0, 1000)).equals(bytes)).toBe(true);
    } finally {
      await source.close();
    }
  });

  it('returns fewer bytes only at the end, and never allocates past the size seen at open', async () => {
    writeFileSync(join(dir, 'f'), 'abcdef');
    const source = await FileSource.open(join(dir, 'f'));
    try {
      expect(Buffer.from(await source.read(4, 100)).toString()).toBe('ef');
      expect((await source.read(6, 2 ** 40)).length).toBe(0);
      expect((await source.read(100, 10)).length).toBe(0);
    } finally {
      await source.close();
    }
  });

  it('refuses a directory (EISDIR) and a missing file (ENOENT)', async () => {
    await expect(FileSource.open(dir)).rejects.toMatchObject({ code: 'EISDIR' });
    await expect(FileSource.open(join(dir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
