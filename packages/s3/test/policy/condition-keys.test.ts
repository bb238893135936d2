import { describe, expect, it } from 'vitest';
import { conditionKeysFor, resolveEncryption, type RequestHeaders } from '@sealflow/s3';

const ACCOUNT = '111122223333';
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const base = {
  secureTransport: true,
  region: 'us-east-1',
  accountId: ACCOUNT,
  now: new Date('2026-12-04T16:00:00.000Z'),
};

function keysFor(headers: RequestHeaders, resolved?: string, extra: object = {}) {
  const decision = resolveEncryption({
    operation: 'PutObject',
    headers,
    bucket: 'b',
    key: 'k',
    region: 'us-east-1',
    accountId: ACCOUNT,
  });
  return conditionKeysFor(decision, resolved, {
    ...base,
    headers,
    principal: `arn:aws:iam::${ACCOUNT}:user/alice`,
    ...extra,
  });
}

describe('conditionKeysFor', () => {
  it('SSE keys: the algorithm header as sent; the key ID as the full resolved ARN', () => {
    const keys = keysFor(
      { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': 'alias/mine' },
      KEY_ARN,
    );
    expect(keys['s3:x-amz-server-side-encryption']).toBe('aws:kms');
    expect(keys['s3:x-amz-server-side-encryption-aws-kms-key-id']).toBe(KEY_ARN);
  });

  it('aws:kms without a key: the AWS-managed key assumed (given ARN, the resolved managed key, else the alias ARN)', () => {
    const kms = { 'x-amz-server-side-encryption': 'aws:kms' };
    expect(
      keysFor(kms, KEY_ARN, { awsManagedKeyArn: 'arn:managed' })['s3:x-amz-server-side-encryption-aws-kms-key-id'],
    ).toEqual({ assumed: 'arn:managed' });
    expect(keysFor(kms, KEY_ARN)['s3:x-amz-server-side-encryption-aws-kms-key-id']).toEqual({ assumed: KEY_ARN });
    expect(keysFor(kms, undefined)['s3:x-amz-server-side-encryption-aws-kms-key-id']).toEqual({
      assumed: `arn:aws:kms:us-east-1:${ACCOUNT}:alias/aws/s3`,
    });
  });

  it('no SSE header: neither SSE key is present', () => {
    const keys = keysFor({});
    expect(Object.hasOwn(keys, 's3:x-amz-server-side-encryption')).toBe(false);
    expect(Object.hasOwn(keys, 's3:x-amz-server-side-encryption-aws-kms-key-id')).toBe(false);
  });

  it('request facts: transport, principal, account, type, source IP, time, and S3 header keys', () => {
    const keys = keysFor(
      { 'x-amz-acl': 'private', 'x-amz-copy-source': '/b/o', 'user-agent': 'aws-sdk-js/3' },
      undefined,
      { secureTransport: false, sourceIp: '10.0.0.1' },
    );
    expect(keys).toMatchObject({
      'aws:securetransport': 'false',
      'aws:principalarn': `arn:aws:iam::${ACCOUNT}:user/alice`,
      'aws:principalaccount': ACCOUNT,
      'aws:principaltype': 'User',
      'aws:sourceip': '10.0.0.1',
      'aws:currenttime': '2026-12-04T16:00:00.000Z',
      'aws:epochtime': String(Date.parse('2026-12-04T16:00:00Z') / 1000),
      's3:x-amz-acl': 'private',
      's3:x-amz-copy-source': '/b/o',
      'aws:useragent': 'aws-sdk-js/3',
    });
  });

  it('anonymous: principal type Anonymous and no principal keys', () => {
    const keys = conditionKeysFor(undefined, undefined, { ...base, headers: {}, principal: undefined });
    expect(keys['aws:principaltype']).toBe('Anonymous');
    expect(Object.hasOwn(keys, 'aws:principalarn')).toBe(false);
    expect(
      conditionKeysFor(undefined, undefined, {
        ...base,
        headers: {},
        principal: `arn:aws:sts::${ACCOUNT}:assumed-role/r/s`,
      })['aws:principaltype'],
    ).toBe('AssumedRole');
  });
});
