// Issue 14.1: after a worker thread died under a decryptStream, pool.close() waited for
// piscina's 30 s close timeout or spun the calling thread at 100% for good (piscina's
// close loops asking for a replacement thread that a closing pool never starts). The
// pool must keep serving new work after a death, and close() must settle promptly. Each
// case runs in a child process: a spinning thread cannot be timed out from within.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const DYING_WORKER = fileURLToPath(new URL('./support/dying-worker.mjs', import.meta.url));
const CRASHING_WORKER = fileURLToPath(new URL('./support/crashing-worker.mjs', import.meta.url));
/** Generous: close() takes well under a second once fixed; piscina's close timeout is 30 s. */
const CLOSE_BOUND_MS = 15_000;

interface Outcome {
  readonly streamError: string;
  /** Undefined when the case closes the pool right after the failed stream. */
  readonly servedAfterDeath?: boolean;
  readonly workerFailures: number;
  readonly closed: boolean;
}

/**
 * In a child process: a 32 MiB decryptStream through a 2-thread pool whose worker module
 * `workerFile` exits at frame 33 (batches of 16 frames of 64 KiB, `inFlightBatches` of
 * them in flight), then (when `serve`) a smaller message through the same pool, then
 * close() (bounded by CLOSE_BOUND_MS inside the child).
 */
function run(workerFile: string, inFlightBatches: number, serve: boolean): Outcome {
  const script = `
    import { Readable, Writable } from 'node:stream';
    import { pipeline } from 'node:stream/promises';
    const { createEngine, RawAesKeyStore } = await import(${JSON.stringify(`${root}packages/core/dist/index.js`)});
    const { createFramePool } = await import(${JSON.stringify(`${root}packages/parallel/dist/index.js`)});
    const { WORKER_FILE } = await import(${JSON.stringify(`${root}packages/parallel/dist/frame-pool.js`)});
    const FL = 64 * 1024;
    const pool = createFramePool({ threads: 2, batchBytes: 16 * FL, maxInFlightBytes: ${inFlightBatches} * 16 * FL, minMessageBytes: 0, [WORKER_FILE]: ${JSON.stringify(workerFile)} });
    const store = new RawAesKeyStore({ namespace: 'n', name: 'k', key: new Uint8Array(32).fill(1) });
    const sealed = await createEngine({ keyStore: store }).encrypt(new Uint8Array(32 * 1024 * 1024).fill(7), { frameLength: FL });
    const engine = createEngine({ keyStore: store, offload: pool });
    function* chunks() { for (let i = 0; i < sealed.length; i += 256 * 1024) yield sealed.subarray(i, i + 256 * 1024); }
    let streamError = 'none';
    try {
      await pipeline(Readable.from(chunks()), engine.decryptStream(), new Writable({ write(c, e, cb) { cb(); } }));
    } catch (error) {
      streamError = error.code;
    }
    // Two batches (frames 1-32): the threads that are left, or their replacements, take them.
    let servedAfterDeath;
    if (${serve}) {
    const small = new Uint8Array(2 * 1024 * 1024 - 5).fill(3);
    const before = pool.stats().batches;
    const smallSealed = await createEngine({ keyStore: store }).encrypt(small, { frameLength: FL });
    const { plaintext } = await engine.decrypt(smallSealed);
    servedAfterDeath = pool.stats().batches > before && Buffer.from(plaintext).equals(small);
    }
    const workerFailures = pool.stats().workerFailures;
    const bound = setTimeout(() => {
      console.log(JSON.stringify({ streamError, servedAfterDeath, workerFailures, closed: false }));
      process.exit(3);
    }, ${CLOSE_BOUND_MS});
    await pool.close();
    clearTimeout(bound);
    console.log(JSON.stringify({ streamError, servedAfterDeath, workerFailures, closed: true }));
  `;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: CLOSE_BOUND_MS + 45_000,
  });
  // Killed by the timeout: the child's own bound never fired, its thread was spinning.
  expect(child.signal, `the child's thread spun (stderr: ${child.stderr})`).toBeNull();
  expect(child.stderr).toBe('');
  return JSON.parse(child.stdout.trim()) as Outcome;
}

describe('closing a pool after a worker thread died under a decryptStream', () => {
  it.each([
    ['every thread dies from frame 33 on, 3 batches in flight', DYING_WORKER, 3],
    ['every thread dies from frame 33 on, 8 batches in flight (more than the threads)', DYING_WORKER, 8],
    ['one thread dies at frame 33, 8 batches in flight', CRASHING_WORKER, 8],
  ] as const)(
    '%s: the stream fails with ERR_WORKER_FAILED and close() right after it settles',
    { timeout: 120_000 },
    (_title, workerFile, inFlight) => {
      const outcome = run(workerFile, inFlight, false);
      expect(outcome.streamError).toBe('ERR_WORKER_FAILED');
      expect(outcome.workerFailures).toBeGreaterThanOrEqual(1);
      expect(outcome.closed).toBe(true);
    },
  );

  it.each([
    ['every thread dies from frame 33 on', DYING_WORKER],
    ['one thread dies at frame 33', CRASHING_WORKER],
  ] as const)(
    '%s: the pool still serves a new message afterwards, and close() then settles',
    { timeout: 120_000 },
    (_title, workerFile) => {
      const outcome = run(workerFile, 8, true);
      expect(outcome.streamError).toBe('ERR_WORKER_FAILED');
      expect(outcome.servedAfterDeath).toBe(true);
      expect(outcome.closed).toBe(true);
    },
  );
});
