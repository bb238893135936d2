import { describe, expect, it } from 'vitest';
import { MemoryBlobStore, type BlobGetOptions } from '@sealflow/s3';
import { READ_CHUNK_TARGET } from '../../src/objects/object-reader.js';
import { chunks, collect, ctx, harness, pattern } from './fixtures.js';

/** A memory store that records the options of every streamed read. */
class RecordingStore extends MemoryBlobStore {
  readonly gets: BlobGetOptions[] = [];

  override get(name: string, options: BlobGetOptions = {}): ReturnType<MemoryBlobStore['get']> {
    this.gets.push(options);
    return super.get(name, options);
  }
}

describe('whole-object reads', () => {
  it('ask the store for chunks of whole frames (frame length + 32), about READ_CHUNK_TARGET bytes', async () => {
    const store = new RecordingStore();
    const { service } = await harness({ store, frameLength: 4096 });
    const body = pattern(100_000);
    await service.putObject(ctx(), { bucket: 'bkt', key: 'k', headers: {}, body: chunks(body) });
    store.gets.length = 0;
    const got = await service.getObject(ctx(), { bucket: 'bkt', key: 'k', headers: {} });
    expect((await collect(got.body)).equals(Buffer.from(body))).toBe(true);
    const hinted = store.gets.map((o) => o.chunkBytes);
    expect(hinted).toHaveLength(1);
    const chunkBytes = hinted[0] as number;
    expect(chunkBytes % (4096 + 32)).toBe(0);
    expect(Math.abs(chunkBytes - READ_CHUNK_TARGET)).toBeLessThanOrEqual(4096 + 32);
  });
});
