import { describe, expect, it } from 'vitest';
import { parseBucketPolicy, S3Limits } from '@sealflow/s3';
import { expectS3Error } from '../rules/support.js';

const statement = { Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: 'arn:aws:s3:::b/*' };
const doc = (...statements: object[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statements });

describe('parseBucketPolicy', () => {
  it('reads the AWS "require SSE-KMS" example and normalises it', () => {
    const json = JSON.stringify({
      Version: '2012-10-17',
      Id: 'PutObjectPolicy',
      Statement: {
        Sid: 'DenyIncorrectEncryptionHeader',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:PutObject',
        Resource: 'arn:aws:s3:::b/*',
        Condition: {
          StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' },
          Null: { 's3:x-amz-server-side-encryption-aws-kms-key-id': true },
        },
      },
    });
    const policy = parseBucketPolicy(json, { bucket: 'b' });
    expect(policy.version).toBe('2012-10-17');
    expect(policy.id).toBe('PutObjectPolicy');
    expect(policy.document).toBe(json);
    expect(policy.statements).toEqual([
      {
        sid: 'DenyIncorrectEncryptionHeader',
        effect: 'Deny',
        principal: '*',
        action: ['s3:PutObject'],
        resource: ['arn:aws:s3:::b/*'],
        conditions: [
          { operator: 'StringNotEquals', ifExists: false, key: 's3:x-amz-server-side-encryption', values: ['aws:kms'] },
          {
            operator: 'Null',
            ifExists: false,
            key: 's3:x-amz-server-side-encryption-aws-kms-key-id',
            values: ['true'],
          },
        ],
      },
    ]);
  });

  it('reads principals by kind, NotPrincipal/NotAction/NotResource, set operators and IfExists', () => {
    const policy = parseBucketPolicy(
      doc({
        Effect: 'Allow',
        NotPrincipal: {
          AWS: ['111122223333', 'arn:aws:iam::111122223333:role/r'],
          Service: 'logging.s3.amazonaws.com',
        },
        NotAction: ['s3:Delete*'],
        NotResource: 'arn:aws:s3:::b/private/*',
        Condition: { 'ForAnyValue:StringLikeIfExists': { 'aws:UserAgent': ['curl*'] } },
      }),
    );
    const [s] = policy.statements;
    expect(s?.notPrincipal).toEqual({
      aws: ['111122223333', 'arn:aws:iam::111122223333:role/r'],
      service: ['logging.s3.amazonaws.com'],
      canonicalUser: [],
      federated: [],
    });
    expect(s?.conditions).toEqual([
      { operator: 'StringLike', qualifier: 'ForAnyValue', ifExists: true, key: 'aws:useragent', values: ['curl*'] },
    ]);
    expect(parseBucketPolicy(JSON.stringify({ Statement: [statement] })).version).toBe('2008-10-17');
  });

  it.each([
    ['not JSON', '{"Statement": ['],
    ['a JSON array', '[]'],
    ['an unknown top-level field', JSON.stringify({ Version: '2012-10-17', Statement: [statement], Extra: 1 })],
    ['a bad version', JSON.stringify({ Version: '2020-01-01', Statement: [statement] })],
    ['no Statement', JSON.stringify({ Version: '2012-10-17' })],
    ['an empty Statement', JSON.stringify({ Version: '2012-10-17', Statement: [] })],
    ['a bad Effect', doc({ ...statement, Effect: 'deny' })],
    ['no Principal', doc({ Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::b' })],
    ['both Principal and NotPrincipal', doc({ ...statement, NotPrincipal: '*' })],
    ['a bad principal', doc({ ...statement, Principal: { AWS: 'bob' } })],
    ['an unknown principal kind', doc({ ...statement, Principal: { Robot: '*' } })],
    ['no Action', doc({ Effect: 'Deny', Principal: '*', Resource: 'arn:aws:s3:::b' })],
    ['a non-S3 action', doc({ ...statement, Action: 'kms:Decrypt' })],
    ['an empty action list', doc({ ...statement, Action: [] })],
    ['no Resource', doc({ Effect: 'Deny', Principal: '*', Action: 's3:*' })],
    ['a non-S3 resource', doc({ ...statement, Resource: 'arn:aws:kms:us-east-1:111122223333:key/x' })],
    ['an unknown statement field', doc({ ...statement, Effects: 'Deny' })],
    ['an unknown condition operator', doc({ ...statement, Condition: { StringSortOf: { 'aws:UserAgent': 'x' } } })],
    [
      'a condition key without aws:/s3:',
      doc({ ...statement, Condition: { StringEquals: { 'x-amz-server-side-encryption': 'aws:kms' } } }),
    ],
    [
      'a condition value that is an object',
      doc({ ...statement, Condition: { StringEquals: { 'aws:UserAgent': { a: 1 } } } }),
    ],
    [
      'a Null condition that is not a boolean',
      doc({ ...statement, Condition: { Null: { 'aws:UserAgent': 'maybe' } } }),
    ],
    ['a bad CIDR', doc({ ...statement, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/33' } } })],
    ['duplicate Sids', doc({ ...statement, Sid: 'a' }, { ...statement, Sid: 'a' })],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d])],
  ])('%s: 400 MalformedPolicy', (_label, json) => {
    expectS3Error(() => parseBucketPolicy(json), 'MalformedPolicy', 400);
  });

  it('with a bucket: every resource must be that bucket or objects in it', () => {
    expect(
      parseBucketPolicy(doc({ ...statement, Resource: ['arn:aws:s3:::b', 'arn:aws:s3:::b/*', '*'] }), { bucket: 'b' })
        .statements,
    ).toHaveLength(1);
    expectS3Error(
      () => parseBucketPolicy(doc({ ...statement, Resource: 'arn:aws:s3:::other/*' }), { bucket: 'b' }),
      'MalformedPolicy',
    );
  });

  it(`caps the document at ${S3Limits.maxBucketPolicyBytes} bytes (S3's 20 KB bucket policy limit), before parsing`, () => {
    const padded = (n: number): string => {
      const base = doc({ ...statement, Sid: '' });
      return base.replace('"Sid":""', `"Sid":"${'x'.repeat(n - base.length)}"`);
    };
    expect(padded(S3Limits.maxBucketPolicyBytes)).toHaveLength(S3Limits.maxBucketPolicyBytes);
    expect(parseBucketPolicy(padded(S3Limits.maxBucketPolicyBytes)).statements).toHaveLength(1);
    const error = expectS3Error(
      () => parseBucketPolicy(padded(S3Limits.maxBucketPolicyBytes + 1)),
      'MalformedPolicy',
      400,
    );
    expect(error.message).toMatch(/maximum allowed document size/);
  });

  it('a polluted prototype or a __proto__ key changes nothing', () => {
    expectS3Error(
      () => parseBucketPolicy('{"Version":"2012-10-17","__proto__":{"Statement":[]},"Statement":[]}'),
      'MalformedPolicy',
    );
    expect(({} as Record<string, unknown>)['Statement']).toBeUndefined();
  });
});
