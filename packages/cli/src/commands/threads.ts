import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { note, type CliContext } from '../cli-context.js';
import { parseCount } from '../options/parse-size.js';

const MAX_THREADS = 64;

/** Adds `--threads N`. */
export function threadsOption(command: Command): Command {
  return command.option(
    '--threads <n>',
    `seal or open frames on N worker threads (default 1: this thread; this machine has ${availableParallelism()} CPUs)`,
  );
}

/**
 * `--threads N`: 1 to 64; undefined when not given. More threads than CPUs is allowed
 * (a test or a container may want it) but noted once on stderr: the threads then share
 * cores with this one and each other, and the pool is usually slower than one thread.
 * @throws {InvalidArgumentError}
 */
export function parseThreads(text: string | undefined, context: CliContext): number | undefined {
  if (text === undefined) return undefined;
  const threads = parseCount(text, '--threads', 1, MAX_THREADS);
  const cpus = availableParallelism();
  if (threads > cpus) {
    note(
      context,
      `sealflow: warning: --threads ${threads} is more than this machine's ${cpus} CPUs: the threads share cores and are likely slower than fewer (see --threads in the README)`,
    );
  }
  return threads;
}
