import type { ProgressTarget } from './io/progress.js';

/** The process as the commands see it: streams, environment, cancellation. */
export interface CliIo {
  readonly stdin: NodeJS.ReadStream;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT / SIGTERM: pipelines stop and temp files are removed. */
  readonly signal: AbortSignal;
}

/** Options every command accepts (defined on the root program). */
export interface GlobalOptions {
  /** `--keystore PATH`: the embedded key store file. */
  readonly keystore?: string;
  /** `--debug`: stack traces on failure. */
  readonly debug?: boolean;
  /** `--passphrase-file PATH`: the embedded store's passphrase, first line of this file. */
  readonly passphraseFile?: string;
  /** `--quiet`: no progress bar, no notes on stderr. */
  readonly quiet?: boolean;
  /** `--verbose`: notes about the engine (e.g. that the native backend did not load). */
  readonly verbose?: boolean;
}

/** What each command runs with. */
export interface CliContext {
  readonly io: CliIo;
  readonly globals: GlobalOptions;
}

/** The progress target: stderr, drawn only on a terminal and not with --quiet or --json. */
export function progressTarget(context: CliContext, json = false): ProgressTarget {
  return {
    stream: context.io.stderr,
    enabled: context.io.stderr.isTTY === true && context.globals.quiet !== true && !json,
  };
}

/**
 * Writes text to stdout, waiting for the stream to take it (pipes apply backpressure).
 * @throws {NodeJS.ErrnoException} (rejects) when stdout fails, e.g. `EPIPE`.
 */
export async function print(context: CliContext, text: string): Promise<void> {
  const out = context.io.stdout;
  await new Promise<void>((resolve, reject) => {
    out.write(text, (error) => (error ? reject(error) : resolve()));
  });
}

/**
 * Writes one JSON document (and a newline) to stdout.
 * @throws {NodeJS.ErrnoException} (rejects) when stdout fails.
 */
export async function printJson(context: CliContext, value: unknown): Promise<void> {
  await print(context, `${JSON.stringify(value, null, 2)}\n`);
}

/** With `--verbose` (and not `--quiet`), `text` on stderr when there is one. */
export function verboseNote(context: CliContext, text: string | undefined): void {
  if (context.globals.verbose === true && text !== undefined) note(context, text);
}

/** A note for a person on stderr (suppressed by --quiet). */
export function note(context: CliContext, text: string): void {
  if (context.globals.quiet !== true) context.io.stderr.write(`${text}\n`);
}
