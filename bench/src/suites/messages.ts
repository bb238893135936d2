import { randomBytes } from 'node:crypto';
import { contestants, type Contestant, type Fixture } from '../contestants.js';
import { crossCheck } from '../cross-check.js';
import { log } from '../log.js';
import type { CrossCheckRecord, Operation, ResultRow } from '../results.js';
import { mibPerSecond, time, type Budget } from '../timer.js';
import { MiB, sizeLabel } from '../units.js';

export interface MessagesConfig {
  readonly sizes: readonly number[];
  readonly frameLengths: readonly number[];
  /** How long to time one workload of `bytes` bytes. */
  budget(bytes: number): Budget;
  /** Plaintext size of the cross-check for a workload of `bytes` (every pair decrypts it, the slowest too). */
  crossCheckBytes(bytes: number): number;
  /** A reason to leave a contestant out of one workload (too slow for the run's budget), or undefined. */
  skip(contestant: string, bytes: number, frameLength: number): string | undefined;
}

export interface SuiteOutput {
  readonly rows: ResultRow[];
  readonly checks: CrossCheckRecord[];
}

/** One-shot `encrypt`/`decrypt` of in-memory messages: every contestant, every size and frame length. */
export async function runMessages(fixture: Fixture, config: MessagesConfig): Promise<SuiteOutput> {
  const rows: ResultRow[] = [];
  const checks: CrossCheckRecord[] = [];
  for (const frameLength of config.frameLengths) {
    const list = await contestants(fixture, frameLength);
    for (const bytes of config.sizes) {
      // 1 MiB frames only make sense for messages of at least one frame.
      if (frameLength >= MiB && bytes < frameLength) continue;
      const label = `${sizeLabel(bytes)}, ${sizeLabel(frameLength)} frames`;
      const plaintext = new Uint8Array(randomBytes(bytes));
      const checked = config.crossCheckBytes(bytes);
      checks.push(
        await crossCheck(
          checked === bytes ? label : `${label} (checked on ${sizeLabel(checked)} + 123 B)`,
          list,
          checked === bytes ? plaintext : plaintext.subarray(0, checked + 123),
        ),
      );
      log(`messages: ${label} (cross-checked)`);
      const measured = new Map<string, ResultRow[]>();
      const run = async (contestant: Contestant): Promise<ResultRow[]> => {
        const encrypted = await measure(
          contestant,
          'encrypt',
          plaintext,
          label,
          frameLength,
          config.budget(bytes),
          () => contestant.encrypt(plaintext),
        );
        const ciphertext = await contestant.encrypt(plaintext);
        return [
          encrypted,
          await measure(contestant, 'decrypt', plaintext, label, frameLength, config.budget(bytes), () =>
            contestant.decrypt(ciphertext),
          ),
        ];
      };
      for (const contestant of list) {
        if (config.skip(contestant.name, bytes, frameLength) === undefined)
          measured.set(contestant.name, await run(contestant));
      }
      // Order matters on large messages (page faults and the collector's state dominate):
      // the pair the targets compare runs once more, in the other order, and keeps its best.
      for (const name of SECOND_PLACEMENT) {
        const contestant = list.find((c) => c.name === name);
        const first = measured.get(name);
        if (contestant === undefined || first === undefined) continue;
        const again = await run(contestant);
        measured.set(
          name,
          first.map((row, i) => bestOf(row, again[i] as ResultRow)),
        );
      }
      for (const list of measured.values()) rows.push(...list);
    }
  }
  return { rows, checks };
}

/** Measured twice, in both orders: raw node:crypto (first in the list) and the engine on one thread. */
const SECOND_PLACEMENT = ['sealflow', 'raw-node'] as const;

const bestOf = (a: ResultRow, b: ResultRow): ResultRow => {
  const best = (b.mibPerSecond ?? 0) > (a.mibPerSecond ?? 0) ? b : a;
  return { ...best, samples: a.samples + b.samples, note: 'the better of two placements in the run order' };
};

async function measure(
  contestant: Contestant,
  operation: Operation,
  plaintext: Uint8Array,
  label: string,
  frameLength: number,
  budget: Budget,
  fn: () => Promise<unknown>,
): Promise<ResultRow> {
  const timing = await time(`${contestant.name} ${operation} ${label}`, fn, budget);
  return {
    suite: 'messages',
    workload: `${operation} ${label}`,
    operation,
    bytes: plaintext.length,
    frameLength,
    contestant: contestant.name,
    mibPerSecond: mibPerSecond(plaintext.length, timing.meanMs),
    opsPerSecond: 1000 / timing.meanMs,
    cpuMsPerMiB: timing.cpuMs / (plaintext.length / MiB),
    samples: timing.samples,
  };
}
