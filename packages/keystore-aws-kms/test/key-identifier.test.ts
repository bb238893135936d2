import { ErrorCodes } from '@sealflow/core';
import { describe, expect, test } from 'vitest';

import { assertKeyIdentifier, parseKeyIdentifier } from '../src/key-identifier.js';

const ID = '1234abcd-12ab-34cd-56ef-1234567890ab';

describe('parseKeyIdentifier', () => {
  test.each([
    [ID, 'key-id', undefined],
    ['mrk-1234abcd12ab34cd56ef1234567890ab', 'key-id', undefined],
    [`arn:aws:kms:us-east-2:111122223333:key/${ID}`, 'key-arn', 'us-east-2'],
    ['alias/ExampleAlias', 'alias-name', undefined],
    ['alias/aws/s3', 'alias-name', undefined],
    ['arn:aws:kms:us-east-2:111122223333:alias/ExampleAlias', 'alias-arn', 'us-east-2'],
    [`arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/${ID}`, 'key-arn', 'us-gov-west-1'],
    [`arn:aws-cn:kms:cn-north-1:111122223333:key/${ID}`, 'key-arn', 'cn-north-1'],
  ] as const)('classifies %s as a %s', (value, kind, region) => {
    const parsed = parseKeyIdentifier(value);
    expect(parsed?.kind).toBe(kind);
    expect(parsed?.region).toBe(region);
  });

  test('reads partition and account from an ARN', () => {
    expect(parseKeyIdentifier(`arn:aws:kms:eu-west-1:444455556666:key/${ID}`)).toMatchObject({
      partition: 'aws',
      accountId: '444455556666',
    });
  });

  test.each([
    '',
    'not-a-key',
    'alias/',
    'alias/bad name',
    `arn:aws:s3:us-east-1:111122223333:key/${ID}`,
    `arn:aws:kms:us-east-1:1111:key/${ID}`,
    'arn:aws:kms:us-east-1:111122223333:key/not-a-uuid',
    `arn:aws:kms:us-east-1:111122223333:grant/${ID}`,
    `${ID}\n`,
  ])('refuses %j', (value) => {
    expect(parseKeyIdentifier(value)).toBeUndefined();
  });
});

describe('assertKeyIdentifier', () => {
  const arn = `arn:aws:kms:us-east-1:111122223333:key/${ID}`;

  test('accepts the four forms outside strict mode', () => {
    for (const value of [ID, arn, 'alias/x', 'arn:aws:kms:us-east-1:111122223333:alias/x']) {
      expect(assertKeyIdentifier(value, 'keyId', false, 'us-east-1').value).toBe(value);
    }
  });

  test('in strict mode accepts a key ARN and refuses key IDs, alias names and alias ARNs', () => {
    expect(assertKeyIdentifier(arn, 'keyId', true, 'us-east-1').kind).toBe('key-arn');
    for (const value of [ID, 'alias/x', 'arn:aws:kms:us-east-1:111122223333:alias/x']) {
      expect(() => assertKeyIdentifier(value, 'opts.keyId', true, 'us-east-1')).toThrow(
        expect.objectContaining({
          code: ErrorCodes.INVALID_ARGUMENT,
          message: expect.stringMatching(/^opts\.keyId: strict mode accepts only a full key ARN/),
        }),
      );
    }
  });

  test('refuses an ARN (key or alias) in another region than the client', () => {
    expect(() => assertKeyIdentifier(arn, 'keyId', false, 'eu-west-1')).toThrow(
      /keyId: the key is in region us-east-1 but the KMS client is in eu-west-1/,
    );
    expect(() =>
      assertKeyIdentifier('arn:aws:kms:us-east-1:111122223333:alias/x', 'keyId', false, 'eu-west-1'),
    ).toThrow(/region/);
  });

  test('has no region to check for key IDs and alias names', () => {
    expect(assertKeyIdentifier('alias/x', 'keyId', false, 'eu-west-1').kind).toBe('alias-name');
  });

  test('names the field and strips control characters from what it echoes', () => {
    expect(() => assertKeyIdentifier('bad\u0000id', 'options.keyId', false, undefined)).toThrow(
      /^options\.keyId: expected a KMS key ID.*"bad\?id"$/,
    );
  });
});
