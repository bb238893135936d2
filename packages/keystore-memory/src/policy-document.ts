import { MalformedPolicyDocumentException } from './exceptions.js';
import { rootPrincipal } from './arn.js';

/**
 * Key policy documents: parsed and checked once (PutKeyPolicy, CreateKey), kept compiled.
 * The subset of the IAM policy language that key policies use:
 *
 * - `Statement`: one object or an array; each has `Effect` (`Allow`/`Deny`), `Principal`
 *   (`"*"` or `{ "AWS": arn | account | "*" | [...] }`; other principal types never
 *   match a caller here), `Action` (`kms:Decrypt`, `kms:GenerateDataKey*`, `kms:*`, ...),
 *   `Resource` (`"*"` or key ARN patterns) and an optional `Condition`.
 * - Conditions: `String{Equals,NotEquals,EqualsIgnoreCase,NotEqualsIgnoreCase,Like,NotLike}`,
 *   `Arn{Equals,NotEquals,Like,NotLike}`, `Bool`, `Null`, each optionally prefixed
 *   `ForAllValues:` / `ForAnyValue:` and suffixed `IfExists`.
 *
 * `NotPrincipal`, `NotAction`, `NotResource` and other operators are refused with
 * `MalformedPolicyDocumentException` rather than silently ignored.
 */

export type ConditionOperator =
  | 'StringEquals'
  | 'StringNotEquals'
  | 'StringEqualsIgnoreCase'
  | 'StringNotEqualsIgnoreCase'
  | 'StringLike'
  | 'StringNotLike'
  | 'ArnEquals'
  | 'ArnNotEquals'
  | 'ArnLike'
  | 'ArnNotLike'
  | 'Bool'
  | 'Null';

export interface ConditionClause {
  readonly operator: ConditionOperator;
  readonly set: 'ForAllValues' | 'ForAnyValue' | undefined;
  readonly ifExists: boolean;
  /** The condition key as written (e.g. `kms:EncryptionContext:tenant`). */
  readonly key: string;
  readonly values: readonly string[];
}

export interface PolicyStatement {
  readonly sid: string | undefined;
  readonly effect: 'Allow' | 'Deny';
  /** `'*'`, or account IDs and principal ARNs. */
  readonly principals: '*' | readonly string[];
  readonly actions: readonly RegExp[];
  readonly resources: readonly RegExp[];
  readonly conditions: readonly ConditionClause[];
}

export interface KeyPolicy {
  /** The document as the caller wrote it (GetKeyPolicy returns it unchanged). */
  readonly text: string;
  readonly statements: readonly PolicyStatement[];
}

/** spec: KMS PutKeyPolicy, `Policy` is at most 32 KiB. */
export const MAX_POLICY_LENGTH = 32_768;

const OPERATORS = new Set<string>([
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'ArnEquals',
  'ArnNotEquals',
  'ArnLike',
  'ArnNotLike',
  'Bool',
  'Null',
]);
const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Principal', 'Action', 'Resource', 'Condition']);

function malformed(why: string): MalformedPolicyDocumentException {
  return new MalformedPolicyDocumentException(`the key policy is not valid: ${why}`);
}

/** A case-insensitive glob (`*`, `?`) as a whole-string regular expression. */
export function globPattern(glob: string, ignoreCase: boolean): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, ignoreCase ? 'is' : 's');
}

function stringList(value: unknown, what: string): string[] {
  const list = Array.isArray(value) ? (value as unknown[]) : [value];
  if (list.length === 0 || !list.every((v): v is string => typeof v === 'string' && v.length > 0)) {
    throw malformed(`${what} must be a non-empty string or array of strings`);
  }
  return list;
}

function ownObject(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw malformed(`${what} must be an object`);
  return value as Record<string, unknown>;
}

function compilePrincipal(value: unknown): '*' | string[] {
  if (value === '*') return '*';
  const record = ownObject(value, 'Principal');
  const out: string[] = [];
  for (const type of Object.keys(record)) {
    const entries = stringList(record[type], `Principal.${type}`);
    // Only AWS principals can be callers here; Service or Federated entries never match.
    if (type !== 'AWS') continue;
    for (const entry of entries) {
      if (entry === '*') return '*';
      if (!/^\d{12}$/.test(entry) && !/^arn:[a-z0-9-]+:(iam|sts)::\d{12}:.+$/.test(entry)) {
        throw malformed(`Principal.AWS "${entry}" is neither an account ID, a principal ARN nor "*"`);
      }
      out.push(entry);
    }
  }
  return out;
}

function compileConditions(value: unknown): ConditionClause[] {
  const clauses: ConditionClause[] = [];
  const block = ownObject(value, 'Condition');
  for (const rawOperator of Object.keys(block)) {
    let name = rawOperator;
    let set: ConditionClause['set'];
    for (const prefix of ['ForAllValues:', 'ForAnyValue:'] as const) {
      if (name.startsWith(prefix)) {
        set = prefix.slice(0, -1) as ConditionClause['set'];
        name = name.slice(prefix.length);
      }
    }
    const ifExists = name.endsWith('IfExists') && name !== 'Null';
    if (ifExists) name = name.slice(0, -'IfExists'.length);
    if (!OPERATORS.has(name)) throw malformed(`condition operator "${rawOperator}" is not supported`);
    const keys = ownObject(block[rawOperator], `Condition.${rawOperator}`);
    for (const key of Object.keys(keys)) {
      if (!/^[a-zA-Z0-9]+:[^\s]+$/.test(key)) throw malformed(`condition key "${key}" is not of the form service:name`);
      const values = stringList(keys[key], `Condition.${rawOperator}.${key}`);
      if ((name === 'Null' || name === 'Bool') && !values.every((v) => v === 'true' || v === 'false')) {
        throw malformed(`${name} takes "true" or "false"`);
      }
      clauses.push({ operator: name as ConditionOperator, set, ifExists, key, values });
    }
  }
  return clauses;
}

function compileStatement(value: unknown, index: number): PolicyStatement {
  const record = ownObject(value, `Statement[${index}]`);
  for (const key of Object.keys(record)) {
    if (!STATEMENT_KEYS.has(key)) throw malformed(`Statement[${index}].${key} is not supported`);
  }
  const effect = record['Effect'];
  if (effect !== 'Allow' && effect !== 'Deny') throw malformed(`Statement[${index}].Effect must be "Allow" or "Deny"`);
  if (!Object.hasOwn(record, 'Principal')) throw malformed(`Statement[${index}] has no Principal`);
  if (!Object.hasOwn(record, 'Action')) throw malformed(`Statement[${index}] has no Action`);
  if (!Object.hasOwn(record, 'Resource')) throw malformed(`Statement[${index}] has no Resource`);
  const sid = record['Sid'];
  if (sid !== undefined && typeof sid !== 'string') throw malformed(`Statement[${index}].Sid must be a string`);
  return {
    sid,
    effect,
    principals: compilePrincipal(record['Principal']),
    actions: stringList(record['Action'], `Statement[${index}].Action`).map((a) => globPattern(a, true)),
    resources: stringList(record['Resource'], `Statement[${index}].Resource`).map((r) => globPattern(r, false)),
    conditions: Object.hasOwn(record, 'Condition') ? compileConditions(record['Condition']) : [],
  };
}

/**
 * Parses and checks a key policy document.
 * @throws {MalformedPolicyDocumentException} for invalid JSON or unsupported elements.
 */
export function compileKeyPolicy(text: string): KeyPolicy {
  if (text.length > MAX_POLICY_LENGTH) throw malformed(`it is over ${MAX_POLICY_LENGTH} characters`);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw malformed('it is not JSON');
  }
  const record = ownObject(document, 'the document');
  for (const key of Object.keys(record)) {
    if (key !== 'Version' && key !== 'Id' && key !== 'Statement')
      throw malformed(`top-level element ${key} is not supported`);
  }
  const version = record['Version'];
  if (version !== undefined && version !== '2012-10-17' && version !== '2008-10-17')
    throw malformed(`Version "${String(version)}" is unknown`);
  const raw = record['Statement'];
  const list = Array.isArray(raw) ? (raw as unknown[]) : raw === undefined ? [] : [raw];
  if (list.length === 0) throw malformed('it has no Statement');
  return Object.freeze({ text, statements: Object.freeze(list.map(compileStatement)) });
}

/** The policy `CreateKey` gives a key when none is passed: the account (root) may do everything. */
export function defaultKeyPolicy(partition: string, accountId: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Id: 'key-default-1',
    Statement: [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: rootPrincipal(partition, accountId) },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
  });
}

/**
 * The policy of an AWS-managed key (`alias/aws/s3`): any principal of the owning account
 * may use it for cryptography and read it; nobody may manage it, and no other account
 * may use it (`kms:CallerAccount`). AWS also requires `kms:ViaService`; there are no
 * services here, so that condition is left out.
 */
export function awsManagedKeyPolicy(partition: string, accountId: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Id: 'auto-s3-2',
    Statement: [
      {
        Sid: 'Allow access through S3 for all principals in the account that are authorized to use S3',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
        Resource: '*',
        Condition: { StringEquals: { 'kms:CallerAccount': accountId } },
      },
      {
        Sid: 'Allow direct access to key metadata to the account',
        Effect: 'Allow',
        Principal: { AWS: rootPrincipal(partition, accountId) },
        Action: ['kms:Describe*', 'kms:Get*', 'kms:List*'],
        Resource: '*',
      },
    ],
  });
}
