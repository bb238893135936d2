import { AsyncLocalStorage } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import {
  createEngine,
  ErrorCodes,
  KeyStoreError,
  SealflowError,
  type BucketKeyOptions,
  type Engine,
} from '@sealflow/core';
import {
  BUCKET_CONTEXT,
  isWiped,
  OBJECT_CONTEXT,
  objectContext,
  plaintexts,
  RecordingStore,
  testClock,
} from './bucket-key-support.js';

const bucketEngine = (store: RecordingStore, options: Partial<BucketKeyOptions> = {}): Engine =>
  createEngine({ keyStore: store, bucketKeys: { maxAgeMs: 60_000, ...options } });

const encryptMany = async (engine: Engine, count: number, size = 16): Promise<Uint8Array[]> => {
  const out: Uint8Array[] = [];
  for (const pt of plaintexts(count, size))
    out.push(await engine.encrypt(pt, { context: objectContext(`k${out.length}`), bucketKey: true }));
  return out;
};

describe('BucketKeyCache: one key-store call serves many messages', () => {
  it('serves 200 sequential encrypts under one bucket key with a single generate call, and every message decrypts', async () => {
    const store = new RecordingStore();
    const engine = bucketEngine(store);
    const sealed = await encryptMany(engine, 200);
    expect(store.count('generate')).toBe(1);
    expect(store.calls[0]?.context).toEqual(BUCKET_CONTEXT);
    const reader = createEngine({ keyStore: store });
    for (const [i, message] of sealed.entries()) {
      const { plaintext, context } = await reader.decrypt(message);
      expect(plaintext).toEqual(plaintexts(200, 16)[i]);
      expect(context).toEqual(objectContext(`k${i}`));
    }
    expect(store.count('unwrap')).toBe(1);
  });

  it('makes exactly one call for 1,000 concurrent encrypts on a cold cache (single flight)', async () => {
    const store = new RecordingStore();
    const engine = bucketEngine(store);
    const release = store.hold();
    const pending = plaintexts(1000, 8).map((pt, i) =>
      engine.encrypt(pt, { context: objectContext(`o${i}`), bucketKey: true }),
    );
    release();
    const sealed = await Promise.all(pending);
    expect(store.count('generate')).toBe(1);
    expect(new Set(sealed.map((m) => engine.inspect(m).messageId)).size).toBe(1000);
    const stats = engine.stats();
    expect(stats.keyStoreCalls).toEqual({ generate: 1, wrap: 0, unwrap: 0 });
    expect(stats.bucketKeys).toMatchObject({ hits: 999, misses: 1 });
  });

  it('decrypts 1,000 concurrent messages of one bucket key with one unwrap', async () => {
    const store = new RecordingStore();
    const sealed = await encryptMany(bucketEngine(store), 1000, 4);
    const reader = createEngine({ keyStore: store });
    const release = store.hold();
    const opened = sealed.map((m) => reader.decrypt(m));
    release();
    await Promise.all(opened);
    expect(store.count('unwrap')).toBe(1);
    expect(reader.stats().bucketKeys).toMatchObject({ hits: 999, misses: 1 });
  });
});

describe('BucketKeyCache: partitions', () => {
  it('never lets a key fetched for one principal serve another: two principals make two calls', async () => {
    const caller = new AsyncLocalStorage<string>();
    const store = new RecordingStore({ principal: () => caller.getStore() });
    const engine = bucketEngine(store);
    const alice = 'arn:aws:iam::111122223333:user/alice';
    const bob = 'arn:aws:iam::111122223333:user/bob';
    const a1 = await caller.run(alice, () =>
      engine.encrypt(new Uint8Array(4), { context: objectContext('a1'), bucketKey: true }),
    );
    const b1 = await caller.run(bob, () =>
      engine.encrypt(new Uint8Array(4), { context: objectContext('b1'), bucketKey: true }),
    );
    const a2 = await caller.run(alice, () =>
      engine.encrypt(new Uint8Array(4), { context: objectContext('a2'), bucketKey: true }),
    );
    expect(store.count('generate')).toBe(2);
    expect(store.calls.map((c) => c.principal)).toEqual([alice, bob]);
    const edk = (m: Uint8Array): Uint8Array =>
      engine.inspect(m).encryptedDataKeys.find((e) => e.providerId === 'sealflow-bucket-key')?.ciphertext as Uint8Array;
    expect(edk(a2)).toEqual(edk(a1));
    expect(edk(b1)).not.toEqual(edk(a1));
    // Decrypt side: one unwrap per principal, however many objects each reads.
    const reader = createEngine({ keyStore: store });
    for (const who of [alice, bob]) {
      for (const m of [a1, a2, b1]) await caller.run(who, () => reader.decrypt(m));
    }
    expect(store.calls.filter((c) => c.operation === 'unwrap').map((c) => c.principal)).toEqual([
      alice,
      alice,
      bob,
      bob,
    ]);
  });

  it('keeps one entry per bucket context and per key ID', async () => {
    const store = new RecordingStore();
    const engine = bucketEngine(store);
    for (let i = 0; i < 3; i++) {
      await engine.encrypt(new Uint8Array(1), { context: objectContext(`x${i}`, 'one'), bucketKey: true });
      await engine.encrypt(new Uint8Array(1), { context: objectContext(`x${i}`, 'two'), bucketKey: true });
      await engine.encrypt(new Uint8Array(1), { context: OBJECT_CONTEXT, bucketKey: { context: { tenant: 't1' } } });
      await engine.encrypt(new Uint8Array(1), {
        context: OBJECT_CONTEXT,
        bucketKey: { context: { tenant: 't1' } },
        keyId: 'other-key',
      });
    }
    expect(store.count('generate')).toBe(4);
    expect(store.calls.map((c) => c.context)).toEqual([
      { 'aws:s3:arn': 'arn:aws:s3:::one' },
      { 'aws:s3:arn': 'arn:aws:s3:::two' },
      { tenant: 't1' },
      { tenant: 't1' },
    ]);
    expect(store.calls.map((c) => c.keyId)).toEqual([undefined, undefined, undefined, 'other-key']);
    expect(engine.stats().bucketKeys.entries).toBe(4);
  });

  it('wraps the bucket key with every other store under the bucket context, and any store decrypts', async () => {
    const primary = new RecordingStore({ name: 'primary' });
    const backup = new RecordingStore({ name: 'backup' });
    const engine = createEngine({ keyStore: [primary, backup], bucketKeys: { maxAgeMs: 60_000 } });
    const sealed = await encryptMany(engine, 5);
    expect([primary.count('generate'), backup.count('wrap')]).toEqual([1, 1]);
    expect(backup.calls[0]?.context).toEqual(BUCKET_CONTEXT);
    expect(engine.inspect(sealed[0] as Uint8Array).encryptedDataKeys.map((e) => e.providerId)).toEqual([
      'sealflow-bucket-data-key',
      'sealflow-bucket-key',
      'sealflow-bucket-key',
    ]);
    const backupOnly = createEngine({ keyStore: backup });
    for (const m of sealed) await backupOnly.decrypt(m);
    expect(backup.count('unwrap')).toBe(1);
  });
});

describe('BucketKeyCache: limits force a new key', () => {
  it('maxAgeMs: a key older than the window serves no new message (injected clock)', async () => {
    const store = new RecordingStore();
    const clock = testClock();
    const engine = bucketEngine(store, { maxAgeMs: 1000, now: clock.now });
    await encryptMany(engine, 3);
    clock.advance(999);
    await encryptMany(engine, 1);
    expect(store.count('generate')).toBe(1);
    clock.advance(1);
    await encryptMany(engine, 1);
    expect(store.count('generate')).toBe(2);
    expect(isWiped(store.handedOut[0]!)).toBe(true);
    expect(isWiped(store.handedOut[1]!)).toBe(false);
  });

  it('maxMessages: the key is retired (and wiped) as soon as it served its last message', async () => {
    const store = new RecordingStore();
    const engine = bucketEngine(store, { maxMessages: 3 });
    await encryptMany(engine, 3);
    expect(store.count('generate')).toBe(1);
    expect(isWiped(store.handedOut[0]!)).toBe(true);
    await encryptMany(engine, 4);
    expect(store.count('generate')).toBe(3);
  });

  it('maxMessages holds under concurrency: 10 concurrent encrypts with maxMessages 3 use 4 keys', async () => {
    const store = new RecordingStore();
    const engine = bucketEngine(store, { maxMessages: 3 });
    const release = store.hold();
    const pending = plaintexts(10, 4).map((pt, i) =>
      engine.encrypt(pt, { context: objectContext(`c${i}`), bucketKey: true }),
    );
    release();
    const sealed = await Promise.all(pending);
    expect(store.count('generate')).toBe(4);
    const perKey = new Map<string, number>();
    for (const m of sealed) {
      const edk = Buffer.from(
        engine.inspect(m).encryptedDataKeys.find((e) => e.providerId === 'sealflow-bucket-key')
          ?.ciphertext as Uint8Array,
      ).toString('hex');
      perKey.set(edk, (perKey.get(edk) ?? 0) + 1);
    }
    expect([...perKey.values()].sort()).toEqual([1, 3, 3, 3]);
  });

  it('maxBytes: a one-shot encrypt whose length would pass the budget gets a new key up front', async () => {
    const store = new RecordingStore();
    const engine = bucketEngine(store, { maxBytes: 100 });
    await engine.encrypt(new Uint8Array(60), { context: OBJECT_CONTEXT, bucketKey: true });
    await engine.encrypt(new Uint8Array(40), { context: OBJECT_CONTEXT, bucketKey: true });
    // 60 + 40 = 100: the key is used up and wiped at once.
    expect(store.count('generate')).toBe(1);
    expect(isWiped(store.handedOut[0]!)).toBe(true);
    await engine.encrypt(new Uint8Array(70), { context: OBJECT_CONTEXT, bucketKey: true });
    await engine.encrypt(new Uint8Array(31), { context: OBJECT_CONTEXT, bucketKey: true });
    expect(store.count('generate')).toBe(3);
    expect(engine.stats().bucketKeys.evictions).toBe(2);
  });

  it('maxBytes: a message longer than the whole budget gets a bucket key of its own that is never cached', async () => {
    const store = new RecordingStore();
    const engine = bucketEngine(store, { maxBytes: 100 });
    await engine.encrypt(new Uint8Array(10), { context: OBJECT_CONTEXT, bucketKey: true });
    const big = await engine.encrypt(new Uint8Array(500), { context: OBJECT_CONTEXT, bucketKey: true });
    await engine.encrypt(new Uint8Array(10), { context: OBJECT_CONTEXT, bucketKey: true });
    expect(store.count('generate')).toBe(2);
    expect(isWiped(store.handedOut[1]!)).toBe(true);
    expect(isWiped(store.handedOut[0]!)).toBe(false);
    expect((await createEngine({ keyStore: store }).decrypt(big)).plaintext).toEqual(new Uint8Array(500));
  });

  it('maxBytes: streams of unknown length are charged when they end', async () => {
    const store = new RecordingStore();
    const engine = bucketEngine(store, { maxBytes: 100 });
    const chunks: Uint8Array[] = [];
    for await (const out of engine.encryptIterable([new Uint8Array(50), new Uint8Array(50)], {
      context: OBJECT_CONTEXT,
      bucketKey: true,
      frameLength: 32,
    })) {
      chunks.push(out);
    }
    expect(store.count('generate')).toBe(1);
    expect(isWiped(store.handedOut[0]!)).toBe(true);
    await engine.encrypt(new Uint8Array(1), { context: OBJECT_CONTEXT, bucketKey: true });
    expect(store.count('generate')).toBe(2);
    const { plaintext } = await createEngine({ keyStore: store }).decrypt(Buffer.concat(chunks));
    expect(plaintext).toEqual(new Uint8Array(100));
  });

  it('capacity: the least recently used entry is evicted and wiped; the others stay warm', async () => {
    const store = new RecordingStore();
    const engine = bucketEngine(store, { capacity: 2 });
    const put = (bucket: string): Promise<Uint8Array> =>
      engine.encrypt(new Uint8Array(1), { context: objectContext('k', bucket), bucketKey: true });
    await put('a');
    await put('b');
    await put('a'); // a is now the most recently used
    await put('c'); // evicts b
    expect(store.count('generate')).toBe(3);
    expect(store.handedOut.map(isWiped)).toEqual([false, true, false]);
    await put('a');
    await put('c');
    expect(store.count('generate')).toBe(3);
    await put('b');
    expect(store.count('generate')).toBe(4);
    expect(engine.stats().bucketKeys).toMatchObject({ evictions: 2, entries: 2 });
  });

  it('rejects limits outside the format caps and unknown options', () => {
    const store = new RecordingStore();
    expect(() => createEngine({ keyStore: store, bucketKeys: { maxAgeMs: 1000, maxMessages: 2 ** 32 + 1 } })).toThrow(
      /maxMessages/,
    );
    expect(() => createEngine({ keyStore: store, bucketKeys: { maxAgeMs: 0 } })).toThrow(/maxAgeMs/);
    expect(() => createEngine({ keyStore: store, bucketKeys: {} as BucketKeyOptions })).toThrow(/maxAgeMs: required/);
    expect(() => createEngine({ keyStore: store, bucketKeys: { maxAgeMs: 1000, maxBytes: 2 ** 53 } })).toThrow(
      /maxBytes/,
    );
    expect(() => createEngine({ keyStore: store, bucketKeys: { maxAgeMs: 1000, ttl: 5 } as BucketKeyOptions })).toThrow(
      /unknown option "ttl"/,
    );
  });
});

describe('BucketKeyCache: failures', () => {
  it('does not cache a failure: every waiter gets the error, the next encrypt calls the store again', async () => {
    const store = new RecordingStore();
    const engine = bucketEngine(store);
    store.failWith = ErrorCodes.ACCESS_DENIED;
    const release = store.hold();
    const failing = [1, 2, 3].map(() =>
      engine.encrypt(new Uint8Array(1), { context: OBJECT_CONTEXT, bucketKey: true }),
    );
    release();
    for (const result of await Promise.allSettled(failing)) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toMatchObject({ code: ErrorCodes.ACCESS_DENIED });
    }
    expect(store.count('generate')).toBe(1);
    store.failWith = undefined;
    await engine.encrypt(new Uint8Array(1), { context: OBJECT_CONTEXT, bucketKey: true });
    await engine.encrypt(new Uint8Array(1), { context: OBJECT_CONTEXT, bucketKey: true });
    expect(store.count('generate')).toBe(2);
    expect(engine.stats().keyStoreFailures).toBe(1);
  });

  it('key store down: a warm entry keeps serving until it expires; then encrypt fails with ERR_KEY_STORE_UNAVAILABLE', async () => {
    const store = new RecordingStore();
    const clock = testClock();
    const engine = bucketEngine(store, { maxAgeMs: 1000, now: clock.now });
    await engine.encrypt(new Uint8Array(1), { context: OBJECT_CONTEXT, bucketKey: true });
    store.failWith = ErrorCodes.KEY_STORE_UNAVAILABLE;
    clock.advance(500);
    const served = await engine.encrypt(new Uint8Array(3), { context: OBJECT_CONTEXT, bucketKey: true });
    expect(store.count('generate')).toBe(1);
    clock.advance(500);
    await expect(engine.encrypt(new Uint8Array(1), { context: OBJECT_CONTEXT, bucketKey: true })).rejects.toMatchObject(
      {
        code: ErrorCodes.KEY_STORE_UNAVAILABLE,
      },
    );
    // A cold partition fails the same way, at once.
    await expect(
      engine.encrypt(new Uint8Array(1), { context: objectContext('k', 'cold'), bucketKey: true }),
    ).rejects.toBeInstanceOf(KeyStoreError);
    store.failWith = undefined;
    expect((await createEngine({ keyStore: store }).decrypt(served)).plaintext).toEqual(new Uint8Array(3));
  });

  it('key store down on decrypt: a warm unwrapped key keeps serving; a cold one fails with ERR_KEY_STORE_UNAVAILABLE', async () => {
    const store = new RecordingStore();
    const sealed = await encryptMany(bucketEngine(store), 2);
    const otherBucket = await bucketEngine(store).encrypt(new Uint8Array(1), {
      context: objectContext('k', 'elsewhere'),
      bucketKey: true,
    });
    const reader = createEngine({ keyStore: store });
    await reader.decrypt(sealed[0] as Uint8Array);
    store.failWith = ErrorCodes.KEY_STORE_UNAVAILABLE;
    await reader.decrypt(sealed[1] as Uint8Array);
    await expect(reader.decrypt(otherBucket)).rejects.toMatchObject({ code: ErrorCodes.KEY_STORE_UNAVAILABLE });
  });

  it('one caller aborting its wait does not fail the others sharing the call', async () => {
    const store = new RecordingStore();
    const engine = bucketEngine(store);
    const release = store.hold();
    const controller = new AbortController();
    const aborted = engine.encrypt(new Uint8Array(1), {
      context: OBJECT_CONTEXT,
      bucketKey: true,
      signal: controller.signal,
    });
    const others = [1, 2].map(() => engine.encrypt(new Uint8Array(1), { context: OBJECT_CONTEXT, bucketKey: true }));
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ code: ErrorCodes.KEY_STORE_UNAVAILABLE });
    release();
    await Promise.all(others);
    expect(store.count('generate')).toBe(1);
  });

  it('when every waiter aborts, the shared call is aborted and a later caller starts a fresh one', async () => {
    const store = new RecordingStore();
    const engine = bucketEngine(store);
    const release = store.hold();
    const controller = new AbortController();
    const first = engine.encrypt(new Uint8Array(1), {
      context: OBJECT_CONTEXT,
      bucketKey: true,
      signal: controller.signal,
    });
    controller.abort();
    await expect(first).rejects.toBeInstanceOf(KeyStoreError);
    const second = engine.encrypt(new Uint8Array(1), { context: OBJECT_CONTEXT, bucketKey: true });
    release();
    await second;
    expect(store.count('generate')).toBe(2);
  });
});

describe('BucketKeyCache: close and forget while a call is in flight', () => {
  it('close fails the waiters with ERR_ENGINE_CLOSED and wipes the key when it lands', async () => {
    const store = new RecordingStore();
    store.honorAbort = false;
    const engine = bucketEngine(store);
    const release = store.hold();
    const waiting = engine.encrypt(new Uint8Array(1), { context: OBJECT_CONTEXT, bucketKey: true });
    await engine.close();
    await expect(waiting).rejects.toMatchObject({ code: ErrorCodes.ENGINE_CLOSED });
    await expect(waiting).rejects.toBeInstanceOf(SealflowError);
    release();
    await new Promise((resolve) => setImmediate(resolve));
    // The store ignored the abort and still handed a key out: it is wiped, not cached.
    expect(store.handedOut).toHaveLength(1);
    expect(isWiped(store.handedOut[0]!)).toBe(true);
    expect(engine.stats().bucketKeys.entries).toBe(0);
  });

  it('a stream opened before close cannot fetch a key after it', async () => {
    const store = new RecordingStore();
    const engine = bucketEngine(store);
    const stream = engine.encryptIterable([new Uint8Array(4)], { context: OBJECT_CONTEXT, bucketKey: true });
    await engine.close();
    await expect(async () => {
      for await (const _ of stream) void _;
    }).rejects.toMatchObject({ code: ErrorCodes.ENGINE_CLOSED });
    expect(store.count('generate')).toBe(0);
  });

  it('forget during a call: its waiters are served but the key is not cached', async () => {
    const store = new RecordingStore();
    const engine = bucketEngine(store);
    const release = store.hold();
    const waiting = engine.encrypt(new Uint8Array(1), { context: OBJECT_CONTEXT, bucketKey: true });
    expect(engine.forget({ keyId: store.id })).toBe(0);
    release();
    await waiting;
    expect(isWiped(store.handedOut[0]!)).toBe(true);
    await engine.encrypt(new Uint8Array(1), { context: OBJECT_CONTEXT, bucketKey: true });
    expect(store.count('generate')).toBe(2);
  });
});
