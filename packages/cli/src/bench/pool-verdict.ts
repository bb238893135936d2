/**
 * What the bench measured for the worker pool on this machine, for `--threads`: read from
 * the results file the bench runner last wrote (`bench/results/latest.json` in a clone,
 * the file `sealflow bench` prints its table from). Only a run recorded on a machine like
 * this one counts (same platform, CPU count and CPU model): a results file copied from
 * elsewhere, or the committed one on another kind of machine, says nothing about this
 * one. The CLI encrypts and decrypts files as streams, so the verdict comes from the
 * `streams` suite's rows: the pool's speed as a ratio to one thread, for the same
 * operation. No timing is done here: a calibration run at start-up would cost more than
 * small files take and would measure the load of the moment, not the machine.
 */
import { readFileSync, statSync } from 'node:fs';

/** A bench result that says the pool was slower than one thread here. */
export interface PoolVerdict {
  /** The pool's throughput over one thread's (below 1: slower). */
  readonly ratio: number;
  /** The worker count the bench measured. */
  readonly workers: number;
  /** When the bench ran (ISO date, as recorded). */
  readonly generatedAt: string;
}

/** The machine a result must have been recorded on to count. */
export interface MachineIdentity {
  readonly platform: string;
  readonly cpus: number;
  readonly cpuModel: string;
}

/** Results files are a few hundred KiB; anything far larger is not one. */
const MAX_RESULTS_BYTES = 16 * 1024 * 1024;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const WORKERS = /^sealflow-workers-(\d+)$/;

/**
 * The slowest pool-vs-one-thread ratio the bench's `streams` suite recorded for
 * `operation` (the worker count closest to `threads`), when the run was on `machine` and
 * that ratio is below 1. The text is untrusted: anything that does not fit gives
 * undefined.
 * @returns undefined when the bench did not show the pool slower on this machine.
 */
export function poolSlowerVerdict(
  text: string,
  operation: 'encrypt' | 'decrypt',
  threads: number,
  machine: MachineIdentity,
): PoolVerdict | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(json) || !Array.isArray(json['rows']) || !isObject(json['machine'])) return undefined;
  const recorded = json['machine'];
  if (
    recorded['platform'] !== machine.platform ||
    recorded['cpus'] !== machine.cpus ||
    recorded['cpuModel'] !== machine.cpuModel
  ) {
    return undefined;
  }
  const generatedAt = typeof json['generatedAt'] === 'string' ? json['generatedAt'].slice(0, 10) : 'an unknown date';
  const measured: { workers: number; ratio: number }[] = [];
  for (const row of json['rows'] as unknown[]) {
    if (!isObject(row) || row['suite'] !== 'streams' || row['operation'] !== operation) continue;
    const workers = WORKERS.exec(typeof row['contestant'] === 'string' ? row['contestant'] : '')?.[1];
    const ratio = row['ratioToSingleThread'];
    if (workers === undefined || typeof ratio !== 'number' || !Number.isFinite(ratio) || ratio <= 0) continue;
    measured.push({ workers: Number(workers), ratio });
  }
  if (measured.length === 0) return undefined;
  const distance = (workers: number): number => Math.abs(workers - threads);
  const nearest = Math.min(...measured.map((m) => distance(m.workers)));
  const candidates = measured.filter((m) => distance(m.workers) === nearest);
  const slowest = candidates.reduce((a, b) => (b.ratio < a.ratio ? b : a));
  return slowest.ratio < 1 ? { ...slowest, generatedAt } : undefined;
}

/**
 * Reads the results file at `path` and gives `poolSlowerVerdict` of it.
 * @returns undefined when the file is missing, unreadable, too large or not a result.
 */
export function readPoolSlowerVerdict(
  path: string,
  operation: 'encrypt' | 'decrypt',
  threads: number,
  machine: MachineIdentity,
): PoolVerdict | undefined {
  try {
    if (statSync(path).size > MAX_RESULTS_BYTES) return undefined;
    return poolSlowerVerdict(readFileSync(path, 'utf8'), operation, threads, machine);
  } catch {
    return undefined;
  }
}
