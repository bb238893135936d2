import type { BucketPolicy, PolicyPrincipal, PolicyStatement } from './bucket-policy.js';
import { evaluateCondition, type ConditionKeys } from './policy-condition.js';
import { wildcardMatch } from './wildcard.js';

/** The request a bucket policy is evaluated for. */
export interface PolicyRequest {
  /** The S3 action, e.g. `s3:PutObject` (compared case-insensitively, as IAM does). */
  readonly action: string;
  /** The caller's principal ARN; `undefined` for an anonymous request. */
  readonly principal: string | undefined;
  /** The resource ARN: `arn:aws:s3:::bucket` or `arn:aws:s3:::bucket/key`. */
  readonly resource: string;
  /** The request's condition keys ({@link conditionKeysFor}). */
  readonly conditionKeys: ConditionKeys;
}

/** `deny`: an explicit Deny matched; `allow`: an Allow matched and no Deny; `default`: nothing matched. */
export type PolicyDecision = 'allow' | 'deny' | 'default';

/**
 * Evaluates a bucket policy the way IAM does for a resource policy: a matching `Deny` wins
 * over everything; otherwise a matching `Allow` allows; otherwise the policy says nothing
 * (`default`), and the caller applies its own rule (an anonymous request is then refused;
 * an authenticated one falls back to the account's permissions). A statement matches when
 * its principal, action, resource and every condition match. Never throws.
 */
export function evaluateBucketPolicy(policy: BucketPolicy, request: PolicyRequest): PolicyDecision {
  let allowed = false;
  for (const statement of policy.statements) {
    if (!statementMatches(statement, request)) continue;
    if (statement.effect === 'Deny') return 'deny';
    allowed = true;
  }
  return allowed ? 'allow' : 'default';
}

function statementMatches(statement: PolicyStatement, request: PolicyRequest): boolean {
  if (statement.principal !== undefined && !principalMatches(statement.principal, request.principal)) return false;
  if (statement.notPrincipal !== undefined && principalMatches(statement.notPrincipal, request.principal)) return false;
  if (
    statement.action !== undefined &&
    !statement.action.some((pattern) => wildcardMatch(pattern, request.action, true))
  )
    return false;
  if (
    statement.notAction !== undefined &&
    statement.notAction.some((pattern) => wildcardMatch(pattern, request.action, true))
  )
    return false;
  if (
    statement.resource !== undefined &&
    !statement.resource.some((pattern) => wildcardMatch(pattern, request.resource))
  )
    return false;
  if (
    statement.notResource !== undefined &&
    statement.notResource.some((pattern) => wildcardMatch(pattern, request.resource))
  )
    return false;
  return statement.conditions.every((condition) => evaluateCondition(condition, request.conditionKeys));
}

/**
 * `"*"` and `{"AWS": "*"}` match everyone, anonymous included. An account ID or
 * `arn:aws:iam::ACCOUNT:root` matches every principal of that account; a role ARN also
 * matches that role's assumed-role sessions; any other ARN matches itself.
 */
function principalMatches(principal: PolicyPrincipal, caller: string | undefined): boolean {
  if (principal === '*') return true;
  return principal.aws.some((entry) => {
    if (entry === '*') return true;
    if (caller === undefined) return false;
    const account = /^\d{12}$/.test(entry) ? entry : /^arn:aws[a-z-]*:iam::(\d{12}):root$/.exec(entry)?.[1];
    if (account !== undefined) return accountOf(caller) === account;
    if (entry === caller) return true;
    const role = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(entry);
    const session = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/.exec(caller);
    return (
      role !== null && session !== null && role[1] === session[1] && role[2] === session[2] && role[3] === session[3]
    );
  });
}

/** The account ID (fifth field) of an ARN, or `undefined`. */
export function accountOf(arn: string): string | undefined {
  const account = arn.split(':')[4];
  return account !== undefined && /^\d{12}$/.test(account) ? account : undefined;
}
