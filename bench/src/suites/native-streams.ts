// The native suite's stream rows: 1 GiB through raw node:crypto's per-frame sealing, the
// engine with the native backend on one thread and on a 2-thread native frame pool, and the
// copy-free ceiling of 2 threads (../copy-free-stream.ts), in interleaved rounds.
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Engine } from '@sealflow/core';
import { createTestEngine } from '@sealflow/core/testing';
import { nativeBinding } from '@sealflow/native';
import { createFramePool } from '@sealflow/parallel';
import { CONTEXT, rawFrames, type Fixture } from '../contestants.js';
import { CopyFreeSealer } from '../copy-free-stream.js';
import { log } from '../log.js';
import type { ResultRow } from '../results.js';
import { countingSink, repeatingSource } from '../streams-io.js';
import { mibPerSecond, timeOnce, type Timing } from '../timer.js';
import { MiB, sizeLabel } from '../units.js';
import { COPY_FREE, FL, NATIVE_ONE, NATIVE_TWO, nativeRow as row } from './native-rows.js';

/**
 * Rounds of the stream rows: each contestant runs once per round, in a rotating order, and
 * its row is the median round. One 1 GiB run each (as before) moved the ratios by up to
 * 1.5x between runs minutes apart: a burst of load from elsewhere lands on whoever is
 * running.
 */
const STREAM_ROUNDS = 5;

/** The copy-free sealer's write buffer: what Node buffers for its next batch while one is sealed. */
const COPY_FREE_WRITE_BUFFER = 16 * MiB;

/**
 * Stream rows (64 KiB frames, 64 KiB chunks): raw node:crypto sealing frame by frame, native
 * 1 and 2 threads, and the copy-free ceiling of 2 threads (encrypt).
 */
export async function nativeStreams(fixture: Fixture, total: number): Promise<ResultRow[]> {
  const chunk = new Uint8Array(randomBytes(FL));
  const workload = `stream ${sizeLabel(total)}, ${sizeLabel(FL)} frames`;
  const raw = await rawFrames(fixture, FL);
  const path = join(tmpdir(), `sealflow-bench-native-${process.pid}.msg`);
  const pool = createFramePool({ mode: 'native', threads: 2 });
  try {
    const one = createTestEngine({ keyStore: fixture.store, frameLength: FL, backend: 'native' });
    await pipeline(repeatingSource(total, chunk), one.encryptStream({ context: CONTEXT }), createWriteStream(path));
    const engines: Record<string, Engine> = {
      [NATIVE_ONE]: one,
      [NATIVE_TWO]: createTestEngine({ keyStore: fixture.store, frameLength: FL, backend: 'native', offload: pool }),
    };
    const runs: { name: string; op: 'encrypt' | 'decrypt'; fn: () => Promise<unknown> }[] = [
      {
        name: 'raw-node',
        op: 'encrypt',
        fn: async () => {
          let sequence = 1;
          const source = repeatingSource(total, chunk);
          const sealing = Readable.from(
            (async function* () {
              for await (const piece of source) yield* raw.sealFrame(piece as Uint8Array, sequence++);
            })(),
          );
          await pipeline(sealing, countingSink());
        },
      },
    ];
    const binding = nativeBinding;
    if (binding !== undefined) {
      runs.push({
        name: COPY_FREE,
        op: 'encrypt',
        fn: async () => {
          const sealer = new CopyFreeSealer(binding, FL, 2, COPY_FREE_WRITE_BUFFER);
          await pipeline(repeatingSource(total, chunk), sealer);
          if (sealer.sealed !== (total / FL) * (FL + 32)) throw new Error('copy-free sealer: frames missing');
        },
      });
    }
    for (const [name, engine] of Object.entries(engines)) {
      runs.push(
        {
          name,
          op: 'encrypt',
          fn: async () =>
            pipeline(repeatingSource(total, chunk), engine.encryptStream({ context: CONTEXT }), countingSink()),
        },
        {
          name,
          op: 'decrypt',
          fn: async () =>
            pipeline(createReadStream(path, { highWaterMark: MiB }), engine.decryptStream(), countingSink()),
        },
      );
    }
    // One untimed run each first: every contestant's first GiB ran up to 1.7x slower than
    // its later ones in a probe (the JIT, and the first touch of the memory it then reuses).
    for (const run of runs) await run.fn();
    const timings = runs.map((): Timing[] => []);
    for (let round = 0; round < STREAM_ROUNDS; round++) {
      for (let k = 0; k < runs.length; k++) {
        const i = (k + round) % runs.length;
        const run = runs[i] as (typeof runs)[number];
        (timings[i] as Timing[]).push(await timeOnce(run.fn));
      }
    }
    return runs.map((run, i) => {
      const sorted = [...(timings[i] as Timing[])].sort((a, b) => a.meanMs - b.meanMs);
      const median = sorted[Math.floor(sorted.length / 2)] as Timing;
      const mib = mibPerSecond(total, median.meanMs);
      const range = sorted.map((t) => Math.round(mibPerSecond(total, t.meanMs))).reverse();
      log(`native: ${run.name} ${run.op} ${workload}: ${Math.round(mib)} MiB/s (rounds ${range.join(', ')})`);
      const note = `CPU ${(median.cpuMs / (total / MiB)).toFixed(2)} ms/MiB; median of ${sorted.length} rounds (${range.join(', ')} MiB/s)`;
      return row(workload, run.op, total, FL, run.name, mib, sorted.length, note);
    });
  } finally {
    await pool.close();
    await rm(path, { force: true });
  }
}
