// Re-keyed messages stay ESDK messages: what engine.rewrapHeader / rewrapIterable produce,
// @aws-crypto/client-node 5.0.2 decrypts with the new key's keyring (and not the old one's),
// for the unsigned suite and for a re-signed 0x0578 message; and a message client-node wrote
// re-keys too.
import { describe, expect, it } from 'vitest';
import { createEngine } from '@sealflow/core';
import { aesPeer, esdkDecrypt, esdkEncrypt, sameBytes } from './support/peers.js';

const A = aesPeer('rewrap-a', 11);
const B = aesPeer('rewrap-b', 12);

async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const out: Uint8Array[] = [];
  for await (const chunk of source) out.push(chunk);
  return Buffer.concat(out);
}

describe('re-keyed messages and client-node', () => {
  for (const suite of [0x0478, 0x0578] as const) {
    it(`suite 0x0${suite.toString(16)}: client-node decrypts the re-keyed message with B's keyring, not A's`, async () => {
      const plaintext = new Uint8Array(10_000).map((_, i) => i & 0xff);
      const a = createEngine({ keyStore: A.store, suite });
      const sealed = await a.encrypt(plaintext, { frameLength: 4096, context: { purpose: 'rewrap' } });
      const rekeyed = await collect(a.rewrapIterable([sealed], { keyStore: B.store }));
      const out = await esdkDecrypt(B.keyring, rekeyed);
      expect(sameBytes(out.plaintext, plaintext)).toBe(true);
      expect(out.context['purpose']).toBe('rewrap');
      await expect(esdkDecrypt(A.keyring, rekeyed)).rejects.toThrow();
    });
  }

  it('a signed message client-node wrote is re-keyed and re-signed, and client-node reads the result', async () => {
    const plaintext = new Uint8Array(9000).map((_, i) => (i * 7) & 0xff);
    const sealed = await esdkEncrypt(A.keyring, plaintext, 0x0578, 4096, { origin: 'client-node' });
    const rekeyed = await collect(createEngine({ keyStore: A.store }).rewrapIterable([sealed], { keyStore: B.store }));
    expect(sameBytes((await esdkDecrypt(B.keyring, rekeyed)).plaintext, plaintext)).toBe(true);
  });
});
