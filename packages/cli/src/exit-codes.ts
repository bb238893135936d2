import {
  AuthenticationError,
  ErrorCodes,
  InvalidArgumentError,
  KeyStoreError,
  LimitExceededError,
  MalformedMessageError,
  type ErrorCode,
} from '@sealflow/core';

/**
 * The process exit codes of `sealflow`, documented in the package README. They are
 * API: scripts branch on them. 70 is sysexits' EX_SOFTWARE; 130 is the shell's
 * convention for "interrupted by SIGINT"; 141 the shell's status for a process that
 * SIGPIPE killed (128 + 13).
 */
export const ExitCodes = {
  /** The command did what it was asked. */
  OK: 0,
  /** Bad command line or argument (unknown option, malformed value, refused option). */
  USAGE: 1,
  /** The input is not a message we accept: malformed, altered, wrong context, over a limit. */
  BAD_INPUT: 2,
  /** A key store refused or failed: unknown, disabled or denied key, wrong passphrase, unreachable KMS. */
  KEY_STORE: 3,
  /** A file or stream could not be read or written. */
  IO: 4,
  /** A bug or an unexpected failure (the message asks for a report; `--debug` shows the stack). */
  INTERNAL: 70,
  /** Interrupted by SIGINT or SIGTERM (the output was cleaned up). */
  INTERRUPTED: 130,
  /**
   * stdout's reader went away (`sealflow decrypt m | head`): the command stopped
   * quietly, as `cat` or `gzip` would by dying of SIGPIPE. Not 0: the output was not
   * all delivered, and a decrypt was not verified to its end.
   */
  BROKEN_PIPE: 141,
} as const;

export type ExitCode = (typeof ExitCodes)[keyof typeof ExitCodes];

const BAD_INPUT_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  ErrorCodes.MALFORMED_MESSAGE,
  ErrorCodes.UNSUPPORTED_VERSION,
  ErrorCodes.UNSUPPORTED_SUITE,
  ErrorCodes.BASE64_INPUT,
  ErrorCodes.TRUNCATED,
  ErrorCodes.TRAILING_BYTES,
  ErrorCodes.FRAME_SEQUENCE,
  ErrorCodes.RANGE_NOT_SATISFIABLE,
  ErrorCodes.AUTHENTICATION_FAILED,
  ErrorCodes.COMMITMENT_MISMATCH,
  ErrorCodes.SIGNATURE_INVALID,
  ErrorCodes.CONTEXT_MISMATCH,
  ErrorCodes.LIMIT_EXCEEDED,
  ErrorCodes.COMMITMENT_POLICY,
]);

const USAGE_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  ErrorCodes.INVALID_ARGUMENT,
  ErrorCodes.RESERVED_CONTEXT_KEY,
]);

/** Node's system error codes (`ENOENT`, `EACCES`, ...) all start with E and are upper case. */
export function isSystemError(error: unknown): error is NodeJS.ErrnoException & { code: string } {
  return (
    error instanceof Error &&
    typeof (error as NodeJS.ErrnoException).code === 'string' &&
    /^E[A-Z0-9]+$/.test((error as NodeJS.ErrnoException).code as string)
  );
}

/**
 * The exit code for an error: by stable code first (an `ERR_TRUNCATED` is bad input
 * whichever class carries it), then by class, then system errors are I/O, and
 * anything else is internal.
 */
export function exitCodeFor(error: unknown): ExitCode {
  const code =
    typeof (error as { code?: unknown } | null)?.code === 'string' ? (error as { code: string }).code : undefined;
  if (code !== undefined && BAD_INPUT_CODES.has(code)) return ExitCodes.BAD_INPUT;
  if (code !== undefined && USAGE_CODES.has(code)) return ExitCodes.USAGE;
  if (error instanceof KeyStoreError) return ExitCodes.KEY_STORE;
  if (
    error instanceof MalformedMessageError ||
    error instanceof AuthenticationError ||
    error instanceof LimitExceededError
  )
    return ExitCodes.BAD_INPUT;
  if (error instanceof InvalidArgumentError) return ExitCodes.USAGE;
  if (isSystemError(error)) return ExitCodes.IO;
  return ExitCodes.INTERNAL;
}
