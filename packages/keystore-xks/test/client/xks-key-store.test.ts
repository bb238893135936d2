// The XksKeyStore against the real proxy (KeyStore methods called directly), and
// against scripted fakes for the failures a real proxy rarely shows.
import diagnostics from 'node:diagnostics_channel';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { Channels, DataKey, ErrorCodes, KeyStoreError, type KeyStoreCallEvent } from '@sealflow/core';
import { XKS_PROVIDER_ID, XksKeyStore, type XksAuditRecord, type XksKeyStoreOptions } from '@sealflow/keystore-xks';
import { answer, startFakeProxy, type FakeProxy } from '../support/fake-proxy.js';
import { CREDENTIAL, KEY_ID, PREFIX, STRANGER, startProxy, type RunningProxy } from '../support/xks-fixtures.js';

const CONTEXT = { 'aws:s3:arn': 'arn:aws:s3:::bucket/key', purpose: 'test' };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function proxy(...args: Parameters<typeof startProxy>): Promise<RunningProxy> {
  const running = await startProxy(...args);
  cleanups.push(() => running.proxy.close());
  return running;
}

async function fake(...args: Parameters<typeof startFakeProxy>): Promise<FakeProxy> {
  const running = await startFakeProxy(...args);
  cleanups.push(() => running.close());
  return running;
}

function store(url: string, overrides: Partial<XksKeyStoreOptions> = {}): XksKeyStore {
  const s = new XksKeyStore({
    endpoint: url,
    uriPrefix: PREFIX,
    keyId: KEY_ID,
    credentials: CREDENTIAL,
    timeoutMs: 5000,
    ...overrides,
  });
  cleanups.push(() => s.close());
  return s;
}

async function failure(promise: Promise<unknown>): Promise<KeyStoreError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KeyStoreError);
  return error as KeyStoreError;
}

describe('round trips through the proxy', () => {
  it('generates a 32-byte data key locally, wraps it, and unwraps the same bytes', async () => {
    const { url } = await proxy();
    const s = store(url);
    const { dataKey, encryptedDataKey } = await s.generateDataKey({ context: CONTEXT, length: 32 });
    expect(dataKey.length).toBe(32);
    expect(encryptedDataKey.providerId).toBe(XKS_PROVIDER_ID);
    expect(s.canUnwrap(encryptedDataKey)).toBe(true);
    const back = await s.unwrapDataKey(encryptedDataKey, { context: CONTEXT, length: 32 });
    expect(back.reveal()).toEqual(dataKey.reveal());
  });

  it('wraps an existing data key that only it can then unwrap', async () => {
    const { url } = await proxy();
    const s = store(url);
    const key = DataKey.copyOf(randomBytes(32));
    const edk = await s.wrapDataKey(key, { context: CONTEXT, length: 32 });
    expect(Buffer.from((await s.unwrapDataKey(edk, { context: CONTEXT, length: 32 })).reveal())).toEqual(
      Buffer.from(key.reveal()),
    );
  });

  it('binds the encryption context: any other context fails, pair order does not matter', async () => {
    const { url } = await proxy();
    const s = store(url);
    const { encryptedDataKey: edk } = await s.generateDataKey({ context: CONTEXT, length: 32 });
    const reordered = { purpose: 'test', 'aws:s3:arn': 'arn:aws:s3:::bucket/key' };
    await expect(s.unwrapDataKey(edk, { context: reordered, length: 32 })).resolves.toBeInstanceOf(DataKey);
    for (const context of [{}, { ...CONTEXT, purpose: 'other' }, { ...CONTEXT, extra: 'x' }]) {
      expect((await failure(s.unwrapDataKey(edk, { context, length: 32 }))).code).toBe(
        ErrorCodes.INVALID_KEY_CIPHERTEXT,
      );
    }
  });

  it('works with a proxy that emits ciphertextMetadata, and carries it in the EDK', async () => {
    const { url } = await proxy({ ciphertextMetadata: new TextEncoder().encode('layout=1') });
    const s = store(url);
    const { dataKey, encryptedDataKey } = await s.generateDataKey({ context: CONTEXT, length: 32 });
    expect(Buffer.from(encryptedDataKey.providerInfo).includes('layout=1')).toBe(true);
    expect((await s.unwrapDataKey(encryptedDataKey, { context: CONTEXT, length: 32 })).reveal()).toEqual(
      dataKey.reveal(),
    );
  });

  it('describes its key and checks the proxy health', async () => {
    const { url } = await proxy();
    const s = store(url);
    expect(await s.describeKey()).toEqual({
      keySpec: 'AES_256',
      keyUsage: ['ENCRYPT', 'DECRYPT'],
      keyStatus: 'ENABLED',
    });
    const health = await s.checkHealth();
    expect(health.ekmFleetDetails[0]?.healthStatus).toBe('ACTIVE');
  });

  it('claims only well-formed EDKs of its own provider and key', async () => {
    const { url } = await proxy();
    const s = store(url);
    const { encryptedDataKey: edk } = await s.generateDataKey({ context: CONTEXT, length: 32 });
    expect(store(url, { keyId: 'bar' }).canUnwrap(edk)).toBe(false);
    expect(s.canUnwrap({ ...edk, providerId: 'aws-kms' })).toBe(false);
    expect(s.canUnwrap({ ...edk, providerInfo: edk.providerInfo.subarray(1) })).toBe(false);
  });
});

describe('errors name the store and the reason', () => {
  it('maps KeyNotFoundException to ERR_KEY_NOT_FOUND', async () => {
    const { url } = await proxy();
    const error = await failure(store(url, { keyId: 'missing' }).generateDataKey({ context: CONTEXT, length: 32 }));
    expect(error.code).toBe(ErrorCodes.KEY_NOT_FOUND);
    expect(error.store).toBe(`xks:${url}${PREFIX}#missing`);
    expect(error.message).toContain(`"xks:${url}${PREFIX}#missing"`);
  });

  it('maps InvalidStateException and InvalidKeyUsageException to ERR_KEY_INVALID_STATE', async () => {
    const { url, backend } = await proxy();
    backend.createKey('off', { status: 'DISABLED' });
    backend.createKey('dec-only', { usage: ['DECRYPT'] });
    expect((await failure(store(url, { keyId: 'off' }).generateDataKey({ context: CONTEXT, length: 32 }))).code).toBe(
      ErrorCodes.KEY_INVALID_STATE,
    );
    expect(
      (await failure(store(url, { keyId: 'dec-only' }).generateDataKey({ context: CONTEXT, length: 32 }))).code,
    ).toBe(ErrorCodes.KEY_INVALID_STATE);
  });

  it('maps a refused credential, a skewed clock and an authorization denial to ERR_ACCESS_DENIED', async () => {
    const { url } = await proxy({ authorize: (r) => r.principal !== 'mallory' });
    expect(
      (await failure(store(url, { credentials: STRANGER }).generateDataKey({ context: CONTEXT, length: 32 }))).code,
    ).toBe(ErrorCodes.ACCESS_DENIED);
    const skewed = store(url, { now: () => Date.now() + 6 * 60_000 });
    const skew = await failure(skewed.generateDataKey({ context: CONTEXT, length: 32 }));
    expect(skew.code).toBe(ErrorCodes.ACCESS_DENIED);
    expect(skew.message).toContain('clock');
    expect(
      (await failure(store(url, { principal: 'mallory' }).generateDataKey({ context: CONTEXT, length: 32 }))).code,
    ).toBe(ErrorCodes.ACCESS_DENIED);
  });

  it('maps a wrong URI prefix to ERR_KEY_STORE_FAILED with a hint', async () => {
    const { url } = await proxy();
    const error = await failure(store(url, { uriPrefix: '/wrong' }).generateDataKey({ context: CONTEXT, length: 32 }));
    expect(error.code).toBe(ErrorCodes.KEY_STORE_FAILED);
    expect(error.message).toContain('uriPrefix');
  });

  it('reports a stopped proxy as ERR_KEY_STORE_UNAVAILABLE, saying it is unreachable', async () => {
    const running = await startProxy();
    const url = running.url;
    await running.proxy.close();
    const error = await failure(store(url).generateDataKey({ context: CONTEXT, length: 32 }));
    expect(error.code).toBe(ErrorCodes.KEY_STORE_UNAVAILABLE);
    expect(error.message).toMatch(/unreachable: ECONNREFUSED/);
  });

  it('reports a proxy slower than the deadline as ERR_KEY_STORE_UNAVAILABLE, without retrying', async () => {
    const slow = await fake(() => undefined); // never answers
    const error = await failure(
      store(slow.url, { timeoutMs: 100, maxAttempts: 3 }).generateDataKey({ context: CONTEXT, length: 32 }),
    );
    expect(error.code).toBe(ErrorCodes.KEY_STORE_UNAVAILABLE);
    expect(error.message).toContain('too slow: no answer within 100 ms');
    expect(slow.requests).toHaveLength(1);
  });

  it('retries 503 and 429 answers, then succeeds', async () => {
    const flaky = await fake(({ attempt }, res) => {
      if (attempt === 1) return answer(res, 503, { errorName: 'DependencyTimeoutException' });
      return answer(res, 200, { keySpec: 'AES_256', keyUsage: ['ENCRYPT', 'DECRYPT'], keyStatus: 'ENABLED' });
    });
    expect((await store(flaky.url).describeKey()).keyStatus).toBe('ENABLED');
    expect(flaky.requests).toHaveLength(2);
    const throttled = await fake((_, res) => answer(res, 429, { errorName: 'ThrottlingException' }));
    const error = await failure(store(throttled.url, { maxAttempts: 3 }).describeKey());
    expect(error.code).toBe(ErrorCodes.THROTTLED);
    expect(throttled.requests).toHaveLength(3);
  });

  it('reports 5xx answers, with or without an XKS body, as ERR_KEY_STORE_UNAVAILABLE', async () => {
    const internal = await fake((_, res) => answer(res, 500, { errorName: 'InternalException' }));
    expect((await failure(store(internal.url).generateDataKey({ context: CONTEXT, length: 32 }))).code).toBe(
      ErrorCodes.KEY_STORE_UNAVAILABLE,
    );
    const gateway = await fake((_, res) => answer(res, 502, '<html>bad gateway</html>'));
    const error = await failure(store(gateway.url).generateDataKey({ context: CONTEXT, length: 32 }));
    expect(error.code).toBe(ErrorCodes.KEY_STORE_UNAVAILABLE);
    expect(error.message).toContain('HTTP 502');
  });

  it('does not retry a 400 answer', async () => {
    const invalid = await fake((_, res) => answer(res, 400, { errorName: 'ValidationException' }));
    expect((await failure(store(invalid.url, { maxAttempts: 3 }).describeKey())).code).toBe(
      ErrorCodes.KEY_STORE_FAILED,
    );
    expect(invalid.requests).toHaveLength(1);
  });

  it('refuses an Encrypt answer whose integrity value does not match, or whose shape is wrong', async () => {
    const tamper = async (change: (json: Record<string, unknown>) => void): Promise<KeyStoreError> => {
      const b64 = (n: number): string => randomBytes(n).toString('base64');
      const liar = await fake((_, res) => {
        const json: Record<string, unknown> = {
          ciphertext: b64(32),
          initializationVector: b64(12),
          authenticationTag: b64(16),
          ciphertextDataIntegrityValue: b64(32),
        };
        change(json);
        answer(res, 200, json);
      });
      return failure(store(liar.url).generateDataKey({ context: CONTEXT, length: 32 }));
    };
    const wrongCdiv = await tamper(() => undefined);
    expect(wrongCdiv.code).toBe(ErrorCodes.KEY_STORE_FAILED);
    expect(wrongCdiv.message).toContain('ciphertextDataIntegrityValue does not match');
    const appendedTag = await tamper((json) => void (json['ciphertext'] = randomBytes(48).toString('base64')));
    expect(appendedTag.message).toContain('ciphertext is not as long as the plaintext');
    const shortTag = await tamper((json) => void (json['authenticationTag'] = randomBytes(15).toString('base64')));
    expect(shortTag.message).toContain('authenticationTag is not 16 bytes');
    const urlSafe = await tamper((json) => void (json['ciphertext'] = '-_-_'.repeat(11)));
    expect(urlSafe.message).toContain('ciphertext is not standard Base64');
  });

  it('never puts the data key in an error message', async () => {
    const { url } = await proxy();
    const key = DataKey.copyOf(randomBytes(32));
    const error = await failure(store(url, { keyId: 'missing' }).wrapDataKey(key, { context: CONTEXT, length: 32 }));
    const text = `${error.message} ${JSON.stringify(error)}`;
    expect(text).not.toContain(Buffer.from(key.reveal()).toString('base64'));
    expect(text).not.toContain(Buffer.from(key.reveal()).toString('hex'));
  });

  it('reports a cancelled call as ERR_KEY_STORE_UNAVAILABLE', async () => {
    const slow = await fake(() => undefined);
    const controller = new AbortController();
    const pending = store(slow.url).generateDataKey({ context: CONTEXT, length: 32, signal: controller.signal });
    controller.abort();
    const error = await failure(pending);
    expect(error.code).toBe(ErrorCodes.KEY_STORE_UNAVAILABLE);
    expect(error.message).toContain('cancelled');
  });
});

describe('events', () => {
  it('publishes sealflow:keystore:call with the XKS request ID the proxy logged', async () => {
    const audited: XksAuditRecord[] = [];
    const { url } = await proxy({ logger: (r) => audited.push(r) });
    const events: KeyStoreCallEvent[] = [];
    const listen = (message: unknown): void => void events.push(message as KeyStoreCallEvent);
    diagnostics.subscribe(Channels.keyStoreCall, listen);
    cleanups.push(() => void diagnostics.unsubscribe(Channels.keyStoreCall, listen));
    const s = store(url);
    const { encryptedDataKey } = await s.generateDataKey({ context: CONTEXT, length: 32 });
    await failure(s.unwrapDataKey(encryptedDataKey, { context: {}, length: 32 }));
    expect(events.map((e) => [e.operation, e.outcome, e.errorCode])).toEqual([
      ['generate', 'success', undefined],
      ['unwrap', 'failure', ErrorCodes.INVALID_KEY_CIPHERTEXT],
    ]);
    expect(audited.map((r) => r.kmsRequestId)).toEqual(events.map((e) => e.requestId));
    expect(audited.map((r) => r.kmsOperation)).toEqual(['GenerateDataKey', 'Decrypt']);
  });
});

describe('options', () => {
  it.each([
    ['an unknown option', { colour: 'red' }],
    ['an endpoint with a path', { endpoint: 'https://xks.example.com/prefix' }],
    ['an ftp endpoint', { endpoint: 'ftp://xks.example.com' }],
    ['a malformed key ID', { keyId: 'a/b' }],
    [
      'a malformed access key id',
      { credentials: { accessKeyId: 'short', secretAccessKey: CREDENTIAL.secretAccessKey } },
    ],
    ['a short secret', { credentials: { accessKeyId: CREDENTIAL.accessKeyId, secretAccessKey: 'abc' } }],
    ['TLS options on http', { tls: { ca: 'x' } }],
    ['a zero timeout', { timeoutMs: 0 }],
  ])('rejects %s with ERR_INVALID_ARGUMENT', (_, overrides) => {
    expect(
      () =>
        new XksKeyStore({
          endpoint: 'http://127.0.0.1:1',
          keyId: KEY_ID,
          credentials: CREDENTIAL,
          ...overrides,
        } as XksKeyStoreOptions),
    ).toThrow(expect.objectContaining({ code: ErrorCodes.INVALID_ARGUMENT }));
  });

  it('ignores options inherited through a polluted prototype', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto['timeoutMs'] = -1;
    proto['colour'] = 'red';
    try {
      expect(
        () => new XksKeyStore({ endpoint: 'http://127.0.0.1:1', keyId: KEY_ID, credentials: CREDENTIAL }),
      ).not.toThrow();
    } finally {
      delete proto['timeoutMs'];
      delete proto['colour'];
    }
  });

  it('never echoes the secret in an option error', () => {
    const secret = `${'s'.repeat(40)}!!!`;
    let message = '';
    try {
      new XksKeyStore({
        endpoint: 'http://127.0.0.1:1',
        keyId: KEY_ID,
        credentials: { accessKeyId: CREDENTIAL.accessKeyId, secretAccessKey: secret },
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('secretAccessKey');
    expect(message).not.toContain(secret);
  });
});
