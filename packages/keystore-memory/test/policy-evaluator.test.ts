import { describe, expect, it } from 'vitest';
import { parsePrincipal, type Principal } from '../src/arn.js';
import { compileKeyPolicy } from '../src/policy-document.js';
import { evaluateKeyPolicy, type PolicyDecision } from '../src/policy-evaluator.js';
import {
  ACCOUNT_A,
  ACCOUNT_B,
  allow,
  failure,
  failureName,
  newKms,
  policy,
  READER_A,
  ROOT_A,
  ROOT_B,
  WRITER_A,
} from './support.js';

const KEY = `arn:aws:kms:us-east-1:${ACCOUNT_A}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const who = (arn: string): Principal => parsePrincipal(arn) as Principal;

function decide(
  statements: object[],
  principal: string,
  action: string,
  encryptionContext?: Record<string, string>,
): PolicyDecision {
  return evaluateKeyPolicy(compileKeyPolicy(policy(...statements)), {
    principal: who(principal),
    action,
    keyArn: KEY,
    ...(encryptionContext === undefined ? {} : { encryptionContext }),
  });
}

describe('principals and actions', () => {
  it('an account root (or bare account ID) covers every principal of that account, and no other', () => {
    for (const entry of [ROOT_A, ACCOUNT_A]) {
      expect(decide([allow(entry, 'kms:Decrypt')], WRITER_A, 'kms:Decrypt')).toBe('allow');
      expect(decide([allow(entry, 'kms:Decrypt')], ROOT_A, 'kms:Decrypt')).toBe('allow');
      expect(decide([allow(entry, 'kms:Decrypt')], ROOT_B, 'kms:Decrypt')).toBe('implicit-deny');
    }
  });

  it('a role or user ARN covers that principal only (and the role its assumed-role sessions)', () => {
    const statements = [allow(WRITER_A, 'kms:GenerateDataKey')];
    expect(decide(statements, WRITER_A, 'kms:GenerateDataKey')).toBe('allow');
    expect(decide(statements, READER_A, 'kms:GenerateDataKey')).toBe('implicit-deny');
    expect(decide(statements, ROOT_A, 'kms:GenerateDataKey')).toBe('implicit-deny');
    expect(decide(statements, `arn:aws:sts::${ACCOUNT_A}:assumed-role/writer/session-1`, 'kms:GenerateDataKey')).toBe(
      'allow',
    );
    expect(
      decide(
        [allow(`arn:aws:iam::${ACCOUNT_A}:user/alice`, 'kms:Decrypt')],
        `arn:aws:iam::${ACCOUNT_A}:user/alice`,
        'kms:Decrypt',
      ),
    ).toBe('allow');
  });

  it('actions match exactly or by wildcard, case-insensitively', () => {
    expect(decide([allow('*', 'kms:GenerateDataKey*')], WRITER_A, 'kms:GenerateDataKeyWithoutPlaintext')).toBe('allow');
    expect(decide([allow('*', 'kms:ReEncrypt*')], WRITER_A, 'kms:ReEncryptFrom')).toBe('allow');
    expect(decide([allow('*', 'kms:*')], WRITER_A, 'kms:PutKeyPolicy')).toBe('allow');
    expect(decide([allow('*', 'KMS:decrypt')], WRITER_A, 'kms:Decrypt')).toBe('allow');
    expect(decide([allow('*', ['kms:Encrypt', 'kms:Decrypt'])], WRITER_A, 'kms:GenerateDataKey')).toBe('implicit-deny');
    expect(decide([allow('*', 'kms:Decrypt')], WRITER_A, 'kms:DecryptX')).toBe('implicit-deny');
  });

  it('an explicit Deny wins over any Allow', () => {
    const statements = [
      allow('*', 'kms:*'),
      { Effect: 'Deny', Principal: { AWS: READER_A }, Action: 'kms:Decrypt', Resource: '*' },
    ];
    expect(decide(statements, READER_A, 'kms:Decrypt')).toBe('explicit-deny');
    expect(decide(statements, WRITER_A, 'kms:Decrypt')).toBe('allow');
  });
});

describe('conditions on the principal', () => {
  const SESSION = `arn:aws:sts::${ACCOUNT_A}:assumed-role/writer/session-1`;

  it('aws:PrincipalArn of an assumed-role session is the role ARN, so a Deny naming the role covers its sessions', () => {
    const statements = [
      allow(ROOT_A, 'kms:Decrypt'),
      {
        Effect: 'Deny',
        Principal: '*',
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: { ArnLike: { 'aws:PrincipalArn': WRITER_A } },
      },
    ];
    expect(decide(statements, SESSION, 'kms:Decrypt')).toBe('explicit-deny');
    expect(decide(statements, WRITER_A, 'kms:Decrypt')).toBe('explicit-deny');
    expect(decide(statements, READER_A, 'kms:Decrypt')).toBe('allow');
  });

  it('ArnEquals and ArnNotEquals take wildcards as ArnLike does (IAM), so a Deny on an ARN pattern applies', () => {
    const deny = (operator: string): object[] => [
      allow(ROOT_A, 'kms:Decrypt'),
      {
        Effect: 'Deny',
        Principal: '*',
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: { [operator]: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT_A}:role/wri*` } },
      },
    ];
    expect(decide(deny('ArnEquals'), WRITER_A, 'kms:Decrypt')).toBe('explicit-deny');
    expect(decide(deny('ArnEquals'), READER_A, 'kms:Decrypt')).toBe('allow');
    expect(decide(deny('ArnNotEquals'), WRITER_A, 'kms:Decrypt')).toBe('allow');
    expect(decide(deny('ArnNotEquals'), READER_A, 'kms:Decrypt')).toBe('explicit-deny');
  });

  it('aws:PrincipalArn of an assumed-role session matches an Allow naming the role', () => {
    const statements = [allow('*', 'kms:Decrypt', { StringEquals: { 'aws:PrincipalArn': WRITER_A } })];
    expect(decide(statements, SESSION, 'kms:Decrypt')).toBe('allow');
    expect(decide(statements, `arn:aws:sts::${ACCOUNT_A}:assumed-role/reader/session-1`, 'kms:Decrypt')).toBe(
      'implicit-deny',
    );
  });
});

describe('conditions on the encryption context', () => {
  const tenantA = { StringEquals: { 'kms:EncryptionContext:tenant': 'a' } };

  it('kms:EncryptionContext:<key> with StringEquals requires that pair', () => {
    const statements = [allow('*', 'kms:Decrypt', tenantA)];
    expect(decide(statements, WRITER_A, 'kms:Decrypt', { tenant: 'a', other: 'x' })).toBe('allow');
    expect(decide(statements, WRITER_A, 'kms:Decrypt', { tenant: 'b' })).toBe('implicit-deny');
    expect(decide(statements, WRITER_A, 'kms:Decrypt', { Tenant: 'a' })).toBe('implicit-deny');
    expect(decide(statements, WRITER_A, 'kms:Decrypt', {})).toBe('implicit-deny');
    expect(decide(statements, WRITER_A, 'kms:Decrypt')).toBe('implicit-deny');
  });

  it('StringLike, StringNotEquals, IgnoreCase and IfExists behave as in IAM', () => {
    const like = [
      allow('*', 'kms:Decrypt', { StringLike: { 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::bucket/*' } }),
    ];
    expect(decide(like, WRITER_A, 'kms:Decrypt', { 'aws:s3:arn': 'arn:aws:s3:::bucket/x/y' })).toBe('allow');
    expect(decide(like, WRITER_A, 'kms:Decrypt', { 'aws:s3:arn': 'arn:aws:s3:::other/x' })).toBe('implicit-deny');
    const not = [allow('*', 'kms:Decrypt', { StringNotEquals: { 'kms:EncryptionContext:tenant': 'blocked' } })];
    expect(decide(not, WRITER_A, 'kms:Decrypt', { tenant: 'ok' })).toBe('allow');
    expect(decide(not, WRITER_A, 'kms:Decrypt', { tenant: 'blocked' })).toBe('implicit-deny');
    expect(decide(not, WRITER_A, 'kms:Decrypt', {})).toBe('allow');
    const ignoreCase = [allow('*', 'kms:Decrypt', { StringEqualsIgnoreCase: { 'kms:EncryptionContext:tenant': 'A' } })];
    expect(decide(ignoreCase, WRITER_A, 'kms:Decrypt', { tenant: 'a' })).toBe('allow');
    const ifExists = [allow('*', 'kms:Decrypt', { StringEqualsIfExists: { 'kms:EncryptionContext:tenant': 'a' } })];
    expect(decide(ifExists, WRITER_A, 'kms:Decrypt', {})).toBe('allow');
    expect(decide(ifExists, WRITER_A, 'kms:Decrypt', { tenant: 'b' })).toBe('implicit-deny');
  });

  it('kms:EncryptionContextKeys with ForAllValues / ForAnyValue / Null', () => {
    const only = [
      allow('*', 'kms:Encrypt', {
        'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['tenant', 'purpose'] },
      }),
    ];
    expect(decide(only, WRITER_A, 'kms:Encrypt', { tenant: 'a' })).toBe('allow');
    expect(decide(only, WRITER_A, 'kms:Encrypt', { tenant: 'a', purpose: 'b' })).toBe('allow');
    expect(decide(only, WRITER_A, 'kms:Encrypt', { tenant: 'a', extra: 'c' })).toBe('implicit-deny');
    const any = [allow('*', 'kms:Encrypt', { 'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': 'tenant' } })];
    expect(decide(any, WRITER_A, 'kms:Encrypt', { tenant: 'a', extra: 'c' })).toBe('allow');
    expect(decide(any, WRITER_A, 'kms:Encrypt', { extra: 'c' })).toBe('implicit-deny');
    expect(decide(any, WRITER_A, 'kms:Encrypt', {})).toBe('implicit-deny');
    const required = [allow('*', 'kms:Encrypt', { Null: { 'kms:EncryptionContextKeys': 'false' } })];
    expect(decide(required, WRITER_A, 'kms:Encrypt', { any: 'x' })).toBe('allow');
    expect(decide(required, WRITER_A, 'kms:Encrypt', {})).toBe('implicit-deny');
  });

  it('every clause of a condition block must hold', () => {
    const both = [
      allow('*', 'kms:Decrypt', {
        StringEquals: { 'kms:EncryptionContext:tenant': 'a', 'kms:CallerAccount': ACCOUNT_A },
      }),
    ];
    expect(decide(both, WRITER_A, 'kms:Decrypt', { tenant: 'a' })).toBe('allow');
    expect(decide(both, ROOT_B, 'kms:Decrypt', { tenant: 'a' })).toBe('implicit-deny');
    expect(decide(both, WRITER_A, 'kms:Decrypt', { tenant: 'b' })).toBe('implicit-deny');
  });

  it('a condition key the request does not carry is absent (kms:ViaService)', () => {
    const via = [allow('*', 'kms:Decrypt', { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } })];
    expect(decide(via, WRITER_A, 'kms:Decrypt', {})).toBe('implicit-deny');
  });
});

describe('key policies enforced by MemoryKms', () => {
  const keyPolicy = policy(
    allow(ROOT_A.replace(':root', ':role/admin'), 'kms:*'),
    allow(WRITER_A, ['kms:GenerateDataKey', 'kms:Encrypt'], { StringEquals: { 'kms:EncryptionContext:tenant': 'a' } }),
    allow(READER_A, 'kms:Decrypt'),
    allow(ROOT_B, 'kms:Decrypt'),
  );

  it('a principal without kms:Decrypt cannot decrypt; the denial names action, principal and key, not the data', async () => {
    const { kms } = newKms();
    const admin = kms.as(ROOT_A.replace(':root', ':role/admin'));
    const { KeyMetadata } = await admin.createKey({ Policy: keyPolicy });
    const writer = kms.as(WRITER_A);
    const reader = kms.as(READER_A);
    const { CiphertextBlob, Plaintext } = await writer.generateDataKey({
      KeyId: KeyMetadata.Arn,
      NumberOfBytes: 32,
      EncryptionContext: { tenant: 'a' },
    });
    const error = await failure(writer.decrypt({ CiphertextBlob, EncryptionContext: { tenant: 'a' } }));
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toContain('kms:Decrypt');
    expect(error.message).toContain(WRITER_A);
    expect(error.message).toContain(KeyMetadata.Arn);
    expect(error.message).not.toContain('tenant');
    expect((await reader.decrypt({ CiphertextBlob, EncryptionContext: { tenant: 'a' } })).Plaintext).toEqual(Plaintext);
    expect(
      await failureName(
        reader.generateDataKey({ KeyId: KeyMetadata.Arn, NumberOfBytes: 32, EncryptionContext: { tenant: 'a' } }),
      ),
    ).toBe('AccessDeniedException');
  });

  it('context conditions gate the call: the writer may generate only with tenant=a', async () => {
    const { kms } = newKms();
    const { KeyMetadata } = await kms.as(ROOT_A.replace(':root', ':role/admin')).createKey({ Policy: keyPolicy });
    const writer = kms.as(WRITER_A);
    expect(
      await failureName(
        writer.generateDataKey({ KeyId: KeyMetadata.Arn, NumberOfBytes: 32, EncryptionContext: { tenant: 'b' } }),
      ),
    ).toBe('AccessDeniedException');
    expect(await failureName(writer.generateDataKey({ KeyId: KeyMetadata.Arn, NumberOfBytes: 32 }))).toBe(
      'AccessDeniedException',
    );
    expect(
      (await writer.generateDataKey({ KeyId: KeyMetadata.Arn, NumberOfBytes: 32, EncryptionContext: { tenant: 'a' } }))
        .KeyId,
    ).toBe(KeyMetadata.Arn);
  });

  it('a customer-managed key can grant another account through its policy', async () => {
    const { kms } = newKms();
    const { KeyMetadata } = await kms.as(ROOT_A.replace(':root', ':role/admin')).createKey({ Policy: keyPolicy });
    const { CiphertextBlob } = await kms
      .as(WRITER_A)
      .encrypt({ KeyId: KeyMetadata.Arn, Plaintext: Uint8Array.of(5), EncryptionContext: { tenant: 'a' } });
    const accountB = kms.as(`arn:aws:iam::${ACCOUNT_B}:role/consumer`);
    expect([...(await accountB.decrypt({ CiphertextBlob, EncryptionContext: { tenant: 'a' } })).Plaintext]).toEqual([
      5,
    ]);
    expect(await failureName(accountB.encrypt({ KeyId: KeyMetadata.Arn, Plaintext: Uint8Array.of(1) }))).toBe(
      'AccessDeniedException',
    );
  });
});
