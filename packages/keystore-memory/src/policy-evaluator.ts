import type { Principal } from './arn.js';
import { globPattern, type ConditionClause, type KeyPolicy, type PolicyStatement } from './policy-document.js';

/**
 * Key policy evaluation, IAM style: an explicit `Deny` wins, then any `Allow`, else the
 * request is implicitly denied.
 *
 * IAM identity policies are not modelled: a statement whose principal is an account
 * (`111122223333` or `arn:aws:iam::111122223333:root`) applies to every principal of that
 * account, as if their IAM policies allowed the action. A user or role ARN applies to
 * that principal only (a role ARN also covers its `sts` assumed-role sessions).
 *
 * Condition keys with values here: `kms:CallerAccount`, `aws:PrincipalArn`,
 * `aws:PrincipalAccount`, `kms:EncryptionContextKeys` (multi-valued) and
 * `kms:EncryptionContext:<key>` (the `<key>` part is case-sensitive, the prefix is not).
 * Any other key is absent from the request, as an AWS key a request does not carry would be.
 */

export interface PolicyRequest {
  readonly principal: Principal;
  /** `kms:<Operation>`, e.g. `kms:Decrypt`, `kms:ReEncryptFrom`. */
  readonly action: string;
  readonly keyArn: string;
  /** The encryption context of a cryptographic operation; absent for management calls. */
  readonly encryptionContext?: Readonly<Record<string, string>>;
}

export type PolicyDecision = 'allow' | 'explicit-deny' | 'implicit-deny';

const CONTEXT_PREFIX = 'kms:encryptioncontext:';

/** Decides one request against a compiled key policy. */
export function evaluateKeyPolicy(policy: KeyPolicy, request: PolicyRequest): PolicyDecision {
  let allowed = false;
  for (const statement of policy.statements) {
    if (!applies(statement, request)) continue;
    if (statement.effect === 'Deny') return 'explicit-deny';
    allowed = true;
  }
  return allowed ? 'allow' : 'implicit-deny';
}

function applies(statement: PolicyStatement, request: PolicyRequest): boolean {
  return (
    principalMatches(statement.principals, request.principal) &&
    statement.actions.some((pattern) => pattern.test(request.action)) &&
    statement.resources.some((pattern) => pattern.test(request.keyArn)) &&
    statement.conditions.every((clause) => conditionHolds(clause, request))
  );
}

function principalMatches(principals: PolicyStatement['principals'], caller: Principal): boolean {
  if (principals === '*') return true;
  const roleArn = assumedRoleArn(caller);
  return principals.some((entry) => {
    if (/^\d{12}$/.test(entry)) return entry === caller.accountId;
    if (entry === `arn:${caller.partition}:iam::${caller.accountId}:root`) return true;
    return entry === caller.arn || (roleArn !== undefined && entry === roleArn);
  });
}

/** `arn:aws:sts::1:assumed-role/r/s` is a session of `arn:aws:iam::1:role/r`. */
function assumedRoleArn(caller: Principal): string | undefined {
  const match = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\//.exec(caller.arn);
  return match === null ? undefined : `arn:${match[1]}:iam::${match[2]}:role/${match[3]}`;
}

/** The request's values for a condition key; `undefined` when the request does not carry it. */
function requestValues(key: string, request: PolicyRequest): readonly string[] | undefined {
  const lower = key.toLowerCase();
  const context = request.encryptionContext;
  if (lower === 'kms:calleraccount' || lower === 'aws:principalaccount') return [request.principal.accountId];
  // IAM: for an assumed-role session, aws:PrincipalArn is the role's ARN, not the session's.
  if (lower === 'aws:principalarn') return [assumedRoleArn(request.principal) ?? request.principal.arn];
  if (lower === 'kms:encryptioncontextkeys') {
    const keys = context === undefined ? [] : Object.keys(context);
    return keys.length === 0 ? undefined : keys;
  }
  if (lower.startsWith(CONTEXT_PREFIX)) {
    const contextKey = key.slice(CONTEXT_PREFIX.length);
    return context !== undefined && Object.hasOwn(context, contextKey) ? [context[contextKey] as string] : undefined;
  }
  return undefined;
}

function conditionHolds(clause: ConditionClause, request: PolicyRequest): boolean {
  const values = requestValues(clause.key, request);
  if (clause.operator === 'Null') {
    // "true": the key must be absent; "false": present.
    return clause.values.some((v) => (v === 'true') === (values === undefined));
  }
  const negated = clause.operator.includes('Not');
  const matchOne = matcher(clause);
  if (clause.set === 'ForAllValues') {
    return (values ?? []).every((v) => (negated ? !matchOne(v) : matchOne(v)));
  }
  if (clause.set === 'ForAnyValue') {
    return (values ?? []).some((v) => (negated ? !matchOne(v) : matchOne(v)));
  }
  if (values === undefined) return clause.ifExists || negated;
  const any = values.some(matchOne);
  return negated ? !any : any;
}

/** Whether one request value matches any of the clause's values (ignoring negation). */
function matcher(clause: ConditionClause): (value: string) => boolean {
  switch (clause.operator) {
    case 'StringEqualsIgnoreCase':
    case 'StringNotEqualsIgnoreCase': {
      const wanted = clause.values.map((v) => v.toLowerCase());
      return (value) => wanted.includes(value.toLowerCase());
    }
    case 'StringLike':
    case 'StringNotLike':
    // IAM: ArnEquals and ArnLike both take `*` and `?` wildcards.
    case 'ArnEquals':
    case 'ArnNotEquals':
    case 'ArnLike':
    case 'ArnNotLike': {
      const patterns = clause.values.map((v) => globPattern(v, false));
      return (value) => patterns.some((p) => p.test(value));
    }
    case 'Bool':
      return (value) => clause.values.includes(value.toLowerCase());
    default:
      return (value) => clause.values.includes(value);
  }
}
