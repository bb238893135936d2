import { s3Error, type S3Error } from '../errors/s3-error.js';
import { S3Limits } from '../limits.js';
import { parseCondition, type PolicyCondition } from './policy-condition.js';
import { wildcardMatch } from './wildcard.js';

/** Who a statement is about: everyone (`"*"`), or principals by kind. */
export type PolicyPrincipal =
  | '*'
  | {
      readonly aws: readonly string[];
      readonly service: readonly string[];
      readonly canonicalUser: readonly string[];
      readonly federated: readonly string[];
    };

/** One statement of a bucket policy, normalised (lists everywhere, condition keys lower-case). */
export interface PolicyStatement {
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  readonly principal?: PolicyPrincipal;
  readonly notPrincipal?: PolicyPrincipal;
  readonly action?: readonly string[];
  readonly notAction?: readonly string[];
  readonly resource?: readonly string[];
  readonly notResource?: readonly string[];
  readonly conditions: readonly PolicyCondition[];
}

/** A parsed, validated bucket policy. `document` is the JSON as given (GetBucketPolicy returns it). */
export interface BucketPolicy {
  readonly version: '2012-10-17' | '2008-10-17';
  readonly id?: string;
  readonly statements: readonly PolicyStatement[];
  readonly document: string;
}

/** Options of {@link parseBucketPolicy}. */
export interface ParseBucketPolicyOptions {
  /** The bucket the policy is for: every resource must be that bucket or objects in it. */
  readonly bucket?: string;
}

function malformed(message: string): S3Error {
  return s3Error('MalformedPolicy', message);
}

const ROOT_FIELDS = ['Version', 'Id', 'Statement'];
const STATEMENT_FIELDS = [
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
];
const ACTION = /^(?:\*|s3:[A-Za-z*?]+)$/i;
const S3_ARN = /^arn:aws[a-z-]*:s3:::(.+)$/;
const ACCOUNT = /^\d{12}$/;
const IAM_ARN = /^arn:aws[a-z-]*:(?:iam|sts)::\d{12}:[^\s]+$/;

/**
 * Parses a PutBucketPolicy body the way Amazon S3 validates it: JSON of at most 20 KiB
 * (S3's limit on bucket policies), `Version` `2012-10-17` or `2008-10-17`, a `Statement`
 * (one object or a non-empty list) whose entries have `Effect` `Allow`/`Deny`, exactly one of
 * `Principal`/`NotPrincipal`, `Action`/`NotAction` (S3 actions, wildcards allowed) and
 * `Resource`/`NotResource` (S3 ARNs of the bucket or its objects), unique `Sid`s, and
 * `Condition` blocks with known operators and `aws:`/`s3:` keys.
 *
 * @throws {S3Error} 400 `MalformedPolicy` naming the first problem found.
 */
export function parseBucketPolicy(json: string | Uint8Array, options: ParseBucketPolicyOptions = {}): BucketPolicy {
  const size = typeof json === 'string' ? Buffer.byteLength(json, 'utf8') : json.byteLength;
  if (size > S3Limits.maxBucketPolicyBytes) {
    throw malformed(`Policy exceeds the maximum allowed document size of ${S3Limits.maxBucketPolicyBytes} bytes`);
  }
  let text: string;
  let root: unknown;
  try {
    text = typeof json === 'string' ? json : new TextDecoder('utf-8', { fatal: true }).decode(json);
    root = JSON.parse(text);
  } catch {
    throw malformed('This policy contains invalid Json');
  }
  if (!isRecord(root)) throw malformed('Policies must be valid JSON and the first byte must be "{"');
  checkFields(root, ROOT_FIELDS);
  const version = root['Version'] ?? '2008-10-17';
  if (version !== '2012-10-17' && version !== '2008-10-17')
    throw malformed('The policy must contain a valid version string');
  const id = root['Id'];
  if (id !== undefined && typeof id !== 'string') throw malformed('Policy Id must be a string');
  const rawStatements = root['Statement'];
  if (rawStatements === undefined) throw malformed('Missing required field Statement');
  const list = Array.isArray(rawStatements) ? rawStatements : [rawStatements];
  if (list.length === 0) throw malformed('Could not parse the policy: Statement is empty!');
  if (list.length > S3Limits.maxPolicyStatements) throw malformed('Policy has too many statements');
  const sids = new Set<string>();
  const statements = list.map((raw) => {
    const statement = parseStatement(raw, options.bucket);
    if (statement.sid !== undefined && statement.sid !== '') {
      if (sids.has(statement.sid)) throw malformed('Statement IDs (SID) in a single policy must be unique');
      sids.add(statement.sid);
    }
    return statement;
  });
  return { version, ...(id === undefined ? {} : { id }), statements, document: text };
}

function parseStatement(raw: unknown, bucket: string | undefined): PolicyStatement {
  if (!isRecord(raw)) throw malformed('Statement must be an object');
  checkFields(raw, STATEMENT_FIELDS);
  const sid = raw['Sid'];
  if (sid !== undefined && typeof sid !== 'string') throw malformed('Sid must be a string');
  const effect = raw['Effect'];
  if (effect !== 'Allow' && effect !== 'Deny')
    throw malformed(`Invalid effect: ${typeof effect === 'string' ? effect.slice(0, 64) : ''}`);
  const principal = exactlyOne(raw, 'Principal', 'NotPrincipal', parsePrincipal);
  const action = exactlyOne(raw, 'Action', 'NotAction', (value) =>
    stringList(value, 'Policy has invalid action', (a) => ACTION.test(a)),
  );
  const resource = exactlyOne(raw, 'Resource', 'NotResource', (value) =>
    stringList(value, 'Policy has invalid resource', (r) => validResource(r, bucket)),
  );
  const conditions = raw['Condition'] === undefined ? [] : parseConditions(raw['Condition']);
  return {
    ...(sid === undefined ? {} : { sid }),
    effect,
    ...(principal.negated ? { notPrincipal: principal.value } : { principal: principal.value }),
    ...(action.negated ? { notAction: action.value } : { action: action.value }),
    ...(resource.negated ? { notResource: resource.value } : { resource: resource.value }),
    conditions,
  };
}

function exactlyOne<T>(
  raw: Record<string, unknown>,
  name: string,
  notName: string,
  parse: (value: unknown) => T,
): { value: T; negated: boolean } {
  const plain = raw[name];
  const negated = raw[notName];
  if (plain !== undefined && negated !== undefined)
    throw malformed(`A statement cannot have both ${name} and ${notName}`);
  if (plain === undefined && negated === undefined) throw malformed(`Missing required field ${name}`);
  return plain !== undefined ? { value: parse(plain), negated: false } : { value: parse(negated), negated: true };
}

function parsePrincipal(value: unknown): PolicyPrincipal {
  if (value === '*') return '*';
  if (!isRecord(value)) throw malformed('Invalid principal in policy');
  const result = {
    aws: [] as string[],
    service: [] as string[],
    canonicalUser: [] as string[],
    federated: [] as string[],
  };
  const kinds: Record<string, keyof typeof result> = {
    AWS: 'aws',
    Service: 'service',
    CanonicalUser: 'canonicalUser',
    Federated: 'federated',
  };
  const names = Object.keys(value);
  if (names.length === 0) throw malformed('Invalid principal in policy');
  for (const name of names) {
    const kind = Object.hasOwn(kinds, name) ? kinds[name] : undefined;
    if (kind === undefined) throw malformed('Invalid principal in policy');
    const entries = stringList(value[name], 'Invalid principal in policy', (entry) =>
      kind === 'aws' ? entry === '*' || ACCOUNT.test(entry) || IAM_ARN.test(entry) : entry.length > 0,
    );
    result[kind].push(...entries);
  }
  return result;
}

function validResource(resource: string, bucket: string | undefined): boolean {
  if (resource === '*') return true;
  const match = S3_ARN.exec(resource);
  if (match === null) return false;
  if (bucket === undefined) return true;
  const path = match[1] ?? '';
  const slash = path.indexOf('/');
  const bucketPart = slash === -1 ? path : path.slice(0, slash);
  return wildcardMatch(bucketPart, bucket);
}

function parseConditions(value: unknown): PolicyCondition[] {
  if (!isRecord(value)) throw malformed('Condition must be an object');
  const conditions: PolicyCondition[] = [];
  for (const [operator, block] of Object.entries(value)) {
    if (!isRecord(block)) throw malformed(`Invalid Condition type : ${operator.slice(0, 64)}`);
    for (const [key, values] of Object.entries(block))
      conditions.push(parseCondition(operator, key, values, malformed));
  }
  return conditions;
}

/** A string or non-empty list of strings, each passing `valid`. */
function stringList(value: unknown, message: string, valid: (entry: string) => boolean): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw malformed(message);
  return list.map((entry) => {
    if (typeof entry !== 'string' || !valid(entry)) throw malformed(message);
    return entry;
  });
}

function checkFields(record: Record<string, unknown>, allowed: readonly string[]): void {
  for (const name of Object.keys(record))
    if (!allowed.includes(name)) throw malformed(`Unknown field ${name.slice(0, 64)}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
