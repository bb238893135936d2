import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { FsBlobStore } from '../../src/storage/fs-blob-store.js';
import { backendSuite } from './backend-suite.js';

const roots: string[] = [];
afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

function freshRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'sealflow-fs-blob-'));
  roots.push(root);
  return root;
}

describe('FsBlobStore', () => {
  let current: FsBlobStore | undefined;
  // Each test gets a fresh directory.
  beforeEach(async () => {
    current = await FsBlobStore.open(freshRoot());
  });
  backendSuite(() => {
    if (current === undefined) throw new Error('store not opened');
    return current;
  });

  it('removes temp files a crash left and never lists them', async () => {
    const root = freshRoot();
    const first = await FsBlobStore.open(root);
    await first.put('kept', (async function* () { yield Buffer.from('ok'); })());
    writeFileSync(join(root, '.tmp', 'half-written'), 'partial');
    const reopened = await FsBlobStore.open(root);
    expect(readdirSync(join(root, '.tmp'))).toEqual([]);
    expect(await reopened.list('')).toEqual([{ name: 'kept', size: 2 }]);
  });

  it('ignores files it did not write', async () => {
    const root = freshRoot();
    const s = await FsBlobStore.open(root);
    writeFileSync(join(root, 'stray~'), 'x');
    writeFileSync(join(root, 'not encoded!~'), 'x');
    expect((await s.list('')).map((e) => e.name)).toEqual(['stray']);
  });
});
