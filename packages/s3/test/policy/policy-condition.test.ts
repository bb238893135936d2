import { describe, expect, it } from 'vitest';
import { parseBucketPolicy, type ConditionKeys } from '@sealflow/s3';
import { evaluateCondition } from '../../src/policy/policy-condition.js';

/** The one condition of a policy whose statement has `condition`. */
function condition(operator: string, key: string, values: unknown) {
  const policy = parseBucketPolicy(
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*', Condition: { [operator]: { [key]: values } } },
      ],
    }),
  );
  const found = policy.statements[0]?.conditions[0];
  if (found === undefined) throw new Error('no condition');
  return found;
}
const holds = (operator: string, key: string, values: unknown, keys: ConditionKeys): boolean =>
  evaluateCondition(condition(operator, key, values), keys);

describe('condition operators (IAM evaluation logic)', () => {
  it('condition keys are case-insensitive', () => {
    expect(holds('StringEquals', 'AWS:UserAgent', 'x', { 'aws:useragent': 'x' })).toBe(true);
  });

  it('String operators: exact, ignore-case, like with * and ?; several policy values are ORed', () => {
    expect(holds('StringEquals', 'aws:UserAgent', ['a', 'b'], { 'aws:useragent': 'b' })).toBe(true);
    expect(holds('StringEquals', 'aws:UserAgent', 'B', { 'aws:useragent': 'b' })).toBe(false);
    expect(holds('StringEqualsIgnoreCase', 'aws:UserAgent', 'B', { 'aws:useragent': 'b' })).toBe(true);
    expect(holds('StringLike', 'aws:UserAgent', 'aws-cli/?.*', { 'aws:useragent': 'aws-cli/2.15 Python' })).toBe(true);
    expect(holds('StringNotLike', 'aws:UserAgent', 'aws-cli/*', { 'aws:useragent': 'curl/8' })).toBe(true);
  });

  it('a key absent from the request: positive operators fail, negated ones hold, IfExists holds', () => {
    expect(holds('StringEquals', 'aws:UserAgent', 'x', {})).toBe(false);
    expect(holds('StringNotEquals', 'aws:UserAgent', 'x', {})).toBe(true);
    expect(holds('StringEqualsIfExists', 'aws:UserAgent', 'x', {})).toBe(true);
    expect(holds('StringEqualsIfExists', 'aws:UserAgent', 'x', { 'aws:useragent': 'y' })).toBe(false);
    expect(holds('ArnNotLike', 'aws:PrincipalArn', 'arn:*', {})).toBe(true);
  });

  it('Null: true holds when absent (an assumed value counts as absent), false when present', () => {
    expect(holds('Null', 's3:x-amz-server-side-encryption-aws-kms-key-id', 'true', {})).toBe(true);
    expect(
      holds('Null', 's3:x-amz-server-side-encryption-aws-kms-key-id', 'true', {
        's3:x-amz-server-side-encryption-aws-kms-key-id': { assumed: 'arn:x' },
      }),
    ).toBe(true);
    expect(
      holds('Null', 's3:x-amz-server-side-encryption-aws-kms-key-id', 'false', {
        's3:x-amz-server-side-encryption-aws-kms-key-id': 'arn:x',
      }),
    ).toBe(true);
    expect(
      holds('StringEquals', 's3:x-amz-server-side-encryption-aws-kms-key-id', 'arn:x', {
        's3:x-amz-server-side-encryption-aws-kms-key-id': { assumed: 'arn:x' },
      }),
    ).toBe(true);
  });

  it('Numeric, Date, Bool and IpAddress', () => {
    expect(holds('NumericLessThan', 's3:max-keys', '10', { 's3:max-keys': '9' })).toBe(true);
    expect(holds('NumericGreaterThanEquals', 's3:max-keys', 10, { 's3:max-keys': '9' })).toBe(false);
    expect(holds('NumericEquals', 's3:max-keys', '10', { 's3:max-keys': 'ten' })).toBe(false);
    expect(
      holds('DateLessThan', 'aws:CurrentTime', '2030-01-01T00:00:00Z', { 'aws:currenttime': '2026-12-04T16:00:00Z' }),
    ).toBe(true);
    expect(holds('DateGreaterThan', 'aws:EpochTime', '1700000000', { 'aws:epochtime': '1800000000' })).toBe(true);
    expect(holds('Bool', 'aws:SecureTransport', 'false', { 'aws:securetransport': 'FALSE' })).toBe(true);
    expect(holds('IpAddress', 'aws:SourceIp', ['10.0.0.0/8', '2001:db8::/32'], { 'aws:sourceip': '10.1.2.3' })).toBe(
      true,
    );
    expect(holds('IpAddress', 'aws:SourceIp', '10.0.0.0/8', { 'aws:sourceip': '192.168.0.1' })).toBe(false);
    expect(holds('NotIpAddress', 'aws:SourceIp', '10.0.0.0/8', { 'aws:sourceip': '192.168.0.1' })).toBe(true);
    expect(holds('IpAddress', 'aws:SourceIp', '2001:db8::/32', { 'aws:sourceip': '2001:db8::1' })).toBe(true);
    expect(holds('IpAddress', 'aws:SourceIp', '10.0.0.0/8', { 'aws:sourceip': 'not-an-ip' })).toBe(false);
  });

  it('Arn operators match the six ARN parts separately', () => {
    expect(
      holds('ArnLike', 'aws:PrincipalArn', 'arn:aws:iam::*:role/app-*', {
        'aws:principalarn': 'arn:aws:iam::111122223333:role/app-x',
      }),
    ).toBe(true);
    // "*" in the account part cannot swallow the colon into the resource part.
    expect(
      holds('ArnLike', 'aws:PrincipalArn', 'arn:aws:iam::*', {
        'aws:principalarn': 'arn:aws:iam::111122223333:role/x',
      }),
    ).toBe(false);
    expect(
      holds('ArnEquals', 'aws:PrincipalArn', 'arn:aws:iam::111122223333:role/x', {
        'aws:principalarn': 'arn:aws:iam::111122223333:role/x',
      }),
    ).toBe(true);
  });

  it('ForAnyValue / ForAllValues over multi-valued keys', () => {
    const tags = { 'aws:tagkeys': ['a', 'b'] };
    expect(holds('ForAnyValue:StringEquals', 'aws:TagKeys', 'b', tags)).toBe(true);
    expect(holds('ForAllValues:StringEquals', 'aws:TagKeys', 'b', tags)).toBe(false);
    expect(holds('ForAllValues:StringEquals', 'aws:TagKeys', ['a', 'b', 'c'], tags)).toBe(true);
    expect(holds('ForAllValues:StringEquals', 'aws:TagKeys', 'a', {})).toBe(true);
    expect(holds('ForAnyValue:StringEquals', 'aws:TagKeys', 'a', {})).toBe(false);
  });

  it('wildcards stay fast on hostile patterns (no regex backtracking)', () => {
    const started = performance.now();
    expect(holds('StringLike', 'aws:UserAgent', `${'*a'.repeat(200)}b`, { 'aws:useragent': 'a'.repeat(5000) })).toBe(
      false,
    );
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
