import { describe, expect, it } from 'vitest';
import { ACCOUNT_A, ACCOUNT_B, failure, failureName, newKms, ROOT_B } from './support.js';

describe('CreateAlias, UpdateAlias, DeleteAlias, ListAliases', () => {
  it('an alias resolves to its key until it is moved or deleted', async () => {
    const { kms, clock } = newKms();
    const one = (await kms.createKey()).KeyMetadata;
    const two = (await kms.createKey()).KeyMetadata;
    await kms.createAlias({ AliasName: 'alias/app', TargetKeyId: one.KeyId });
    expect((await kms.generateDataKey({ KeyId: 'alias/app', NumberOfBytes: 32 })).KeyId).toBe(one.Arn);
    clock.advance(5000);
    await kms.updateAlias({ AliasName: 'alias/app', TargetKeyId: two.Arn });
    expect((await kms.generateDataKey({ KeyId: 'alias/app', NumberOfBytes: 32 })).KeyId).toBe(two.Arn);
    const [entry] = (await kms.listAliases()).Aliases;
    expect(entry).toMatchObject({
      AliasName: 'alias/app',
      AliasArn: `arn:aws:kms:us-east-1:${ACCOUNT_A}:alias/app`,
      TargetKeyId: two.KeyId,
    });
    expect((entry?.LastUpdatedDate.getTime() ?? 0) - (entry?.CreationDate.getTime() ?? 0)).toBe(5000);
    await kms.deleteAlias({ AliasName: 'alias/app' });
    expect(await failureName(kms.describeKey({ KeyId: 'alias/app' }))).toBe('NotFoundException');
    expect(await failureName(kms.deleteAlias({ AliasName: 'alias/app' }))).toBe('NotFoundException');
  });

  it('refuses a duplicate with AlreadyExistsException, a malformed name with ValidationException, alias/aws/ with NotAuthorizedException', async () => {
    const { kms } = newKms();
    const { KeyId } = (await kms.createKey()).KeyMetadata;
    await kms.createAlias({ AliasName: 'alias/app', TargetKeyId: KeyId });
    expect(await failureName(kms.createAlias({ AliasName: 'alias/app', TargetKeyId: KeyId }))).toBe(
      'AlreadyExistsException',
    );
    expect(await failureName(kms.createAlias({ AliasName: 'app', TargetKeyId: KeyId }))).toBe('ValidationException');
    expect(await failureName(kms.createAlias({ AliasName: 'alias/sp ace', TargetKeyId: KeyId }))).toBe(
      'ValidationException',
    );
    expect(await failureName(kms.createAlias({ AliasName: 'alias/aws/mine', TargetKeyId: KeyId }))).toBe(
      'NotAuthorizedException',
    );
    expect(await failureName(kms.createAlias({ AliasName: 'alias/x', TargetKeyId: 'alias/app' }))).toBe(
      'NotFoundException',
    );
    expect(
      await failureName(kms.createAlias({ AliasName: 'alias/x', TargetKeyId: '00000000-0000-4000-8000-000000000000' })),
    ).toBe('NotFoundException');
  });

  it('an alias name resolves in the caller account: the same name in two accounts names two keys', async () => {
    const { kms } = newKms();
    const b = kms.as(ROOT_B);
    const keyA = (await kms.createKey()).KeyMetadata;
    const keyB = (await b.createKey()).KeyMetadata;
    await kms.createAlias({ AliasName: 'alias/shared-name', TargetKeyId: keyA.KeyId });
    await b.createAlias({ AliasName: 'alias/shared-name', TargetKeyId: keyB.KeyId });
    expect((await kms.encrypt({ KeyId: 'alias/shared-name', Plaintext: Uint8Array.of(1) })).KeyId).toBe(keyA.Arn);
    expect((await b.encrypt({ KeyId: 'alias/shared-name', Plaintext: Uint8Array.of(1) })).KeyId).toBe(keyB.Arn);
    expect((await b.listAliases()).Aliases.map((a) => a.TargetKeyId)).toEqual([keyB.KeyId]);
  });

  it('an alias must point at a key of its own account', async () => {
    const { kms } = newKms();
    const keyA = (await kms.createKey()).KeyMetadata;
    const error = await failure(kms.as(ROOT_B).createAlias({ AliasName: 'alias/foreign', TargetKeyId: keyA.Arn }));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain('same account');
  });

  it('ListAliases filters by key and pages with Limit and Marker', async () => {
    const { kms } = newKms();
    const one = (await kms.createKey()).KeyMetadata;
    const two = (await kms.createKey()).KeyMetadata;
    for (const name of ['alias/c', 'alias/a', 'alias/b'])
      await kms.createAlias({ AliasName: name, TargetKeyId: one.KeyId });
    await kms.createAlias({ AliasName: 'alias/z', TargetKeyId: two.KeyId });
    expect((await kms.listAliases({ KeyId: two.Arn })).Aliases.map((a) => a.AliasName)).toEqual(['alias/z']);
    const first = await kms.listAliases({ Limit: 2 });
    expect(first.Aliases.map((a) => a.AliasName)).toEqual(['alias/a', 'alias/b']);
    const rest = await kms.listAliases({ Limit: 2, Marker: first.NextMarker });
    expect(rest.Aliases.map((a) => a.AliasName)).toEqual(['alias/c', 'alias/z']);
    expect(rest.Truncated).toBe(false);
  });

  it('alias changes need kms:CreateAlias / kms:UpdateAlias / kms:DeleteAlias on the key', async () => {
    const { kms } = newKms();
    const admin = kms.as(`arn:aws:iam::${ACCOUNT_A}:role/admin`);
    const onlyAdmin = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT_A}:role/admin` }, Action: 'kms:*', Resource: '*' },
      ],
    });
    const { KeyId } = (await admin.createKey({ Policy: onlyAdmin })).KeyMetadata;
    expect(await failureName(kms.createAlias({ AliasName: 'alias/x', TargetKeyId: KeyId }))).toBe(
      'AccessDeniedException',
    );
    await admin.createAlias({ AliasName: 'alias/x', TargetKeyId: KeyId });
    expect(await failureName(kms.deleteAlias({ AliasName: 'alias/x' }))).toBe('AccessDeniedException');
    expect((await kms.listAliases()).Aliases.map((a) => a.AliasName)).toEqual(['alias/x']);
  });
});

describe('the AWS-managed key alias/aws/s3', () => {
  it('is created on first use in the caller account, once, and is AWS-managed with yearly rotation', async () => {
    const { kms } = newKms();
    expect((await kms.listKeys()).Keys).toEqual([]);
    const first = await kms.generateDataKey({ KeyId: 'alias/aws/s3', NumberOfBytes: 32 });
    const second = await kms.generateDataKey({ KeyId: 'alias/aws/s3', NumberOfBytes: 32 });
    expect(second.KeyId).toBe(first.KeyId);
    expect((await kms.listKeys()).Keys.map((k) => k.KeyArn)).toEqual([first.KeyId]);
    const { KeyMetadata } = await kms.describeKey({ KeyId: 'alias/aws/s3' });
    expect(KeyMetadata.KeyManager).toBe('AWS');
    expect(KeyMetadata.AWSAccountId).toBe(ACCOUNT_A);
    expect((await kms.getKeyRotationStatus({ KeyId: KeyMetadata.KeyId })).KeyRotationEnabled).toBe(true);
    expect((await kms.listAliases()).Aliases.map((a) => a.AliasName)).toEqual(['alias/aws/s3']);
  });

  it('cannot be used from another account, even by its full ARN', async () => {
    const { kms } = newKms();
    const mine = await kms.generateDataKey({ KeyId: 'alias/aws/s3', NumberOfBytes: 32 });
    const b = kms.as(ROOT_B);
    expect(await failureName(b.decrypt({ CiphertextBlob: mine.CiphertextBlob }))).toBe('AccessDeniedException');
    expect(await failureName(b.generateDataKey({ KeyId: mine.KeyId, NumberOfBytes: 32 }))).toBe(
      'AccessDeniedException',
    );
    expect(
      await failureName(
        b.generateDataKey({ KeyId: `arn:aws:kms:us-east-1:${ACCOUNT_A}:alias/aws/s3`, NumberOfBytes: 32 }),
      ),
    ).toBe('AccessDeniedException');
    // B's own alias/aws/s3 is B's own key.
    const theirs = await b.generateDataKey({ KeyId: 'alias/aws/s3', NumberOfBytes: 32 });
    expect(theirs.KeyId).toContain(`:${ACCOUNT_B}:key/`);
    expect(await failureName(b.decrypt({ CiphertextBlob: mine.CiphertextBlob, KeyId: 'alias/aws/s3' }))).toBe(
      'IncorrectKeyException',
    );
  });

  it('cannot be managed: disable, delete, re-policy and re-alias are denied', async () => {
    const { kms } = newKms();
    const { KeyMetadata } = await kms.describeKey({ KeyId: 'alias/aws/s3' });
    const KeyId = KeyMetadata.KeyId;
    const calls = [
      () => kms.disableKey({ KeyId }),
      () => kms.scheduleKeyDeletion({ KeyId }),
      () => kms.putKeyPolicy({ KeyId, Policy: '{}' }),
      () => kms.disableKeyRotation({ KeyId }),
      () => kms.createAlias({ AliasName: 'alias/mine', TargetKeyId: KeyId }),
    ];
    for (const call of calls) expect(await failureName(call())).toBe('AccessDeniedException');
    expect(await failureName(kms.deleteAlias({ AliasName: 'alias/aws/s3' }))).toBe('NotAuthorizedException');
  });
});
