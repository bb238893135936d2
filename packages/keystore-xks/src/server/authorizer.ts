import { assertString, invalidArgument, readOptions } from '@sealflow/core/validate';
import type { RequestMetadata } from './request-validation.js';

/** The operations secondary authorization decides on (GetHealthStatus is exempt: spec §10.3). */
export type XksAuthorizedOperation = 'GetKeyMetadata' | 'Encrypt' | 'Decrypt';

/** What a secondary-authorization hook is asked about. */
export interface XksAuthorizationRequest {
  readonly operation: XksAuthorizedOperation;
  readonly keyId: string;
  readonly uriPrefix: string;
  /** The SigV4 access key id that signed the request (already verified). */
  readonly accessKeyId: string;
  /** `requestMetadata.awsPrincipalArn`. */
  readonly principal: string;
  /** Every string field of requestMetadata as received (kmsOperation, kmsViaService, ...). */
  readonly requestMetadata: RequestMetadata;
}

/** `true`/`false`, or a decision naming the rule that made it (logged on denial: spec §10.3). */
export type XksAuthorizationDecision = boolean | { readonly allow: boolean; readonly rule?: string };

/** Secondary authorization: which principals may call which operation on which key. */
export type XksAuthorizer = (
  request: XksAuthorizationRequest,
) => XksAuthorizationDecision | Promise<XksAuthorizationDecision>;

/** One rule of {@link createRuleAuthorizer}. Each list matches `*`, an exact value, or a `prefix*`. */
export interface XksAuthorizationRule {
  /** Names the rule in logs. Default `rule[<index>]`. */
  readonly name?: string;
  /** Default `allow`. */
  readonly effect?: 'allow' | 'deny';
  readonly principals: readonly string[];
  readonly operations: readonly (XksAuthorizedOperation | '*')[];
  readonly keyIds: readonly string[];
  /** URI prefixes the rule covers; every prefix when absent. */
  readonly uriPrefixes?: readonly string[];
  /** kmsOperation values the rule covers; every value when absent. */
  readonly kmsOperations?: readonly string[];
}

interface CompiledRule {
  readonly name: string;
  readonly allow: boolean;
  readonly matches: (request: XksAuthorizationRequest) => boolean;
}

const OPERATIONS: readonly string[] = ['GetKeyMetadata', 'Encrypt', 'Decrypt', '*'];

/**
 * A declarative authorizer: a request is allowed when some `allow` rule matches it and
 * no `deny` rule does; anything else is denied (rule `default-deny`). Unknown
 * kmsOperation values are not invalid; they simply match only `*` (spec §3).
 * @throws {InvalidArgumentError} for a malformed rule.
 */
export function createRuleAuthorizer(rules: readonly XksAuthorizationRule[]): XksAuthorizer {
  if (!Array.isArray(rules)) throw invalidArgument('createRuleAuthorizer: expected an array of rules');
  const compiled = rules.map((rule, i) => compileRule(rule, i));
  return (request) => {
    const denied = compiled.find((rule) => !rule.allow && rule.matches(request));
    if (denied !== undefined) return { allow: false, rule: denied.name };
    const allowed = compiled.find((rule) => rule.allow && rule.matches(request));
    return allowed === undefined ? { allow: false, rule: 'default-deny' } : { allow: true, rule: allowed.name };
  };
}

function compileRule(rule: unknown, index: number): CompiledRule {
  const label = `authorization rule[${index}]`;
  const o = readOptions(rule, label, [
    'name',
    'effect',
    'principals',
    'operations',
    'keyIds',
    'uriPrefixes',
    'kmsOperations',
  ]);
  const effect = o.string('effect', 'allow');
  if (effect !== 'allow' && effect !== 'deny')
    throw invalidArgument(`${o.field('effect')}: expected "allow" or "deny"`);
  const list = (
    key: 'principals' | 'operations' | 'keyIds' | 'uriPrefixes' | 'kmsOperations',
    required: boolean,
  ): ((value: string) => boolean) => {
    const values = o.array(key);
    if (values === undefined) {
      if (required) throw invalidArgument(`${o.field(key)}: expected a list of patterns`);
      return () => true;
    }
    // A URI prefix may be "" (the root); every other pattern is non-empty.
    const patterns = values.map((v, i) =>
      key === 'uriPrefixes' && v === '' ? v : assertString(v, `${o.field(key)}[${i}]`),
    );
    return (value) =>
      patterns.some((p) => p === '*' || p === value || (p.endsWith('*') && value.startsWith(p.slice(0, -1))));
  };
  const operations = o.array('operations') ?? [];
  operations.forEach((op, i) => {
    if (typeof op !== 'string' || !OPERATIONS.includes(op))
      throw invalidArgument(`${o.field('operations')}[${i}]: expected one of ${OPERATIONS.join(', ')}`);
  });
  const principal = list('principals', true);
  const operation = list('operations', true);
  const keyId = list('keyIds', true);
  const prefix = list('uriPrefixes', false);
  const kmsOperation = list('kmsOperations', false);
  return {
    name: o.string('name', `rule[${index}]`),
    allow: effect === 'allow',
    matches: (r) =>
      principal(r.principal) &&
      operation(r.operation) &&
      keyId(r.keyId) &&
      prefix(r.uriPrefix) &&
      kmsOperation(r.requestMetadata['kmsOperation'] ?? ''),
  };
}
