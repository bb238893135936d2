// Fault tests with an injected client: what the store does when KMS throttles, fails,
// hangs, or the caller gives up. Backoff base 0 keeps every retry immediate (no clocks).
import {
  DisabledException,
  KMSInternalException,
  KMSInvalidStateException,
  NotFoundException,
} from '@aws-sdk/client-kms';
import { DataKey, ErrorCodes, KeyStoreError } from '@sealflow/core';
import { AwsKmsKeyStore } from '@sealflow/keystore-aws-kms';
import { describe, expect, test } from 'vitest';

import {
  fakeKmsClient,
  KEY_ARN,
  kmsException,
  metadata,
  success,
  type FakeKmsClient,
} from './support/fake-kms-client.js';

const context = { purpose: 'fault-test' };
const NO_WAIT = { baseDelayMs: 0 };

function store(client: FakeKmsClient, maxAttempts = 3, timeoutMs = 0): AwsKmsKeyStore {
  return new AwsKmsKeyStore({ client, keyId: KEY_ARN, retry: { ...NO_WAIT, maxAttempts }, timeoutMs });
}

async function rejection(promise: Promise<unknown>): Promise<KeyStoreError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KeyStoreError);
  return error as KeyStoreError;
}

describe('AwsKmsKeyStore with a throttling or failing KMS', () => {
  test('retries throttling and succeeds once KMS answers', async () => {
    const client = fakeKmsClient(async (call, n) => {
      if (n <= 2) throw kmsException('ThrottlingException', 400, `throttled-${n}`);
      return success(call);
    });
    const generated = await store(client).generateDataKey({ context, length: 32 });
    expect(client.calls.map((c) => c.operation)).toEqual(['GenerateDataKey', 'GenerateDataKey', 'GenerateDataKey']);
    expect(new TextDecoder().decode(generated.encryptedDataKey.providerInfo)).toBe(KEY_ARN);
    generated.dataKey.destroy();
  });

  test('gives up on persistent 5xx with ERR_KEY_STORE_UNAVAILABLE after the configured attempts', async () => {
    const client = fakeKmsClient(async (_, n) => {
      throw new KMSInternalException({ $metadata: metadata(500, `req-${n}`), message: 'internal' });
    });
    const error = await rejection(store(client, 4).generateDataKey({ context, length: 32 }));
    expect(client.calls).toHaveLength(4);
    expect(error.code).toBe(ErrorCodes.KEY_STORE_UNAVAILABLE);
    expect(error.cause).toBeInstanceOf(KMSInternalException);
    expect(error.requestId).toBe('req-4');
  });

  test('treats an unmodelled HTTP 503 as unavailable and retries it', async () => {
    const client = fakeKmsClient(async (_, n) => {
      throw kmsException('ServiceUnavailable', 503, `req-${n}`);
    });
    const error = await rejection(store(client, 2).unwrapDataKey(edk(), { context, length: 32 }));
    expect(client.calls).toHaveLength(2);
    expect(error.code).toBe(ErrorCodes.KEY_STORE_UNAVAILABLE);
  });

  test('gives up on persistent throttling with ERR_THROTTLED', async () => {
    const client = fakeKmsClient(async () => Promise.reject(kmsException('ThrottlingException', 400, 'req-t')));
    const error = await rejection(
      store(client, 3).wrapDataKey(DataKey.copyOf(new Uint8Array(32)), { context, length: 32 }),
    );
    expect(client.calls).toHaveLength(3);
    expect(error.code).toBe(ErrorCodes.THROTTLED);
    expect(error.requestId).toBe('req-t');
  });

  test('retries a network error (ECONNRESET) like a 5xx', async () => {
    const client = fakeKmsClient(async (call, n) => {
      if (n === 1) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      return success(call);
    });
    const key = await store(client).unwrapDataKey(edk(), { context, length: 32 });
    expect(client.calls).toHaveLength(2);
    key.destroy();
  });

  test.each([
    [
      'NotFoundException',
      () => new NotFoundException({ $metadata: metadata(400, 'r-nf'), message: 'no key' }),
      ErrorCodes.KEY_NOT_FOUND,
    ],
    [
      'DisabledException',
      () => new DisabledException({ $metadata: metadata(400, 'r-dis'), message: 'disabled' }),
      ErrorCodes.KEY_DISABLED,
    ],
    [
      'KMSInvalidStateException',
      () => new KMSInvalidStateException({ $metadata: metadata(400, 'r-st'), message: 'pending deletion' }),
      ErrorCodes.KEY_INVALID_STATE,
    ],
    ['AccessDeniedException', () => kmsException('AccessDeniedException', 400, 'r-ad'), ErrorCodes.ACCESS_DENIED],
    [
      'InvalidCiphertextException',
      () => kmsException('InvalidCiphertextException', 400, 'r-ic'),
      ErrorCodes.INVALID_KEY_CIPHERTEXT,
    ],
  ] as const)('maps %s to its code at once, keeping the SDK error and the request ID', async (name, make, code) => {
    const thrown = make();
    const client = fakeKmsClient(async () => Promise.reject(thrown));
    const error = await rejection(store(client, 5).unwrapDataKey(edk(), { context, length: 32 }));
    expect(client.calls).toHaveLength(1);
    expect(error.code).toBe(code);
    expect(error.cause).toBe(thrown);
    expect((error.cause as Error).name).toBe(name);
    expect(error.requestId).toBe(thrown.$metadata.requestId);
    expect(error.store).toBe(`aws-kms:${KEY_ARN}`);
  });
});

describe('AwsKmsKeyStore timeouts and aborts', () => {
  test('ends each attempt at its deadline, retries, then fails with ERR_KEY_STORE_UNAVAILABLE', async () => {
    // The fake never answers and ignores its abort signal: only the deadline ends an attempt.
    const client = fakeKmsClient(() => new Promise<never>(() => {}));
    const error = await rejection(store(client, 2, 25).generateDataKey({ context, length: 32 }));
    expect(client.calls).toHaveLength(2);
    expect(client.calls.every((c) => c.signal?.aborted === true)).toBe(true);
    expect(error.code).toBe(ErrorCodes.KEY_STORE_UNAVAILABLE);
    expect((error.cause as Error).name).toBe('TimeoutError');
  });

  test('passes the abort to the SDK call and stops without retrying when the caller aborts', async () => {
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const client = fakeKmsClient((call) => {
      queueMicrotask(() => controller.abort(reason));
      return new Promise<never>((_, reject) =>
        call.signal?.addEventListener('abort', () => reject(new Error('aborted by signal'))),
      );
    });
    const error = await rejection(store(client, 5).generateDataKey({ context, length: 32, signal: controller.signal }));
    expect(client.calls).toHaveLength(1);
    expect(client.calls[0]?.signal?.aborted).toBe(true);
    expect((error.cause as Error).name).toBe('AbortError');
    expect((error.cause as Error).cause).toBe(reason);
    // core's mapping: an aborted KMS call is an outage of the store, not a key problem.
    expect(error.code).toBe(ErrorCodes.KEY_STORE_UNAVAILABLE);
  });

  test('makes no KMS call when the signal is already aborted', async () => {
    const client = fakeKmsClient(async (call) => success(call));
    await rejection(store(client).unwrapDataKey(edk(), { context, length: 32, signal: AbortSignal.abort() }));
    expect(client.calls).toHaveLength(0);
  });
});

function edk() {
  return {
    providerId: 'aws-kms',
    providerInfo: new TextEncoder().encode(KEY_ARN),
    ciphertext: new Uint8Array([9, 9, 9]),
  };
}
