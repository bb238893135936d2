import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCodes, InvalidArgumentError } from '@sealflow/core';
import {
  MAX_BUCKET_KEY_BYTES,
  MAX_BUCKET_KEY_MESSAGES,
  resolveBucketKeyOptions,
} from '../../src/keys/bucket-key-options.js';

const polluted = Object.prototype as Record<string, unknown>;

afterEach(() => {
  delete polluted['maxMessages'];
  delete polluted['capacity'];
});

describe('resolveBucketKeyOptions', () => {
  it('fills the defaults: the format caps, capacity 1000, the real clock', () => {
    const o = resolveBucketKeyOptions({ maxAgeMs: 1000 });
    expect(o).toMatchObject({
      maxAgeMs: 1000,
      maxMessages: MAX_BUCKET_KEY_MESSAGES,
      maxBytes: MAX_BUCKET_KEY_BYTES,
      capacity: 1000,
      layout: 2,
      realClock: true,
    });
    expect(MAX_BUCKET_KEY_MESSAGES).toBe(2 ** 32);
    expect(Math.abs(o.now() - Date.now())).toBeLessThan(60_000);
  });

  it('uses an injected clock and says so', () => {
    const o = resolveBucketKeyOptions({ maxAgeMs: 1, now: () => 42 });
    expect([o.now(), o.realClock]).toEqual([42, false]);
  });

  it.each([
    [{}, /maxAgeMs: required/],
    [{ maxAgeMs: 1.5 }, /maxAgeMs/],
    [{ maxAgeMs: '1000' }, /maxAgeMs/],
    [{ maxAgeMs: 1000, maxMessages: 0 }, /maxMessages/],
    [{ maxAgeMs: 1000, maxMessages: 2 ** 32 + 1 }, /maxMessages/],
    [{ maxAgeMs: 1000, maxBytes: 0 }, /maxBytes/],
    [{ maxAgeMs: 1000, capacity: 0 }, /capacity/],
    [{ maxAgeMs: 1000, capacity: 1_000_001 }, /capacity/],
    [{ maxAgeMs: 1000, layout: 0 }, /layout/],
    [{ maxAgeMs: 1000, layout: 3 }, /layout/],
    [{ maxAgeMs: 1000, now: 5 }, /now: expected a function/],
    [{ maxAgeMs: 1000, maxAge: 5 }, /unknown option "maxAge"/],
    [null, /options object/],
  ])('rejects %j naming the field', (options, message) => {
    const attempt = (): unknown => resolveBucketKeyOptions(options);
    expect(attempt).toThrow(InvalidArgumentError);
    expect(attempt).toThrow(message);
    expect(attempt).toThrow(expect.objectContaining({ code: ErrorCodes.INVALID_ARGUMENT }) as Error);
  });

  it('ignores a polluted prototype: only own properties are read', () => {
    polluted['maxMessages'] = 1;
    polluted['capacity'] = 'oops';
    expect(resolveBucketKeyOptions({ maxAgeMs: 1000 })).toMatchObject({
      maxMessages: MAX_BUCKET_KEY_MESSAGES,
      capacity: 1000,
    });
  });
});
