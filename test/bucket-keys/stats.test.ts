// engine.stats() for bucket keys: calls made (generate, wrap, unwrap), calls avoided (hits),
// fetches (misses), evictions, live entries, and messages and bytes on both sides.
import { describe, expect, it } from 'vitest';
import { createEngine } from '@sealflow/core';
import { objectContext, RecordingStore } from '../../packages/core/test/keys/bucket-key-support.js';

describe('engine.stats() with bucket keys', () => {
  it('counts calls made and avoided, evictions, entries, messages and bytes on both sides', async () => {
    const primary = new RecordingStore({ name: 'primary' });
    const backup = new RecordingStore({ name: 'backup' });
    const writer = createEngine({ keyStore: [primary, backup], bucketKeys: { maxAgeMs: 60_000, maxMessages: 4 } });
    const sealed: Uint8Array[] = [];
    for (let i = 0; i < 10; i++)
      sealed.push(await writer.encrypt(new Uint8Array(100 + i), { context: objectContext(`o${i}`), bucketKey: true }));
    await writer.encrypt(new Uint8Array(7), { context: objectContext('plain') });
    // 10 bucket-key messages in windows of 4: 3 fetches (generate + wrap each), 7 hits, 2 keys used up.
    // The plain message costs its own generate and wrap.
    expect(writer.stats()).toEqual({
      keyStoreCalls: { generate: 4, wrap: 4, unwrap: 0 },
      keyStoreFailures: 0,
      bucketKeys: { hits: 7, misses: 3, evictions: 2, entries: 1 },
      messagesEncrypted: 11,
      messagesDecrypted: 0,
      bytesEncrypted: 10 * 100 + 45 + 7,
      bytesDecrypted: 0,
      failures: { encrypt: 0, decrypt: 0 },
    });
    const reader = createEngine({ keyStore: backup });
    for (const m of sealed) await reader.decrypt(m);
    expect(reader.stats()).toMatchObject({
      keyStoreCalls: { generate: 0, wrap: 0, unwrap: 3 },
      bucketKeys: { hits: 7, misses: 3, evictions: 0, entries: 3 },
      messagesDecrypted: 10,
      bytesDecrypted: 10 * 100 + 45,
    });
    await reader.close();
    expect(reader.stats().bucketKeys).toMatchObject({ evictions: 3, entries: 0 });
  });

  it('counts a failed fetch as a miss and a key-store failure, and the failed encrypt', async () => {
    const store = new RecordingStore();
    const engine = createEngine({ keyStore: store, bucketKeys: { maxAgeMs: 60_000 } });
    store.failWith = 'ERR_KEY_STORE_UNAVAILABLE';
    await expect(engine.encrypt(new Uint8Array(1), { context: objectContext('x'), bucketKey: true })).rejects.toThrow();
    expect(engine.stats()).toMatchObject({
      keyStoreCalls: { generate: 1 },
      keyStoreFailures: 1,
      bucketKeys: { hits: 0, misses: 1, entries: 0 },
      failures: { encrypt: 1 },
    });
  });
});
