// Shared helpers for the cross-package @sealflow/parallel suites (real worker threads, real
// crypto.subtle). Not a test file: vitest only collects *.test.ts.
import { fileURLToPath } from 'node:url';
import { createFramePool, type FramePool, type FramePoolOptions } from '@sealflow/parallel';
import { WORKER_FILE } from '../../../packages/parallel/src/frame-pool.js';

export const KiB = 1024;
export const MiB = 1024 * KiB;

/** The worker module that exits on the batch starting at frame 33. */
export const CRASHING_WORKER = fileURLToPath(new URL('./crashing-worker.mjs', import.meta.url));

/** A pool, with the worker module swapped when `workerFile` is given (test hook). */
export function pool(options: FramePoolOptions, workerFile?: string): FramePool {
  return createFramePool(
    workerFile === undefined ? options : ({ ...options, [WORKER_FILE]: workerFile } as FramePoolOptions),
  );
}

/** Both ways of running batches, for suites that must hold for each. */
export const MODES = ['workers', 'subtle'] as const;

/**
 * Asserts two byte arrays are equal without handing megabytes to the assertion library's
 * element-by-element diff; on a mismatch it names the first differing offset.
 */
export function expectSameBytes(actual: Uint8Array, expected: Uint8Array, label = 'bytes'): void {
  if (
    Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength).equals(
      Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength),
    )
  )
    return;
  let at = 0;
  while (at < actual.length && at < expected.length && actual[at] === expected[at]) at++;
  throw new Error(
    `${label}: ${actual.length} bytes differ from the expected ${expected.length} bytes, first at offset ${at}`,
  );
}
