import { describe, expect, it } from 'vitest';
import { ErrorCodes, KeyStoreError, MalformedMessageError } from '@sealflow/core';
import { debugDetail, formatReport, INTERNAL_CODE, reportFor } from '../src/error-report.js';

describe('reportFor / formatReport', () => {
  it('prints a sealflow error as `sealflow: <code>: <sentence>` on one line', () => {
    const report = reportFor(new MalformedMessageError(ErrorCodes.TRUNCATED, 'the message is truncated.\n  more'));
    expect(formatReport(report)).toBe('sealflow: ERR_TRUNCATED: the message is truncated. more\n');
    expect(report.exitCode).toBe(2);
  });

  it('names a KMS exception the way AWS tools do', () => {
    const error = new KeyStoreError(ErrorCodes.KEY_NOT_FOUND, 'Invalid keyId nope');
    Object.defineProperty(error, 'name', { value: 'NotFoundException' });
    expect(reportFor(error).sentence).toBe('NotFoundException: Invalid keyId nope');
  });

  it('prints a system error with its errno code, a plain sentence and the path', () => {
    const error = Object.assign(new Error("ENOENT: no such file or directory, open 'in.bin'"), {
      code: 'ENOENT',
      path: 'in.bin',
      syscall: 'open',
    });
    expect(formatReport(reportFor(error))).toBe('sealflow: ENOENT: no such file or directory: in.bin\n');
  });

  it('never shows a stack for an unexpected error, and asks for --debug', () => {
    const report = reportFor(new TypeError('cannot read properties of undefined'));
    expect(report.code).toBe(INTERNAL_CODE);
    expect(report.sentence).toMatch(/--debug/);
    expect(formatReport(report)).not.toMatch(/\n\s+at /);
    expect(debugDetail(new Error('outer', { cause: new Error('inner') }))).toMatch(
      /outer[\s\S]*caused by: Error: inner/,
    );
  });
});
