import { createEngine, KeyStoreError } from '@sealflow/core';
import { createXksProxy, InMemoryXksBackend, type XksProxy } from '@sealflow/keystore-xks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xksKeyProvider, type XksKeyProviderOptions } from '../../src/keys/xks-key-provider.js';

const CREDENTIAL = {
  accessKeyId: 'XKSUNITTESTACCESSKEY23',
  secretAccessKey: Buffer.alloc(32, 9).toString('base64'),
} as const;
const PREFIX = '/unit';
const A = 'arn:aws:kms:us-east-1:111122223333:key/aaaa-0001';
const B = 'arn:aws:kms:us-east-1:111122223333:key/bbbb-0002';
const CONTEXT = { 'aws:s3:arn': 'arn:aws:s3:::b/k' };

function options(endpoint: string, overrides: Partial<XksKeyProviderOptions> = {}): XksKeyProviderOptions {
  return {
    endpoint,
    uriPrefix: PREFIX,
    region: 'us-east-1',
    credentials: CREDENTIAL,
    keys: [
      { keyId: 'key-a', arn: A, aliases: ['alias/a'] },
      { keyId: 'key.b', arn: B, aliases: [] },
    ],
    defaultKeyId: 'key-a',
    timeoutMs: 5000,
    ...overrides,
  };
}

describe('xksKeyProvider', () => {
  let proxy: XksProxy;
  let url: string;
  beforeAll(async () => {
    const backend = new InMemoryXksBackend();
    backend.createKey('key-a');
    backend.createKey('key.b');
    proxy = createXksProxy({ keyStores: [{ uriPrefix: PREFIX, credentials: [CREDENTIAL] }], backend });
    url = (await proxy.listen(0, '127.0.0.1')).url;
  });
  afterAll(async () => proxy?.close());

  it('resolves ARNs, key resources, aliases and alias/aws/s3; anything else is ERR_KEY_NOT_FOUND', async () => {
    const keys = xksKeyProvider(options(url));
    expect(await keys.resolveKey('p', '111122223333', A)).toBe(A);
    expect(await keys.resolveKey('p', '111122223333', 'bbbb-0002')).toBe(B);
    expect(await keys.resolveKey('p', '111122223333', 'alias/a')).toBe(A);
    expect(await keys.resolveKey('p', '111122223333', 'alias/aws/s3')).toBe(A);
    for (const name of ['key.b', 'alias/b', 'arn:aws:kms:us-east-1:111122223333:key/cccc']) {
      await expect(keys.resolveKey('p', '111122223333', name)).rejects.toMatchObject({ code: 'ERR_KEY_NOT_FOUND' });
    }
    expect(() => keys.wrappingStoreFor('p', 'arn:aws:kms:us-east-1:111122223333:key/cccc')).toThrow(KeyStoreError);
    keys.close();
  });

  it('generates under the per-call ARN and unwraps with either key, per principal', async () => {
    const keys = xksKeyProvider(options(url));
    const engine = createEngine({ keyStore: keys.keyStoreFor('arn:aws:iam::111122223333:user/alice') });
    for (const arn of [A, B]) {
      const sealed = await engine.encrypt(Buffer.from(`under ${arn}`), { context: CONTEXT, keyId: arn });
      expect(Buffer.from((await engine.decrypt(sealed)).plaintext).toString()).toBe(`under ${arn}`);
    }
    await expect(
      engine.encrypt(Buffer.from('x'), { context: CONTEXT, keyId: 'arn:aws:kms:us-east-1:111122223333:key/cccc' }),
    ).rejects.toMatchObject({ code: 'ERR_KEY_NOT_FOUND' });
    expect(keys.keyStoreFor('someone')).toBe(keys.keyStoreFor('someone'));
    expect(keys.keyStoreFor('someone').principal).toBe('someone');
    await engine.close();
    keys.close();
  });

  it.each([
    [{ defaultKeyId: 'nope' }, /the default key nope is not in keyStore\.keys/],
    [
      {
        keys: [
          { keyId: 'key-a', arn: A, aliases: [] },
          { keyId: 'key.b', arn: A, aliases: [] },
        ],
      },
      /names two keys/,
    ],
    [
      {
        keys: [
          { keyId: 'key-a', arn: A, aliases: ['alias/x'] },
          { keyId: 'key.b', arn: B, aliases: ['alias/x'] },
        ],
      },
      /"alias\/x" names two keys/,
    ],
    [{ keys: [{ keyId: 'key-a', arn: 'key-a', aliases: [] }] }, /is not a key ARN/],
    [{ credentials: { accessKeyId: 'short', secretAccessKey: CREDENTIAL.secretAccessKey } }, /accessKeyId/],
  ])('refuses %j at construction', (overrides, message) => {
    expect(() => xksKeyProvider(options(url, overrides as Partial<XksKeyProviderOptions>))).toThrow(message);
  });
});
