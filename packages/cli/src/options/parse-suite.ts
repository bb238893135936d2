import type { SuiteId } from '@sealflow/core';
import { usageError } from './usage-error.js';

const NAMES: Readonly<Record<string, SuiteId>> = {
  '0x0478': 0x0478,
  '0x478': 0x0478,
  '1144': 0x0478,
  committing: 0x0478,
  '0x0578': 0x0578,
  '0x578': 0x0578,
  '1400': 0x0578,
  signed: 0x0578,
};

/**
 * Parses `--suite`: `0x0478` (AES-256-GCM, HKDF-SHA512, key commitment; the default)
 * or `0x0578` (the same plus an ECDSA P-384 signature); also `committing` / `signed`.
 * @throws {InvalidArgumentError} for any other suite.
 */
export function parseSuite(text: string): SuiteId {
  const suite = NAMES[text.trim().toLowerCase()];
  if (suite === undefined) throw usageError(`--suite: expected 0x0478 (committing) or 0x0578 (signed), got "${text}"`);
  return suite;
}

/** `0x0478` style. */
export function suiteHex(id: number): string {
  return `0x${id.toString(16).padStart(4, '0')}`;
}

/** A readable name for any suite id an ESDK message may carry. */
export function suiteName(id: number): string {
  switch (id) {
    case 0x0478:
      return 'AES-256-GCM, HKDF-SHA512, key commitment';
    case 0x0578:
      return 'AES-256-GCM, HKDF-SHA512, key commitment, ECDSA P-384 signature';
    default:
      return 'legacy (message format v1) suite';
  }
}
