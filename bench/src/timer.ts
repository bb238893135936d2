import { Bench } from 'tinybench';

/** How long to measure one task. */
export interface Budget {
  /** Time budget in milliseconds (tinybench keeps going until both this and `minIterations` are met). */
  readonly timeMs: number;
  readonly minIterations: number;
}

export interface Timing {
  /** Mean milliseconds per operation. */
  readonly meanMs: number;
  readonly samples: number;
  /** Relative margin of error, percent. */
  readonly rme: number;
}

/** Times `fn` with tinybench after one warm-up call. @throws what `fn` throws */
export async function time(name: string, fn: () => Promise<unknown>, budget: Budget): Promise<Timing> {
  const bench = new Bench({ time: budget.timeMs, iterations: budget.minIterations, warmupTime: 0, warmupIterations: 1, throws: true });
  bench.add(name, fn);
  await bench.run();
  const task = bench.tasks[0];
  const result = task?.result;
  if (result === undefined || result.state !== 'completed') throw new Error(`bench task ${name} did not complete (${result?.state ?? 'missing'})`);
  return { meanMs: result.latency.mean, samples: result.latency.samplesCount, rme: result.latency.rme };
}

/** Times one run of `fn` (for workloads too long to repeat, such as a streamed GiB). */
export async function timeOnce(fn: () => Promise<unknown>): Promise<Timing> {
  const start = performance.now();
  await fn();
  return { meanMs: performance.now() - start, samples: 1, rme: 0 };
}

/** MiB/s for `bytes` per operation at `meanMs` per operation. */
export const mibPerSecond = (bytes: number, meanMs: number): number => bytes / (1024 * 1024) / (meanMs / 1000);
