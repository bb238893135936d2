import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  ErrorCodes,
  InvalidArgumentError,
  KeyStoreError,
  LimitExceededError,
  MalformedMessageError,
  SealflowError,
} from '@sealflow/core';
import { exitCodeFor, ExitCodes } from '../src/exit-codes.js';

describe('exitCodeFor', () => {
  it('maps usage errors to 1', () => {
    expect(exitCodeFor(new InvalidArgumentError(ErrorCodes.INVALID_ARGUMENT, 'x'))).toBe(ExitCodes.USAGE);
    expect(exitCodeFor(new InvalidArgumentError(ErrorCodes.RESERVED_CONTEXT_KEY, 'x'))).toBe(1);
  });

  it('maps malformed, unauthentic and oversized input to 2, by code whichever class carries it', () => {
    expect(exitCodeFor(new MalformedMessageError(ErrorCodes.TRUNCATED, 'x'))).toBe(ExitCodes.BAD_INPUT);
    expect(exitCodeFor(new KeyStoreError(ErrorCodes.TRUNCATED, 'a store passing on a wrapped error'))).toBe(2);
    expect(exitCodeFor(new AuthenticationError(ErrorCodes.AUTHENTICATION_FAILED, 'x'))).toBe(2);
    expect(exitCodeFor(new AuthenticationError(ErrorCodes.CONTEXT_MISMATCH, 'x'))).toBe(2);
    expect(exitCodeFor(new LimitExceededError('maxFrameLength', 1, 2))).toBe(2);
    expect(exitCodeFor(new SealflowError(ErrorCodes.RANGE_NOT_SATISFIABLE, 'x'))).toBe(2);
  });

  it('maps key store failures to 3, including codes it does not know yet', () => {
    for (const code of [
      ErrorCodes.KEY_NOT_FOUND,
      ErrorCodes.KEY_DISABLED,
      ErrorCodes.ACCESS_DENIED,
      ErrorCodes.NO_DECRYPTABLE_KEY,
      ErrorCodes.KEY_STORE_LOCKED,
    ]) {
      expect(exitCodeFor(new KeyStoreError(code, 'x'))).toBe(ExitCodes.KEY_STORE);
    }
  });

  it('maps system errors to 4 and anything else to 70', () => {
    expect(exitCodeFor(Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' }))).toBe(ExitCodes.IO);
    expect(exitCodeFor(new TypeError('bug'))).toBe(ExitCodes.INTERNAL);
    expect(exitCodeFor('a string')).toBe(70);
    expect(exitCodeFor(Object.assign(new Error('x'), { code: 'commander.unknownOption' }))).toBe(70);
  });

  it("pins the documented exit codes, 141 (128 + SIGPIPE) for stdout's reader leaving among them", () => {
    expect(ExitCodes).toEqual({
      OK: 0,
      USAGE: 1,
      BAD_INPUT: 2,
      KEY_STORE: 3,
      IO: 4,
      INTERNAL: 70,
      INTERRUPTED: 130,
      BROKEN_PIPE: 141,
    });
  });
});
