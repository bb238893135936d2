import { randomBytes, createDecipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { serializeEncryptionContext } from '@sealflow/core';
import { BLOB_VERSION, openBlob, readBlobHeader, sealBlob } from '../src/ciphertext-blob.js';
import { InvalidCiphertextException } from '../src/exceptions.js';

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const material = new Uint8Array(randomBytes(32));
const context = { b: '2', a: '1', é: 'x', Z: 'y' };

describe('ciphertext blob v1', () => {
  it('has the documented layout: version, key ID, material version, IV, ciphertext, tag', () => {
    const plaintext = Uint8Array.of(1, 2, 3, 4, 5);
    const blob = sealBlob(material, { keyId: KEY_ID, materialVersion: 7 }, plaintext, context);
    expect(blob.length).toBe(1 + 16 + 4 + 12 + plaintext.length + 16);
    expect(blob[0]).toBe(BLOB_VERSION);
    expect(Buffer.from(blob.subarray(1, 17)).toString('hex')).toBe(KEY_ID.replace(/-/g, ''));
    expect([...blob.subarray(17, 21)]).toEqual([0, 0, 0, 7]);
    expect(readBlobHeader(blob)).toEqual({ keyId: KEY_ID, materialVersion: 7 });
  });

  it('is plain AES-256-GCM with AAD = header bytes || canonical context (checked with node:crypto directly)', () => {
    const plaintext = Uint8Array.of(9, 8, 7);
    const blob = sealBlob(material, { keyId: KEY_ID, materialVersion: 0 }, plaintext, context);
    const decipher = createDecipheriv('aes-256-gcm', material, blob.subarray(21, 33));
    decipher.setAAD(Buffer.concat([blob.subarray(0, 33), serializeEncryptionContext(context)]));
    decipher.setAuthTag(blob.subarray(blob.length - 16));
    const out = Buffer.concat([decipher.update(blob.subarray(33, blob.length - 16)), decipher.final()]);
    expect([...out]).toEqual([9, 8, 7]);
  });

  it('round-trips, and the context pair order does not matter', () => {
    const plaintext = new Uint8Array(randomBytes(32));
    const blob = sealBlob(material, { keyId: KEY_ID, materialVersion: 0 }, plaintext, context);
    expect(openBlob(material, blob, { Z: 'y', é: 'x', a: '1', b: '2' })).toEqual(plaintext);
  });

  it('fails for another material, another context, or any altered byte', () => {
    const blob = sealBlob(material, { keyId: KEY_ID, materialVersion: 0 }, Uint8Array.of(1), context);
    expect(() => openBlob(new Uint8Array(32), blob, context)).toThrow(InvalidCiphertextException);
    expect(() => openBlob(material, blob, { ...context, a: '2' })).toThrow(InvalidCiphertextException);
    expect(() => openBlob(material, blob, {})).toThrow(InvalidCiphertextException);
    for (let i = 0; i < blob.length; i++) {
      const altered = blob.slice();
      altered[i] = (altered[i] as number) ^ 0x04;
      expect(() => openBlob(material, altered, context), `byte ${i}`).toThrow(InvalidCiphertextException);
    }
  });

  it('uses a fresh IV per blob', () => {
    const a = sealBlob(material, { keyId: KEY_ID, materialVersion: 0 }, Uint8Array.of(1), {});
    const b = sealBlob(material, { keyId: KEY_ID, materialVersion: 0 }, Uint8Array.of(1), {});
    expect(Buffer.from(a.subarray(21, 33)).equals(Buffer.from(b.subarray(21, 33)))).toBe(false);
  });

  it('refuses a short, oversized or other-version blob before any cryptography, with one generic message', () => {
    const blob = sealBlob(material, { keyId: KEY_ID, materialVersion: 0 }, Uint8Array.of(1), {});
    const other = blob.slice();
    other[0] = 2;
    for (const bad of [blob.subarray(0, 48), new Uint8Array(6145), other]) {
      expect(() => readBlobHeader(bad)).toThrow(
        /altered, truncated, not made by this KMS, or the encryption context differs/,
      );
    }
  });
});
