import { ErrorCodes, LimitExceededError } from '@sealflow/core';
import { MemoryBlobStore, type BlobStore } from '@sealflow/s3';
import { describe, expect, it } from 'vitest';
import { FIRST_READ_BYTES, readWholeBlob } from '../../src/store/read-whole-blob.js';
import { pattern, storeOver } from '../objects/fixtures.js';

/** `inner`, counting calls, with `get` streams that a test may replace. */
function countingStore(inner: BlobStore, get?: BlobStore['get']) {
  const calls = { read: 0, get: 0, stat: 0 };
  const store = storeOver(inner, {
    get: (name, options) => {
      calls.get++;
      return (get ?? inner.get.bind(inner))(name, options);
    },
    read: (name, position, length) => {
      calls.read++;
      return inner.read(name, position, length);
    },
    stat: (name) => {
      calls.stat++;
      return inner.stat(name);
    },
  });
  return { store, calls };
}

describe('readWholeBlob', () => {
  it('reads a blob shorter than the first read in one read, never asking its size', async () => {
    const inner = new MemoryBlobStore();
    const { store, calls } = countingStore(inner);
    for (const size of [0, 1, 700, FIRST_READ_BYTES - 1]) {
      const bytes = pattern(size, size);
      await inner.put('r', [bytes]);
      expect(Buffer.from((await readWholeBlob(store, 'r', 'maxTest', 1 << 20)) ?? [])).toEqual(bytes);
    }
    expect(calls).toEqual({ read: 4, get: 0, stat: 0 });
  });

  it('streams a longer blob whole through one get', async () => {
    const inner = new MemoryBlobStore();
    const { store, calls } = countingStore(inner);
    for (const size of [FIRST_READ_BYTES, FIRST_READ_BYTES + 1, 5 * FIRST_READ_BYTES + 123]) {
      const bytes = pattern(size, 3);
      await inner.put('r', [bytes]);
      expect(Buffer.from((await readWholeBlob(store, 'r', 'maxTest', 1 << 20)) ?? [])).toEqual(bytes);
    }
    expect(calls).toEqual({ read: 3, get: 3, stat: 0 });
  });

  it('resolves undefined for a missing blob, also one deleted between its read and its get', async () => {
    const inner = new MemoryBlobStore();
    expect(await readWholeBlob(inner, 'none', 'maxTest', 1 << 20)).toBeUndefined();
    await inner.put('r', [pattern(FIRST_READ_BYTES * 2)]);
    const { store } = countingStore(inner, async (name, options) => {
      await inner.delete(name);
      return inner.get(name, options);
    });
    expect(await readWholeBlob(store, 'r', 'maxTest', 1 << 20)).toBeUndefined();
  });

  it('rejects with LIMIT_EXCEEDED past maxBytes and stops reading there (an endless blob ends)', async () => {
    const inner = new MemoryBlobStore();
    await inner.put('r', [pattern(FIRST_READ_BYTES)]);
    let pulled = 0;
    let returned = false;
    const { store } = countingStore(inner, async () => ({
      [Symbol.asyncIterator]: () => ({
        next: async () => {
          pulled++;
          return { done: false, value: new Uint8Array(4096) };
        },
        return: async () => {
          returned = true;
          return { done: true, value: undefined };
        },
      }),
    }));
    const error = await readWholeBlob(store, 'r', 'maxTest', 64 * 1024).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LimitExceededError);
    expect(error).toMatchObject({ code: ErrorCodes.LIMIT_EXCEEDED, limit: 'maxTest', max: 64 * 1024 });
    expect(pulled).toBe(17);
    expect(returned).toBe(true);
  });
});
