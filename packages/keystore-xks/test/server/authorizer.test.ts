import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '@sealflow/core';
import { createRuleAuthorizer, type XksAuthorizationRequest } from '@sealflow/keystore-xks';

const request = (overrides: Partial<XksAuthorizationRequest> = {}): XksAuthorizationRequest => ({
  operation: 'Encrypt',
  keyId: 'foo',
  uriPrefix: '/p',
  accessKeyId: 'AK',
  principal: 'arn:aws:iam::111122223333:role/app',
  requestMetadata: { kmsOperation: 'GenerateDataKey' },
  ...overrides,
});

describe('createRuleAuthorizer', () => {
  const authorize = createRuleAuthorizer([
    {
      name: 'app-encrypts',
      principals: ['arn:aws:iam::111122223333:role/*'],
      operations: ['Encrypt', 'GetKeyMetadata'],
      keyIds: ['foo'],
    },
    {
      name: 'ops-decrypts',
      principals: ['arn:aws:iam::111122223333:role/ops'],
      operations: ['Decrypt'],
      keyIds: ['*'],
      kmsOperations: ['Decrypt'],
    },
    { name: 'no-vpc-x', effect: 'deny', principals: ['*'], operations: ['*'], keyIds: ['*'], uriPrefixes: ['/locked'] },
  ]);

  it('allows a request an allow rule matches, naming the rule', () => {
    expect(authorize(request())).toEqual({ allow: true, rule: 'app-encrypts' });
    expect(
      authorize(
        request({
          principal: 'arn:aws:iam::111122223333:role/ops',
          operation: 'Decrypt',
          requestMetadata: { kmsOperation: 'Decrypt' },
        }),
      ),
    ).toEqual({ allow: true, rule: 'ops-decrypts' });
  });

  it('denies by default, and a deny rule wins over an allow rule', () => {
    expect(authorize(request({ operation: 'Decrypt' }))).toEqual({ allow: false, rule: 'default-deny' });
    expect(authorize(request({ keyId: 'bar' }))).toEqual({ allow: false, rule: 'default-deny' });
    expect(authorize(request({ uriPrefix: '/locked' }))).toEqual({ allow: false, rule: 'no-vpc-x' });
  });

  it('matches an unknown kmsOperation only by a wildcard, without treating it as invalid', () => {
    const ops = request({
      principal: 'arn:aws:iam::111122223333:role/ops',
      operation: 'Decrypt',
      requestMetadata: { kmsOperation: 'FutureOp' },
    });
    expect(authorize(ops)).toEqual({ allow: false, rule: 'default-deny' });
  });

  it('rejects malformed rules', () => {
    for (const rules of [
      [{ principals: ['*'], operations: ['Fly'], keyIds: ['*'] }],
      [{ operations: ['*'], keyIds: ['*'] }],
      [{ principals: ['*'], operations: ['*'], keyIds: ['*'], effect: 'maybe' }],
      [{ principals: ['*'], operations: ['*'], keyIds: ['*'], extra: 1 }],
    ]) {
      expect(() => createRuleAuthorizer(rules as never)).toThrow(
        expect.objectContaining({ code: ErrorCodes.INVALID_ARGUMENT }),
      );
    }
  });
});
