import { availableParallelism, cpus } from 'node:os';
import type { Command } from 'commander';
import { readPoolSlowerVerdict } from '../bench/pool-verdict.js';
import { note, type CliContext } from '../cli-context.js';
import { parseCount } from '../options/parse-size.js';
import { benchResultsFile } from './bench.js';

const MAX_THREADS = 64;

/** Adds `--threads N`. */
export function threadsOption(command: Command): Command {
  return command.option(
    '--threads <n>',
    `seal or open frames on N worker threads (default 1: this thread; this machine has ${availableParallelism()} CPUs)`,
  );
}

/**
 * `--threads N`: 1 to 64; undefined when not given. A pool (N > 1) that is likely slower
 * than one thread is allowed (a test or a container may want it) but noted once on
 * stderr: when N is more than the CPUs (the threads share cores with this one and each
 * other), or else when the bench's last run on this machine measured the pool slower
 * than one thread for streamed `operation` (`bench/pool-verdict.ts` says which runs count).
 * @throws {InvalidArgumentError}
 */
export function parseThreads(
  text: string | undefined,
  context: CliContext,
  operation: 'encrypt' | 'decrypt',
): number | undefined {
  if (text === undefined) return undefined;
  const threads = parseCount(text, '--threads', 1, MAX_THREADS);
  if (threads <= 1) return threads;
  const count = availableParallelism();
  if (threads > count) {
    note(
      context,
      `sealflow: warning: --threads ${threads} is more than this machine's ${count} CPUs: the threads share cores and are likely slower than fewer (see --threads in the README)`,
    );
    return threads;
  }
  const results = benchResultsFile(context.io.env);
  const verdict = readPoolSlowerVerdict(results, operation, threads, {
    platform: `${process.platform} ${process.arch}`,
    cpus: count,
    cpuModel: cpus()[0]?.model ?? 'unknown',
  });
  if (verdict !== undefined) {
    note(
      context,
      `sealflow: warning: --threads ${threads}: the bench run of ${verdict.generatedAt} on this machine measured ${verdict.workers} worker threads at ${verdict.ratio.toFixed(2)}x one thread for streamed ${operation} (${results}); one thread is likely faster here (see --threads in the README)`,
    );
  }
  return threads;
}
