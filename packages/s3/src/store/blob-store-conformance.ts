import { describe, expect, it } from 'vitest';
import type { BlobStore } from './blob-store.js';

/** How a conformance run gets a fresh, empty store (and disposes of it). */
export interface BlobStoreFactory {
  create(): Promise<BlobStore>;
  dispose?(store: BlobStore): Promise<void>;
}

const enc = new TextEncoder();

async function collect(source: AsyncIterable<Uint8Array> | undefined): Promise<Uint8Array | undefined> {
  if (source === undefined) return undefined;
  const parts: Uint8Array[] = [];
  for await (const chunk of source) parts.push(chunk.slice());
  return new Uint8Array(Buffer.concat(parts));
}

/** Plain Uint8Array copies, so a Buffer from a backend compares equal to the bytes put. */
function plain(bytes: Uint8Array | undefined): Uint8Array | undefined {
  return bytes === undefined ? undefined : new Uint8Array(bytes);
}

function pattern(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

async function* slowly(bytes: Uint8Array, pieces: number, pause: () => Promise<void>): AsyncIterable<Uint8Array> {
  const step = Math.ceil(bytes.length / pieces);
  for (let at = 0; at < bytes.length; at += step) {
    await pause();
    yield bytes.subarray(at, at + step);
  }
}

/**
 * The `BlobStore` contract as a vitest suite: every backend (memory, the gateway's `fs`
 * and `s3`) runs it. Call inside a test file: `blobStoreConformance('fs', factory)`.
 */
export function blobStoreConformance(label: string, factory: BlobStoreFactory): void {
  describe(`BlobStore conformance: ${label}`, () => {
    const withStore = (title: string, body: (store: BlobStore) => Promise<void>): void => {
      it(title, async () => {
        const store = await factory.create();
        try {
          await body(store);
        } finally {
          await factory.dispose?.(store);
        }
      });
    };

    withStore('put then stat, get and read return the same bytes; a missing blob is undefined', async (store) => {
      const bytes = pattern(200_000, 7);
      const info = await store.put('a/b/c.bin', [bytes.subarray(0, 1000), bytes.subarray(1000)]);
      expect(info).toEqual({ name: 'a/b/c.bin', size: bytes.length });
      expect(await store.stat('a/b/c.bin')).toEqual({ name: 'a/b/c.bin', size: bytes.length });
      expect(await collect(await store.get('a/b/c.bin'))).toEqual(bytes);
      expect(plain(await store.read('a/b/c.bin', 5, 10))).toEqual(bytes.subarray(5, 15));
      expect(await store.stat('a/b/missing')).toBeUndefined();
      expect(await store.get('a/b/missing')).toBeUndefined();
      expect(await store.read('a/b/missing', 0, 1)).toBeUndefined();
    });

    withStore('an empty blob exists with size 0', async (store) => {
      await store.put('empty', []);
      expect(await store.stat('empty')).toEqual({ name: 'empty', size: 0 });
      expect(await collect(await store.get('empty'))).toEqual(new Uint8Array(0));
      expect(plain(await store.read('empty', 0, 10))).toEqual(new Uint8Array(0));
    });

    withStore('get honours start and end (end exclusive, clipped); read is short only at the end', async (store) => {
      const bytes = pattern(1000, 3);
      await store.put('r', [bytes]);
      expect(await collect(await store.get('r', { start: 10, end: 20 }))).toEqual(bytes.subarray(10, 20));
      expect(await collect(await store.get('r', { start: 990, end: 5000 }))).toEqual(bytes.subarray(990));
      expect(await collect(await store.get('r', { start: 500 }))).toEqual(bytes.subarray(500));
      expect(plain(await store.read('r', 995, 10))).toEqual(bytes.subarray(995));
      expect(plain(await store.read('r', 1000, 10))).toEqual(new Uint8Array(0));
    });

    withStore('put replaces a blob as a whole', async (store) => {
      await store.put('x', [pattern(5000, 1)]);
      await store.put('x', [enc.encode('short')]);
      expect(await collect(await store.get('x'))).toEqual(enc.encode('short'));
      expect((await store.stat('x'))?.size).toBe(5);
    });

    withStore('a put whose source fails leaves nothing (or the previous blob) behind', async (store) => {
      async function* failing(): AsyncIterable<Uint8Array> {
        yield pattern(10_000, 2);
        throw new Error('client went away');
      }
      await expect(store.put('new', failing())).rejects.toThrow();
      expect(await store.stat('new')).toBeUndefined();
      expect((await store.list('')).entries.map((e) => e.name)).not.toContain('new');
      await store.put('old', [enc.encode('kept')]);
      await expect(store.put('old', failing())).rejects.toThrow();
      expect(await collect(await store.get('old'))).toEqual(enc.encode('kept'));
    });

    withStore('an aborted put stores nothing', async (store) => {
      const controller = new AbortController();
      const source = slowly(pattern(100_000, 4), 10, async () => {
        await new Promise((r) => setTimeout(r, 2));
      });
      const pending = store.put('aborted', source, { signal: controller.signal });
      setTimeout(() => controller.abort(new Error('stop')), 5);
      await expect(pending).rejects.toThrow();
      expect(await store.stat('aborted')).toBeUndefined();
    });

    withStore('a reader never sees a partial blob while a put is in flight', async (store) => {
      const bytes = pattern(300_000, 5);
      let release: () => void = () => {};
      const gate = new Promise<void>((r) => (release = r));
      let pieces = 0;
      const source = slowly(bytes, 6, async () => {
        if (++pieces === 3) await gate;
      });
      const pending = store.put('inflight', source);
      await new Promise((r) => setTimeout(r, 20));
      expect(await store.stat('inflight')).toBeUndefined();
      expect(await store.read('inflight', 0, 10)).toBeUndefined();
      release();
      await pending;
      expect(await collect(await store.get('inflight'))).toEqual(bytes);
    });

    withStore('of concurrent puts to one name, one complete blob wins', async (store) => {
      const candidates = [0, 1, 2, 3, 4, 5, 6, 7].map((seed) => pattern(50_000 + seed * 1000, seed));
      await Promise.all(
        candidates.map((bytes) =>
          store.put(
            'race',
            slowly(bytes, 4, () => new Promise((r) => setTimeout(r, Math.random() * 3))),
          ),
        ),
      );
      const got = (await collect(await store.get('race'))) as Uint8Array;
      expect(candidates.some((c) => Buffer.from(c).equals(Buffer.from(got)))).toBe(true);
      expect((await store.stat('race'))?.size).toBe(got.length);
    });

    withStore('delete removes a blob and says whether there was one', async (store) => {
      await store.put('d', [enc.encode('x')]);
      expect(await store.delete('d')).toBe(true);
      expect(await store.delete('d')).toBe(false);
      expect(await store.stat('d')).toBeUndefined();
    });

    withStore('list: prefix, ascending order, sizes, startAfter and limit paginate', async (store) => {
      const names = ['p/a', 'p/b/1', 'p/b/2', 'p/c-d', 'p/c.d', 'p/c_d', 'q/z', 'p0'];
      for (const [i, n] of names.entries()) await store.put(n, [pattern(i, i)]);
      const all = await store.list('p/');
      expect(all.entries.map((e) => e.name)).toEqual(['p/a', 'p/b/1', 'p/b/2', 'p/c-d', 'p/c.d', 'p/c_d']);
      expect(all.entries.map((e) => e.size)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(all.truncated).toBe(false);
      const first = await store.list('p/', { limit: 2 });
      expect(first.entries.map((e) => e.name)).toEqual(['p/a', 'p/b/1']);
      expect(first.truncated).toBe(true);
      const next = await store.list('p/', { startAfter: 'p/b/1', limit: 2 });
      expect(next.entries.map((e) => e.name)).toEqual(['p/b/2', 'p/c-d']);
      expect((await store.list('p')).entries.map((e) => e.name)).toContain('p0');
      expect((await store.list('none/')).entries).toEqual([]);
    });

    withStore('long names of many 200-character segments round-trip and list in order', async (store) => {
      const seg = (c: string): string => c.repeat(200);
      const long = [seg('a'), seg('b'), seg('c'), seg('d'), seg('e'), 'f'].join('/');
      const longer = [seg('a'), seg('b'), seg('c'), seg('d'), seg('e'), 'g'].join('/');
      await store.put(longer, [enc.encode('2')]);
      await store.put(long, [enc.encode('1')]);
      expect(await collect(await store.get(long))).toEqual(enc.encode('1'));
      const listed = await store.list(`${seg('a')}/${seg('b')}/`);
      expect(listed.entries.map((e) => e.name)).toEqual([long, longer]);
    });

    withStore('invalid names are refused (path tricks never reach storage)', async (store) => {
      for (const bad of ['', '../x', 'a/../b', 'a//b', '/a', 'a/', 'a\\b', 'a b', 'é', 'x'.repeat(201)]) {
        await expect(store.put(bad, [enc.encode('x')])).rejects.toThrow();
      }
      expect((await store.list('')).entries).toEqual([]);
    });
  });
}
