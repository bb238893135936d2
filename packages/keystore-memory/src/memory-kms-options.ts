import { ErrorCodes, InvalidArgumentError } from '@sealflow/core';
import { parsePrincipal, type Principal } from './arn.js';
import type { KmsAuditOptions } from './audit-trail.js';
import { scryptParamsAllowed, type ScryptParams } from './root-key.js';
import type { StoreSecret } from './store-file.js';

/** Options of `new MemoryKms(...)`. */
export interface MemoryKmsOptions {
  /** The one region this instance serves (default `us-east-1`); ARNs of any other are refused. */
  readonly region?: string;
  /** ARN partition (default `aws`). */
  readonly partition?: string;
  /** The caller of this instance's methods (default `arn:aws:iam::111122223333:root`); see `as()`. */
  readonly principal?: string;
  /** Clock in epoch milliseconds (default `Date.now`): deletion windows and rotation periods. */
  readonly now?: () => number;
  /** Audit sinks (the in-memory ring is on by default). */
  readonly audit?: KmsAuditOptions;
}

/** Options of `MemoryKms.open(...)`: a persistent instance in one sealed file. */
export interface MemoryKmsOpenOptions extends MemoryKmsOptions {
  /** The store file; created on first open (its directory must exist). */
  readonly path: string;
  /** Seal the store under a root key derived from this passphrase with scrypt. */
  readonly passphrase?: string | Uint8Array;
  /** Or under the 32-byte key in this file (see `createKeyFile`). */
  readonly keyFile?: string;
  /** scrypt cost for a new passphrase store (default N=2^15, r=8, p=1). */
  readonly scrypt?: ScryptParams;
}

export interface ParsedOptions {
  readonly region: string;
  readonly partition: string;
  readonly principal: Principal;
  readonly now: () => number;
  readonly audit: KmsAuditOptions;
}

const BASE_KEYS = ['region', 'partition', 'principal', 'now', 'audit'];
const OPEN_KEYS = [...BASE_KEYS, 'path', 'passphrase', 'keyFile', 'scrypt'];
export const DEFAULT_PRINCIPAL = 'arn:aws:iam::111122223333:root';

function invalid(message: string): InvalidArgumentError {
  return new InvalidArgumentError(ErrorCodes.INVALID_ARGUMENT, `MemoryKms: ${message}`);
}

/** Own, known properties only, into a prototype-free record. */
function own(options: unknown, allowed: readonly string[], label: string): Record<string, unknown> {
  if (options === undefined) return Object.create(null) as Record<string, unknown>;
  if (options === null || typeof options !== 'object') throw invalid(`${label}: expected an object`);
  const out = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw invalid(`${label}: unknown option "${key}"`);
    const value: unknown = (options as Record<string, unknown>)[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/**
 * Checks a principal ARN.
 * @throws {InvalidArgumentError}
 */
export function assertPrincipal(value: unknown, label: string, partition: string): Principal {
  const principal = typeof value === 'string' ? parsePrincipal(value) : undefined;
  if (principal === undefined) {
    throw invalid(`${label}: expected a principal ARN (arn:${partition}:iam::<account>:root, ...:user/<name>, ...:role/<name>), got ${typeof value === 'string' ? `"${value}"` : typeof value}`);
  }
  if (principal.partition !== partition) throw invalid(`${label}: ${principal.arn} is not in partition ${partition}`);
  return principal;
}

/** @throws {InvalidArgumentError} for an unknown or malformed option. */
export function parseOptions(options: unknown, allowed: readonly string[] = BASE_KEYS): ParsedOptions & Record<string, unknown> {
  const o = own(options, allowed, 'options');
  const text = (key: string, fallback: string, pattern: RegExp): string => {
    const value = o[key] ?? fallback;
    if (typeof value !== 'string' || !pattern.test(value)) throw invalid(`${key}: expected a string matching ${String(pattern)}, got ${typeof value === 'string' ? `"${value}"` : typeof value}`);
    return value;
  };
  const region = text('region', 'us-east-1', /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/);
  const partition = text('partition', 'aws', /^aws(-[a-z]+)*$/);
  const principal = assertPrincipal(o['principal'] ?? DEFAULT_PRINCIPAL, 'principal', partition);
  const now = o['now'] ?? Date.now;
  if (typeof now !== 'function') throw invalid(`now: expected a function returning epoch milliseconds, got ${typeof now}`);
  const audit = own(o['audit'], ['ringSize', 'file', 'onRecord'], 'audit');
  const ringSize = audit['ringSize'];
  if (ringSize !== undefined && (typeof ringSize !== 'number' || !Number.isInteger(ringSize) || ringSize < 0 || ringSize > 1_000_000)) {
    throw invalid('audit.ringSize: expected an integer from 0 to 1000000');
  }
  if (audit['file'] !== undefined && (typeof audit['file'] !== 'string' || audit['file'].length === 0)) throw invalid('audit.file: expected a file path');
  if (audit['onRecord'] !== undefined && typeof audit['onRecord'] !== 'function') throw invalid('audit.onRecord: expected a function');
  return Object.assign(o, { region, partition, principal, now: now as () => number, audit: audit as KmsAuditOptions });
}

export interface ParsedOpenOptions extends ParsedOptions {
  readonly path: string;
  readonly secret: StoreSecret;
  readonly scrypt: ScryptParams | undefined;
}

/** @throws {InvalidArgumentError} */
export function parseOpenOptions(options: unknown): ParsedOpenOptions {
  const o = parseOptions(options, OPEN_KEYS);
  const path = o['path'];
  if (typeof path !== 'string' || path.length === 0) throw invalid('path: expected the store file path');
  const passphrase = o['passphrase'];
  const keyFile = o['keyFile'];
  if ((passphrase === undefined) === (keyFile === undefined)) throw invalid('pass exactly one of passphrase and keyFile');
  let secret: StoreSecret;
  if (passphrase !== undefined) {
    if (!((typeof passphrase === 'string' || passphrase instanceof Uint8Array) && passphrase.length > 0)) {
      throw invalid('passphrase: expected a non-empty string or Uint8Array');
    }
    secret = { passphrase };
  } else {
    if (typeof keyFile !== 'string' || keyFile.length === 0) throw invalid('keyFile: expected a file path');
    secret = { keyFile };
  }
  const scrypt = o['scrypt'];
  if (scrypt !== undefined) {
    const s = own(scrypt, ['N', 'r', 'p'], 'scrypt');
    const params = { N: s['N'] ?? 2 ** 15, r: s['r'] ?? 8, p: s['p'] ?? 1 } as ScryptParams;
    if (!scryptParamsAllowed(params)) throw invalid('scrypt: N must be a power of two from 2^10 to 2^20, r 1-16, p 1-4, 128*N*r at most 256 MiB');
    return { ...o, path, secret, scrypt: params };
  }
  return { ...o, path, secret, scrypt: undefined };
}
