import diagnostics from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Channels,
  DataKey,
  ErrorCodes,
  KeyStoreError,
  KmsKeyStore,
  type EncryptedDataKey,
  type KeyStoreCallEvent,
  type KmsClientLike,
  type KmsDecryptInput,
  type KmsEncryptInput,
  type KmsGenerateDataKeyInput,
  type KmsCallOptions,
} from '@sealflow/core';

const ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const OTHER_ARN = 'arn:aws:kms:us-east-1:444455556666:key/0987dcba-09fe-87dc-65ba-ab0987654321';
const context = { 'aws:s3:arn': 'arn:aws:s3:::bucket/object', purpose: 'test' };
const encoder = new TextEncoder();

type Call =
  | {
      readonly op: 'generateDataKey';
      readonly input: KmsGenerateDataKeyInput;
      readonly options: KmsCallOptions | undefined;
    }
  | { readonly op: 'encrypt'; readonly input: KmsEncryptInput; readonly options: KmsCallOptions | undefined }
  | { readonly op: 'decrypt'; readonly input: KmsDecryptInput; readonly options: KmsCallOptions | undefined };

/** A hand-made KMS client: answers from the handlers given, records every call. */
class FakeKms implements KmsClientLike {
  readonly calls: Call[] = [];
  readonly handed: Uint8Array[] = [];
  keyId = ARN;
  plaintextLength: number | undefined;
  failure: unknown;

  #plaintext(length: number): Uint8Array {
    const bytes = new Uint8Array(this.plaintextLength ?? length).fill(7);
    this.handed.push(bytes);
    return bytes;
  }

  async generateDataKey(input: KmsGenerateDataKeyInput, options?: KmsCallOptions) {
    this.calls.push({ op: 'generateDataKey', input, options });
    if (this.failure !== undefined) throw this.failure;
    return {
      KeyId: this.keyId,
      Plaintext: this.#plaintext(input.NumberOfBytes ?? 32),
      CiphertextBlob: new Uint8Array([1, 2, 3]),
      $metadata: { requestId: 'req-g' },
    };
  }

  async encrypt(input: KmsEncryptInput, options?: KmsCallOptions) {
    this.calls.push({ op: 'encrypt', input, options });
    if (this.failure !== undefined) throw this.failure;
    return { KeyId: this.keyId, CiphertextBlob: new Uint8Array([4, 5, 6]), $metadata: { requestId: 'req-e' } };
  }

  async decrypt(input: KmsDecryptInput, options?: KmsCallOptions) {
    this.calls.push({ op: 'decrypt', input, options });
    if (this.failure !== undefined) throw this.failure;
    return { KeyId: this.keyId, Plaintext: this.#plaintext(32), $metadata: { requestId: 'req-d' } };
  }
}

const edk = (arn: string, providerId = 'aws-kms'): EncryptedDataKey => ({
  providerId,
  providerInfo: encoder.encode(arn),
  ciphertext: new Uint8Array([9, 9, 9]),
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KeyStoreError);
  return (error as KeyStoreError).code;
}

describe('KmsKeyStore: generateDataKey', () => {
  it('calls GenerateDataKey with the key, the length and the full context, and writes an aws-kms EDK naming the response ARN', async () => {
    const kms = new FakeKms();
    const store = new KmsKeyStore({ client: kms, keyId: 'alias/app' });
    const { dataKey, encryptedDataKey } = await store.generateDataKey({ context, length: 32 });
    expect(kms.calls).toHaveLength(1);
    const call = kms.calls[0];
    expect(call?.op).toBe('generateDataKey');
    expect(call?.input).toEqual({ KeyId: 'alias/app', NumberOfBytes: 32, EncryptionContext: context });
    expect(encryptedDataKey.providerId).toBe('aws-kms');
    expect(new TextDecoder().decode(encryptedDataKey.providerInfo)).toBe(ARN);
    expect([...encryptedDataKey.ciphertext]).toEqual([1, 2, 3]);
    expect([...dataKey.reveal()]).toEqual(new Array(32).fill(7));
  });

  it('wipes the plaintext buffer the client returned once the DataKey holds its own copy', async () => {
    const kms = new FakeKms();
    const store = new KmsKeyStore({ client: kms, keyId: ARN });
    const { dataKey } = await store.generateDataKey({ context, length: 32 });
    expect(kms.handed[0]?.every((b) => b === 0)).toBe(true);
    expect(dataKey.reveal().every((b) => b === 7)).toBe(true);
  });

  it('refuses a plaintext of another length as a malformed response and wipes it', async () => {
    const kms = new FakeKms();
    kms.plaintextLength = 16;
    const store = new KmsKeyStore({ client: kms, keyId: ARN });
    expect(await codeOf(store.generateDataKey({ context, length: 32 }))).toBe(ErrorCodes.KEY_STORE_FAILED);
    expect(kms.handed[0]?.every((b) => b === 0)).toBe(true);
  });

  it('refuses a response KeyId that is not a full key ARN and wipes the plaintext', async () => {
    const kms = new FakeKms();
    kms.keyId = 'alias/app';
    const store = new KmsKeyStore({ client: kms, keyId: 'alias/app' });
    expect(await codeOf(store.generateDataKey({ context, length: 32 }))).toBe(ErrorCodes.KEY_STORE_FAILED);
    expect(kms.handed[0]?.every((b) => b === 0)).toBe(true);
  });

  it('uses the per-call keyId over the configured key', async () => {
    const kms = new FakeKms();
    const store = new KmsKeyStore({ client: kms, keyId: ARN });
    await store.generateDataKey({ context, length: 32, keyId: 'alias/other' });
    expect(kms.calls[0]?.input.KeyId).toBe('alias/other');
  });

  it('defaults to the AWS-managed alias/aws/s3 key when no key is named', async () => {
    const kms = new FakeKms();
    const store = new KmsKeyStore({ client: kms });
    await store.generateDataKey({ context, length: 32 });
    expect(kms.calls[0]?.input.KeyId).toBe('alias/aws/s3');
    expect(store.id).toBe('aws-kms:alias/aws/s3');
  });

  it('passes grant tokens and the abort signal on every call', async () => {
    const kms = new FakeKms();
    const signal = new AbortController().signal;
    const store = new KmsKeyStore({ client: kms, keyId: ARN, grantTokens: ['token-1'] });
    const generated = await store.generateDataKey({ context, length: 32, signal });
    await store.wrapDataKey(generated.dataKey, { context, length: 32, signal });
    await store.unwrapDataKey(edk(ARN), { context, length: 32, signal });
    expect(kms.calls.map((c) => c.input.GrantTokens)).toEqual([['token-1'], ['token-1'], ['token-1']]);
    expect(kms.calls.map((c) => c.options?.abortSignal)).toEqual([signal, signal, signal]);
  });

  it('sends a context key named __proto__ as an ordinary pair', async () => {
    const kms = new FakeKms();
    const store = new KmsKeyStore({ client: kms, keyId: ARN });
    const tricky = JSON.parse('{"__proto__":"x","a":"b"}') as Record<string, string>;
    await store.generateDataKey({ context: tricky, length: 32 });
    const sent = kms.calls[0]?.input.EncryptionContext ?? {};
    expect(Object.keys(sent).sort()).toEqual(['__proto__', 'a']);
    expect(sent['__proto__']).toBe('x');
  });
});

describe('KmsKeyStore: strictArns', () => {
  it('refuses a configured alias or key ID', () => {
    expect(() => new KmsKeyStore({ client: new FakeKms(), keyId: 'alias/app', strictArns: true })).toThrow(
      /strictArns accepts only a full key ARN/,
    );
    expect(
      () => new KmsKeyStore({ client: new FakeKms(), keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', strictArns: true }),
    ).toThrow(/full key ARN/);
    expect(() => new KmsKeyStore({ client: new FakeKms(), strictArns: true })).toThrow(/full key ARN/);
  });

  it('rejects a per-call alias before calling KMS', async () => {
    const kms = new FakeKms();
    const store = new KmsKeyStore({ client: kms, keyId: ARN, strictArns: true });
    await expect(store.generateDataKey({ context, length: 32, keyId: 'alias/x' })).rejects.toMatchObject({
      code: ErrorCodes.INVALID_ARGUMENT,
    });
    expect(kms.calls).toHaveLength(0);
  });
});

describe('KmsKeyStore: wrapDataKey', () => {
  it('calls Encrypt with the configured key, the data key bytes and the context', async () => {
    const kms = new FakeKms();
    const store = new KmsKeyStore({ client: kms, keyId: ARN });
    const key = DataKey.copyOf(new Uint8Array(32).fill(3));
    const wrapped = await store.wrapDataKey(key, { context, length: 32 });
    const call = kms.calls[0];
    expect(call?.op).toBe('encrypt');
    expect(call?.input.KeyId).toBe(ARN);
    expect(call?.input.EncryptionContext).toEqual(context);
    expect(call?.op === 'encrypt' ? [...call.input.Plaintext] : []).toEqual(new Array(32).fill(3));
    expect(wrapped.providerId).toBe('aws-kms');
    expect(new TextDecoder().decode(wrapped.providerInfo)).toBe(ARN);
  });
});

describe('KmsKeyStore: unwrapDataKey', () => {
  it('calls Decrypt naming the EDK key ARN and the context, and returns the key', async () => {
    const kms = new FakeKms();
    const store = new KmsKeyStore({ client: kms, keyId: ARN });
    const key = await store.unwrapDataKey(edk(ARN), { context, length: 32 });
    expect(kms.calls[0]?.input).toEqual({
      CiphertextBlob: new Uint8Array([9, 9, 9]),
      KeyId: ARN,
      EncryptionContext: context,
    });
    expect(key.length).toBe(32);
    expect(kms.handed[0]?.every((b) => b === 0)).toBe(true);
  });

  it('names the configured alias when the store is configured by alias, so KMS refuses other keys', async () => {
    const kms = new FakeKms();
    const store = new KmsKeyStore({ client: kms, keyId: 'alias/app' });
    await store.unwrapDataKey(edk(ARN), { context, length: 32 });
    expect(kms.calls[0]?.input.KeyId).toBe('alias/app');
  });

  it('refuses a response for another key and wipes its plaintext', async () => {
    const kms = new FakeKms();
    kms.keyId = OTHER_ARN;
    const store = new KmsKeyStore({ client: kms, keyId: 'alias/app' });
    expect(await codeOf(store.unwrapDataKey(edk(ARN), { context, length: 32 }))).toBe(
      ErrorCodes.INVALID_KEY_CIPHERTEXT,
    );
    expect(kms.handed[0]?.every((b) => b === 0)).toBe(true);
  });

  it('refuses a plaintext of another length', async () => {
    const kms = new FakeKms();
    kms.plaintextLength = 31;
    const store = new KmsKeyStore({ client: kms, keyId: ARN });
    expect(await codeOf(store.unwrapDataKey(edk(ARN), { context, length: 32 }))).toBe(
      ErrorCodes.INVALID_KEY_CIPHERTEXT,
    );
  });

  it('does not call KMS for an EDK it may not unwrap', async () => {
    const kms = new FakeKms();
    const store = new KmsKeyStore({ client: kms, keyId: ARN });
    expect(await codeOf(store.unwrapDataKey(edk(OTHER_ARN), { context, length: 32 }))).toBe(
      ErrorCodes.NO_DECRYPTABLE_KEY,
    );
    expect(kms.calls).toHaveLength(0);
  });
});

describe('KmsKeyStore: canUnwrap filters', () => {
  const client = new FakeKms();

  it('accepts only aws-kms EDKs whose provider info is a key ARN', () => {
    const store = new KmsKeyStore({ client, keyId: 'alias/app' });
    expect(store.canUnwrap(edk(ARN))).toBe(true);
    expect(store.canUnwrap(edk(ARN, 'aws-kms-hierarchy'))).toBe(false);
    expect(store.canUnwrap(edk('alias/app'))).toBe(false);
    expect(store.canUnwrap(edk(ARN.replace(':key/', ':alias/')))).toBe(false);
    expect(
      store.canUnwrap({
        providerId: 'aws-kms',
        providerInfo: new Uint8Array([0xff, 0xfe]),
        ciphertext: new Uint8Array(1),
      }),
    ).toBe(false);
  });

  it('with a configured key ARN, accepts only EDKs of that ARN', () => {
    const store = new KmsKeyStore({ client, keyId: ARN });
    expect(store.canUnwrap(edk(ARN))).toBe(true);
    expect(store.canUnwrap(edk(OTHER_ARN))).toBe(false);
  });

  it('with keyIds, accepts only the listed ARNs', () => {
    const store = new KmsKeyStore({ client, keyId: ARN, keyIds: [OTHER_ARN] });
    expect(store.canUnwrap(edk(OTHER_ARN))).toBe(true);
    expect(store.canUnwrap(edk(ARN))).toBe(false);
  });

  it('with a discovery filter, accepts only keys of the listed partition and accounts', () => {
    const store = new KmsKeyStore({ client, discovery: { partition: 'aws', accountIds: ['111122223333'] } });
    expect(store.canUnwrap(edk(ARN))).toBe(true);
    expect(store.canUnwrap(edk(OTHER_ARN))).toBe(false);
    expect(store.canUnwrap(edk(ARN.replace('arn:aws:', 'arn:aws-cn:')))).toBe(false);
    const open = new KmsKeyStore({ client, discovery: true });
    expect(open.canUnwrap(edk(OTHER_ARN))).toBe(true);
  });

  it('in discovery mode, Decrypt names the EDK key ARN', async () => {
    const kms = new FakeKms();
    kms.keyId = OTHER_ARN;
    const store = new KmsKeyStore({ client: kms, discovery: true });
    await store.unwrapDataKey(edk(OTHER_ARN), { context, length: 32 });
    expect(kms.calls[0]?.input.KeyId).toBe(OTHER_ARN);
  });
});

describe('KmsKeyStore: options', () => {
  it('rejects unknown options, missing clients and malformed filters, naming the field', () => {
    const client = new FakeKms();
    expect(() => new KmsKeyStore({ client, keyID: ARN } as never)).toThrow(/unknown option "keyID"/);
    expect(() => new KmsKeyStore({} as never)).toThrow(/client: expected an object/);
    expect(() => new KmsKeyStore({ client, keyIds: ['alias/x'] })).toThrow(/keyIds\[0\]: expected a full key ARN/);
    expect(() => new KmsKeyStore({ client, keyIds: [ARN], discovery: true })).toThrow(/exclude each other/);
    expect(() => new KmsKeyStore({ client, discovery: { partition: 'aws', accountIds: ['12'] } })).toThrow(
      /accountIds/,
    );
    expect(() => new KmsKeyStore({ client, keyId: '' })).toThrow(/keyId: expected a non-empty string/);
    expect(() => new KmsKeyStore({ client, grantTokens: new Array(11).fill('t') })).toThrow(/grantTokens/);
  });

  it('ignores options set on Object.prototype', async () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto['keyId'] = 'alias/polluted';
    proto['strictArns'] = true;
    try {
      const kms = new FakeKms();
      const store = new KmsKeyStore({ client: kms });
      await store.generateDataKey({ context, length: 32 });
      expect(kms.calls[0]?.input.KeyId).toBe('alias/aws/s3');
    } finally {
      delete proto['keyId'];
      delete proto['strictArns'];
    }
  });

  it('reports the principal it acts as', () => {
    const store = new KmsKeyStore({
      client: new FakeKms(),
      keyId: ARN,
      principal: 'arn:aws:iam::111122223333:role/app',
    });
    expect(store.principal).toBe('arn:aws:iam::111122223333:role/app');
  });
});

describe('KmsKeyStore: failures and events', () => {
  const events: KeyStoreCallEvent[] = [];
  const listener = (message: unknown): void => {
    events.push(message as KeyStoreCallEvent);
  };
  diagnostics.subscribe(Channels.keyStoreCall, listener);
  afterEach(() => {
    events.length = 0;
  });

  it('maps a client exception by name, keeping cause and request ID', async () => {
    const kms = new FakeKms();
    const original = Object.assign(new Error('Key is disabled'), {
      name: 'DisabledException',
      $metadata: { requestId: 'req-42' },
    });
    kms.failure = original;
    const store = new KmsKeyStore({ client: kms, keyId: ARN });
    const error = (await store.generateDataKey({ context, length: 32 }).catch((e: unknown) => e)) as KeyStoreError;
    expect(error).toBeInstanceOf(KeyStoreError);
    expect(error.code).toBe(ErrorCodes.KEY_DISABLED);
    expect(error.cause).toBe(original);
    expect(error.requestId).toBe('req-42');
    expect(error.store).toBe(store.id);
    expect(error.keyId).toBe(ARN);
  });

  it('publishes one keystore call event per operation, with outcome and error code, and no key bytes', async () => {
    const kms = new FakeKms();
    const store = new KmsKeyStore({ client: kms, keyId: ARN });
    await store.generateDataKey({ context, length: 32 });
    kms.failure = Object.assign(new Error('no'), { name: 'AccessDeniedException', $metadata: { requestId: 'req-9' } });
    await store.unwrapDataKey(edk(ARN), { context, length: 32 }).catch(() => undefined);
    expect(events.map((e) => [e.operation, e.outcome, e.errorCode, e.requestId])).toEqual([
      ['generate', 'success', undefined, 'req-g'],
      ['unwrap', 'failure', ErrorCodes.ACCESS_DENIED, 'req-9'],
    ]);
    expect(events.every((e) => e.store === store.id && e.keyId === ARN)).toBe(true);
    expect(JSON.stringify(events)).not.toMatch(/7,7,7/);
  });
});
