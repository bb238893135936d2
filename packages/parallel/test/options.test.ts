import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ErrorCodes, InvalidArgumentError } from '@sealflow/core';
import { createFramePool, type FramePoolOptions } from '@sealflow/parallel';
import { resolvePoolOptions } from '../src/options.js';

const MiB = 1024 * 1024;

describe('createFramePool options', () => {
  it('defaults to worker threads, one per CPU, 4 MiB batches, 12 MiB in flight, 4 MiB minimum and 1 GiB of shared one-shot results', () => {
    expect(resolvePoolOptions(undefined)).toStrictEqual({
      mode: 'workers',
      threads: availableParallelism(),
      batchBytes: 4 * MiB,
      maxInFlightBytes: 12 * MiB,
      minMessageBytes: 4 * MiB,
      sharedOutputBytes: 1024 * MiB,
    });
  });

  it('takes sharedOutputBytes as a non-negative integer (0: off)', () => {
    expect(resolvePoolOptions({ sharedOutputBytes: 0 }).sharedOutputBytes).toBe(0);
    expect(() => resolvePoolOptions({ sharedOutputBytes: -1 })).toThrow(/sharedOutputBytes/);
    expect(() => resolvePoolOptions({ sharedOutputBytes: true })).toThrow(/sharedOutputBytes/);
  });

  it("defaults to smaller batches and a smaller cap in 'subtle' mode (every frame a job with its own copies)", () => {
    expect(resolvePoolOptions({ mode: 'subtle' })).toMatchObject({
      mode: 'subtle',
      batchBytes: MiB,
      maxInFlightBytes: 8 * MiB,
    });
  });

  it('never lets the in-flight cap default below one batch', () => {
    expect(resolvePoolOptions({ batchBytes: 32 * MiB }).maxInFlightBytes).toBe(32 * MiB);
    expect(resolvePoolOptions({ batchBytes: 2 * MiB }).maxInFlightBytes).toBe(12 * MiB);
  });

  it('rejects unknown keys, naming them', () => {
    expect(() => createFramePool({ thread: 2 } as unknown as FramePoolOptions)).toThrow(/unknown option "thread"/);
  });

  it('rejects invalid values with a message naming the field and what arrived', () => {
    const cases: [unknown, RegExp][] = [
      [
        { mode: 'gpu' },
        /createFramePool\.mode: expected 'workers', 'subtle' or 'native', got a string of 3 characters/,
      ],
      [{ threads: 0 }, /createFramePool\.threads: expected an integer from 1 to 256, got the number 0/],
      [{ threads: 1.5 }, /threads/],
      [{ batchBytes: -1 }, /batchBytes/],
      [{ maxInFlightBytes: '16MiB' }, /maxInFlightBytes: expected an integer .* got a string/],
      [{ minMessageBytes: Number.NaN }, /minMessageBytes/],
      [[], /createFramePool: expected an options object, got an array/],
    ];
    for (const [options, message] of cases) {
      let error: unknown;
      try {
        createFramePool(options as FramePoolOptions);
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(options)).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).code).toBe(ErrorCodes.INVALID_ARGUMENT);
      expect((error as Error).message).toMatch(message);
    }
  });

  it('reads own properties only: a polluted prototype changes nothing', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto['threads'] = 99;
    proto['mode'] = 'subtle';
    try {
      expect(resolvePoolOptions({}).threads).toBe(availableParallelism());
      expect(resolvePoolOptions({}).mode).toBe('workers');
    } finally {
      delete proto['threads'];
      delete proto['mode'];
    }
  });
});
