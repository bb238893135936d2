// Availability: the proxy stopped, slower than the deadline, or answering 5xx. Errors
// say which store failed and why; with a second store decryption fails over; and no
// message is ever written that its stores cannot read.
import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { createEngine, ErrorCodes, KeyStoreError, type KeyStore, type RawAesKeyStore } from '@sealflow/core';
import { type InMemoryXksBackend, type XksKeyBackend, type XksKeyStore } from '@sealflow/keystore-xks';
import { CONTEXT, newBackend, rawStore, xksPerTest, type XksRig } from './support/xks-setup.js';

const { rig, store } = xksPerTest();

async function rejection(promise: Promise<unknown>): Promise<KeyStoreError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KeyStoreError);
  return error as KeyStoreError;
}

/** Seals a message under both stores while the proxy is up. */
async function sealBoth(xks: XksKeyStore, raw: RawAesKeyStore): Promise<{ sealed: Uint8Array; plaintext: Buffer }> {
  const engine = createEngine({ keyStore: [xks, raw] });
  const plaintext = randomBytes(5000);
  const sealed = await engine.encrypt(plaintext, { context: CONTEXT });
  await engine.close();
  return { sealed, plaintext };
}

/** A backend that never answers encrypt or decrypt (a hung HSM). */
function hungBackend(inner: InMemoryXksBackend): XksKeyBackend {
  return {
    vendor: inner.vendor,
    describe: (keyId) => inner.describe(keyId),
    encrypt: () => new Promise(() => undefined),
    decrypt: () => new Promise(() => undefined),
    members: () => inner.members(),
  };
}

type Outage = {
  name: string;
  apply: (r: XksRig) => Promise<void>;
  storeOptions: Parameters<typeof store>[1];
  reason: RegExp;
};

const OUTAGES: Outage[] = [
  { name: 'stopped', apply: (r) => r.proxy.close(), storeOptions: {}, reason: /unreachable: ECONNREFUSED/ },
  {
    name: 'answering 5xx',
    apply: async (r) => r.backend.setAvailable(false),
    storeOptions: {},
    reason: /HTTP 500 InternalException/,
  },
];

describe.each(OUTAGES)('when the proxy is $name', ({ apply, storeOptions, reason }) => {
  it('decrypt fails over to the second store, and the message is intact', async () => {
    const r = await rig();
    const xks = store(r.url, storeOptions);
    const raw = rawStore();
    const { sealed, plaintext } = await sealBoth(xks, raw);
    await apply(r);
    const engine = createEngine({ keyStore: [xks, raw] });
    expect(Buffer.from((await engine.decrypt(sealed)).plaintext)).toEqual(plaintext);
  });

  it('decrypt with the XKS store alone fails with ERR_KEY_STORE_UNAVAILABLE naming the store and the reason', async () => {
    const r = await rig();
    const xks = store(r.url, storeOptions);
    const { sealed } = await sealBoth(xks, rawStore());
    await apply(r);
    const error = await rejection(createEngine({ keyStore: xks }).decrypt(sealed));
    expect(error.code).toBe(ErrorCodes.KEY_STORE_UNAVAILABLE);
    expect(error.failures).toHaveLength(1);
    expect(error.failures[0]).toMatchObject({ store: xks.id, code: ErrorCodes.KEY_STORE_UNAVAILABLE });
    expect(error.failures[0]?.message).toMatch(reason);
    expect(error.message).toContain(xks.id);
  });

  it.each([
    ['primary', (xks: KeyStore, raw: KeyStore) => [xks, raw]],
    ['second', (xks: KeyStore, raw: KeyStore) => [raw, xks]],
  ])('encrypt with the XKS store as %s fails cleanly and writes nothing', async (_, order) => {
    const r = await rig();
    const xks = store(r.url, storeOptions);
    await apply(r);
    const engine = createEngine({ keyStore: order(xks, rawStore()) });
    const error = await rejection(engine.encrypt(randomBytes(100), { context: CONTEXT }));
    expect(error.code).toBe(ErrorCodes.KEY_STORE_UNAVAILABLE);
    expect(error.message).toContain(xks.id);
    const written: Buffer[] = [];
    const sink = new Writable({ write: (chunk: Buffer, __, done) => void (written.push(chunk), done()) });
    await expect(
      pipeline(Readable.from([randomBytes(100)]), engine.encryptStream({ context: CONTEXT }), sink),
    ).rejects.toMatchObject({ code: ErrorCodes.KEY_STORE_UNAVAILABLE });
    expect(written).toHaveLength(0);
  });
});

describe('when the proxy is slower than the deadline', () => {
  it('decrypt fails over to the second store, and alone fails saying the proxy is too slow', async () => {
    const backend = newBackend();
    const up = await rig({ backend });
    const raw = rawStore();
    const { sealed, plaintext } = await sealBoth(store(up.url), raw);
    await up.proxy.close();
    const slow = await rig({ proxy: { backend: hungBackend(backend), limits: { backendTimeoutMs: 60_000 } } });
    const xks = store(slow.url, { timeoutMs: 200 });
    const engine = createEngine({ keyStore: [xks, raw] });
    expect(Buffer.from((await engine.decrypt(sealed)).plaintext)).toEqual(plaintext);
    const error = await rejection(createEngine({ keyStore: xks }).decrypt(sealed));
    expect(error.code).toBe(ErrorCodes.KEY_STORE_UNAVAILABLE);
    expect(error.failures[0]?.message).toMatch(/too slow: no answer within 200 ms/);
  });

  it('encrypt fails cleanly instead of writing a message without the XKS key', async () => {
    const slow = await rig({ proxy: { backend: hungBackend(newBackend()), limits: { backendTimeoutMs: 60_000 } } });
    const xks = store(slow.url, { timeoutMs: 200 });
    const error = await rejection(
      createEngine({ keyStore: [rawStore(), xks] }).encrypt(randomBytes(10), { context: CONTEXT }),
    );
    expect(error.code).toBe(ErrorCodes.KEY_STORE_UNAVAILABLE);
  });
});

describe('nothing written that cannot be read', () => {
  it('every message sealed under [xks, raw] opens with each store alone, and again after a proxy restart', async () => {
    const backend = newBackend();
    const first = await rig({ backend });
    const raw = rawStore();
    const messages = [];
    for (let i = 0; i < 5; i++) messages.push(await sealBoth(store(first.url), raw));
    const port = first.port;
    await first.proxy.close();
    // The key material outlives the proxy process (here: the same backend object).
    const second = await rig({ backend, port });
    for (const { sealed, plaintext } of messages) {
      expect(Buffer.from((await createEngine({ keyStore: store(second.url) }).decrypt(sealed)).plaintext)).toEqual(
        plaintext,
      );
      expect(Buffer.from((await createEngine({ keyStore: raw }).decrypt(sealed)).plaintext)).toEqual(plaintext);
    }
  });

  it('when every store fails, the error lists each store with its own code and reason', async () => {
    const r = await rig();
    const xks = store(r.url);
    const { sealed } = await sealBoth(xks, rawStore());
    await r.proxy.close();
    // Same raw key name, other key material: it claims its EDK and fails to open it.
    const wrongRaw = rawStore();
    const error = await rejection(createEngine({ keyStore: [xks, wrongRaw] }).decrypt(sealed));
    expect(error.code).toBe(ErrorCodes.NO_DECRYPTABLE_KEY);
    expect(error.failures.map((f) => f.store)).toEqual([xks.id, wrongRaw.id]);
    expect(error.failures[0]?.code).toBe(ErrorCodes.KEY_STORE_UNAVAILABLE);
    expect(error.failures[0]?.message).toMatch(/unreachable/);
    expect(error.failures[1]?.code).not.toBe(ErrorCodes.KEY_STORE_UNAVAILABLE);
  });
});
