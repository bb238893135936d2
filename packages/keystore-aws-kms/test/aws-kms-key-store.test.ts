import diagnostics from 'node:diagnostics_channel';

import { KMSClient } from '@aws-sdk/client-kms';
import {
  Channels,
  DataKey,
  ErrorCodes,
  InvalidArgumentError,
  KeyStoreError,
  type KeyStoreCallEvent,
} from '@sealflow/core';
import { AwsKmsKeyStore, type KmsSendClient } from '@sealflow/keystore-aws-kms';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';

import {
  ACCOUNT,
  fakeKmsClient,
  KEY_ARN,
  KEY_UUID,
  kmsException,
  OTHER_KEY_ARN,
  success,
} from './support/fake-kms-client.js';

const context = { 'aws:s3:arn': 'arn:aws:s3:::bucket/object', purpose: 'unit' };
const arnIn = (region: string) => `arn:aws:kms:${region}:${ACCOUNT}:key/${KEY_UUID}`;
const edkFor = (arn: string) => ({
  providerId: 'aws-kms',
  providerInfo: new TextEncoder().encode(arn),
  ciphertext: new Uint8Array([1, 2, 3]),
});

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe('AwsKmsKeyStore options', () => {
  test('accepts an SDK v3 KMSClient as the injected client', () => {
    const client: KmsSendClient = new KMSClient({ region: 'us-east-1', maxAttempts: 1 });
    expect(new AwsKmsKeyStore({ client, keyId: KEY_ARN }).id).toBe(`aws-kms:${KEY_ARN}`);
    (client as KMSClient).destroy();
  });

  test('builds its own client from region, endpoint and credentials', () => {
    const store = new AwsKmsKeyStore({
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      keyId: 'alias/x',
    });
    expect(store.region).toBe('eu-west-1');
    store.close();
  });

  test.each([
    [{ keyId: KEY_ARN, bogus: 1 }, /AwsKmsKeyStore: unknown option "bogus"/],
    [{ keyId: KEY_ARN }, /AwsKmsKeyStore\.region: expected a non-empty string/],
    [{ region: 'mars-1', keyId: KEY_ARN }, /AwsKmsKeyStore\.region: expected an AWS region/],
    [
      { region: 'us-east-1', endpoint: 'localhost:4566', keyId: KEY_ARN },
      /AwsKmsKeyStore\.endpoint: expected an http: or https: URL/,
    ],
    [
      { client: fakeKmsClient(async () => ({})), region: 'us-east-1' },
      /AwsKmsKeyStore\.region: configure the injected client instead/,
    ],
    [{ client: { send: 1 } }, /AwsKmsKeyStore\.client: expected an AWS SDK v3 KMSClient/],
    [{ region: 'us-east-1', keyId: 'nonsense' }, /AwsKmsKeyStore\.keyId: expected a KMS key ID, key ARN, alias name/],
    [{ region: 'us-east-1', timeoutMs: -1 }, /AwsKmsKeyStore\.timeoutMs/],
    [{ region: 'us-east-1', retry: { maxAttempts: 0 } }, /AwsKmsKeyStore\.retry\.maxAttempts/],
    [{ region: 'us-east-1', keyIds: ['alias/x'] }, /keyIds\[0\]/],
  ])('rejects %j with ERR_INVALID_ARGUMENT naming the field', (options, message) => {
    expect(() => new AwsKmsKeyStore(options as never)).toThrow(InvalidArgumentError);
    expect(() => new AwsKmsKeyStore(options as never)).toThrow(message);
  });

  test('ignores options inherited through a polluted prototype', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto['keyId'] = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    try {
      const store = new AwsKmsKeyStore({ client: fakeKmsClient(async () => ({})), keyId: KEY_ARN });
      expect(store.id).toBe(`aws-kms:${KEY_ARN}`);
    } finally {
      delete proto['keyId'];
    }
  });
});

describe('AwsKmsKeyStore strict ARN mode', () => {
  test.each([KEY_UUID, 'alias/app', `arn:aws:kms:us-east-1:${ACCOUNT}:alias/app`])(
    'refuses the configured identifier %s',
    (keyId) => {
      expect(() => new AwsKmsKeyStore({ client: fakeKmsClient(async () => ({})), keyId, strictArns: true })).toThrow(
        /strict mode accepts only a full key ARN/,
      );
    },
  );

  test('refuses a per-call alias before calling KMS', async () => {
    const client = fakeKmsClient(async (call) => success(call));
    const store = new AwsKmsKeyStore({ client, keyId: KEY_ARN, strictArns: true });
    const error = await rejection(store.generateDataKey({ context, length: 32, keyId: 'alias/other' }));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(client.calls).toHaveLength(0);
  });

  test('a decrypt-only strict store needs no keyId, and refuses to generate or wrap under a default alias', async () => {
    const client = fakeKmsClient(async (call) => success(call));
    const store = new AwsKmsKeyStore({ client, keyIds: [KEY_ARN], strictArns: true });
    (await store.unwrapDataKey(edkFor(KEY_ARN), { context, length: 32 })).destroy();
    await expect(store.generateDataKey({ context, length: 32 })).rejects.toThrow(
      /generateDataKey: strict mode needs a key ARN/,
    );
    await expect(store.wrapDataKey(DataKey.copyOf(new Uint8Array(32)), { context, length: 32 })).rejects.toThrow(
      /wrapDataKey: strict mode needs a key ARN/,
    );
    expect(client.calls.map((c) => c.operation)).toEqual(['Decrypt']);
    const generated = await store.generateDataKey({ context, length: 32, keyId: KEY_ARN });
    generated.dataKey.destroy();
  });

  test('generates under a configured key ARN', async () => {
    const client = fakeKmsClient(async (call) => success(call));
    const generated = await new AwsKmsKeyStore({ client, keyId: KEY_ARN, strictArns: true }).generateDataKey({
      context,
      length: 32,
    });
    expect(client.calls[0]?.input['KeyId']).toBe(KEY_ARN);
    generated.dataKey.destroy();
  });
});

describe('AwsKmsKeyStore region check', () => {
  test('refuses a configured key ARN or alias ARN in another region at construction', () => {
    const client = fakeKmsClient(async () => ({}), 'eu-west-1');
    expect(() => new AwsKmsKeyStore({ client, keyId: KEY_ARN })).toThrow(
      /AwsKmsKeyStore\.keyId: the key is in region us-east-1 but the KMS client is in eu-west-1/,
    );
    expect(() => new AwsKmsKeyStore({ client, keyId: `arn:aws:kms:us-east-1:${ACCOUNT}:alias/a` })).toThrow(/region/);
    expect(() => new AwsKmsKeyStore({ client, keyIds: [arnIn('eu-west-1'), KEY_ARN] })).toThrow(
      /AwsKmsKeyStore\.keyIds\[1\]: the key is in region us-east-1/,
    );
  });

  test('with an async region provider, fails the first call before any KMS request', async () => {
    const client = fakeKmsClient(
      async (call) => success(call),
      async () => 'eu-west-1',
    );
    const store = new AwsKmsKeyStore({ client, keyId: KEY_ARN });
    const error = await rejection(store.generateDataKey({ context, length: 32 }));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error.message).toMatch(/region us-east-1 but the KMS client is in eu-west-1/);
    expect(client.calls).toHaveLength(0);
  });

  test('with an async region provider in the right region, calls KMS', async () => {
    const client = fakeKmsClient(
      async (call) => success(call),
      async () => 'us-east-1',
    );
    const store = new AwsKmsKeyStore({ client, keyId: KEY_ARN });
    (await store.generateDataKey({ context, length: 32 })).dataKey.destroy();
    expect(store.region).toBe('us-east-1');
  });

  test("resolves an SDK KMSClient's region provider at construction and refuses a key of another region before any request", async () => {
    const client = new KMSClient({
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:9',
      maxAttempts: 1,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    const sent: string[] = [];
    client.middlewareStack.add((next, ctx) => (args) => (sent.push(String(ctx.commandName)), next(args)), {
      step: 'initialize',
    });
    const store = new AwsKmsKeyStore({ client, keyId: KEY_ARN });
    const error = await rejection(store.generateDataKey({ context, length: 32 }));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error.message).toMatch(/the key is in region us-east-1 but the KMS client is in eu-west-1/);
    expect(sent).toEqual([]);
    const settled = new AwsKmsKeyStore({ client, discovery: true });
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled.region).toBe('eu-west-1');
    expect(settled.canUnwrap(edkFor(KEY_ARN))).toBe(false);
    client.destroy();
  });

  test('refuses a per-call key ARN in another region before calling KMS', async () => {
    const client = fakeKmsClient(async (call) => success(call));
    const error = await rejection(
      new AwsKmsKeyStore({ client, keyId: 'alias/a' }).generateDataKey({
        context,
        length: 32,
        keyId: arnIn('ap-south-1'),
      }),
    );
    expect(error.message).toMatch(/generateDataKey: keyId: the key is in region ap-south-1/);
    expect(client.calls).toHaveLength(0);
  });

  test('does not offer an EDK of another region, and refuses to unwrap it without a call', async () => {
    const client = fakeKmsClient(async (call) => success(call));
    const store = new AwsKmsKeyStore({ client, discovery: true });
    const foreign = edkFor(arnIn('eu-central-1'));
    expect(store.canUnwrap(foreign)).toBe(false);
    expect(store.canUnwrap(edkFor(KEY_ARN))).toBe(true);
    const error = await rejection(store.unwrapDataKey(foreign, { context, length: 32 }));
    expect(error).toMatchObject({ code: ErrorCodes.NO_DECRYPTABLE_KEY });
    expect(client.calls).toHaveLength(0);
  });
});

describe('AwsKmsKeyStore decrypt modes', () => {
  test('strict keyIds: offers only EDKs of the listed key ARNs', () => {
    const store = new AwsKmsKeyStore({ client: fakeKmsClient(async () => ({})), keyIds: [KEY_ARN] });
    expect(store.canUnwrap(edkFor(KEY_ARN))).toBe(true);
    expect(store.canUnwrap(edkFor(OTHER_KEY_ARN))).toBe(false);
  });

  test('discovery filter: offers only EDKs of the listed partition and accounts', () => {
    const client = fakeKmsClient(async () => ({}));
    const store = new AwsKmsKeyStore({ client, discovery: { partition: 'aws', accountIds: ['999999999999'] } });
    expect(store.canUnwrap(edkFor(KEY_ARN))).toBe(false);
    expect(store.canUnwrap(edkFor(`arn:aws:kms:us-east-1:999999999999:key/${KEY_UUID}`))).toBe(true);
    const otherPartition = new AwsKmsKeyStore({ client, discovery: { partition: 'aws-cn', accountIds: [ACCOUNT] } });
    expect(otherPartition.canUnwrap(edkFor(KEY_ARN))).toBe(false);
  });

  test('never offers EDKs of another provider', () => {
    const store = new AwsKmsKeyStore({ client: fakeKmsClient(async () => ({})), discovery: true });
    expect(store.canUnwrap({ ...edkFor(KEY_ARN), providerId: 'raw-aes' })).toBe(false);
  });
});

describe('AwsKmsKeyStore calls', () => {
  test('sends the full encryption context on every operation', async () => {
    const client = fakeKmsClient(async (call) => success(call));
    const store = new AwsKmsKeyStore({ client, keyId: KEY_ARN, grantTokens: ['grant-1'] });
    const generated = await store.generateDataKey({ context, length: 32 });
    await store.wrapDataKey(generated.dataKey, { context, length: 32 });
    (await store.unwrapDataKey(generated.encryptedDataKey, { context, length: 32 })).destroy();
    generated.dataKey.destroy();
    expect(client.calls.map((c) => c.operation)).toEqual(['GenerateDataKey', 'Encrypt', 'Decrypt']);
    for (const call of client.calls) {
      expect({ ...(call.input['EncryptionContext'] as object) }).toEqual(context);
      expect(call.input['GrantTokens']).toEqual(['grant-1']);
    }
    expect(client.calls[0]?.input['NumberOfBytes']).toBe(32);
    expect(client.calls[2]?.input['KeyId']).toBe(KEY_ARN);
  });

  test('wipes the plaintext the client returned once the DataKey holds its own copy', async () => {
    let returned: Uint8Array | undefined;
    const client = fakeKmsClient(async (call) => {
      const out = success(call);
      returned = out['Plaintext'] as Uint8Array;
      return out;
    });
    const generated = await new AwsKmsKeyStore({ client, keyId: KEY_ARN }).generateDataKey({ context, length: 32 });
    expect(returned?.every((b) => b === 0)).toBe(true);
    expect(generated.dataKey.reveal().every((b) => b === 0x5a)).toBe(true);
    generated.dataKey.destroy();
  });

  test('refuses a Decrypt answer for another key than the EDK names', async () => {
    const client = fakeKmsClient(async (call) => success(call, 'req-other', OTHER_KEY_ARN));
    const error = await rejection(
      new AwsKmsKeyStore({ client, keyId: KEY_ARN }).unwrapDataKey(edkFor(KEY_ARN), { context, length: 32 }),
    );
    expect(error).toMatchObject({ code: ErrorCodes.INVALID_KEY_CIPHERTEXT });
  });
});

describe('AwsKmsKeyStore events', () => {
  const events: KeyStoreCallEvent[] = [];
  const listener = (message: unknown): void => {
    events.push(message as KeyStoreCallEvent);
  };
  beforeEach(() => {
    diagnostics.subscribe(Channels.keyStoreCall, listener);
  });
  afterEach(() => {
    diagnostics.unsubscribe(Channels.keyStoreCall, listener);
    events.length = 0;
  });

  test('publishes one sealflow:keystore:call event per operation, with the key and outcome', async () => {
    const client = fakeKmsClient(async (call) => success(call));
    const generated = await new AwsKmsKeyStore({ client, keyId: KEY_ARN }).generateDataKey({ context, length: 32 });
    const mine = events.filter((e) => e.store === `aws-kms:${KEY_ARN}`);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ operation: 'generate', keyId: KEY_ARN, outcome: 'success', requestId: 'req-ok' });
    expect(JSON.stringify(mine)).not.toContain(Buffer.from(generated.dataKey.reveal()).toString('base64'));
    generated.dataKey.destroy();
  });

  test('a refusal before any call (EDK of another region) is published as a failed call, and the engine is told not to add its own', async () => {
    const client = fakeKmsClient(async (call) => success(call));
    const store = new AwsKmsKeyStore({ client, discovery: true, id: 'region-refusal' });
    expect(store.publishesCallEvents).toBe(true);
    await rejection(store.unwrapDataKey(edkFor(arnIn('eu-central-1')), { context, length: 32 }));
    expect(events.filter((e) => e.store === 'region-refusal')).toEqual([
      expect.objectContaining({
        operation: 'unwrap',
        keyId: arnIn('eu-central-1'),
        outcome: 'failure',
        errorCode: ErrorCodes.NO_DECRYPTABLE_KEY,
      }),
    ]);
    expect(client.calls).toHaveLength(0);
  });

  test('a failure event carries the error code and the KMS request ID, counted once despite retries', async () => {
    const client = fakeKmsClient(async (_, n) => Promise.reject(kmsException('KMSInternalException', 500, `req-${n}`)));
    await rejection(
      new AwsKmsKeyStore({ client, keyId: KEY_ARN, retry: { maxAttempts: 3, baseDelayMs: 0 } }).generateDataKey({
        context,
        length: 32,
      }),
    );
    const mine = events.filter((e) => e.store === `aws-kms:${KEY_ARN}`);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      outcome: 'failure',
      errorCode: ErrorCodes.KEY_STORE_UNAVAILABLE,
      requestId: 'req-3',
    });
  });
});

test('KeyStoreError is what callers catch for KMS failures', async () => {
  const client = fakeKmsClient(async () => Promise.reject(kmsException('AccessDeniedException', 400, 'req-ad')));
  const error = await rejection(
    new AwsKmsKeyStore({ client, keyId: KEY_ARN }).generateDataKey({ context, length: 32 }),
  );
  expect(error).toBeInstanceOf(KeyStoreError);
  expect(error).toMatchObject({ code: ErrorCodes.ACCESS_DENIED, keyId: KEY_ARN, requestId: 'req-ad' });
});
