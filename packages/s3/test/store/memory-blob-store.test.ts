import { describe, expect, it } from 'vitest';
import { MemoryBlobStore } from '@sealflow/s3';
import { blobStoreConformance } from '@sealflow/s3/test-support';

blobStoreConformance('MemoryBlobStore', { create: async () => new MemoryBlobStore() });

describe('MemoryBlobStore', () => {
  it('logs each ranged read with its position and length', async () => {
    const store = new MemoryBlobStore();
    await store.put('a', [new Uint8Array(100)]);
    await store.read('a', 10, 20);
    await store.read('a', 95, 20);
    expect(store.reads).toEqual([
      { name: 'a', position: 10, length: 20 },
      { name: 'a', position: 95, length: 5 },
    ]);
    store.resetReads();
    expect(store.reads).toEqual([]);
  });
});
