import { invalid, invalidArgument, readOptions } from '../assert.js';
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

/** `KmsKeyStoreOptions` after validation, with the defaults filled in. */
export interface ResolvedKmsKeyStoreOptions {
  readonly client: KmsClientLike;
  readonly keyId: string;
  readonly keyIds: readonly string[] | undefined;
  readonly discovery: true | KmsDiscoveryFilter | undefined;
  readonly grantTokens: string[] | undefined;
  readonly strictArns: boolean;
  readonly principal: string | undefined;
  readonly id: string | undefined;
}

const OPTION_KEYS = ['client', 'keyId', 'keyIds', 'discovery', 'grantTokens', 'strictArns', 'principal', 'id'] as const;
const MAX_IDENTIFIER = 2048;
/** Like S3 SSE-KMS: no key named means the account's AWS-managed key. */
const DEFAULT_KEY_ID = 'alias/aws/s3';

/**
 * Reads `KmsKeyStore` options by own properties, rejecting unknown keys, and checks each.
 * @throws {InvalidArgumentError} for an unknown, missing or malformed option.
 */
export function resolveKmsKeyStoreOptions(options: unknown): ResolvedKmsKeyStoreOptions {
  const o = readOptions(options, 'KmsKeyStore', OPTION_KEYS);
  const client = o.raw('client') as Partial<KmsClientLike> | undefined;
  if (
    client === null ||
    typeof client !== 'object' ||
    typeof client.generateDataKey !== 'function' ||
    typeof client.encrypt !== 'function' ||
    typeof client.decrypt !== 'function'
  ) {
    throw invalidArgument('KmsKeyStore: client: expected an object with generateDataKey, encrypt and decrypt methods');
  }
  const strictArns = o.raw('strictArns') ?? false;
  if (typeof strictArns !== 'boolean') throw invalid('KmsKeyStore: strictArns', 'a boolean', strictArns);
  const keyId = assertIdentifier(o.raw('keyId') ?? DEFAULT_KEY_ID, 'KmsKeyStore: keyId', strictArns);
  if (o.has('keyIds') && o.has('discovery'))
    throw invalidArgument('KmsKeyStore: keyIds and discovery exclude each other; pass one');
  return {
    client: client as KmsClientLike,
    keyId,
    keyIds: o.has('keyIds') ? Object.freeze(assertKeyArnList(o.raw('keyIds'))) : undefined,
    discovery: o.has('discovery') ? assertDiscovery(o.raw('discovery')) : undefined,
    grantTokens: o.has('grantTokens') ? assertGrantTokens(o.raw('grantTokens')) : undefined,
    strictArns,
    principal: o.has('principal') ? assertText(o.raw('principal'), 'KmsKeyStore: principal') : undefined,
    id: o.has('id') ? assertText(o.raw('id'), 'KmsKeyStore: id') : undefined,
  };
}

/** @throws {InvalidArgumentError} unless `value` is a non-empty identifier of at most 2048 characters. */
function assertText(value: unknown, label: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_IDENTIFIER) {
    throw invalid(label, `a non-empty string of at most ${MAX_IDENTIFIER} characters`, value);
  }
  return value;
}

/** @throws {InvalidArgumentError} unless `value` is an identifier, and a full key ARN when `strictArns`. */
export function assertIdentifier(value: unknown, label: string, strictArns: boolean): string {
  const identifier = assertText(value, label);
  if (strictArns && !isKmsKeyArn(identifier)) {
    throw invalidArgument(
      `${label}: strictArns accepts only a full key ARN (arn:<partition>:kms:<region>:<account>:key/<id>), got "${identifier}"`,
    );
  }
  return identifier;
}

function assertKeyArnList(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0)
    throw invalidArgument('KmsKeyStore: keyIds: expected a non-empty array of key ARNs');
  return value.map((item: unknown, i) => {
    const arn = assertText(item, `KmsKeyStore: keyIds[${i}]`);
    if (!isKmsKeyArn(arn)) throw invalidArgument(`KmsKeyStore: keyIds[${i}]: expected a full key ARN, got "${arn}"`);
    return arn;
  });
}

function assertDiscovery(value: unknown): true | KmsDiscoveryFilter {
  if (value === true) return true;
  if (value === null || typeof value !== 'object')
    throw invalidArgument('KmsKeyStore: discovery: expected true or { partition, accountIds }');
  const o = readOptions(value, 'KmsKeyStore: discovery', ['partition', 'accountIds']);
  const partition = assertText(o.raw('partition'), 'KmsKeyStore: discovery.partition');
  const accountIds = o.raw('accountIds');
  if (
    !Array.isArray(accountIds) ||
    accountIds.length === 0 ||
    !accountIds.every((a: unknown) => typeof a === 'string' && /^\d{12}$/.test(a))
  ) {
    throw invalidArgument('KmsKeyStore: discovery.accountIds: expected a non-empty array of 12-digit account IDs');
  }
  return Object.freeze({ partition, accountIds: Object.freeze([...(accountIds as string[])]) });
}

function assertGrantTokens(value: unknown): string[] {
  if (!Array.isArray(value) || value.length > 10)
    throw invalidArgument('KmsKeyStore: grantTokens: expected an array of at most 10 strings');
  return value.map((token: unknown, i) => assertText(token, `KmsKeyStore: grantTokens[${i}]`));
}
