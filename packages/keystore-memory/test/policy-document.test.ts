import { describe, expect, it } from 'vitest';
import { awsManagedKeyPolicy, compileKeyPolicy, defaultKeyPolicy } from '../src/policy-document.js';
import { allow, policy, ROOT_A } from './support.js';

describe('compileKeyPolicy', () => {
  it.each([
    ['unsupported operator', policy(allow('*', 'kms:*', { NumericLessThan: { 'kms:x': '1' } }))],
    ['NotPrincipal', policy({ Effect: 'Allow', NotPrincipal: { AWS: ROOT_A }, Action: 'kms:*', Resource: '*' })],
    ['no Resource', policy({ Effect: 'Allow', Principal: '*', Action: 'kms:*' })],
    ['bad principal', policy(allow('bob', 'kms:*'))],
    ['empty statement', JSON.stringify({ Version: '2012-10-17', Statement: [] })],
    ['unknown version', JSON.stringify({ Version: '2020-01-01', Statement: [allow('*', 'kms:*')] })],
    ['Null with a non-boolean', policy(allow('*', 'kms:*', { Null: { 'kms:EncryptionContextKeys': 'maybe' } }))],
  ])('refuses %s', (_why, text) => {
    expect(() => compileKeyPolicy(text)).toThrow(/key policy is not valid/);
  });

  it('keeps the text as written and compiles the default and AWS-managed policies', () => {
    const text = policy(allow(ROOT_A, 'kms:*'));
    expect(compileKeyPolicy(text).text).toBe(text);
    expect(compileKeyPolicy(defaultKeyPolicy('aws', '111122223333')).statements).toHaveLength(1);
    expect(compileKeyPolicy(awsManagedKeyPolicy('aws', '111122223333')).statements[0]?.conditions).toEqual([
      { operator: 'StringEquals', set: undefined, ifExists: false, key: 'kms:CallerAccount', values: ['111122223333'] },
    ]);
  });

  it('refuses a document over 32 KiB before parsing it', () => {
    expect(() => compileKeyPolicy(' '.repeat(32_769))).toThrow(/over 32768 characters/);
  });
});
