import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createTestEngine } from '@sealflow/core/testing';
import { CONTEXT, fixedOptions, rawFrames, type Fixture } from '../contestants.js';
import { crossCheck } from '../cross-check.js';
import { log } from '../log.js';
import type { ResultRow } from '../results.js';
import { streamContestants } from '../stream-contestants.js';
import { countingSink, repeatingSource } from '../streams-io.js';
import { mibPerSecond, timeOnce, type Timing } from '../timer.js';
import { KiB, MiB, sizeLabel } from '../units.js';
import type { SuiteOutput } from './messages.js';

export const STREAM_FRAME_LENGTH: number = 64 * KiB;
const CHUNK = 64 * KiB;

export interface StreamsConfig {
  readonly total: number;
  readonly noble: boolean;
  /** Bytes streamed by client-node (the whole total in a full run). */
  readonly peerTotal: number;
}

/** The shared stream chunk: 64 KiB of random bytes, sent over and over. */
export const streamChunk = (): Uint8Array => new Uint8Array(randomBytes(CHUNK));

/** Writes the message the decrypt and range suites read: `total` bytes, sealflow, fixed materials. */
export async function writeMessageFile(
  fixture: Fixture,
  path: string,
  total: number,
  chunk: Uint8Array,
): Promise<void> {
  const engine = createTestEngine({ keyStore: fixture.store, frameLength: STREAM_FRAME_LENGTH });
  await pipeline(
    repeatingSource(total, chunk),
    engine.encryptStream(fixedOptions(fixture, { context: CONTEXT })),
    createWriteStream(path),
  );
}

/**
 * Streamed encrypt (generated source) and decrypt (the stored message read into memory
 * once, then streamed in 64 KiB chunks, so file I/O is not what is measured), one run each.
 */
export async function runStreams(
  fixture: Fixture,
  config: StreamsConfig,
  path: string,
  chunk: Uint8Array,
): Promise<SuiteOutput> {
  const message = new Uint8Array(await readFile(path));
  const raw = await rawFrames(fixture, STREAM_FRAME_LENGTH);
  const list = await streamContestants(fixture, STREAM_FRAME_LENGTH, raw.headerLength, { noble: config.noble });
  const check = await crossCheck(
    'streams, 64 KiB frames, 8 MiB + 123 B',
    list.map((c) => c.check),
    new Uint8Array(randomBytes(8 * MiB + 123)),
  );
  log('streams: cross-checked');
  const rows: ResultRow[] = [];
  for (const contestant of list) {
    const total = contestant.name === 'client-node' ? config.peerTotal : config.total;
    const note = total === config.total ? undefined : `streamed ${sizeLabel(total)} in this run`;
    const encryptSink = countingSink();
    const encrypted = await timeOnce(() => contestant.encrypt(repeatingSource(total, chunk), encryptSink));
    rows.push(row('encrypt', contestant.name, config.total, total, encrypted, note));
    const decryptSink = countingSink();
    const decrypted = await timeOnce(() => contestant.decrypt(message, decryptSink));
    if (decryptSink.bytes() !== config.total)
      throw new Error(`${contestant.name} decrypted ${decryptSink.bytes()} bytes of a ${config.total}-byte message`);
    rows.push(row('decrypt', contestant.name, config.total, config.total, decrypted, undefined));
    log(
      `streams: ${contestant.name} ${Math.round(mibPerSecond(total, encrypted.meanMs))} / ${Math.round(mibPerSecond(config.total, decrypted.meanMs))} MiB/s`,
    );
  }
  return { rows, checks: [check] };
}

function row(
  operation: 'encrypt' | 'decrypt',
  contestant: string,
  label: number,
  bytes: number,
  timing: Timing,
  note: string | undefined,
): ResultRow {
  const ms = timing.meanMs;
  return {
    suite: 'streams',
    workload: `${operation} stream ${sizeLabel(label)}, 64 KiB frames`,
    operation,
    bytes,
    frameLength: STREAM_FRAME_LENGTH,
    contestant,
    mibPerSecond: mibPerSecond(bytes, ms),
    opsPerSecond: 1000 / ms,
    cpuMsPerMiB: timing.cpuMs / (bytes / MiB),
    samples: 1,
    note,
  };
}
