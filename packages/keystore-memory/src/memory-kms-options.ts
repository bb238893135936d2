import type { InvalidArgumentError } from '@sealflow/core';
import { invalidArgument, readOptions, type OptionReader } from '@sealflow/core/validate';
import { parsePrincipal, type Principal } from './arn.js';
import type { KmsAuditOptions } from './audit-trail.js';
import { scryptParamsAllowed, type ScryptParams } from './root-key.js';
import type { StoreSecret } from './store-file.js';
import { DEFAULT_LOCK_OPTIONS, type StoreLockOptions } from './store-lock.js';

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
  /**
   * The inter-process lock every write takes (see the README's "Several processes"):
   * `staleMs` (default 10000, at least 2000) is how long a lock whose holder stopped
   * refreshing it (a killed process) blocks the others; `timeoutMs` (default 30000) how
   * long a call waits for the lock before it fails.
   */
  readonly lock?: { readonly staleMs?: number; readonly timeoutMs?: number };
}

export interface ParsedOptions {
  readonly region: string;
  readonly partition: string;
  readonly principal: Principal;
  readonly now: () => number;
  readonly audit: KmsAuditOptions;
}

const BASE_KEYS = ['region', 'partition', 'principal', 'now', 'audit'] as const;
const OPEN_KEYS = [...BASE_KEYS, 'path', 'passphrase', 'keyFile', 'scrypt', 'lock'] as const;
const DEFAULT_PRINCIPAL = 'arn:aws:iam::111122223333:root';

function invalid(message: string): InvalidArgumentError {
  return invalidArgument(`MemoryKms: ${message}`);
}

/**
 * Checks a principal ARN.
 * @throws {InvalidArgumentError}
 */
export function assertPrincipal(value: unknown, label: string, partition: string): Principal {
  const principal = typeof value === 'string' ? parsePrincipal(value) : undefined;
  if (principal === undefined) {
    throw invalid(
      `${label}: expected a principal ARN (arn:${partition}:iam::<account>:root, ...:user/<name>, ...:role/<name>), got ${typeof value === 'string' ? `"${value}"` : typeof value}`,
    );
  }
  if (principal.partition !== partition) throw invalid(`${label}: ${principal.arn} is not in partition ${partition}`);
  return principal;
}

/** @throws {InvalidArgumentError} for an unknown or malformed option. */
export function parseOptions(options: unknown): ParsedOptions {
  return readBase(readOptions(options, 'MemoryKms: options', BASE_KEYS, { optional: true }));
}

function readBase(o: OptionReader<(typeof BASE_KEYS)[number]>): ParsedOptions {
  const text = (key: 'region' | 'partition', fallback: string, pattern: RegExp): string => {
    const value = o.raw(key) ?? fallback;
    if (typeof value !== 'string' || !pattern.test(value))
      throw invalid(
        `${key}: expected a string matching ${String(pattern)}, got ${typeof value === 'string' ? `"${value}"` : typeof value}`,
      );
    return value;
  };
  const region = text('region', 'us-east-1', /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/);
  const partition = text('partition', 'aws', /^aws(-[a-z]+)*$/);
  const principal = assertPrincipal(o.raw('principal') ?? DEFAULT_PRINCIPAL, 'principal', partition);
  const now = o.raw('now') ?? Date.now;
  if (typeof now !== 'function')
    throw invalid(`now: expected a function returning epoch milliseconds, got ${typeof now}`);
  const audit = readOptions(o.raw('audit'), 'MemoryKms: audit', ['ringSize', 'file', 'onRecord'], { optional: true });
  const ringSize = audit.raw('ringSize');
  if (
    ringSize !== undefined &&
    (typeof ringSize !== 'number' || !Number.isInteger(ringSize) || ringSize < 0 || ringSize > 1_000_000)
  ) {
    throw invalid('audit.ringSize: expected an integer from 0 to 1000000');
  }
  const file = audit.raw('file');
  if (file !== undefined && (typeof file !== 'string' || file.length === 0))
    throw invalid('audit.file: expected a file path');
  const onRecord = audit.raw('onRecord');
  if (onRecord !== undefined && typeof onRecord !== 'function') throw invalid('audit.onRecord: expected a function');
  const auditOptions = {
    ...(ringSize === undefined ? {} : { ringSize }),
    ...(file === undefined ? {} : { file }),
    ...(onRecord === undefined ? {} : { onRecord }),
  } as KmsAuditOptions;
  return { region, partition, principal, now: now as () => number, audit: auditOptions };
}

export interface ParsedOpenOptions extends ParsedOptions {
  readonly path: string;
  readonly secret: StoreSecret;
  readonly scrypt: ScryptParams | undefined;
  readonly lock: StoreLockOptions;
}

/** @throws {InvalidArgumentError} */
export function parseOpenOptions(options: unknown): ParsedOpenOptions {
  const o = readOptions(options, 'MemoryKms: options', OPEN_KEYS, { optional: true });
  const base = readBase(o);
  const path = o.raw('path');
  if (typeof path !== 'string' || path.length === 0) throw invalid('path: expected the store file path');
  const passphrase = o.raw('passphrase');
  const keyFile = o.raw('keyFile');
  if ((passphrase === undefined) === (keyFile === undefined))
    throw invalid('pass exactly one of passphrase and keyFile');
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
  const lock = readLock(o.raw('lock'));
  if (!o.has('scrypt')) return { ...base, path, secret, scrypt: undefined, lock };
  const s = readOptions(o.raw('scrypt'), 'MemoryKms: scrypt', ['N', 'r', 'p']);
  const params = { N: s.raw('N') ?? 2 ** 15, r: s.raw('r') ?? 8, p: s.raw('p') ?? 1 } as ScryptParams;
  if (!scryptParamsAllowed(params))
    throw invalid('scrypt: N must be a power of two from 2^10 to 2^20, r 1-16, p 1-4, 128*N*r at most 256 MiB');
  return { ...base, path, secret, scrypt: params, lock };
}

function readLock(value: unknown): StoreLockOptions {
  const l = readOptions(value, 'MemoryKms: lock', ['staleMs', 'timeoutMs'], { optional: true });
  const ms = (key: 'staleMs' | 'timeoutMs', min: number, fallback: number): number => {
    const v = l.raw(key) ?? fallback;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > 3_600_000)
      throw invalid(`lock.${key}: expected an integer number of milliseconds from ${min} to 3600000`);
    return v;
  };
  // proper-lockfile takes no stale time under 2 s: its holder refreshes every stale/2, at least every second.
  return {
    staleMs: ms('staleMs', 2000, DEFAULT_LOCK_OPTIONS.staleMs),
    timeoutMs: ms('timeoutMs', 0, DEFAULT_LOCK_OPTIONS.timeoutMs),
  };
}
