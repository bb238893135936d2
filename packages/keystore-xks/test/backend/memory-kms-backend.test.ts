// The default backend: external keys wrapped under the in-process KMS, persisted in its
// sealed store file plus a keys list that holds no secret.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCodes } from '@sealflow/core';
import { createKeyFile } from '@sealflow/keystore-memory';
import { MemoryKmsXksBackend, XksKeyStore, createXksProxy } from '@sealflow/keystore-xks';
import { CREDENTIAL, PREFIX } from '../support/xks-fixtures.js';

let dir: string;
let paths: { storeFile: string; keyFile: string; xksKeysFile: string };
const open: MemoryKmsXksBackend[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sealflow-xks-kms-'));
  paths = {
    storeFile: join(dir, 'kms.store'),
    keyFile: join(dir, 'root.key'),
    xksKeysFile: join(dir, 'xks-keys.json'),
  };
  await createKeyFile(paths.keyFile);
});
afterEach(async () => {
  for (const backend of open.splice(0)) await backend.close();
  rmSync(dir, { recursive: true, force: true });
});

async function openBackend(): Promise<MemoryKmsXksBackend> {
  const backend = await MemoryKmsXksBackend.open(paths);
  open.push(backend);
  return backend;
}

describe('MemoryKmsXksBackend', () => {
  it('creates a key, seals and opens with it, and survives a close and reopen from its files', async () => {
    const first = await openBackend();
    await first.createKey('foo');
    const plaintext = randomBytes(32);
    const sealed = await first.encrypt('foo', plaintext, Buffer.from('aad'));
    expect([sealed.ciphertext.length, sealed.iv.length, sealed.tag.length]).toEqual([32, 12, 16]);
    await first.close();
    open.splice(0);
    const second = await openBackend();
    expect(second.keyIds()).toEqual(['foo']);
    expect(Buffer.from(await second.decrypt('foo', sealed, Buffer.from('aad')))).toEqual(plaintext);
    await expect(second.decrypt('foo', sealed, Buffer.from('other'))).rejects.toMatchObject({
      errorName: 'InvalidCiphertextException',
    });
  });

  it('keeps only KMS ciphertext in the keys file', async () => {
    const backend = await openBackend();
    await backend.createKey('foo', { usage: ['ENCRYPT'] });
    const doc = JSON.parse(readFileSync(paths.xksKeysFile, 'utf8')) as {
      format: string;
      keys: { keyId: string; usage: string[]; wrappedMaterial: string; kmsKeyArn: string }[];
    };
    expect(doc.format).toBe('sealflow-xks-keys');
    expect(doc.keys[0]).toMatchObject({ keyId: 'foo', usage: ['ENCRYPT'] });
    expect(doc.keys[0]?.kmsKeyArn).toMatch(/^arn:aws:kms:us-east-1:/);
    // A KMS ciphertext blob is much longer than the 32 bytes it wraps.
    expect(Buffer.from(doc.keys[0]?.wrappedMaterial ?? '', 'base64').length).toBeGreaterThan(32);
  });

  it('reports the KMS key state as the external key status', async () => {
    const backend = await openBackend();
    await backend.createKey('foo');
    expect(await backend.describe('foo')).toEqual({
      keySpec: 'AES_256',
      keyUsage: ['ENCRYPT', 'DECRYPT'],
      keyStatus: 'ENABLED',
    });
    const arn = (JSON.parse(readFileSync(paths.xksKeysFile, 'utf8')) as { keys: { kmsKeyArn: string }[] }).keys[0]
      ?.kmsKeyArn as string;
    await backend.kms.disableKey({ KeyId: arn });
    expect((await backend.describe('foo'))?.keyStatus).toBe('DISABLED');
    await expect(backend.encrypt('foo', randomBytes(4), new Uint8Array(0))).rejects.toMatchObject({
      errorName: 'InvalidStateException',
    });
    expect(await backend.describe('missing')).toBeUndefined();
  });

  it('refuses a wrapped material moved to another key ID (it is bound by encryption context)', async () => {
    const backend = await openBackend();
    await backend.createKey('a');
    await backend.createKey('b');
    await backend.close();
    open.splice(0);
    const doc = JSON.parse(readFileSync(paths.xksKeysFile, 'utf8')) as { keys: { wrappedMaterial: string }[] };
    const [a, b] = doc.keys as [{ wrappedMaterial: string }, { wrappedMaterial: string }];
    [a.wrappedMaterial, b.wrappedMaterial] = [b.wrappedMaterial, a.wrappedMaterial];
    writeFileSync(paths.xksKeysFile, JSON.stringify(doc));
    const reopened = await openBackend();
    await expect(reopened.encrypt('a', randomBytes(4), new Uint8Array(0))).rejects.toMatchObject({
      errorName: 'InternalException',
    });
  });

  it('refuses a corrupt keys file with ERR_KEY_STORE_CORRUPT', async () => {
    for (const text of [
      'not json',
      '{"format":"other","version":1,"keys":[]}',
      '{"format":"sealflow-xks-keys","version":1,"keys":[{"keyId":"a/b"}]}',
    ]) {
      writeFileSync(paths.xksKeysFile, text);
      await expect(MemoryKmsXksBackend.open(paths)).rejects.toMatchObject({ code: ErrorCodes.KEY_STORE_CORRUPT });
    }
  });

  it('serves the proxy end to end, and a disabled KMS key surfaces as ERR_KEY_INVALID_STATE at the client', async () => {
    const backend = await openBackend();
    await backend.createKey('foo');
    const proxy = createXksProxy({
      keyStores: [{ uriPrefix: PREFIX, credentials: [CREDENTIAL] }],
      backend,
      health: { testKeyId: 'foo', cacheMs: 0 },
    });
    const { url } = await proxy.listen();
    const store = new XksKeyStore({
      endpoint: url,
      uriPrefix: PREFIX,
      keyId: 'foo',
      credentials: CREDENTIAL,
      timeoutMs: 5000,
    });
    try {
      const context = { purpose: 'test' };
      const { dataKey, encryptedDataKey } = await store.generateDataKey({ context, length: 32 });
      expect((await store.unwrapDataKey(encryptedDataKey, { context, length: 32 })).reveal()).toEqual(dataKey.reveal());
      expect((await store.checkHealth()).ekmVendor).toBe('sealflow MemoryKms');
      const arn = (JSON.parse(readFileSync(paths.xksKeysFile, 'utf8')) as { keys: { kmsKeyArn: string }[] }).keys[0]
        ?.kmsKeyArn as string;
      await backend.kms.disableKey({ KeyId: arn });
      await expect(store.unwrapDataKey(encryptedDataKey, { context, length: 32 })).rejects.toMatchObject({
        code: ErrorCodes.KEY_INVALID_STATE,
      });
    } finally {
      store.close();
      await proxy.close();
    }
  });
});
