import { RESERVED_CONTEXT_PREFIX } from '@sealflow/core';
import { usageError } from './usage-error.js';

/**
 * Parses repeated `key=value` pairs into an encryption context. The value is everything
 * after the first `=` (it may itself hold `=`); keys must be non-empty, unique, and not
 * start with the reserved `aws-crypto-` prefix.
 * @throws {InvalidArgumentError} naming `label` and the offending pair.
 */
export function parseContextPairs(pairs: readonly string[], label: string): Record<string, string> {
  const context = Object.create(null) as Record<string, string>;
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw usageError(`${label}: expected key=value, got "${pair}"`);
    const key = pair.slice(0, at);
    const value = pair.slice(at + 1);
    if (Object.hasOwn(context, key)) throw usageError(`${label}: the key "${key}" is given twice`);
    if (key.startsWith(RESERVED_CONTEXT_PREFIX))
      throw usageError(`${label}: keys starting "${RESERVED_CONTEXT_PREFIX}" are reserved, got "${key}"`);
    context[key] = value;
  }
  // A plain object from here on: the engine reads options by own properties.
  return { ...context };
}

/** Commander's collector for a repeatable option. */
export function collect(value: string, previous: readonly string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
