import { KMSInternalException, KMSServiceException, NotFoundException } from '@aws-sdk/client-kms';
import { describe, expect, test } from 'vitest';

import { KmsCallError, KmsCaller } from '../src/kms-caller.js';

const meta = (httpStatusCode: number, requestId = 'req-x') => ({
  httpStatusCode,
  requestId,
  attempts: 1,
  totalRetryDelay: 0,
});
const throttling = (requestId: string) =>
  new KMSServiceException({
    name: 'ThrottlingException',
    $fault: 'client',
    $metadata: meta(400, requestId),
    message: 'Rate exceeded',
  });
const internal = (requestId: string) =>
  new KMSInternalException({ $metadata: meta(500, requestId), message: 'internal' });

// random = 0: every backoff is 0 ms, so no test waits on a clock.
const caller = (maxAttempts: number, timeoutMs = 0) =>
  new KmsCaller({ retry: { maxAttempts, baseDelayMs: 100, maxDelayMs: 1000 }, timeoutMs, random: () => 0 });

async function failure(promise: Promise<unknown>): Promise<KmsCallError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KmsCallError);
  return error as KmsCallError;
}

describe('KmsCaller', () => {
  test('retries throttling and returns the first success, with its request ID', async () => {
    let calls = 0;
    const result = await caller(3).call(async () => {
      calls++;
      if (calls < 3) throw throttling(`throttled-${calls}`);
      return { value: 'ok', $metadata: meta(200, 'req-ok') };
    });
    expect(calls).toBe(3);
    expect(result).toMatchObject({ output: { value: 'ok' }, requestId: 'req-ok', attempts: 3 });
  });

  test('gives up on persistent 5xx after maxAttempts, keeping the last cause and request ID', async () => {
    let calls = 0;
    const error = await failure(
      caller(4).call(async () => {
        calls++;
        throw internal(`req-${calls}`);
      }),
    );
    expect(calls).toBe(4);
    expect(error).toMatchObject({ kind: 'unavailable', attempts: 4, requestId: 'req-4' });
    expect(error.cause).toBeInstanceOf(KMSInternalException);
  });

  test('reports persistent throttling as throttled', async () => {
    const error = await failure(caller(2).call(async () => Promise.reject(throttling('t'))));
    expect(error).toMatchObject({ kind: 'throttled', attempts: 2 });
  });

  test('does not retry a fatal KMS answer', async () => {
    let calls = 0;
    const error = await failure(
      caller(5).call(async () => {
        calls++;
        throw new NotFoundException({ $metadata: meta(400, 'nf'), message: 'not found' });
      }),
    );
    expect(calls).toBe(1);
    expect(error).toMatchObject({ kind: 'fatal', attempts: 1, requestId: 'nf' });
  });

  test('aborts an attempt at its deadline, retries, then fails as a timeout', async () => {
    const signals: AbortSignal[] = [];
    // The fake never answers and ignores its signal: the deadline alone must end each attempt.
    const error = await failure(
      caller(3, 20).call((signal) => {
        signals.push(signal);
        return new Promise<never>(() => {});
      }),
    );
    expect(error).toMatchObject({ kind: 'timeout', attempts: 3 });
    expect(signals).toHaveLength(3);
    expect(signals.every((s) => s.aborted)).toBe(true);
    expect((error.cause as Error).name).toBe('TimeoutError');
  });

  test('succeeds on a retry after a timed-out attempt', async () => {
    let calls = 0;
    const result = await caller(2, 20).call(async () => {
      calls++;
      if (calls === 1) return new Promise<never>(() => {});
      return 'second';
    });
    expect(result).toMatchObject({ output: 'second', attempts: 2 });
  });

  test('stops at once when the caller aborts during an attempt, passing the abort to the client', async () => {
    const controller = new AbortController();
    let seen: AbortSignal | undefined;
    let calls = 0;
    const pending = caller(5).call((signal) => {
      calls++;
      seen = signal;
      queueMicrotask(() => controller.abort(new Error('caller gave up')));
      return new Promise<never>(() => {});
    }, controller.signal);
    const error = await failure(pending);
    expect(error).toMatchObject({ kind: 'aborted', attempts: 1 });
    expect((error.cause as Error).message).toBe('caller gave up');
    expect(seen?.aborted).toBe(true);
    expect(calls).toBe(1);
  });

  test('stops when the caller aborts during a backoff, without another attempt', async () => {
    const controller = new AbortController();
    let calls = 0;
    // random = 1 - epsilon and a 60 s base: the backoff would be long; the abort ends it.
    const slow = new KmsCaller({
      retry: { maxAttempts: 3, baseDelayMs: 60_000, maxDelayMs: 60_000 },
      timeoutMs: 0,
      random: () => 0.99,
    });
    const error = await failure(
      slow.call(async () => {
        calls++;
        setTimeout(() => controller.abort(), 1);
        throw internal('r');
      }, controller.signal),
    );
    expect(error.kind).toBe('aborted');
    expect(calls).toBe(1);
  });

  test('makes no attempt when the signal is already aborted', async () => {
    let calls = 0;
    const error = await failure(
      caller(3).call(async () => {
        calls++;
        return 'never';
      }, AbortSignal.abort()),
    );
    expect(error).toMatchObject({ kind: 'aborted', attempts: 0 });
    expect(calls).toBe(0);
  });
});
