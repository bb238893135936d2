import type { CliIo } from '../cli-context.js';

/** Follows `cause` links this deep at most (a cycle must not hang the report). */
const MAX_CAUSE_DEPTH = 8;

/**
 * What a command sees after its stdout was destroyed by the reader's departure: the
 * pipeline's abort, a premature close, a write to a destroyed stream. Taken as the
 * reader going away only when stdout really saw EPIPE.
 */
const AFTERMATH_CODES: ReadonlySet<string> = new Set([
  'ABORT_ERR',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_STREAM_DESTROYED',
]);

const codeOf = (error: unknown): unknown =>
  error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;

/**
 * Watches one run's stdout and stderr.
 *
 * stdout: an EPIPE emitted by the stdout stream itself means its reader went away
 * (`sealflow decrypt m | head -c 10`). Unix tools die of SIGPIPE then; Node ignores
 * SIGPIPE, so the write fails instead. The guard records that error, aborts
 * {@link signal} so every command stops (pipelines destroy their input, so no more is
 * read), and {@link explains} tells `main` that a failure was only that. The same code
 * on another stream (an output file or FIFO given with `-o`) is a real I/O error: it is
 * never emitted by stdout, so the guard never sees it.
 *
 * stderr: an error there is absorbed and changes nothing else. There is nowhere left
 * to report it, and it must not replace the command's own exit code with a crash.
 */
export class StdioGuard {
  readonly #stdout: NodeJS.WriteStream;
  readonly #stderr: NodeJS.WriteStream;
  readonly #gone = new AbortController();
  #stdoutError: Error | undefined;

  readonly #onStdoutError = (error: Error): void => {
    this.#stdoutError ??= error;
    if (codeOf(error) === 'EPIPE' && !this.#gone.signal.aborted) this.#gone.abort(error);
  };

  readonly #onStderrError = (): void => {
    // Absorbed on purpose; see the class comment.
  };

  constructor(io: Pick<CliIo, 'stdout' | 'stderr'>) {
    this.#stdout = io.stdout;
    this.#stderr = io.stderr;
    this.#stdout.on('error', this.#onStdoutError);
    this.#stderr.on('error', this.#onStderrError);
  }

  /** Aborted, with stdout's EPIPE error as its reason, when stdout's reader went away. */
  get signal(): AbortSignal {
    return this.#gone.signal;
  }

  /**
   * The first error stdout failed with, emitted or not yet: a failed write marks the
   * stream `errored` at once but emits 'error' only on a later tick.
   */
  get stdoutError(): Error | undefined {
    return this.#stdoutError ?? this.#stdout.errored ?? undefined;
  }

  /** True when stdout failed with EPIPE: its reader closed the pipe. */
  get readerGone(): boolean {
    return codeOf(this.stdoutError) === 'EPIPE';
  }

  /**
   * True when `error` is how the reader's departure reached the command: stdout's own
   * EPIPE (also as the `cause` of an abort), or the aftermath of stdout being destroyed.
   * A genuine failure (bad input, key store, another file) is never explained away,
   * even when stdout is gone too.
   */
  explains(error: unknown): boolean {
    if (!this.readerGone) return false;
    const epipe = this.stdoutError;
    let current: unknown = error;
    for (let depth = 0; current instanceof Error && depth < MAX_CAUSE_DEPTH; depth++) {
      if (current === epipe) return true;
      current = current.cause;
    }
    const code = codeOf(error);
    return typeof code === 'string' && AFTERMATH_CODES.has(code);
  }

  /**
   * Stops watching. A stream that failed keeps its listener: its 'error' event may
   * still be on its way, and unheard it would crash the process with a stack trace.
   * A failed stream emits nothing after that, so the listener is all that stays.
   */
  release(): void {
    if (this.stdoutError === undefined) this.#stdout.off('error', this.#onStdoutError);
    if (this.#stderr.errored === null) this.#stderr.off('error', this.#onStderrError);
  }
}
