import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '@sealflow/core';
import { InMemoryXksBackend, XksBackendError } from '@sealflow/keystore-xks';

describe('InMemoryXksBackend', () => {
  it('seals and opens with AES-256-GCM and refuses another AAD as InvalidCiphertextException', async () => {
    const backend = new InMemoryXksBackend();
    backend.createKey('k');
    const plaintext = randomBytes(32);
    const sealed = await backend.encrypt('k', plaintext, Buffer.from('aad'));
    expect([sealed.ciphertext.length, sealed.iv.length, sealed.tag.length]).toEqual([32, 12, 16]);
    expect(Buffer.from(await backend.decrypt('k', sealed, Buffer.from('aad')))).toEqual(plaintext);
    const error = await backend.decrypt('k', sealed, Buffer.from('other')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XksBackendError);
    expect((error as XksBackendError).errorName).toBe('InvalidCiphertextException');
  });

  it('describes keys with their usage and status, and nothing for unknown keys', async () => {
    const backend = new InMemoryXksBackend();
    backend.createKey('k', { usage: ['ENCRYPT'], status: 'DISABLED' });
    expect(await backend.describe('k')).toEqual({ keySpec: 'AES_256', keyUsage: ['ENCRYPT'], keyStatus: 'DISABLED' });
    expect(await backend.describe('missing')).toBeUndefined();
  });

  it('rejects bad key IDs, duplicate keys, short material and unknown usages', () => {
    const backend = new InMemoryXksBackend();
    backend.createKey('k');
    for (const call of [
      () => backend.createKey('a/b'),
      () => backend.createKey('k'),
      () => backend.createKey('m', { material: new Uint8Array(16) }),
      () => backend.createKey('u', { usage: ['FLY' as 'ENCRYPT'] }),
      () => backend.createKey('o', { colour: 'red' } as object),
    ]) {
      expect(call).toThrow(expect.objectContaining({ code: ErrorCodes.INVALID_ARGUMENT }));
    }
  });

  it('fails every call while marked unavailable, and reports it in members()', async () => {
    const backend = new InMemoryXksBackend();
    backend.createKey('k');
    backend.setAvailable(false);
    await expect(backend.encrypt('k', new Uint8Array(1), new Uint8Array(0))).rejects.toMatchObject({
      errorName: 'InternalException',
    });
    expect((await backend.members())[0]?.healthStatus).toBe('UNAVAILABLE');
  });
});
