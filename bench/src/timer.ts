import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Bench } from 'tinybench';

/** How long to measure one task. */
export interface Budget {
  /** Time budget in milliseconds (tinybench keeps going until both this and `minIterations` are met). */
  readonly timeMs: number;
  readonly minIterations: number;
  /**
   * Start from a collected heap (default true). For small operations the garbage left by
   * whatever ran before (a cross-check, another contestant) otherwise lands on whoever is
   * timed first: identical code paths differed by up to 1.5x at 1 KiB. Large one-shot
   * calls collect on their own as they go, and a forced collection before them skewed
   * them instead (in one process, raw node:crypto then beat the engine by 20% at 64 MiB,
   * while in separate processes the two are equal), so they opt out.
   */
  readonly collect?: boolean;
}

export interface Timing {
  /** Mean milliseconds per operation. */
  readonly meanMs: number;
  /** Median milliseconds per operation (what the native suite reports: see there). */
  readonly medianMs: number;
  /** The fastest operation, milliseconds (what a bound is measured by). */
  readonly minMs: number;
  readonly samples: number;
  /** Relative margin of error, percent. */
  readonly rme: number;
  /** Process CPU time (every thread: workers and libuv's pool too) per operation, milliseconds. */
  readonly cpuMs: number;
}

let gc: (() => void) | undefined;

/**
 * A full garbage collection: `global.gc` when exposed, else one obtained through the V8
 * flag the first time it is needed.
 */
function collectGarbage(): void {
  gc ??= (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}

const cpuMsSince = (start: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};

/**
 * Times `fn` with tinybench after its warm-up of at least one call and a fifth of the time
 * budget (at most 50 ms): a task measured cold, before the JIT settles, would lose to the
 * same code measured later. (The warm-up is tinybench's own: a hand-rolled loop before the
 * run measured 64 MiB one-shot calls of the engine 15 to 20% slower, for reasons not
 * found.) CPU time is counted from the end of the warm-up. @throws what `fn` throws
 */
export async function time(name: string, fn: () => Promise<unknown>, budget: Budget): Promise<Timing> {
  if (budget.collect !== false) collectGarbage();
  const bench = new Bench({
    time: budget.timeMs,
    iterations: budget.minIterations,
    warmupTime: Math.min(budget.timeMs / 5, 50),
    warmupIterations: 1,
    throws: true,
  });
  bench.add(name, fn);
  let cpu = process.cpuUsage();
  // tinybench announces 'start' once the warm-up is over.
  bench.addEventListener('start', () => {
    cpu = process.cpuUsage();
  });
  await bench.run();
  const cpuMs = cpuMsSince(cpu);
  const task = bench.tasks[0];
  const result = task?.result;
  if (result === undefined || result.state !== 'completed')
    throw new Error(`bench task ${name} did not complete (${result?.state ?? 'missing'})`);
  return {
    meanMs: result.latency.mean,
    medianMs: result.latency.p50 ?? result.latency.mean,
    minMs: result.latency.min,
    samples: result.latency.samplesCount,
    rme: result.latency.rme,
    cpuMs: cpuMs / result.latency.samplesCount,
  };
}

/** Times one run of `fn` (for workloads too long to repeat, such as a streamed GiB). */
export async function timeOnce(fn: () => Promise<unknown>): Promise<Timing> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await fn();
  const ms = performance.now() - start;
  return { meanMs: ms, medianMs: ms, minMs: ms, samples: 1, rme: 0, cpuMs: cpuMsSince(cpu) };
}

/** MiB/s for `bytes` per operation at `meanMs` per operation. */
export const mibPerSecond = (bytes: number, meanMs: number): number => bytes / (1024 * 1024) / (meanMs / 1000);
