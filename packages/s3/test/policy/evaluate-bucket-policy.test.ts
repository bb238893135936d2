import { describe, expect, it } from 'vitest';
import {
  conditionKeysFor,
  evaluateBucketPolicy,
  parseBucketPolicy,
  resolveEncryption,
  type BucketEncryption,
  type ConditionKeys,
  type RequestHeaders,
} from '@sealflow/s3';

const ACCOUNT = '111122223333';
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const OTHER_KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/0000abcd-12ab-34cd-56ef-1234567890ab`;
const MANAGED_KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/aaaaaaaa-0000-0000-0000-000000000000`;
const OBJECT = 'arn:aws:s3:::b/k';

const policyOf = (...statements: object[]) =>
  parseBucketPolicy(JSON.stringify({ Version: '2012-10-17', Statement: statements }));

/**
 * The policy decision for a PutObject with `headers`, taking its condition keys from the
 * real rules: resolveEncryption, then conditionKeysFor with the key resolved to its ARN the
 * way a key store would (aliases here: `alias/mine` is KEY_ARN, `alias/aws/s3` MANAGED_KEY).
 */
function putDecision(
  policy: ReturnType<typeof policyOf>,
  headers: RequestHeaders,
  bucketEncryption?: BucketEncryption,
  principal: string | undefined = ALICE,
) {
  const decision = resolveEncryption({
    operation: 'PutObject',
    headers,
    bucket: 'b',
    key: 'k',
    region: 'us-east-1',
    accountId: ACCOUNT,
    bucketEncryption,
  });
  const resolved =
    decision.keyId === undefined
      ? undefined
      : decision.keyId === 'alias/aws/s3'
        ? MANAGED_KEY
        : decision.keyId === 'alias/mine'
          ? KEY_ARN
          : decision.keyId;
  const conditionKeys = conditionKeysFor(decision, resolved, {
    headers,
    secureTransport: true,
    principal,
    region: 'us-east-1',
    accountId: ACCOUNT,
    awsManagedKeyArn: MANAGED_KEY,
  });
  return evaluateBucketPolicy(policy, { action: 's3:PutObject', principal, resource: OBJECT, conditionKeys });
}

describe('bucket policies that require encryption (spec: s3-gateway.md)', () => {
  const requireKms = policyOf({
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:PutObject',
    Resource: 'arn:aws:s3:::b/*',
    Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
  });

  it('StringNotEquals aws:kms denies AES256 and requests without the header (a bucket default does not count), allows aws:kms', () => {
    expect(putDecision(requireKms, { 'x-amz-server-side-encryption': 'AES256' })).toBe('deny');
    expect(putDecision(requireKms, {})).toBe('deny');
    expect(putDecision(requireKms, {}, { algorithm: 'aws:kms', bucketKeyEnabled: false })).toBe('deny');
    expect(putDecision(requireKms, { 'x-amz-server-side-encryption': 'aws:kms' })).toBe('default');
  });

  it('Null true on the key ID denies uploads that name no key', () => {
    const requireKey = policyOf({
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:PutObject',
      Resource: 'arn:aws:s3:::b/*',
      Condition: { Null: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'true' } },
    });
    expect(putDecision(requireKey, { 'x-amz-server-side-encryption': 'aws:kms' })).toBe('deny');
    expect(putDecision(requireKey, {})).toBe('deny');
    expect(
      putDecision(requireKey, {
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id': KEY_ARN,
      }),
    ).toBe('default');
  });

  it('StringNotEquals <key ARN> compares the full ARN: an alias that resolves to it passes, another key is denied', () => {
    const oneKey = policyOf({
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:PutObject',
      Resource: 'arn:aws:s3:::b/*',
      Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': KEY_ARN } },
    });
    expect(
      putDecision(oneKey, {
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id': KEY_ARN,
      }),
    ).toBe('default');
    expect(
      putDecision(oneKey, {
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id': 'alias/mine',
      }),
    ).toBe('default');
    expect(
      putDecision(oneKey, {
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id': OTHER_KEY,
      }),
    ).toBe('deny');
  });

  it('aws:kms without a key ID: the AWS-managed key is assumed and must still match the policy key', () => {
    const oneKey = policyOf({
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:PutObject',
      Resource: 'arn:aws:s3:::b/*',
      Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': KEY_ARN } },
    });
    expect(putDecision(oneKey, { 'x-amz-server-side-encryption': 'aws:kms' })).toBe('deny');
    // Even when the bucket default names the policy's key, the condition sees the AWS-managed key.
    expect(
      putDecision(
        oneKey,
        { 'x-amz-server-side-encryption': 'aws:kms' },
        { algorithm: 'aws:kms', kmsMasterKeyId: KEY_ARN, bucketKeyEnabled: false },
      ),
    ).toBe('deny');
    const managedOnly = policyOf({
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:PutObject',
      Resource: 'arn:aws:s3:::b/*',
      Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': MANAGED_KEY } },
    });
    expect(putDecision(managedOnly, { 'x-amz-server-side-encryption': 'aws:kms' })).toBe('default');
  });

  it('ArnNotLike on the key ID works on the full ARN with wildcards', () => {
    const accountKeys = policyOf({
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:PutObject',
      Resource: 'arn:aws:s3:::b/*',
      Condition: { ArnNotLike: { 's3:x-amz-server-side-encryption-aws-kms-key-id': `arn:aws:kms:*:${ACCOUNT}:key/*` } },
    });
    expect(
      putDecision(accountKeys, {
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id': KEY_ARN,
      }),
    ).toBe('default');
    expect(
      putDecision(accountKeys, {
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id': 'arn:aws:kms:us-east-1:999999999999:key/x',
      }),
    ).toBe('deny');
  });
});

describe('evaluateBucketPolicy', () => {
  const keys = (extra: ConditionKeys = {}): ConditionKeys => ({ 'aws:securetransport': 'true', ...extra });
  const request = (
    principal: string | undefined,
    action = 's3:GetObject',
    resource = OBJECT,
    conditionKeys = keys(),
  ) => ({ action, principal, resource, conditionKeys });

  it('deny wins over allow; nothing matching is default', () => {
    const policy = policyOf(
      { Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: 'arn:aws:s3:::b/*' },
      { Effect: 'Deny', Principal: { AWS: ALICE }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' },
    );
    expect(evaluateBucketPolicy(policy, request(ALICE))).toBe('deny');
    expect(evaluateBucketPolicy(policy, request(`arn:aws:iam::${ACCOUNT}:user/bob`))).toBe('allow');
    expect(evaluateBucketPolicy(policy, request(ALICE, 's3:GetObject', 'arn:aws:s3:::other/k'))).toBe('default');
  });

  it('anonymous requests match only "*" principals', () => {
    const byAccount = policyOf({
      Effect: 'Allow',
      Principal: { AWS: ACCOUNT },
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::b/*',
    });
    expect(evaluateBucketPolicy(byAccount, request(undefined))).toBe('default');
    expect(evaluateBucketPolicy(byAccount, request(ALICE))).toBe('allow');
    const everyone = policyOf({
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::b/*',
    });
    expect(evaluateBucketPolicy(everyone, request(undefined))).toBe('allow');
  });

  it('principals: account root covers the account; a role covers its assumed-role sessions; other ARNs match exactly', () => {
    const root = policyOf({
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: 's3:GetObject',
      Resource: '*',
    });
    expect(evaluateBucketPolicy(root, request(ALICE))).toBe('allow');
    expect(evaluateBucketPolicy(root, request('arn:aws:iam::999999999999:user/alice'))).toBe('default');
    const role = policyOf({
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/app` },
      Action: 's3:GetObject',
      Resource: '*',
    });
    expect(evaluateBucketPolicy(role, request(`arn:aws:sts::${ACCOUNT}:assumed-role/app/session-1`))).toBe('allow');
    expect(evaluateBucketPolicy(role, request(`arn:aws:sts::${ACCOUNT}:assumed-role/other/session-1`))).toBe('default');
    expect(evaluateBucketPolicy(role, request(ALICE))).toBe('default');
  });

  it('actions match case-insensitively with wildcards; resources case-sensitively; Not* forms invert', () => {
    const policy = policyOf({ Effect: 'Deny', Principal: '*', Action: 's3:get*', Resource: 'arn:aws:s3:::b/secret/*' });
    expect(evaluateBucketPolicy(policy, request(ALICE, 's3:GetObject', 'arn:aws:s3:::b/secret/x'))).toBe('deny');
    expect(evaluateBucketPolicy(policy, request(ALICE, 's3:PutObject', 'arn:aws:s3:::b/secret/x'))).toBe('default');
    expect(evaluateBucketPolicy(policy, request(ALICE, 's3:GetObject', 'arn:aws:s3:::b/SECRET/x'))).toBe('default');
    const inverted = policyOf({
      Effect: 'Deny',
      NotPrincipal: { AWS: ALICE },
      NotAction: 's3:GetObject',
      NotResource: 'arn:aws:s3:::b/public/*',
    });
    expect(evaluateBucketPolicy(inverted, request(ALICE, 's3:PutObject'))).toBe('default');
    expect(evaluateBucketPolicy(inverted, request(undefined, 's3:PutObject'))).toBe('deny');
    expect(evaluateBucketPolicy(inverted, request(undefined, 's3:GetObject'))).toBe('default');
    expect(evaluateBucketPolicy(inverted, request(undefined, 's3:PutObject', 'arn:aws:s3:::b/public/x'))).toBe(
      'default',
    );
  });

  it('aws:SecureTransport false denies plain HTTP (Bool)', () => {
    const policy = policyOf({
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'],
      Condition: { Bool: { 'aws:SecureTransport': false } },
    });
    expect(
      evaluateBucketPolicy(policy, request(ALICE, 's3:GetObject', OBJECT, keys({ 'aws:securetransport': 'false' }))),
    ).toBe('deny');
    expect(evaluateBucketPolicy(policy, request(ALICE))).toBe('default');
  });
});
