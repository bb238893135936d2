// The pool shuts down cleanly: close() ends the threads, a message caught by it fails with
// ERR_WORKER_FAILED instead of hanging, later messages stay on the calling thread, and an
// idle pool never keeps a process alive.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createEngine, ErrorCodes, WorkerError } from '@sealflow/core';
import { createTestEngine } from '@sealflow/core/testing';
import {
  chunked,
  collect,
  fixedMaterials,
  patternBytes,
  rawAesStore,
} from '../../packages/core/test/engine/fixtures.js';
import { expectSameBytes, KiB, MiB, MODES, pool } from './support/pools.js';

describe.each(MODES)('closing a frame pool (%s)', (mode) => {
  it('a message still running when the pool closes fails with ERR_WORKER_FAILED after a prefix of its output', async () => {
    const p = pool({ mode, threads: 2, batchBytes: MiB, maxInFlightBytes: 2 * MiB, minMessageBytes: 0 });
    const store = rawAesStore();
    const fixed = await fixedMaterials(store);
    const plaintext = patternBytes(24 * MiB);
    // The same API on one thread: a stream of unknown length ends with an empty final frame.
    const expected = await collect(
      createTestEngine({ keyStore: store }).encryptIterable(chunked(plaintext, [256 * KiB]), fixed),
    );
    const parallel = createTestEngine({ keyStore: store, offload: p });
    const parts: Uint8Array[] = [];
    let closing: Promise<void> | undefined;
    let error: unknown;
    try {
      for await (const piece of parallel.encryptIterable(chunked(plaintext, [256 * KiB]), fixed)) {
        parts.push(piece);
        closing ??= p.close();
      }
    } catch (e) {
      error = e;
    }
    await closing;
    // crypto.subtle has no threads of its own to close: its message may finish; a worker pool's cannot.
    if (mode === 'workers' || error !== undefined) {
      expect(error).toBeInstanceOf(WorkerError);
      expect((error as WorkerError).code).toBe(ErrorCodes.WORKER_FAILED);
    }
    const out = Buffer.concat(parts);
    expectSameBytes(out, expected.subarray(0, out.length), 'output before the close');
  });

  it('after close(), messages stay on the calling thread and still round-trip; close() twice is fine', async () => {
    const p = pool({ mode, threads: 1, minMessageBytes: 0 });
    const parallel = createEngine({ keyStore: rawAesStore(), offload: p });
    await parallel.encrypt(patternBytes(3 * MiB));
    const batches = p.stats().batches;
    expect(batches).toBeGreaterThan(0);
    await p.close();
    await p.close();
    const declined = p.stats().declined;
    const plaintext = patternBytes(3 * MiB, 2);
    const sealed = await parallel.encrypt(plaintext);
    expectSameBytes((await parallel.decrypt(sealed)).plaintext, plaintext, 'after close');
    expect(p.stats().batches).toBe(batches);
    expect(p.stats().declined).toBe(declined + 2);
  });
});

describe('an idle pool', () => {
  it('never keeps the process alive: a script that uses the pool and does not close it exits by itself', () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const script = `
      const { createEngine, RawAesKeyStore } = await import(${JSON.stringify(`${root}packages/core/dist/index.js`)});
      const { createFramePool } = await import(${JSON.stringify(`${root}packages/parallel/dist/index.js`)});
      const pool = createFramePool({ threads: 2, minMessageBytes: 0 });
      const engine = createEngine({ keyStore: new RawAesKeyStore({ namespace: 'n', name: 'k', key: new Uint8Array(32).fill(1) }), offload: pool });
      const sealed = await engine.encrypt(new Uint8Array(8 * 1024 * 1024).fill(7));
      const { plaintext } = await engine.decrypt(sealed);
      console.log(pool.stats().batches > 0 && plaintext.length === 8 * 1024 * 1024 ? 'used the pool' : 'did not');
    `;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.stderr).toBe('');
    expect(child.signal).toBeNull(); // not killed by the timeout: it ended on its own
    expect(child.status).toBe(0);
    expect(child.stdout.trim()).toBe('used the pool');
  });
});
