// The keyring's bucket-key memo: one unwrap per blob per window, shared by concurrent
// reads, failures not kept, and every key zeroed when it leaves (age, capacity, close).
import { buildClient, CommitmentPolicy } from '@aws-crypto/client-node';
import { describe, expect, it } from 'vitest';
import { createEngine, ErrorCodes } from '@sealflow/core';
import { SealflowKeyringNode } from '@sealflow/esdk-keyring';
import { isWiped, objectContext, RecordingStore } from '../../core/test/keys/bucket-key-support.js';

const esdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);

async function sealed(store: RecordingStore, buckets: string[]): Promise<Uint8Array[]> {
  const engine = createEngine({ keyStore: store, bucketKeys: { maxAgeMs: 60_000 } });
  return Promise.all(
    buckets.map((bucket, i) =>
      engine.encrypt(new Uint8Array([i]), { context: objectContext(`o${i}`, bucket), bucketKey: true }),
    ),
  );
}

describe('SealflowKeyringNode bucket-key memo', () => {
  it('concurrent reads of one bucket key share one unwrap; the key is zeroed on close', async () => {
    const store = new RecordingStore();
    const messages = await sealed(store, ['a', 'a', 'a', 'a']);
    const keyring = new SealflowKeyringNode({ keyStores: store });
    await Promise.all(messages.map((m) => esdk.decrypt(keyring, m)));
    expect(store.count('unwrap')).toBe(1);
    const unwrapped = store.handedOut.at(-1);
    expect(unwrapped !== undefined && isWiped(unwrapped)).toBe(false);
    keyring.close();
    expect(unwrapped !== undefined && isWiped(unwrapped)).toBe(true);
  });

  it('zeroes a key evicted for capacity and one past maxAgeMs', async () => {
    const store = new RecordingStore();
    const [a, b] = await sealed(store, ['a', 'b']);
    let now = 0;
    const keyring = new SealflowKeyringNode({ keyStores: store, capacity: 1, maxAgeMs: 100, now: () => now });
    await esdk.decrypt(keyring, a as Uint8Array);
    const first = store.handedOut.at(-1);
    await esdk.decrypt(keyring, b as Uint8Array);
    expect(first !== undefined && isWiped(first)).toBe(true);
    const second = store.handedOut.at(-1);
    now = 100;
    expect(keyring.stats().bucketKeys).toBe(0);
    expect(second !== undefined && isWiped(second)).toBe(true);
  });

  it('a failed unwrap is not kept: the next read asks the store again', async () => {
    const store = new RecordingStore();
    const [message] = await sealed(store, ['a']);
    const keyring = new SealflowKeyringNode({ keyStores: store });
    store.failWith = ErrorCodes.ACCESS_DENIED;
    await expect(esdk.decrypt(keyring, message as Uint8Array)).rejects.toMatchObject({
      code: ErrorCodes.NO_DECRYPTABLE_KEY,
    });
    store.failWith = undefined;
    await esdk.decrypt(keyring, message as Uint8Array);
    expect(store.count('unwrap')).toBe(2);
  });
});
