import { authError } from './auth-error.js';

/**
 * POST Object policy documents (spec: S3 API, "Creating a POST policy"): a base64
 * JSON `{ expiration, conditions }` that a browser form carries with its signature.
 * Pure: parsing and condition checks, no crypto, no clock of its own.
 */

/** One policy condition, normalized. Field names are lower-case, without `$`. */
export type PolicyCondition =
  | { readonly op: 'eq' | 'starts-with'; readonly field: string; readonly value: string; readonly source: string }
  | { readonly op: 'content-length-range'; readonly min: number; readonly max: number; readonly source: string };

/** A parsed policy document. */
export interface PostPolicy {
  readonly expiration: Date;
  readonly conditions: readonly PolicyCondition[];
}

/** Caps on a policy: S3 bounds the form fields before the file to 20 KB. */
const MAX_CONDITIONS = 64;
const MAX_VALUE = 8 * 1024;
const ISO8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

/**
 * Decodes and parses a base64 policy document.
 * @throws S3Error InvalidPolicyDocument when it is not base64 JSON of the documented shape.
 */
export function parsePostPolicy(policyBase64: string): PostPolicy {
  const invalid = (why: string): Error => authError('InvalidPolicyDocument', `Invalid Policy: ${why}.`);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(policyBase64) || policyBase64.length % 4 !== 0)
    throw invalid('the policy is not base64');
  let document: unknown;
  try {
    document = JSON.parse(Buffer.from(policyBase64, 'base64').toString('utf8'));
  } catch {
    throw invalid('the policy is not JSON');
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document))
    throw invalid('the policy must be a JSON object');
  const { expiration, conditions } = document as Record<string, unknown>;
  if (typeof expiration !== 'string' || !ISO8601.test(expiration) || Number.isNaN(Date.parse(expiration))) {
    throw invalid('expiration must be an ISO 8601 UTC date-time');
  }
  if (!Array.isArray(conditions) || conditions.length > MAX_CONDITIONS) throw invalid('conditions must be an array');
  return { expiration: new Date(expiration), conditions: conditions.map((c) => parseCondition(c, invalid)) };
}

function parseCondition(raw: unknown, invalid: (why: string) => Error): PolicyCondition {
  const source = JSON.stringify(raw);
  if (Array.isArray(raw)) {
    const [op, a, b] = raw as unknown[];
    if (raw.length !== 3 || typeof op !== 'string') throw invalid(`condition ${source} must have three elements`);
    const operator = op.toLowerCase();
    if (operator === 'content-length-range') {
      if (!isLength(a) || !isLength(b) || a > b)
        throw invalid(`condition ${source}: content-length-range needs 0 <= min <= max`);
      return { op: 'content-length-range', min: a, max: b, source };
    }
    if (operator !== 'eq' && operator !== 'starts-with') throw invalid(`condition ${source}: unknown operator`);
    if (typeof a !== 'string' || !a.startsWith('$') || typeof b !== 'string' || b.length > MAX_VALUE) {
      throw invalid(`condition ${source} must name a $field and a string`);
    }
    return { op: operator, field: a.slice(1).toLowerCase(), value: b, source };
  }
  if (typeof raw === 'object' && raw !== null) {
    const entries = Object.entries(raw);
    const [entry] = entries;
    if (entries.length !== 1 || entry === undefined || typeof entry[1] !== 'string' || entry[1].length > MAX_VALUE) {
      throw invalid(`condition ${source} must be one field and its string value`);
    }
    return { op: 'eq', field: entry[0].replace(/^\$/, '').toLowerCase(), value: entry[1], source };
  }
  throw invalid(`condition ${source} is neither an object nor an array`);
}

function isLength(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Form fields that the policy need not name (spec: POST policy, "Condition matching"). */
const EXEMPT_FIELDS = new Set([
  'x-amz-signature',
  'file',
  'policy',
  'awsaccesskeyid',
  'signature',
  'x-amz-security-token',
]);

/** The accepted size range of the file when the policy sets one. */
export interface PolicyOutcome {
  readonly contentLength: { readonly min: number; readonly max: number } | undefined;
}

/**
 * Checks the form fields against the policy: it must not have expired, every
 * condition must hold, and every form field (but the exempt ones and `x-ignore-*`)
 * must be named by a condition. `bucket` is matched even though it is not a field.
 * @throws S3Error AccessDenied ("Invalid according to Policy: ...") when one does not hold.
 */
export function checkPostPolicy(
  policy: PostPolicy,
  fields: ReadonlyMap<string, string>,
  bucket: string,
  now: number,
): PolicyOutcome {
  const denied = (why: string): Error => authError('AccessDenied', `Invalid according to Policy: ${why}`);
  if (now > policy.expiration.getTime()) throw denied('Policy expired.');
  const values = new Map(fields);
  values.set('bucket', bucket);
  const named = new Set<string>();
  let contentLength: PolicyOutcome['contentLength'];
  for (const condition of policy.conditions) {
    if (condition.op === 'content-length-range') {
      contentLength = { min: condition.min, max: condition.max };
      continue;
    }
    named.add(condition.field);
    // An absent field reads as empty: ["starts-with", "$x", ""] allows it to be left out.
    if (!holds(condition.op, condition.field, values.get(condition.field) ?? '', condition.value)) {
      throw denied(`Policy Condition failed: ${condition.source}`);
    }
  }
  for (const name of fields.keys()) {
    if (EXEMPT_FIELDS.has(name) || name.startsWith('x-ignore-') || named.has(name)) continue;
    throw denied(`Extra input fields: ${name}`);
  }
  return { contentLength };
}

function holds(op: 'eq' | 'starts-with', field: string, value: string, expected: string): boolean {
  if (op === 'eq') return value === expected;
  // spec: a Content-Type list ("image/jpeg, image/png") must start with the prefix in every entry.
  if (field === 'content-type') return value.split(',').every((part) => part.trim().startsWith(expected));
  return value.startsWith(expected);
}
