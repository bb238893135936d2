import type { BatchRunner } from './batch-runner.js';
import type { BufferPool } from './buffer-pool.js';

/** What every offloaded body of one pool shares. */
export interface BodySettings {
  readonly runner: BatchRunner;
  readonly buffers: BufferPool;
  /** Target bytes per batch (rounded down to whole frames, at least one frame). */
  readonly batchBytes: number;
  /** Cap on one message's bytes in flight. */
  readonly maxInFlightBytes: number;
}

/** Whole frames per batch for `frameLength`-byte frames. */
export function framesPerBatch(settings: BodySettings, frameLength: number): number {
  return Math.max(1, Math.floor(settings.batchBytes / frameLength));
}
