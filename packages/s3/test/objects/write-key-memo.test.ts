import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RawAesKeyStore, type EncryptedDataKey, type KeyStore } from '@sealflow/core';
import { asWriteVerification, WriteKeyMemo } from '@sealflow/s3';

/** A real raw-AES store that counts its unwraps. */
function counting(): { store: KeyStore; unwraps: () => number } {
  const inner = new RawAesKeyStore({ namespace: 'ns', name: 'k', key: randomBytes(32) });
  let unwraps = 0;
  const store: KeyStore = {
    id: inner.id,
    principal: 'arn:aws:iam::111122223333:user/alice',
    canUnwrap: (edk) => inner.canUnwrap(edk),
    generateDataKey: (r) => inner.generateDataKey(r),
    wrapDataKey: (k, r) => inner.wrapDataKey(k, r),
    unwrapDataKey: (edk, r) => {
      unwraps++;
      return inner.unwrapDataKey(edk, r);
    },
  };
  return { store, unwraps: () => unwraps };
}

const context = { 'aws:s3:arn': 'arn:aws:s3:::bkt/k' };

describe('WriteKeyMemo', () => {
  it('answers one verification, for the byte-identical EDK and context, with the generated key', async () => {
    const { store, unwraps } = counting();
    const memo = new WriteKeyMemo(store);
    expect(memo.id).toBe(store.id);
    expect(memo.principal).toBe(store.principal);
    const { dataKey, encryptedDataKey } = await memo.generateDataKey({ context, length: 32 });
    const plain = Buffer.from(dataKey.reveal());
    dataKey.destroy(); // the engine destroys its copy: the memo kept its own
    const [first, again] = await asWriteVerification(async () => [
      await memo.unwrapDataKey(encryptedDataKey, { context, length: 32 }),
      await memo.unwrapDataKey(encryptedDataKey, { context, length: 32 }),
    ]);
    expect(Buffer.from(first.reveal()).equals(plain)).toBe(true);
    expect(Buffer.from(again.reveal()).equals(plain)).toBe(true);
    expect(unwraps()).toBe(0);
    // Wiped when that verification ended: the next one goes to the store (and gets the same key from it).
    const second = await asWriteVerification(() => memo.unwrapDataKey(encryptedDataKey, { context, length: 32 }));
    expect(Buffer.from(second.reveal()).equals(plain)).toBe(true);
    expect(unwraps()).toBe(1);
    expect(memo.size).toBe(0);
  });

  it('never answers outside a verification, nor for an EDK or context that differs by one byte', async () => {
    const { store, unwraps } = counting();
    const memo = new WriteKeyMemo(store);
    const { encryptedDataKey } = await memo.generateDataKey({ context, length: 32 });
    await memo.unwrapDataKey(encryptedDataKey, { context, length: 32 });
    expect(unwraps()).toBe(1);
    const flipped: EncryptedDataKey = {
      ...encryptedDataKey,
      ciphertext: Uint8Array.from(encryptedDataKey.ciphertext, (b, i) => (i === 0 ? b ^ 1 : b)),
    };
    await expect(asWriteVerification(() => memo.unwrapDataKey(flipped, { context, length: 32 }))).rejects.toThrow();
    expect(unwraps()).toBe(2);
    await expect(
      asWriteVerification(() =>
        memo.unwrapDataKey(encryptedDataKey, { context: { 'aws:s3:arn': 'arn:aws:s3:::bkt/other' }, length: 32 }),
      ),
    ).rejects.toThrow();
    expect(unwraps()).toBe(3);
    expect(memo.size).toBe(1);
  });

  it('is bounded: the oldest key leaves past capacity, any key past its age, all on clear', async () => {
    let now = 0;
    const { store } = counting();
    const memo = new WriteKeyMemo(store, { capacity: 2, maxAgeMs: 1000, now: () => now });
    await memo.generateDataKey({ context, length: 32 });
    await memo.generateDataKey({ context, length: 32 });
    await memo.generateDataKey({ context, length: 32 });
    expect(memo.size).toBe(2);
    now = 1000;
    expect(memo.size).toBe(0);
    await memo.generateDataKey({ context, length: 32 });
    memo.clear();
    expect(memo.size).toBe(0);
    expect(() => new WriteKeyMemo(store, { capacity: 0 })).toThrow(TypeError);
  });
});
