import { describe, expect, it } from 'vitest';
import { decodeXksEdk, encodeXksEdk, XKS_PROVIDER_ID } from '../../src/client/edk-layout.js';

const fields = {
  keyId: 'foo',
  iv: Uint8Array.from({ length: 12 }, (_, i) => i),
  ciphertextMetadata: new Uint8Array(Buffer.from('v1')),
  ciphertext: new Uint8Array(32).fill(0xcc),
  tag: new Uint8Array(16).fill(0x77),
};

describe('XKS EDK layout', () => {
  it('writes the documented bytes', () => {
    const edk = encodeXksEdk(fields);
    expect(edk.providerId).toBe(XKS_PROVIDER_ID);
    expect(Buffer.from(edk.providerInfo).toString('hex')).toBe(
      `01` + `03666f6f` + `0c000102030405060708090a0b` + `027631`,
    );
    expect(Buffer.from(edk.ciphertext)).toEqual(Buffer.concat([Buffer.alloc(32, 0xcc), Buffer.alloc(16, 0x77)]));
  });

  it('decodes what it encodes, with and without metadata, with 12 and 16 byte IVs', () => {
    for (const variant of [
      fields,
      { ...fields, ciphertextMetadata: undefined },
      { ...fields, iv: new Uint8Array(16) },
    ]) {
      const back = decodeXksEdk(encodeXksEdk(variant));
      expect(back && { ...back, ciphertext: Buffer.from(back.ciphertext), tag: Buffer.from(back.tag) }).toEqual({
        ...variant,
        ciphertext: Buffer.from(variant.ciphertext),
        tag: Buffer.from(variant.tag),
      });
    }
  });

  it('refuses other providers, versions, truncations, trailing bytes and bad lengths without throwing', () => {
    const edk = encodeXksEdk(fields);
    const info = Buffer.from(edk.providerInfo);
    const bad = [
      { ...edk, providerId: 'aws-kms' },
      { ...edk, providerInfo: Buffer.concat([Buffer.from([2]), info.subarray(1)]) },
      { ...edk, providerInfo: info.subarray(0, info.length - 1) },
      { ...edk, providerInfo: Buffer.concat([info, Buffer.from([0])]) },
      { ...edk, providerInfo: Buffer.from('0100', 'hex') },
      { ...edk, providerInfo: Buffer.from('0103666f6f0d' + '00'.repeat(13) + '00', 'hex') },
      { ...edk, providerInfo: Buffer.from('0103662f6f0c' + '00'.repeat(12) + '00', 'hex') },
      { ...edk, providerInfo: Buffer.from('0103666f6f0c' + '00'.repeat(12) + '15' + '00'.repeat(21), 'hex') },
      { ...edk, ciphertext: new Uint8Array(16) },
      { ...edk, providerInfo: new Uint8Array(0) },
    ];
    for (const candidate of bad) expect(decodeXksEdk(candidate)).toBeUndefined();
  });
});
