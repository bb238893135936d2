import { describe, expect, it } from 'vitest';
import { formatAliasArn, formatKeyArn, parseKeyIdentifier, parsePrincipal } from '../src/arn.js';

const ID = '1234abcd-12ab-34cd-56ef-1234567890ab';

describe('parseKeyIdentifier', () => {
  it('classifies key IDs, key ARNs, alias names and alias ARNs', () => {
    expect(parseKeyIdentifier(ID)).toEqual({ kind: 'key-id', keyId: ID });
    expect(parseKeyIdentifier(formatKeyArn('aws', 'eu-west-1', '111122223333', ID))).toEqual({
      kind: 'key-arn',
      partition: 'aws',
      region: 'eu-west-1',
      accountId: '111122223333',
      keyId: ID,
    });
    expect(parseKeyIdentifier('alias/app/prod')).toEqual({ kind: 'alias-name', aliasName: 'alias/app/prod' });
    expect(parseKeyIdentifier(formatAliasArn('aws', 'eu-west-1', '111122223333', 'alias/app'))).toEqual({
      kind: 'alias-arn',
      partition: 'aws',
      region: 'eu-west-1',
      accountId: '111122223333',
      aliasName: 'alias/app',
    });
  });

  it('calls a malformed ARN invalid and anything else unknown', () => {
    expect(parseKeyIdentifier('arn:aws:kms:us-east-1:111122223333:key/not-a-uuid')).toBe('invalid-arn');
    expect(parseKeyIdentifier('arn:aws:kms:us-east-1:1111:key/' + ID)).toBe('invalid-arn');
    expect(parseKeyIdentifier('arn:aws:s3:::bucket')).toBe('invalid-arn');
    expect(parseKeyIdentifier('alias/')).toBeUndefined();
    expect(parseKeyIdentifier(ID.toUpperCase())).toBeUndefined();
    expect(parseKeyIdentifier('mrk-1234')).toBeUndefined();
  });
});

describe('parsePrincipal', () => {
  it('reads the account and CloudTrail identity type from root, user, role and assumed-role ARNs', () => {
    expect(parsePrincipal('arn:aws:iam::111122223333:root')).toMatchObject({ accountId: '111122223333', type: 'Root' });
    expect(parsePrincipal('arn:aws:iam::111122223333:user/dept/alice')).toMatchObject({ type: 'IAMUser' });
    expect(parsePrincipal('arn:aws:iam::111122223333:role/app')).toMatchObject({ type: 'AssumedRole' });
    expect(parsePrincipal('arn:aws:sts::444455556666:assumed-role/app/session')).toMatchObject({
      accountId: '444455556666',
      type: 'AssumedRole',
    });
  });

  it('refuses groups, services and malformed ARNs', () => {
    for (const bad of [
      'arn:aws:iam::111122223333:group/x',
      'arn:aws:iam::aws:policy/x',
      's3.amazonaws.com',
      'arn:aws:iam::111122223333:role/',
    ]) {
      expect(parsePrincipal(bad)).toBeUndefined();
    }
  });
});
