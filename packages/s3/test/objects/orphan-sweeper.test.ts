import { describe, expect, it } from 'vitest';
import { MemoryBlobStore, type BlobStore } from '@sealflow/s3';
import { chunks, collect, ctx, harness, pattern } from './fixtures.js';

const names = async (store: BlobStore, prefix: string): Promise<string[]> =>
  (await store.list(prefix)).entries.map((e) => e.name);

/** A gate a test opens by hand. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open = (): void => {};
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

/** A MemoryBlobStore whose record commits (`m/...` puts) wait for `hold` while it is set. */
class PausingStore extends MemoryBlobStore {
  hold: Promise<void> | undefined;
  reached: (() => void) | undefined;
  override async put(
    name: string,
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    options?: { signal?: AbortSignal },
  ) {
    if (name.startsWith('m/') && this.hold !== undefined) {
      this.reached?.();
      await this.hold;
    }
    return super.put(name, source, options);
  }
}

describe('S3Service.sweepOrphans', () => {
  it('removes a body no record references (a crashed write), on the second sweep, and nothing else', async () => {
    const { service, store } = await harness();
    const body = pattern(3000);
    await service.putObject(ctx(), { bucket: 'bkt', key: 'kept', headers: {}, body: chunks(body) });
    const { uploadId } = await service.createMultipartUpload(ctx(), { bucket: 'bkt', key: 'mp', headers: {} });
    await service.uploadPart(ctx(), {
      bucket: 'bkt',
      key: 'mp',
      uploadId,
      partNumber: 1,
      headers: {},
      body: chunks(pattern(100)),
    });
    const live = await names(store, 'd/bkt/');
    // A writer that crashed after its body put and before its record commit.
    await store.put('d/bkt/0123456789abcdef0123456789abcdef/00000-0011223344556677', [pattern(50)]);
    expect(await service.sweepOrphans({ graceMs: 0 })).toEqual({ bodies: 0, parts: 0, expiredUploads: 0, pending: 1 });
    expect(await service.sweepOrphans({ graceMs: 0 })).toEqual({ bodies: 1, parts: 0, expiredUploads: 0, pending: 0 });
    expect(await names(store, 'd/bkt/')).toEqual(live);
    expect(await collect((await service.getObject(ctx(), { bucket: 'bkt', key: 'kept', headers: {} })).body)).toEqual(
      body,
    );
    expect((await service.listParts(ctx(), { bucket: 'bkt', key: 'mp', uploadId })).parts).toHaveLength(1);
  });

  it('waits graceMs between the sweep that first sees an orphan and its removal', async () => {
    let now = 1_000_000;
    const { service, store } = await harness({ now: () => now });
    await store.put('d/bkt/0123456789abcdef0123456789abcdef/00000-0011223344556677', [pattern(5)]);
    await service.sweepOrphans({ graceMs: 60_000 });
    now += 59_999;
    expect((await service.sweepOrphans({ graceMs: 60_000 })).bodies).toBe(0);
    now += 1;
    expect((await service.sweepOrphans({ graceMs: 60_000 })).bodies).toBe(1);
  });

  it('removes the part records and bodies of an upload that is gone, and aborts expired uploads', async () => {
    let now = 1_000_000;
    const { service, store } = await harness({ now: () => now });
    const upload = async (key: string) => {
      const { uploadId } = await service.createMultipartUpload(ctx(), { bucket: 'bkt', key, headers: {} });
      await service.uploadPart(ctx(), {
        bucket: 'bkt',
        key,
        uploadId,
        partNumber: 1,
        headers: {},
        body: chunks(pattern(10)),
      });
      return uploadId;
    };
    const crashed = await upload('crashed');
    // An abort that crashed after deleting the upload record.
    await store.delete(`u/bkt/${crashed}/upload`);
    const old = await upload('old');
    now += 10 * 86_400_000;
    const fresh = await upload('fresh');
    const first = await service.sweepOrphans({ graceMs: 0, uploadExpiryMs: 7 * 86_400_000 });
    expect(first).toMatchObject({ expiredUploads: 1, bodies: 0, parts: 0 });
    const second = await service.sweepOrphans({ graceMs: 0, uploadExpiryMs: 7 * 86_400_000 });
    expect(second).toMatchObject({ bodies: 2, parts: 2, expiredUploads: 0, pending: 0 });
    expect(await names(store, `u/bkt/${crashed}/`)).toEqual([]);
    expect(await names(store, `u/bkt/${old}/`)).toEqual([]);
    expect(await names(store, `u/bkt/${fresh}/`)).toHaveLength(2);
    expect(await names(store, 'd/bkt/')).toHaveLength(1);
  });

  it('never takes the body of a writer paused between its body put and its record commit', async () => {
    const store = new PausingStore();
    const { service } = await harness({ store });
    const paused = gate();
    const reached = gate();
    store.hold = paused.wait;
    store.reached = reached.open;
    const body = pattern(4000);
    const put = service.putObject(ctx(), { bucket: 'bkt', key: 'slow', headers: {}, body: chunks(body) });
    await reached.wait;
    // The body is stored and verified; only the commit is pending.
    expect(await names(store, 'd/bkt/')).toHaveLength(1);
    for (let i = 0; i < 3; i++) expect((await service.sweepOrphans({ graceMs: 0 })).bodies).toBe(0);
    // Another service over the same store (another process) sees it unreferenced, but within its grace time.
    const { S3Service, kmsKeyProvider } = await import('@sealflow/s3');
    const { MemoryKms } = await import('@sealflow/keystore-memory');
    const other = new S3Service({
      store,
      keys: kmsKeyProvider({ clientFor: (p) => new MemoryKms({ principal: p }) }),
      region: 'us-east-1',
      sseS3Key: new Uint8Array(32),
    });
    for (let i = 0; i < 2; i++) expect((await other.sweepOrphans()).bodies).toBe(0);
    store.hold = undefined;
    paused.open();
    await put;
    expect(await collect((await service.getObject(ctx(), { bucket: 'bkt', key: 'slow', headers: {} })).body)).toEqual(
      body,
    );
    expect(await service.sweepOrphans({ graceMs: 0 })).toMatchObject({ bodies: 0, pending: 0 });
  });

  it('never takes the body of a writer paused mid-body, nor the parts of a live upload', async () => {
    const { service, store } = await harness();
    const resume = gate();
    const body = pattern(9000);
    async function* slowBody(): AsyncIterable<Uint8Array> {
      yield body.subarray(0, 4000);
      await resume.wait;
      yield body.subarray(4000);
    }
    const put = service.putObject(ctx(), { bucket: 'bkt', key: 'mid', headers: {}, body: slowBody() });
    for (let i = 0; i < 3; i++) await service.sweepOrphans({ graceMs: 0 });
    resume.open();
    await put;
    expect(await collect((await service.getObject(ctx(), { bucket: 'bkt', key: 'mid', headers: {} })).body)).toEqual(
      body,
    );
    expect((await names(store, 'd/bkt/')).length).toBe(1);
  });

  it('rejects bad options', async () => {
    const { service } = await harness();
    await expect(service.sweepOrphans({ graceMs: -1 })).rejects.toThrow(TypeError);
    await expect(service.sweepOrphans({ uploadExpiryMs: Number.NaN })).rejects.toThrow(/uploadExpiryMs/);
  });
});
