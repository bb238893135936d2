import { ErrorCodes, InvalidArgumentError } from '../errors.js';
import { isKmsKeyArn, type KmsClientLike } from './kms-client.js';

/** Options of `KmsKeyStore`, checked once at construction. */

/** Which EDKs a discovery store offers to KMS: all `aws-kms` EDKs, optionally filtered. */
export interface KmsDiscoveryFilter {
  /** ARN partition the key must live in (e.g. `aws`). */
  readonly partition: string;
  /** Accounts the key must belong to. */
  readonly accountIds: readonly string[];
}

export interface KmsKeyStoreOptions {
  /** The KMS-shaped client (AWS SDK v3 `KMS`, `MemoryKms`, ...). */
  readonly client: KmsClientLike;
  /**
   * Key used to generate and wrap (key ID, key ARN, alias name or alias ARN). Default
   * `alias/aws/s3`: like S3 SSE-KMS, no key named means the account's AWS-managed key.
   */
  readonly keyId?: string;
  /** Strict decrypt: only EDKs whose key ARN is in this list (full key ARNs) are unwrapped. */
  readonly keyIds?: readonly string[];
  /** Discovery decrypt: any `aws-kms` EDK (filtered) is offered to KMS, which applies its policy. */
  readonly discovery?: true | KmsDiscoveryFilter;
  /** Passed on every KMS call. */
  readonly grantTokens?: readonly string[];
  /** Refuse any configured or per-call identifier that is not a full key ARN. */
  readonly strictArns?: boolean;
  /** The caller this store acts as (reported; bucket-key caches partition on it). */
  readonly principal?: string;
  /** Overrides the store `id` (default `aws-kms:<keyId>`). */
  readonly id?: string;
}

const OPTION_KEYS = new Set(['client', 'keyId', 'keyIds', 'discovery', 'grantTokens', 'strictArns', 'principal', 'id']);
const MAX_IDENTIFIER = 2048;

/**
 * Own, known properties only, into a prototype-free record.
 * @throws {InvalidArgumentError} for an unknown option, a missing client or a non-boolean strictArns.
 */
export function readOptions(options: KmsKeyStoreOptions): KmsKeyStoreOptions {
  if (options === null || typeof options !== 'object') throw invalid('KmsKeyStore: expected an options object');
  // Own properties only, into a prototype-free record: a polluted prototype changes nothing.
  const out = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) throw invalid(`KmsKeyStore: unknown option "${key}"`);
    const value: unknown = (options as unknown as Record<string, unknown>)[key];
    if (value !== undefined) out[key] = value;
  }
  const client = out['client'] as Partial<KmsClientLike> | undefined;
  if (client === null || typeof client !== 'object' || typeof client.generateDataKey !== 'function' || typeof client.encrypt !== 'function' || typeof client.decrypt !== 'function') {
    throw invalid('KmsKeyStore: client: expected an object with generateDataKey, encrypt and decrypt methods');
  }
  if (out['strictArns'] !== undefined && typeof out['strictArns'] !== 'boolean') {
    throw invalid(`KmsKeyStore: strictArns: expected a boolean, got ${typeof out['strictArns']}`);
  }
  return out as unknown as KmsKeyStoreOptions;
}

export function assertText(value: unknown, label: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_IDENTIFIER) {
    throw invalid(`${label}: expected a non-empty string of at most ${MAX_IDENTIFIER} characters, got ${describe(value)}`);
  }
}

export function assertIdentifier(value: unknown, label: string, strictArns: boolean): asserts value is string {
  assertText(value, label);
  if (strictArns && !isKmsKeyArn(value)) {
    throw invalid(`${label}: strictArns accepts only a full key ARN (arn:<partition>:kms:<region>:<account>:key/<id>), got "${value}"`);
  }
}

export function assertKeyArnList(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) throw invalid('KmsKeyStore: keyIds: expected a non-empty array of key ARNs');
  return value.map((item: unknown, i) => {
    assertText(item, `KmsKeyStore: keyIds[${i}]`);
    if (!isKmsKeyArn(item)) throw invalid(`KmsKeyStore: keyIds[${i}]: expected a full key ARN, got "${item}"`);
    return item;
  });
}

export function assertDiscovery(value: unknown): true | KmsDiscoveryFilter {
  if (value === true) return true;
  if (value === null || typeof value !== 'object') throw invalid('KmsKeyStore: discovery: expected true or { partition, accountIds }');
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key !== 'partition' && key !== 'accountIds') throw invalid(`KmsKeyStore: discovery: unknown option "${key}"`);
  }
  const partition = Object.hasOwn(record, 'partition') ? record['partition'] : undefined;
  const accountIds = Object.hasOwn(record, 'accountIds') ? record['accountIds'] : undefined;
  assertText(partition, 'KmsKeyStore: discovery.partition');
  if (!Array.isArray(accountIds) || accountIds.length === 0 || !accountIds.every((a: unknown) => typeof a === 'string' && /^\d{12}$/.test(a))) {
    throw invalid('KmsKeyStore: discovery.accountIds: expected a non-empty array of 12-digit account IDs');
  }
  return Object.freeze({ partition, accountIds: Object.freeze([...(accountIds as string[])]) });
}

export function assertGrantTokens(value: unknown): string[] {
  if (!Array.isArray(value) || value.length > 10) throw invalid('KmsKeyStore: grantTokens: expected an array of at most 10 strings');
  return value.map((token: unknown, i) => {
    assertText(token, `KmsKeyStore: grantTokens[${i}]`);
    return token;
  });
}

export function invalid(message: string): InvalidArgumentError {
  return new InvalidArgumentError(ErrorCodes.INVALID_ARGUMENT, message);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value.length === 0 ? 'an empty string' : `a string of ${value.length} characters`;
  return value === null ? 'null' : typeof value;
}

