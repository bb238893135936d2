import { ErrorCodes, InvalidArgumentError } from '@sealflow/core';
import type { ChecksumFactory } from './checksums.js';

/**
 * Boundary checks of the auth entry points' arguments: a programming error in the
 * gateway (not a client's fault) is an `InvalidArgumentError` naming the field.
 * Options are read by own properties; unknown keys are refused, so a typo or a
 * polluted prototype changes nothing.
 */

/** Checked settings. */
export interface CheckedAuthOptions {
  readonly region: string;
  readonly now: () => number;
  readonly checksums: ChecksumFactory | undefined;
}

const KNOWN = new Set(['region', 'now', 'checksums']);

/** @throws InvalidArgumentError when an argument is not what the entry point takes. */
export function checkAuthArguments(
  entry: string,
  request: unknown,
  body: unknown,
  credentials: unknown,
  options: unknown,
): CheckedAuthOptions {
  const fail = (field: string, expected: string, value: unknown): never => {
    throw new InvalidArgumentError(
      ErrorCodes.INVALID_ARGUMENT,
      `${entry}: ${field} must be ${expected}, got ${value === null ? 'null' : typeof value}`,
    );
  };
  if (typeof request !== 'object' || request === null) fail('request', 'an object', request);
  if (
    typeof body !== 'object' ||
    body === null ||
    typeof (body as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] !== 'function'
  ) {
    fail('body', 'an AsyncIterable<Uint8Array>', body);
  }
  if (typeof credentials !== 'function')
    fail('credentials', 'a function (accessKeyId) => account | undefined', credentials);
  if (typeof options !== 'object' || options === null) return fail('options', 'an object', options);
  for (const key of Object.keys(options)) if (!KNOWN.has(key)) fail(`options.${key}`, 'absent (unknown option)', key);
  const own = (key: string): unknown =>
    Object.hasOwn(options, key) ? (options as Record<string, unknown>)[key] : undefined;
  const region = own('region');
  if (typeof region !== 'string' || !/^[a-z0-9-]{1,64}$/.test(region))
    fail('options.region', 'a region name such as "us-east-1"', region);
  const now = own('now');
  if (now !== undefined && typeof now !== 'function') fail('options.now', 'a function returning milliseconds', now);
  const checksums = own('checksums');
  if (checksums !== undefined && typeof checksums !== 'function') fail('options.checksums', 'a function', checksums);
  return {
    region: region as string,
    now: (now as (() => number) | undefined) ?? Date.now,
    checksums: checksums as ChecksumFactory | undefined,
  };
}
