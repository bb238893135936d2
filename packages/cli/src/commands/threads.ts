import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { parseCount } from '../options/parse-size.js';

const MAX_THREADS = 64;

/** Adds `--threads N`. */
export function threadsOption(command: Command): Command {
  return command.option('--threads <n>', `seal or open frames on N worker threads (default 1: this thread; this machine has ${availableParallelism()} CPUs)`);
}

/**
 * `--threads N`: 1 to 64; undefined when not given.
 * @throws {InvalidArgumentError}
 */
export function parseThreads(text: string | undefined): number | undefined {
  return text === undefined ? undefined : parseCount(text, '--threads', 1, MAX_THREADS);
}
