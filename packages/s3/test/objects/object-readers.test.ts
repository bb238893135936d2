// Readers of an object keep the bodies they read while overwrites and deletes commit (see
// src/objects/object-readers.ts), and give them up when their read ends however it ends.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MemoryBlobStore, type BlobStore } from '@sealflow/s3';
import { describe, expect, it } from 'vitest';
import { BlobNames } from '../../src/objects/blob-names.js';
import { leasedBody, ObjectReaders } from '../../src/objects/object-readers.js';
import { RANGE_WINDOW } from '../../src/objects/object-reader.js';
import { chunks, collect, ctx, harness, pattern, storeOver } from './fixtures.js';

const KMS = { 'x-amz-server-side-encryption': 'aws:kms' };
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('ObjectReaders', () => {
  it('removes at once, and before resolving, when no reader holds the name', async () => {
    const readers = new ObjectReaders();
    readers.lease('other');
    let removed: readonly string[] = [];
    await readers.removeAfterReaders('name', ['d/1'], async (blobs) => {
      removed = blobs;
    });
    expect(removed).toEqual(['d/1']);
    expect(readers.isWaiting('d/1')).toBe(false);
  });

  it('waits for every lease open at the call, and for none opened after it', async () => {
    const readers = new ObjectReaders();
    const first = readers.lease('name');
    const second = readers.lease('name');
    let removed = 0;
    await readers.removeAfterReaders('name', ['d/1', 'd/2'], async () => {
      removed++;
    });
    const later = readers.lease('name');
    expect(readers.size).toEqual({ names: 1, deferred: 1 });
    expect([readers.isWaiting('d/1'), readers.isWaiting('d/2'), readers.isWaiting('d/3')]).toEqual([true, true, false]);
    first.end();
    first.end();
    await tick();
    expect(removed).toBe(0);
    second.end();
    await tick();
    expect(removed).toBe(1);
    expect(readers.size).toEqual({ names: 1, deferred: 0 });
    expect(readers.isWaiting('d/1')).toBe(false);
    later.end();
    expect(readers.size).toEqual({ names: 0, deferred: 0 });
  });
});

describe('leasedBody', () => {
  async function* three(): AsyncIterable<Uint8Array> {
    yield new Uint8Array([1]);
    yield new Uint8Array([2]);
    yield new Uint8Array([3]);
  }

  it('ends the lease when read to its end, and not before', async () => {
    const lease = new ObjectReaders().lease('n');
    let ended = false;
    void lease.ended.then(() => (ended = true));
    const iterator = leasedBody(three(), lease)[Symbol.asyncIterator]();
    for (let i = 0; i < 3; i++) expect((await iterator.next()).done).toBe(false);
    await tick();
    expect(ended).toBe(false);
    expect((await iterator.next()).done).toBe(true);
    await tick();
    expect(ended).toBe(true);
  });

  it('ends the lease when the body fails, is returned early (even unstarted) or its signal aborts', async () => {
    async function* failing(): AsyncIterable<Uint8Array> {
      yield new Uint8Array([1]);
      throw new Error('boom');
    }
    const readers = new ObjectReaders();
    const failed = readers.lease('n');
    await expect(collect(leasedBody(failing(), failed))).rejects.toThrow('boom');
    const returned = readers.lease('n');
    for await (const chunk of leasedBody(three(), returned)) if (chunk[0] === 1) break;
    const unstarted = readers.lease('n');
    await leasedBody(three(), unstarted)[Symbol.asyncIterator]().return?.();
    const controller = new AbortController();
    const aborted = readers.lease('n');
    leasedBody(three(), aborted, controller.signal);
    expect(readers.size.names).toBe(1);
    controller.abort();
    await Promise.all([failed.ended, returned.ended, unstarted.ended, aborted.ended]);
    expect(readers.size.names).toBe(0);
  });

  it('returns the body it wraps when returned before its first read (a source it holds is closed)', async () => {
    let returned = 0;
    const body: AsyncIterableIterator<Uint8Array> = {
      [Symbol.asyncIterator]: () => body,
      next: async () => ({ done: false, value: new Uint8Array([1]) }),
      return: async () => {
        returned++;
        return { done: true, value: undefined };
      },
    };
    const lease = new ObjectReaders().lease('n');
    await leasedBody(body, lease)[Symbol.asyncIterator]().return?.();
    expect(returned).toBe(1);
    await lease.ended;
  });

  it('ends the lease of a body dropped unread once it is garbage-collected', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const readers = new ObjectReaders();
    const lease = readers.lease('n');
    (() => {
      leasedBody(three(), lease);
    })();
    let ended = false;
    void lease.ended.then(() => (ended = true));
    await expect
      .poll(
        async () => {
          gc();
          await tick();
          return ended;
        },
        { timeout: 10_000, interval: 50 },
      )
      .toBe(true);
    expect(readers.size.names).toBe(0);
  });
});

/** Names of the body blobs in bucket `bkt`. */
async function bodies(store: BlobStore): Promise<string[]> {
  return (await store.list(BlobNames.dataPrefix('bkt'))).entries.map((e) => e.name);
}

describe('S3Service: a read keeps the bodies it started on', () => {
  // Two range windows: the second is read after the first has gone out.
  const size = RANGE_WINDOW + 5000;

  for (const commit of ['an overwrite', 'a delete'] as const) {
    it(`a range GET across windows reads the object it started on while ${commit} commits; the body goes after`, async () => {
      const { service, store } = await harness();
      const a = pattern(size, 1);
      await service.putObject(ctx(), { bucket: 'bkt', key: 'k', headers: KMS, body: chunks(a, 64 * 1024) });
      const [oldBody] = await bodies(store);
      const got = await service.getObject(ctx(), {
        bucket: 'bkt',
        key: 'k',
        headers: { range: `bytes=0-${size - 1}` },
      });
      const iterator = got.body[Symbol.asyncIterator]();
      const first = await iterator.next();
      expect(first.done).toBe(false);
      if (commit === 'an overwrite')
        await service.putObject(ctx(), { bucket: 'bkt', key: 'k', headers: KMS, body: chunks(pattern(300, 2)) });
      else await service.deleteObject(ctx(), { bucket: 'bkt', key: 'k' });
      expect(await bodies(store)).toContain(oldBody);
      const rest: Uint8Array[] = [first.value as Uint8Array];
      for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) rest.push(next.value);
      expect(Buffer.concat(rest).equals(a)).toBe(true);
      await expect.poll(() => bodies(store)).not.toContain(oldBody);
      expect(await bodies(store)).toHaveLength(commit === 'an overwrite' ? 1 : 0);
    });
  }

  it('a GET given up after its first chunk (or aborted) lets the replaced body go', async () => {
    const { service, store } = await harness();
    await service.putObject(ctx(), { bucket: 'bkt', key: 'k', headers: KMS, body: chunks(pattern(size, 1), 65536) });
    const [oldBody] = await bodies(store);
    const got = await service.getObject(ctx(), { bucket: 'bkt', key: 'k', headers: { range: `bytes=0-${size - 1}` } });
    const controller = new AbortController();
    const aborted = await service.getObject(ctx(), {
      bucket: 'bkt',
      key: 'k',
      headers: { range: 'bytes=0-99' },
      signal: controller.signal,
    });
    await service.putObject(ctx(), { bucket: 'bkt', key: 'k', headers: KMS, body: chunks(pattern(300, 2)) });
    for await (const chunk of got.body) if (chunk.length > 0) break;
    expect(await bodies(store)).toContain(oldBody);
    controller.abort();
    await expect.poll(() => bodies(store)).not.toContain(oldBody);
    expect(aborted.contentLength).toBe(100);
  });

  it('the orphan sweeper leaves a replaced body to its readers, however long they read', async () => {
    const { service, store } = await harness();
    const a = pattern(size, 1);
    await service.putObject(ctx(), { bucket: 'bkt', key: 'k', headers: KMS, body: chunks(a, 65536) });
    const [oldBody] = await bodies(store);
    const got = await service.getObject(ctx(), { bucket: 'bkt', key: 'k', headers: { range: `bytes=0-${size - 1}` } });
    const iterator = got.body[Symbol.asyncIterator]();
    const first = await iterator.next();
    await service.putObject(ctx(), { bucket: 'bkt', key: 'k', headers: KMS, body: chunks(pattern(300, 2)) });
    // Unreferenced now: with no grace, the second sweep would take any other such body.
    for (let sweep = 0; sweep < 3; sweep++)
      expect(await service.sweepOrphans({ graceMs: 0 })).toEqual({
        bodies: 0,
        parts: 0,
        expiredUploads: 0,
        pending: 0,
      });
    const rest: Uint8Array[] = [first.value as Uint8Array];
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) rest.push(next.value);
    expect(Buffer.concat(rest).equals(a)).toBe(true);
    await expect.poll(() => bodies(store)).not.toContain(oldBody);
  });

  it('CopyObject and UploadPartCopy copy the source they started on while an overwrite of it commits', async () => {
    const inner = new MemoryBlobStore();
    // Commits an overwrite of the source before the first body read of each armed copy.
    let overwrite: (() => Promise<unknown>) | undefined;
    const beforeBodyRead = async (name: string): Promise<void> => {
      if (!name.startsWith('d/') || overwrite === undefined) return;
      const run = overwrite;
      overwrite = undefined;
      await run();
    };
    const store = storeOver(inner, {
      get: async (name, options) => {
        await beforeBodyRead(name);
        return inner.get(name, options);
      },
      read: async (name, position, length) => {
        await beforeBodyRead(name);
        return inner.read(name, position, length);
      },
    });
    const { service } = await harness({ store });
    const put = (seed: number) => () =>
      service.putObject(ctx(), { bucket: 'bkt', key: 'src', headers: KMS, body: chunks(pattern(4000, seed)) });
    await put(1)();
    overwrite = put(2);
    await service.copyObject(ctx(), { bucket: 'bkt', key: 'dst', source: { bucket: 'bkt', key: 'src' }, headers: {} });
    expect(overwrite).toBeUndefined();
    const copied = await collect((await service.getObject(ctx(), { bucket: 'bkt', key: 'dst', headers: {} })).body);
    expect(copied.equals(pattern(4000, 1))).toBe(true);

    const { uploadId } = await service.createMultipartUpload(ctx(), { bucket: 'bkt', key: 'mp', headers: {} });
    overwrite = put(3);
    const part = await service.uploadPartCopy(ctx(), {
      bucket: 'bkt',
      key: 'mp',
      uploadId,
      partNumber: 1,
      source: { bucket: 'bkt', key: 'src' },
      headers: {},
    });
    expect(overwrite).toBeUndefined();
    await service.completeMultipartUpload(ctx(), {
      bucket: 'bkt',
      key: 'mp',
      uploadId,
      parts: [{ partNumber: 1, etag: part.etag }],
      headers: {},
    });
    const assembled = await collect((await service.getObject(ctx(), { bucket: 'bkt', key: 'mp', headers: {} })).body);
    expect(assembled.equals(pattern(4000, 2))).toBe(true);
  });

  it('a record replaced by a commit between any two store calls is read whole: HEAD never sees a torn one', async () => {
    const inner = new MemoryBlobStore();
    const { service } = await harness({ store: inner });
    const name = BlobNames.object('bkt', 'flip');
    const versions: Uint8Array[] = [];
    for (const [seed, metadata] of [
      [1, {}],
      [2, { 'x-amz-meta-note': 'n'.repeat(1500) }],
    ] as const) {
      await service.putObject(ctx(), {
        bucket: 'bkt',
        key: 'flip',
        headers: metadata,
        body: chunks(pattern(seed * 1000)),
      });
      versions.push((await inner.read(name, 0, 1 << 20)) as Uint8Array);
    }
    expect(versions[0]?.length).not.toBe(versions[1]?.length);
    let turn = 0;
    const flip = async (blob: string): Promise<void> => {
      if (blob === name) await inner.put(name, [versions[turn++ % 2] as Uint8Array]);
    };
    const store = storeOver(inner, {
      get: async (blob, options) => (await flip(blob), inner.get(blob, options)),
      read: async (blob, position, length) => (await flip(blob), inner.read(blob, position, length)),
      stat: async (blob) => (await flip(blob), inner.stat(blob)),
    });
    const { service: flipping } = await harness({ store });
    const sizes = new Set<number>();
    for (let i = 0; i < 20; i++)
      sizes.add((await flipping.headObject(ctx(), { bucket: 'bkt', key: 'flip', headers: {} })).contentLength);
    expect([...sizes].sort()).toEqual([1000, 2000]);
  });
});
