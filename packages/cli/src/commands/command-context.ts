import type { Command } from 'commander';
import type { CliContext, CliIo, GlobalOptions } from '../cli-context.js';

/** Commander hands actions their options as a plain record. */
export type CommandOptions<T> = T & Record<string, unknown>;

/** The context of the command being run: the process plus the root options. */
export function contextOf(command: Command, io: CliIo): CliContext {
  const all = command.optsWithGlobals<GlobalOptions & Record<string, unknown>>();
  return {
    io,
    globals: {
      ...(typeof all.keystore === 'string' ? { keystore: all.keystore } : {}),
      ...(all.debug === true ? { debug: true } : {}),
      ...(typeof all.passphraseFile === 'string' ? { passphraseFile: all.passphraseFile } : {}),
      ...(all.quiet === true ? { quiet: true } : {}),
      ...(all.verbose === true ? { verbose: true } : {}),
    },
  };
}
