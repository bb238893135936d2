import { DisabledException, KMSInternalException, KMSServiceException, NotFoundException } from '@aws-sdk/client-kms';
import { ErrorCodes } from '@sealflow/core';
import { describe, expect, test } from 'vitest';

import { backoffDelayMs, classifyFailure, DEFAULT_RETRY_POLICY, resolveRetryPolicy } from '../src/retry-policy.js';

const meta = (httpStatusCode: number) => ({ httpStatusCode, requestId: 'req-1', attempts: 1, totalRetryDelay: 0 });

describe('resolveRetryPolicy', () => {
  test('fills in the defaults for an absent or empty policy', () => {
    expect(resolveRetryPolicy(undefined, 'retry')).toEqual(DEFAULT_RETRY_POLICY);
    expect(resolveRetryPolicy({}, 'retry')).toEqual({ maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 5000 });
  });

  test('keeps the values it is given', () => {
    expect(resolveRetryPolicy({ maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 2 }, 'retry')).toEqual({
      maxAttempts: 5,
      baseDelayMs: 1,
      maxDelayMs: 2,
    });
  });

  test('rejects unknown keys, naming the field', () => {
    expect(() => resolveRetryPolicy({ attempts: 3 }, 'options.retry')).toThrow(
      /options\.retry: unknown option "attempts"/,
    );
  });

  test('rejects out-of-range values with ERR_INVALID_ARGUMENT naming the field', () => {
    expect(() => resolveRetryPolicy({ maxAttempts: 0 }, 'options.retry')).toThrow(
      expect.objectContaining({
        code: ErrorCodes.INVALID_ARGUMENT,
        message: expect.stringContaining('options.retry.maxAttempts'),
      }),
    );
    expect(() => resolveRetryPolicy({ baseDelayMs: 1.5 }, 'r')).toThrow(/r\.baseDelayMs/);
  });

  test('ignores values inherited through a polluted prototype', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto['maxAttempts'] = 99;
    try {
      expect(resolveRetryPolicy({}, 'retry').maxAttempts).toBe(3);
    } finally {
      delete proto['maxAttempts'];
    }
  });
});

describe('backoffDelayMs (full jitter)', () => {
  const policy = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };

  test('is zero when the jitter draws zero', () => {
    expect(backoffDelayMs(policy, 3, () => 0)).toBe(0);
  });

  test('doubles its ceiling with each retry', () => {
    const almostOne = () => 0.999_999;
    expect(backoffDelayMs(policy, 1, almostOne)).toBe(99);
    expect(backoffDelayMs(policy, 2, almostOne)).toBe(199);
    expect(backoffDelayMs(policy, 3, almostOne)).toBe(399);
  });

  test('never exceeds maxDelayMs', () => {
    expect(backoffDelayMs(policy, 30, () => 0.999_999)).toBe(999);
  });

  test('draws uniformly below the ceiling', () => {
    expect(backoffDelayMs(policy, 2, () => 0.5)).toBe(100);
  });
});

describe('classifyFailure', () => {
  test('treats ThrottlingException and HTTP 429 as throttling', () => {
    const throttled = new KMSServiceException({
      name: 'ThrottlingException',
      $fault: 'client',
      $metadata: meta(400),
      message: 'Rate exceeded',
    });
    expect(classifyFailure(throttled)).toBe('throttled');
    expect(classifyFailure({ name: 'Whatever', $metadata: { httpStatusCode: 429 } })).toBe('throttled');
  });

  test('treats KMS internal errors, 5xx and socket errors as unavailable', () => {
    expect(classifyFailure(new KMSInternalException({ $metadata: meta(500), message: 'internal' }))).toBe(
      'unavailable',
    );
    expect(classifyFailure({ name: 'Unknown', $metadata: { httpStatusCode: 503 } })).toBe('unavailable');
    expect(classifyFailure(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe('unavailable');
    expect(classifyFailure(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe('unavailable');
  });

  test('treats answers that retrying cannot change as fatal', () => {
    expect(classifyFailure(new NotFoundException({ $metadata: meta(400), message: 'not found' }))).toBe('fatal');
    expect(classifyFailure(new DisabledException({ $metadata: meta(400), message: 'disabled' }))).toBe('fatal');
    expect(classifyFailure(new Error('boom'))).toBe('fatal');
    expect(classifyFailure('a string')).toBe('fatal');
  });
});
