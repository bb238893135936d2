// The decrypt side of the bucket-key cache, through the engine: shared unwraps, failures
// and wrong-length keys not cached, aborts, malformed EDKs, and the TTL.
import { describe, expect, it } from 'vitest';
import {
  createEngine,
  DataKey,
  ErrorCodes,
  KeyStoreError,
  type EncryptedDataKey,
  type KeyStoreRequest,
  BUCKET_KEY_PROVIDER_ID,
} from '@sealflow/core';
import { objectContext, RecordingStore, testClock } from './bucket-key-support.js';

async function sealedUnder(store: RecordingStore, count: number, bucket = 'bucket'): Promise<Uint8Array[]> {
  const writer = createEngine({ keyStore: store, bucketKeys: { maxAgeMs: 60_000 } });
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      writer.encrypt(new Uint8Array([i]), { context: objectContext(`o${i}`, bucket), bucketKey: true }),
    ),
  );
}

/** A store that hands back a key of the wrong length for the first `bad` unwraps. */
class ShortKeyStore extends RecordingStore {
  bad = 1;
  override async unwrapDataKey(edk: EncryptedDataKey, request: KeyStoreRequest): Promise<DataKey> {
    const key = await super.unwrapDataKey(edk, request);
    if (this.bad-- > 0) return DataKey.copyOf(key.reveal().subarray(0, 16));
    return key;
  }
}

describe('bucket keys on decrypt', () => {
  it('a failed unwrap is not cached: the next decrypt asks the store again and succeeds', async () => {
    const store = new RecordingStore();
    const [message] = await sealedUnder(store, 1);
    const reader = createEngine({ keyStore: store });
    store.failWith = ErrorCodes.ACCESS_DENIED;
    await expect(reader.decrypt(message as Uint8Array)).rejects.toMatchObject({ code: ErrorCodes.NO_DECRYPTABLE_KEY });
    store.failWith = undefined;
    await reader.decrypt(message as Uint8Array);
    await reader.decrypt(message as Uint8Array);
    expect(store.count('unwrap')).toBe(2);
  });

  it('a bucket key of the wrong length is refused and not cached', async () => {
    const store = new ShortKeyStore();
    const [message] = await sealedUnder(store, 1);
    const reader = createEngine({ keyStore: store });
    const error = await reader.decrypt(message as Uint8Array).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyStoreError);
    expect((error as KeyStoreError).failures.map((f) => f.code)).toEqual([ErrorCodes.INVALID_KEY_CIPHERTEXT]);
    expect((await reader.decrypt(message as Uint8Array)).plaintext).toEqual(new Uint8Array([0]));
    expect(store.count('unwrap')).toBe(2);
  });

  it('an unwrapped bucket key serves for maxAgeMs, then the store is asked again', async () => {
    const store = new RecordingStore();
    const messages = await sealedUnder(store, 3);
    const clock = testClock();
    const reader = createEngine({ keyStore: store, bucketKeys: { maxAgeMs: 1000, now: clock.now } });
    await reader.decrypt(messages[0] as Uint8Array);
    clock.advance(999);
    await reader.decrypt(messages[1] as Uint8Array);
    expect(store.count('unwrap')).toBe(1);
    clock.advance(1);
    await reader.decrypt(messages[2] as Uint8Array);
    expect(store.count('unwrap')).toBe(2);
  });

  it('concurrent reads share one unwrap; one reader aborting does not fail the others', async () => {
    const store = new RecordingStore();
    const messages = await sealedUnder(store, 3);
    const reader = createEngine({ keyStore: store });
    const release = store.hold();
    const controller = new AbortController();
    const aborted = reader.decrypt(messages[0] as Uint8Array, { signal: controller.signal });
    const others = messages.slice(1).map((m) => reader.decrypt(m));
    controller.abort();
    await expect(aborted).rejects.toBeInstanceOf(KeyStoreError);
    release();
    expect((await Promise.all(others)).map((r) => r.plaintext)).toEqual([new Uint8Array([1]), new Uint8Array([2])]);
    expect(store.count('unwrap')).toBe(1);
  });

  it('the capacity bounds the decrypt side too, least recently used first', async () => {
    const store = new RecordingStore();
    const [a] = await sealedUnder(store, 1, 'a');
    const [b] = await sealedUnder(store, 1, 'b');
    const [c] = await sealedUnder(store, 1, 'c');
    const reader = createEngine({ keyStore: store, bucketKeys: { maxAgeMs: 60_000, capacity: 2 } });
    for (const m of [a, b, a, c, a]) await reader.decrypt(m as Uint8Array);
    expect(store.count('unwrap')).toBe(3);
    await reader.decrypt(b as Uint8Array);
    expect(store.count('unwrap')).toBe(4);
  });

  it('a malformed bucket-key EDK is offered to no store and never reaches one', async () => {
    const store = new RecordingStore();
    const [message] = await sealedUnder(store, 1);
    const forged = (message as Uint8Array).slice();
    // The provider info starts right after the provider ID and its u16 length: layout byte 02 -> 03.
    const at = Buffer.from(forged).indexOf(BUCKET_KEY_PROVIDER_ID) + BUCKET_KEY_PROVIDER_ID.length + 2;
    expect(forged[at]).toBe(0x02);
    forged[at] = 0x03;
    const error = await createEngine({ keyStore: store })
      .decrypt(forged)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCodes.NO_DECRYPTABLE_KEY });
    expect(store.count('unwrap')).toBe(0);
  });
});
