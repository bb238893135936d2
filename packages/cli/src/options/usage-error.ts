import { ErrorCodes, InvalidArgumentError } from '@sealflow/core';

/** A refused command-line value: `ERR_INVALID_ARGUMENT`, exit code 1; the message names the option. */
export function usageError(message: string): InvalidArgumentError {
  return new InvalidArgumentError(ErrorCodes.INVALID_ARGUMENT, message);
}
