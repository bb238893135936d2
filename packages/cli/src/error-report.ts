import { isSealflowError } from '@sealflow/core';
import { exitCodeFor, isSystemError, type ExitCode } from './exit-codes.js';

/** What `sealflow` prints for a failure, and how it exits. */
export interface ErrorReport {
  /** A stable code: a sealflow `ERR_*` code, a Node system code (`ENOENT`), or `ERR_INTERNAL`. */
  readonly code: string;
  /** One sentence for a person. */
  readonly sentence: string;
  readonly exitCode: ExitCode;
}

/** Printed for failures that are not sealflow or system errors (bugs). */
export const INTERNAL_CODE = 'ERR_INTERNAL';

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  EEXIST: 'already exists',
  ENOSPC: 'no space left on device',
  EROFS: 'read-only file system',
  EPIPE: 'the reading end of the pipe was closed',
  EMFILE: 'too many open files',
  EBADF: 'bad file descriptor',
  EXDEV: 'cannot rename across file systems',
};

/** Collapses a message to one line without a trailing period (the CLI adds none). */
function oneLine(text: string): string {
  return text
    .replace(/\s*\n\s*/g, ' ')
    .trim()
    .replace(/\.$/, '');
}

/** Turns anything thrown into the code, sentence and exit code `sealflow` reports. */
export function reportFor(error: unknown): ErrorReport {
  const exitCode = exitCodeFor(error);
  if (isSealflowError(error)) {
    // KMS-shaped exceptions (MemoryKms, the AWS SDK) carry the service's exception name:
    // say it, as AWS tools do ("NotFoundException: ...").
    const named = /Exception$/.test(error.name) && !error.message.includes(error.name) ? `${error.name}: ` : '';
    return { code: error.code, sentence: `${named}${oneLine(error.message)}`, exitCode };
  }
  if (isSystemError(error)) {
    const text =
      ERRNO_TEXT[error.code] ?? oneLine(error.message.replace(/^E[A-Z0-9]+:\s*/, '').replace(/,\s*\w+\s+'[^']*'$/, ''));
    const where = error.path === undefined ? '' : `: ${error.path}`;
    return { code: error.code, sentence: `${text}${where}`, exitCode };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    code: INTERNAL_CODE,
    sentence: `unexpected failure (${oneLine(message)}); rerun with --debug and report it`,
    exitCode,
  };
}

/** The line printed on stderr: `sealflow: <code>: <sentence>`. */
export function formatReport(report: ErrorReport): string {
  return `sealflow: ${report.code}: ${report.sentence}\n`;
}

/** The stack and cause chain, printed after the report line with `--debug`. */
export function debugDetail(error: unknown): string {
  const lines: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 8; depth++) {
    const text = current instanceof Error ? (current.stack ?? `${current.name}: ${current.message}`) : String(current);
    lines.push(depth === 0 ? text : `caused by: ${text}`);
    current = current instanceof Error ? current.cause : undefined;
  }
  return `${lines.join('\n')}\n`;
}
