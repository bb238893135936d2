import { availableParallelism } from 'node:os';
import { ErrorCodes, InvalidArgumentError } from '@sealflow/core';

/** How a pool runs batches. */
export type FramePoolMode = 'workers' | 'subtle';

/** Options of `createFramePool`. */
export interface FramePoolOptions {
  /**
   * `'workers'` (default): piscina worker threads running node:crypto. `'subtle'`:
   * WebCrypto on libuv's thread pool (size set by UV_THREADPOOL_SIZE at process start).
   */
  readonly mode?: FramePoolMode;
  /** Worker threads (`'workers'` mode), 1 to 256; default: `os.availableParallelism()`. */
  readonly threads?: number;
  /** Plaintext bytes per batch, rounded down to whole frames (at least one); default 1 MiB. */
  readonly batchBytes?: number;
  /**
   * Cap on one message's bytes handed to the pool and not yet released (one batch may
   * always be in flight); default 8 MiB. Bounds memory per stream (the bench's 1 GiB
   * encrypt -> decrypt chain stays within 128 MiB over baseline with it).
   */
  readonly maxInFlightBytes?: number;
  /**
   * Messages whose length is known and below this stay on the calling thread (one-shot
   * calls, streams with `plaintextLength`); default 4 MiB. Streams of unknown length
   * use the pool from their first full batch.
   */
  readonly minMessageBytes?: number;
}

/** Validated options with defaults applied. */
export interface ResolvedPoolOptions {
  readonly mode: FramePoolMode;
  readonly threads: number;
  readonly batchBytes: number;
  readonly maxInFlightBytes: number;
  readonly minMessageBytes: number;
}

const MiB = 1024 * 1024;
const KEYS = ['mode', 'threads', 'batchBytes', 'maxInFlightBytes', 'minMessageBytes'] as const;
export const DEFAULT_BATCH_BYTES = 1 * MiB;
export const DEFAULT_MAX_IN_FLIGHT_BYTES = 8 * MiB;
export const DEFAULT_MIN_MESSAGE_BYTES = 4 * MiB;

const describe = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'number' ? String(value) : typeof value);

function invalid(label: string, expected: string, value: unknown): InvalidArgumentError {
  return new InvalidArgumentError(ErrorCodes.INVALID_ARGUMENT, `${label}: expected ${expected}, got ${describe(value)}`);
}

function assertInteger(value: unknown, label: string, min: number, max: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw invalid(label, `an integer from ${min} to ${max}`, value);
  }
}

/**
 * Reads options by own properties only (a polluted prototype changes nothing) and rejects
 * unknown keys.
 * @throws {InvalidArgumentError}
 */
export function resolvePoolOptions(options: unknown): ResolvedPoolOptions {
  const o = Object.create(null) as Partial<Record<(typeof KEYS)[number], unknown>>;
  if (options !== undefined) {
    if (typeof options !== 'object' || options === null || Array.isArray(options)) throw invalid('createFramePool options', 'an options object', options);
    for (const key of Object.keys(options)) {
      if (!(KEYS as readonly string[]).includes(key)) {
        throw new InvalidArgumentError(ErrorCodes.INVALID_ARGUMENT, `createFramePool options: unknown option "${key}" (known: ${KEYS.join(', ')})`);
      }
      const value = (options as Record<string, unknown>)[key];
      if (value !== undefined) o[key as (typeof KEYS)[number]] = value;
    }
  }
  const mode = o.mode ?? 'workers';
  if (mode !== 'workers' && mode !== 'subtle') throw invalid('createFramePool mode', "'workers' or 'subtle'", mode);
  const threads = o.threads ?? availableParallelism();
  assertInteger(threads, 'createFramePool threads', 1, 256);
  const batchBytes = o.batchBytes ?? DEFAULT_BATCH_BYTES;
  assertInteger(batchBytes, 'createFramePool batchBytes', 1, 256 * MiB);
  const maxInFlightBytes = o.maxInFlightBytes ?? Math.max(DEFAULT_MAX_IN_FLIGHT_BYTES, batchBytes);
  assertInteger(maxInFlightBytes, 'createFramePool maxInFlightBytes', 1, 4096 * MiB);
  const minMessageBytes = o.minMessageBytes ?? DEFAULT_MIN_MESSAGE_BYTES;
  assertInteger(minMessageBytes, 'createFramePool minMessageBytes', 0, Number.MAX_SAFE_INTEGER);
  return { mode, threads, batchBytes, maxInFlightBytes, minMessageBytes };
}
