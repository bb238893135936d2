import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, RawAesKeyStore } from '@sealflow/core';
import { SealflowKeyringNode } from '@sealflow/esdk-keyring';

const store = new RawAesKeyStore({ namespace: 'ns', name: 'k', key: new Uint8Array(32) });

describe('SealflowKeyringNode options', () => {
  it('takes one store or several, and the memo defaults', () => {
    expect(new SealflowKeyringNode({ keyStores: store }).stats()).toEqual({
      bucketKeyUnwraps: 0,
      bucketKeyHits: 0,
      bucketKeys: 0,
    });
    expect(
      () => new SealflowKeyringNode({ keyStores: [store, store], maxAgeMs: 5, capacity: 1, now: () => 0 }),
    ).not.toThrow();
  });

  it.each([
    [null, /options object/],
    [{}, /keyStores/],
    [{ keyStores: [] }, /keyStores/],
    [{ keyStores: [{ id: 'x' }] }, /keyStores/],
    [{ keyStores: store, maxAgeMs: 0 }, /maxAgeMs/],
    [{ keyStores: store, capacity: 1_000_001 }, /capacity/],
    [{ keyStores: store, now: 5 }, /now/],
    [{ keyStores: store, maxAge: 5 }, /unknown option "maxAge"/],
  ])('rejects %j naming the field', (options, message) => {
    const attempt = (): unknown => new SealflowKeyringNode(options as never);
    expect(attempt).toThrow(InvalidArgumentError);
    expect(attempt).toThrow(message);
  });

  it('ignores a polluted prototype', () => {
    const polluted = Object.create({ capacity: 0 }) as Record<string, unknown>;
    polluted['keyStores'] = store;
    expect(() => new SealflowKeyringNode(polluted as never)).not.toThrow();
  });
});
