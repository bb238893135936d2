// The behaviours both gateway backends (fs, s3) must show, run by each backend's test file.
import { expect, it } from 'vitest';
import type { BlobStoreLike } from '../../src/storage/blob-store-contract.js';

async function collect(stream: AsyncIterable<Uint8Array> | undefined): Promise<Buffer | undefined> {
  if (stream === undefined) return undefined;
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function* chunks(...parts: (string | Uint8Array)[]): AsyncIterable<Uint8Array> {
  for (const part of parts) yield typeof part === 'string' ? Buffer.from(part) : part;
}

/** Registers the shared backend tests; `store()` gives a fresh, empty store. */
export function backendSuite(store: () => BlobStoreLike): void {
  it('puts, stats, reads whole, by range and at a position, then deletes', async () => {
    const s = store();
    await s.put('a/b.txt', chunks('hello ', 'world'));
    expect(await s.stat('a/b.txt')).toEqual({ size: 11 });
    expect((await collect(await s.get('a/b.txt')))?.toString()).toBe('hello world');
    expect((await collect(await s.get('a/b.txt', { start: 6 })))?.toString()).toBe('world');
    expect((await collect(await s.get('a/b.txt', { start: 2, end: 5 })))?.toString()).toBe('llo');
    expect((await collect(await s.get('a/b.txt', { start: 4, end: 4 })))?.length).toBe(0);
    expect(Buffer.from(await s.read('a/b.txt', 3, 4)).toString()).toBe('lo w');
    await expect(s.read('a/b.txt', 8, 10)).rejects.toThrow(/shorter/);
    await s.delete('a/b.txt');
    expect(await s.stat('a/b.txt')).toBeUndefined();
    expect(await s.get('a/b.txt')).toBeUndefined();
    await s.delete('a/b.txt');
  });

  it('keeps a blob and a blob below its name apart, and odd names intact', async () => {
    const s = store();
    const names = ['x', 'x/y', 'x//y', '../up', './dot', 'sp ace/%2F/é~+', `long/${'k'.repeat(900)}`, 'z/'];
    for (const [i, name] of names.entries()) await s.put(name, chunks(`v${i}`));
    for (const [i, name] of names.entries()) expect((await collect(await s.get(name)))?.toString()).toBe(`v${i}`);
    const listed = (await s.list('')).map((entry) => entry.name);
    expect(listed).toEqual([...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
  });

  it('lists by prefix, after a name, with a limit, with sizes', async () => {
    const s = store();
    for (const name of ['p/1', 'p/2', 'p/3', 'q/1', 'p2']) await s.put(name, chunks(name));
    expect(await s.list('p/')).toEqual([
      { name: 'p/1', size: 3 },
      { name: 'p/2', size: 3 },
      { name: 'p/3', size: 3 },
    ]);
    expect((await s.list('p', { startAfter: 'p/1', limit: 2 })).map((e) => e.name)).toEqual(['p/2', 'p/3']);
    expect((await s.list('p/', { startAfter: 'p/3' })).map((e) => e.name)).toEqual([]);
  });

  it('an aborted put leaves nothing and keeps the previous blob', async () => {
    const s = store();
    await s.put('k', chunks('old'));
    const controller = new AbortController();
    async function* slow(): AsyncIterable<Uint8Array> {
      yield Buffer.alloc(1024, 1);
      controller.abort();
      yield Buffer.alloc(1024, 2);
    }
    await expect(s.put('k', slow(), { signal: controller.signal })).rejects.toThrow();
    await expect(s.put('fresh', slow(), { signal: AbortSignal.abort() })).rejects.toThrow();
    expect((await collect(await s.get('k')))?.toString()).toBe('old');
    expect(await s.stat('fresh')).toBeUndefined();
    expect((await s.list('')).map((e) => e.name)).toEqual(['k']);
  });

  it('a source that fails mid-way leaves nothing', async () => {
    const s = store();
    async function* failing(): AsyncIterable<Uint8Array> {
      yield Buffer.alloc(4096);
      throw new Error('client went away');
    }
    await expect(s.put('broken', failing())).rejects.toThrow('client went away');
    expect(await s.stat('broken')).toBeUndefined();
    expect(await s.list('')).toEqual([]);
  });

  it('concurrent puts of one name: one complete blob wins', async () => {
    const s = store();
    const bodies = Array.from({ length: 8 }, (_, i) => Buffer.alloc(256 * 1024, i));
    await Promise.all(bodies.map((body) => s.put('race', chunks(body.subarray(0, 1000), body.subarray(1000)))));
    const got = await collect(await s.get('race'));
    expect(got?.length).toBe(256 * 1024);
    expect(bodies.some((body) => got?.equals(body))).toBe(true);
  });
}
