// Wiping is observable: the RecordingStore keeps every plaintext key it handed out (the
// DataKey holder and the very bytes behind it), so each test can check which keys the
// engine destroyed, and when.
import diagnostics from 'node:diagnostics_channel';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Channels, createEngine, ErrorCodes, type BucketKeyEvent } from '@sealflow/core';
import { isWiped, objectContext, RecordingStore, testClock } from '../../packages/core/test/keys/bucket-key-support.js';

const put = (
  engine: ReturnType<typeof createEngine>,
  bucket: string,
  options: { keyId?: string } = {},
): Promise<Uint8Array> =>
  engine.encrypt(new Uint8Array(16), { context: objectContext('obj', bucket), bucketKey: true, ...options });

afterEach(() => {
  vi.useRealTimers();
});

describe('bucket keys are wiped', () => {
  it('plain messages: the data key is wiped as soon as the header is sealed, and after decrypt', async () => {
    const store = new RecordingStore();
    const engine = createEngine({ keyStore: store });
    const sealed = await engine.encrypt(new Uint8Array(8), { context: objectContext('k') });
    expect(isWiped(store.handedOut[0]!)).toBe(true);
    await engine.decrypt(sealed);
    expect(store.handedOut).toHaveLength(2);
    expect(isWiped(store.handedOut[1]!)).toBe(true);
  });

  it('an expired key is wiped by the next use of the cache (injected clock), encrypt and decrypt side', async () => {
    const store = new RecordingStore();
    const clock = testClock();
    const engine = createEngine({ keyStore: store, bucketKeys: { maxAgeMs: 1000, now: clock.now } });
    const sealed = await put(engine, 'a');
    await engine.decrypt(sealed);
    expect(store.handedOut.map(isWiped)).toEqual([false, false]);
    clock.advance(1000);
    await put(engine, 'other-bucket');
    expect(store.handedOut.map(isWiped)).toEqual([true, true, false]);
  });

  it('an expired key is wiped by a timer even when nobody uses the engine again (real clock)', async () => {
    vi.useFakeTimers();
    const store = new RecordingStore();
    const engine = createEngine({ keyStore: store, bucketKeys: { maxAgeMs: 5000 } });
    await engine.decrypt(await put(engine, 'a'));
    vi.advanceTimersByTime(4999);
    expect(store.handedOut.map(isWiped)).toEqual([false, false]);
    vi.advanceTimersByTime(1);
    expect(store.handedOut.map(isWiped)).toEqual([true, true]);
    expect(engine.stats().bucketKeys).toMatchObject({ entries: 0, evictions: 2 });
  });

  it('a key evicted for capacity is wiped at once', async () => {
    const store = new RecordingStore();
    const engine = createEngine({ keyStore: store, bucketKeys: { maxAgeMs: 60_000, capacity: 3 } });
    for (const bucket of ['a', 'b', 'c', 'd', 'e']) await put(engine, bucket);
    expect(store.handedOut.map(isWiped)).toEqual([true, true, false, false, false]);
  });

  it('engine.close() wipes every cached key, encrypt and decrypt side, and later calls fail with ERR_ENGINE_CLOSED', async () => {
    const store = new RecordingStore();
    const engine = createEngine({ keyStore: store, bucketKeys: { maxAgeMs: 60_000 } });
    const sealed = await Promise.all(['a', 'b', 'c'].map((b) => put(engine, b)));
    for (const m of sealed) await engine.decrypt(m);
    expect(store.handedOut).toHaveLength(6);
    expect(store.handedOut.some(isWiped)).toBe(false);
    await engine.close();
    expect(store.handedOut.every(isWiped)).toBe(true);
    expect(engine.stats().bucketKeys.entries).toBe(0);
    await expect(put(engine, 'a')).rejects.toMatchObject({ code: ErrorCodes.ENGINE_CLOSED });
  });

  it('engine.forget({ keyId }) drops every entry under that key at once and leaves the rest', async () => {
    const store = new RecordingStore();
    const engine = createEngine({ keyStore: store, bucketKeys: { maxAgeMs: 60_000 } });
    for (const bucket of ['a', 'b', 'c']) await put(engine, bucket, { keyId: 'tenant-1' });
    await put(engine, 'a', { keyId: 'tenant-2' });
    expect(engine.forget({ keyId: 'tenant-1' })).toBe(3);
    expect(store.handedOut.map(isWiped)).toEqual([true, true, true, false]);
    // tenant-2 still warm; tenant-1 needs a new key.
    await put(engine, 'a', { keyId: 'tenant-2' });
    await put(engine, 'a', { keyId: 'tenant-1' });
    expect(store.count('generate')).toBe(5);
  });

  it('engine.forget({ keyId: store id }) drops the decrypt-side entries of that store too; forget() drops all', async () => {
    const store = new RecordingStore();
    const other = new RecordingStore({ name: 'other' });
    const writerA = createEngine({ keyStore: store, bucketKeys: { maxAgeMs: 60_000 } });
    const writerB = createEngine({ keyStore: other, bucketKeys: { maxAgeMs: 60_000 } });
    const reader = createEngine({ keyStore: [store, other] });
    await reader.decrypt(await put(writerA, 'a'));
    await reader.decrypt(await put(writerA, 'b'));
    await reader.decrypt(await put(writerB, 'a'));
    expect(reader.forget({ keyId: store.id })).toBe(2);
    // Hand-out order per store: writer generate, reader unwrap, writer generate, reader unwrap.
    expect(store.handedOut.map(isWiped)).toEqual([false, true, false, true]);
    expect(other.handedOut.map(isWiped)).toEqual([false, false]);
    expect(reader.forget()).toBe(1);
    expect(isWiped(other.handedOut[1]!)).toBe(true);
  });

  it('reports evictions and wipes on sealflow:cache:bucket-key without key material', async () => {
    const events: BucketKeyEvent[] = [];
    const listener = (message: unknown): void => void events.push(message as BucketKeyEvent);
    diagnostics.subscribe(Channels.bucketKey, listener);
    try {
      const store = new RecordingStore();
      const engine = createEngine({ keyStore: store, bucketKeys: { maxAgeMs: 60_000, maxMessages: 2, capacity: 1 } });
      await put(engine, 'a');
      await put(engine, 'a');
      await put(engine, 'b');
      await put(engine, 'c');
      await engine.close();
      expect(events.map((e) => [e.action, e.side, e.reason ?? null])).toEqual([
        ['miss', 'encrypt', null],
        ['hit', 'encrypt', null],
        ['evict', 'encrypt', 'messages'],
        ['miss', 'encrypt', null],
        ['miss', 'encrypt', null],
        ['evict', 'encrypt', 'capacity'],
        ['wipe', 'encrypt', 'close'],
      ]);
      expect(events[2]).toMatchObject({ store: store.id, messages: 2, bytes: 32 });
      // Nothing but names and counters: no field could carry key bytes.
      for (const event of events) {
        expect(
          Object.keys(event).every((k) => ['action', 'store', 'reason', 'side', 'messages', 'bytes'].includes(k)),
        ).toBe(true);
        expect(Object.values(event).every((v) => typeof v === 'string' || typeof v === 'number')).toBe(true);
      }
    } finally {
      diagnostics.unsubscribe(Channels.bucketKey, listener);
    }
  });
});
