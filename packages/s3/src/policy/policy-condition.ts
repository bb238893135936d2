import { BlockList, isIP } from 'node:net';
import type { S3Error } from '../errors/s3-error.js';
import { arnMatch, wildcardMatch } from './wildcard.js';

/** The condition operators sealflow evaluates (IAM's, without policy variables). */
export const CONDITION_OPERATORS = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'NumericEquals',
  'NumericNotEquals',
  'NumericLessThan',
  'NumericLessThanEquals',
  'NumericGreaterThan',
  'NumericGreaterThanEquals',
  'DateEquals',
  'DateNotEquals',
  'DateLessThan',
  'DateLessThanEquals',
  'DateGreaterThan',
  'DateGreaterThanEquals',
  'Bool',
  'IpAddress',
  'NotIpAddress',
  'ArnEquals',
  'ArnNotEquals',
  'ArnLike',
  'ArnNotLike',
  'Null',
] as const;

export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];

/** One (operator, key, values) triple of a statement's `Condition` block. */
export interface PolicyCondition {
  readonly operator: ConditionOperator;
  /** `ForAnyValue:` / `ForAllValues:` set operator, when given. */
  readonly qualifier?: 'ForAnyValue' | 'ForAllValues';
  /** The `...IfExists` form: true when the key is absent from the request. */
  readonly ifExists: boolean;
  /** The condition key, lower-case (keys are case-insensitive). */
  readonly key: string;
  /** The policy's values (any one may match). */
  readonly values: readonly string[];
}

/**
 * A condition key's value in a request: one string, several, or `{ assumed }` — a value S3
 * assumes although the request did not send the key (the AWS-managed key when `aws:kms` names
 * none). `Null` sees an assumed key as absent; the comparison operators compare the assumed value.
 */
export type ConditionKeyValue = string | readonly string[] | { readonly assumed: string };

/** Condition keys of a request, by lower-case name. */
export type ConditionKeys = Readonly<Record<string, ConditionKeyValue>>;

const NEGATED: ReadonlySet<ConditionOperator> = new Set<ConditionOperator>([
  'StringNotEquals',
  'StringNotEqualsIgnoreCase',
  'StringNotLike',
  'NumericNotEquals',
  'DateNotEquals',
  'NotIpAddress',
  'ArnNotEquals',
  'ArnNotLike',
]);

const KEY = /^(?:aws|s3):[\x21-\x7e]+$/i;

/**
 * Validates one condition of a policy document.
 *
 * @throws {S3Error} from `malformed`: unknown operator, bad key, values not scalars.
 */
export function parseCondition(
  operatorName: string,
  key: string,
  raw: unknown,
  malformed: (message: string) => S3Error,
): PolicyCondition {
  let name = operatorName;
  let qualifier: 'ForAnyValue' | 'ForAllValues' | undefined;
  for (const prefix of ['ForAnyValue:', 'ForAllValues:'] as const) {
    if (name.startsWith(prefix)) {
      qualifier = prefix === 'ForAnyValue:' ? 'ForAnyValue' : 'ForAllValues';
      name = name.slice(prefix.length);
    }
  }
  const ifExists = name !== 'Null' && name.endsWith('IfExists');
  if (ifExists) name = name.slice(0, -'IfExists'.length);
  const operator = CONDITION_OPERATORS.find((candidate) => candidate === name);
  if (operator === undefined) throw malformed(`Invalid Condition type : ${operatorName.slice(0, 64)}`);
  if (key.length > 256 || !KEY.test(key)) throw malformed('Policy has an invalid condition key');
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) throw malformed(`Condition ${operatorName.slice(0, 64)} has no value`);
  const values = list.map((value) => {
    if (typeof value === 'string') return value;
    if (typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) return String(value);
    throw malformed(`Invalid value for condition ${operatorName.slice(0, 64)}`);
  });
  if (operator === 'Null' && values.some((value) => !/^(?:true|false)$/i.test(value)))
    throw malformed('The Null condition takes true or false');
  if (
    (operator === 'IpAddress' || operator === 'NotIpAddress') &&
    values.some((value) => toSubnet(value) === undefined)
  ) {
    throw malformed('Invalid IP address or CIDR in condition');
  }
  return { operator, ...(qualifier === undefined ? {} : { qualifier }), ifExists, key: key.toLowerCase(), values };
}

/** Whether one condition holds for a request's condition keys (IAM evaluation logic). */
export function evaluateCondition(condition: PolicyCondition, keys: ConditionKeys): boolean {
  const raw = Object.hasOwn(keys, condition.key) ? keys[condition.key] : undefined;
  const assumed = raw !== undefined && typeof raw === 'object' && !Array.isArray(raw);
  if (condition.operator === 'Null') {
    const absent = raw === undefined || assumed || (Array.isArray(raw) && raw.length === 0);
    return condition.values.some((value) => (value.toLowerCase() === 'true') === absent);
  }
  const values: readonly string[] =
    raw === undefined
      ? []
      : typeof raw === 'string'
        ? [raw]
        : assumed
          ? [(raw as { assumed: string }).assumed]
          : (raw as readonly string[]);
  const negated = NEGATED.has(condition.operator);
  if (values.length === 0) {
    // Key absent: IfExists and ForAllValues hold; a negated operator holds; any other does not.
    if (condition.ifExists || condition.qualifier === 'ForAllValues') return true;
    if (condition.qualifier === 'ForAnyValue') return false;
    return negated;
  }
  const satisfied = (value: string): boolean => {
    const matches = condition.values.some((policyValue) => matchPositive(condition.operator, value, policyValue));
    return negated ? !matches : matches;
  };
  if (condition.qualifier === 'ForAllValues') return values.every(satisfied);
  if (condition.qualifier === 'ForAnyValue') return values.some(satisfied);
  return negated ? values.every(satisfied) : values.some(satisfied);
}

function matchPositive(operator: ConditionOperator, value: string, policyValue: string): boolean {
  switch (operator) {
    case 'StringEquals':
    case 'StringNotEquals':
      return value === policyValue;
    case 'StringEqualsIgnoreCase':
    case 'StringNotEqualsIgnoreCase':
      return value.toLowerCase() === policyValue.toLowerCase();
    case 'StringLike':
    case 'StringNotLike':
      return wildcardMatch(policyValue, value);
    case 'Bool':
      return value.toLowerCase() === policyValue.toLowerCase();
    case 'ArnEquals':
    case 'ArnNotEquals':
    case 'ArnLike':
    case 'ArnNotLike':
      return arnMatch(policyValue, value);
    case 'IpAddress':
    case 'NotIpAddress': {
      const subnet = toSubnet(policyValue);
      const family = isIP(value);
      if (subnet === undefined || family === 0) return false;
      return subnet.check(value, family === 4 ? 'ipv4' : 'ipv6');
    }
    case 'Null':
      return false;
    default:
      return compareOrdered(operator, value, policyValue);
  }
}

function compareOrdered(operator: ConditionOperator, value: string, policyValue: string): boolean {
  const date = operator.startsWith('Date');
  const a = date ? toTime(value) : Number(value);
  const b = date ? toTime(policyValue) : Number(policyValue);
  if (Number.isNaN(a) || Number.isNaN(b) || value.trim() === '' || policyValue.trim() === '') return false;
  const relation = operator.replace(/^(?:Numeric|Date)/, '');
  switch (relation) {
    case 'Equals':
    case 'NotEquals':
      return a === b;
    case 'LessThan':
      return a < b;
    case 'LessThanEquals':
      return a <= b;
    case 'GreaterThan':
      return a > b;
    case 'GreaterThanEquals':
      return a >= b;
    default:
      return false;
  }
}

function toTime(value: string): number {
  return /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value);
}

function toSubnet(value: string): BlockList | undefined {
  const [address = '', prefixText] = value.split('/');
  const family = isIP(address);
  if (family === 0) return undefined;
  const max = family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (!(prefix >= 0 && prefix <= max)) return undefined;
  const list = new BlockList();
  list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
  return list;
}
