// Config files: strict validation with field-naming errors, paths from the file's folder,
// secrets from files, and a proxy started from one.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCodes } from '@sealflow/core';
import { XksKeyStore, loadXksProxyConfig, startXksProxyFromConfig } from '@sealflow/keystore-xks';
import { CREDENTIAL, PREFIX } from '../support/xks-fixtures.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sealflow-xks-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const memoryConfig = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  keyStores: [{ uriPrefix: PREFIX, credentials: [CREDENTIAL] }],
  backend: { type: 'memory', keys: [{ keyId: 'foo' }] },
  log: 'none',
  ...extra,
});

async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  return promise.then(
    () => ({ message: 'resolved' }) as Error,
    (e: unknown) => e as Error & { code?: string },
  );
}

describe('loadXksProxyConfig', () => {
  it('reads a secret from a file named relative to the config, and resolves backend paths there', async () => {
    write('secret.txt', `${CREDENTIAL.secretAccessKey}\n`);
    const path = write('proxy.json', {
      keyStores: [
        {
          uriPrefix: PREFIX,
          credentials: [{ accessKeyId: CREDENTIAL.accessKeyId, secretAccessKeyFile: 'secret.txt' }],
        },
      ],
      backend: { storeFile: 'kms.store', keyFile: 'root.key', xksKeysFile: 'keys.json' },
    });
    const config = await loadXksProxyConfig(path);
    expect(config.keyStores[0]?.credentials[0]?.secretAccessKey).toBe(CREDENTIAL.secretAccessKey);
    expect(config.backend).toEqual({
      type: 'memory-kms-file',
      storeFile: join(dir, 'kms.store'),
      keyFile: join(dir, 'root.key'),
      xksKeysFile: join(dir, 'keys.json'),
      region: 'us-east-1',
    });
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 0 });
    expect(config.log).toBe('stdout');
  });

  it.each([
    ['an unknown top-level key', { ...memoryConfig(), colour: 'red' }, 'config: unknown option "colour"'],
    [
      'an unknown key store key',
      memoryConfig({ keyStores: [{ uriPrefix: PREFIX, credentials: [CREDENTIAL], colour: 1 }] }),
      'config.keyStores[0]: unknown option "colour"',
    ],
    [
      'both secret forms',
      memoryConfig({ keyStores: [{ uriPrefix: PREFIX, credentials: [{ ...CREDENTIAL, secretAccessKeyFile: 'x' }] }] }),
      'exactly one of secretAccessKey and secretAccessKeyFile',
    ],
    [
      'a missing secret file',
      memoryConfig({
        keyStores: [
          { uriPrefix: PREFIX, credentials: [{ accessKeyId: CREDENTIAL.accessKeyId, secretAccessKeyFile: 'nope' }] },
        ],
      }),
      'cannot read',
    ],
    ['an unknown backend type', memoryConfig({ backend: { type: 'hsm' } }), 'config.backend.type'],
    [
      'a KMS backend with no root secret',
      memoryConfig({ backend: { storeFile: 'a', xksKeysFile: 'b' } }),
      'exactly one of passphraseFile and keyFile',
    ],
    ['a port out of range', memoryConfig({ listen: { port: 70000 } }), 'config.listen.port'],
    ['bad ciphertextMetadata', memoryConfig({ ciphertextMetadata: 'not base64!' }), 'config.ciphertextMetadata'],
    ['an unknown log target', memoryConfig({ log: 'syslog' }), 'config.log'],
  ])('refuses %s with ERR_INVALID_ARGUMENT naming the field', async (_, content, message) => {
    const error = await rejection(loadXksProxyConfig(write('proxy.json', content)));
    expect(error.code).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(error.message).toContain(message);
  });

  it('refuses a file that is not JSON, a missing file and an oversized file', async () => {
    for (const path of [
      write('bad.json', '{"keyStores": ['),
      join(dir, 'missing.json'),
      write('big.json', ' '.repeat(1024 * 1024 + 1)),
    ]) {
      expect((await rejection(loadXksProxyConfig(path))).code).toBe(ErrorCodes.INVALID_ARGUMENT);
    }
  });

  it('refuses a secret file that is not a regular file (a FIFO would block the load forever)', async () => {
    const fifo = join(dir, 'secret.fifo');
    execFileSync('mkfifo', [fifo]);
    const path = write(
      'proxy.json',
      memoryConfig({
        keyStores: [
          {
            uriPrefix: PREFIX,
            credentials: [{ accessKeyId: CREDENTIAL.accessKeyId, secretAccessKeyFile: 'secret.fifo' }],
          },
        ],
      }),
    );
    const error = await rejection(loadXksProxyConfig(path));
    expect(error.code).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(error.message).toContain('not a regular file');
  });
});

describe('startXksProxyFromConfig', () => {
  it('serves requests and writes one JSON log line per request, carrying the KMS request ID and no plaintext', async () => {
    const lines: string[] = [];
    const running = await startXksProxyFromConfig(write('proxy.json', memoryConfig({ log: 'stdout' })), {
      writeLine: (line) => lines.push(line),
    });
    const store = new XksKeyStore({
      endpoint: running.address.url,
      uriPrefix: PREFIX,
      keyId: 'foo',
      credentials: CREDENTIAL,
      timeoutMs: 5000,
    });
    try {
      const { dataKey, encryptedDataKey } = await store.generateDataKey({ context: { a: 'b' }, length: 32 });
      await store.unwrapDataKey(encryptedDataKey, { context: { a: 'b' }, length: 32 });
      const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(records.map((r) => [r['operation'], r['status'], r['kmsOperation']])).toEqual([
        ['Encrypt', 200, 'GenerateDataKey'],
        ['Decrypt', 200, 'Decrypt'],
      ]);
      for (const r of records) expect(r['kmsRequestId']).toMatch(/^[0-9a-f-]{36}$/);
      const all = lines.join('\n');
      const key = Buffer.from(dataKey.reveal());
      expect(all).not.toContain(key.toString('base64'));
      expect(all).not.toContain(key.toString('hex'));
    } finally {
      store.close();
      await running.close();
    }
  });

  it('pins the region a config file names: a client signing for another region gets 401', async () => {
    const running = await startXksProxyFromConfig(
      write('proxy.json', memoryConfig({ region: 'eu-west-1', log: 'none' })),
    );
    const client = (region: string): XksKeyStore =>
      new XksKeyStore({
        endpoint: running.address.url,
        uriPrefix: PREFIX,
        keyId: 'foo',
        credentials: CREDENTIAL,
        region,
        timeoutMs: 5000,
        maxAttempts: 1,
      });
    const good = client('eu-west-1');
    const bad = client('us-east-1');
    try {
      await good.generateDataKey({ context: { a: 'b' }, length: 32 });
      await expect(bad.generateDataKey({ context: { a: 'b' }, length: 32 })).rejects.toMatchObject({
        code: ErrorCodes.ACCESS_DENIED,
      });
    } finally {
      good.close();
      bad.close();
      await running.close();
    }
  });

  it('applies new credentials from the file on reloadCredentials, without a restart', async () => {
    const path = write('proxy.json', memoryConfig());
    const running = await startXksProxyFromConfig(path);
    const rotated = { accessKeyId: 'XKSROTATEDCREDENTIAL2', secretAccessKey: randomBytes(32).toString('base64') };
    const client = (credentials: typeof rotated) =>
      new XksKeyStore({ endpoint: running.address.url, uriPrefix: PREFIX, keyId: 'foo', credentials, timeoutMs: 5000 });
    try {
      await expect(client(CREDENTIAL).describeKey()).resolves.toMatchObject({ keyStatus: 'ENABLED' });
      write('proxy.json', memoryConfig({ keyStores: [{ uriPrefix: PREFIX, credentials: [rotated] }] }));
      await running.reloadCredentials();
      await expect(client(CREDENTIAL).describeKey()).rejects.toMatchObject({ code: ErrorCodes.ACCESS_DENIED });
      await expect(client(rotated).describeKey()).resolves.toMatchObject({ keyStatus: 'ENABLED' });
    } finally {
      await running.close();
    }
  });
});
