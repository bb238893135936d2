// The KeyStore conformance suite (@sealflow/core/keystore-kit) against core's own stores.
// Other stores run it beside their own tests (keystore-memory, the KMS contract, XKS).
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DataKey, RawAesKeyStore, RawRsaKeyStore, type KeyStore } from '@sealflow/core';
import { keyStoreConformanceCases } from '@sealflow/core/keystore-kit';
import { WRAPPING_KEY } from '../engine/fixtures.js';

const rsa = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});

describe('RawAesKeyStore conforms', () => {
  for (const c of keyStoreConformanceCases({
    makeStore: () => new RawAesKeyStore({ namespace: 'ns', name: 'k', key: WRAPPING_KEY }),
  })) {
    it(c.name, c.run);
  }
});

describe('RawRsaKeyStore conforms', () => {
  const makeStore = (): KeyStore =>
    new RawRsaKeyStore({ namespace: 'ns', name: 'rsa', publicKey: rsa.publicKey, privateKey: rsa.privateKey });
  // The ESDK raw RSA keyring wraps the bare key: only the header tag binds the context.
  const cases = keyStoreConformanceCases({ makeStore, bindsContext: false });
  for (const c of cases) it(c.name, c.run);
  it('is run without the context rule, and only that one', () => {
    expect(keyStoreConformanceCases({ makeStore }).length - cases.length).toBe(1);
  });
});

describe('the conformance suite fails a store that breaks a rule', () => {
  /** A store that ignores the context: wraps with a fixed XOR, so any context unwraps. */
  const sloppy = (): KeyStore => ({
    id: 'sloppy',
    canUnwrap: (edk) => edk.providerId === 'sloppy',
    generateDataKey: async () => {
      const dataKey = DataKey.copyOf(crypto.getRandomValues(new Uint8Array(32)));
      return {
        dataKey,
        encryptedDataKey: {
          providerId: 'sloppy',
          providerInfo: new Uint8Array(0),
          ciphertext: dataKey.reveal().map((b) => b ^ 0x5a),
        },
      };
    },
    wrapDataKey: async (dataKey) => ({
      providerId: 'sloppy',
      providerInfo: new Uint8Array(0),
      ciphertext: dataKey.reveal().map((b) => b ^ 0x5a),
    }),
    unwrapDataKey: async (edk) => DataKey.copyOf(edk.ciphertext.map((b) => b ^ 0x5a)),
  });

  it('reports the context rule and the altered-EDK rule, and passes the others', async () => {
    const failed: string[] = [];
    for (const c of keyStoreConformanceCases({ makeStore: sloppy })) {
      await c.run().catch(() => failed.push(c.name));
    }
    expect(failed).toStrictEqual([
      'unwrapDataKey binds the encryption context: another context fails',
      'an altered EDK ciphertext fails to unwrap',
    ]);
  });
});
