import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { blobStoreConformance } from '@sealflow/s3/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { FsBlobStore } from '../../src/storage/fs-blob-store.js';

const roots: string[] = [];
afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

function freshRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'sealflow-fs-blob-'));
  roots.push(root);
  return root;
}

blobStoreConformance('FsBlobStore', { create: () => FsBlobStore.open(freshRoot()) });

describe('FsBlobStore', () => {
  it('removes temp files a crash left and never lists them', async () => {
    const root = freshRoot();
    const first = await FsBlobStore.open(root);
    await first.put('kept', [Buffer.from('ok')]);
    writeFileSync(join(root, '.tmp', 'half-written'), 'partial');
    const reopened = await FsBlobStore.open(root);
    expect(readdirSync(join(root, '.tmp'))).toEqual([]);
    expect((await reopened.list('')).entries).toEqual([{ name: 'kept', size: 2 }]);
  });

  it('keeps a blob and blobs below its name apart; dot segments stay inside the root', async () => {
    const s = await FsBlobStore.open(freshRoot());
    const names = ['x', 'x/y', 'x/y/z', '.tmp', '...', '.x/..y', `long/${'.'.repeat(200)}`];
    for (const [i, name] of names.entries()) await s.put(name, [Buffer.from(`v${i}`)]);
    for (const [i, name] of names.entries())
      expect(Buffer.from((await s.read(name, 0, 10)) ?? []).toString()).toBe(`v${i}`);
    expect((await s.list('')).entries.map((e) => e.name)).toEqual([...names].sort());
    expect(await s.delete('x/y/z')).toBe(true);
    expect((await s.list('x')).entries.map((e) => e.name)).toEqual(['x', 'x/y']);
  });

  it('streams in chunks of the chunkBytes hint, within its bounds, and 256 KiB without one', async () => {
    const s = await FsBlobStore.open(freshRoot());
    const bytes = Buffer.alloc(3 * 1024 * 1024 + 5, 7);
    await s.put('big', [bytes]);
    const sizes = async (chunkBytes?: number): Promise<number[]> => {
      const out: number[] = [];
      const stream = await s.get('big', chunkBytes === undefined ? {} : { chunkBytes });
      for await (const chunk of stream ?? []) out.push(chunk.length);
      expect(out.reduce((a, b) => a + b, 0)).toBe(bytes.length);
      return out;
    };
    expect((await sizes(4 * 65_568))[0]).toBe(4 * 65_568);
    expect((await sizes())[0]).toBe(256 * 1024);
    expect((await sizes(1))[0]).toBe(16 * 1024);
    expect((await sizes(64 * 1024 * 1024))[0]).toBe(1024 * 1024);
  });

  it('closes the file once a stream ends, and when it is destroyed before its end (never by the collector)', async () => {
    const s = await FsBlobStore.open(freshRoot());
    await s.put('b', [Buffer.alloc(2 * 1024 * 1024, 3)]);
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning.message);
    process.on('warning', onWarning);
    try {
      const open = (): number => readdirSync('/proc/self/fd').length;
      const before = open();
      for (let i = 0; i < 20; i++) {
        for await (const chunk of (await s.get('b')) ?? []) expect(chunk.length).toBeGreaterThan(0);
        const early = (await s.get('b')) as AsyncIterable<Uint8Array>;
        for await (const chunk of early) {
          expect(chunk.length).toBeGreaterThan(0);
          break;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      // Closed by the streams themselves: nothing open before any collection runs...
      expect(open()).toBeLessThanOrEqual(before);
      gc();
      await new Promise((resolve) => setTimeout(resolve, 50));
      // ...and no handle left for the collector to close (node warns when it does).
      expect(warnings.filter((m) => m.includes('file descriptor'))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('ignores files it did not write', async () => {
    const root = freshRoot();
    const s = await FsBlobStore.open(root);
    writeFileSync(join(root, 'stray~'), 'x');
    writeFileSync(join(root, 'not encoded!~'), 'x');
    expect((await s.list('')).entries.map((e) => e.name)).toEqual(['stray']);
  });
});

describe('FsBlobStore.putConditionally', () => {
  it('checks the current bytes and installs under the name lock: of racing conditional creates one wins, the rest leave nothing', async () => {
    const root = freshRoot();
    const s = await FsBlobStore.open(root);
    const absentOnly = (current: Uint8Array | undefined): void => {
      if (current !== undefined) throw new Error('exists');
    };
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => s.putConditionally('a/b', [Buffer.from(`writer ${i}`)], absentOnly)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(
      results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)),
    ).toEqual(Array.from({ length: 7 }, () => 'Error: exists'));
    const stored = Buffer.from((await s.read('a/b', 0, 100)) ?? []).toString();
    expect(stored).toMatch(/^writer \d$/);
    // Refused writers left no temp file behind.
    expect(readdirSync(join(root, '.tmp'))).toEqual([]);
    // The condition sees the bytes in place.
    let seen: string | undefined;
    await s.putConditionally('a/b', [Buffer.from('next')], (current) => {
      seen = current === undefined ? undefined : Buffer.from(current).toString();
    });
    expect(seen).toBe(stored);
  });
});
