import { describe, expect, it } from 'vitest';
import {
  ACCOUNT_A,
  ADMIN_ROLE_A,
  DAY,
  failure,
  failureName,
  newKms,
  policy,
  ROOT_A,
  ROOT_B,
  WRITER_A,
} from './support.js';

describe('CreateKey and DescribeKey', () => {
  it('creates an enabled symmetric key in the caller account with an ARN of this region', async () => {
    const { kms, clock } = newKms({ region: 'eu-central-1' });
    const { KeyMetadata } = await kms.createKey({ Description: 'orders' });
    expect(KeyMetadata.KeyId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(KeyMetadata.Arn).toBe(`arn:aws:kms:eu-central-1:${ACCOUNT_A}:key/${KeyMetadata.KeyId}`);
    expect(KeyMetadata).toMatchObject({
      AWSAccountId: ACCOUNT_A,
      Enabled: true,
      KeyState: 'Enabled',
      Description: 'orders',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyManager: 'CUSTOMER',
      Origin: 'AWS_KMS',
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    });
    expect(KeyMetadata.CreationDate.getTime()).toBe(clock.time);
    const described = await kms.describeKey({ KeyId: KeyMetadata.Arn });
    expect(described.KeyMetadata).toEqual(KeyMetadata);
  });

  it.each([
    ['KeySpec', 'RSA_2048'],
    ['KeySpec', 'HMAC_256'],
    ['KeySpec', 'ECC_NIST_P256'],
    ['CustomerMasterKeySpec', 'RSA_4096'],
    ['KeyUsage', 'SIGN_VERIFY'],
    ['KeyUsage', 'GENERATE_VERIFY_MAC'],
    ['Origin', 'EXTERNAL'],
  ])('refuses %s %s with UnsupportedOperationException naming what is supported', async (field, value) => {
    const { kms } = newKms();
    const error = await failure(kms.createKey({ [field]: value }));
    expect(error.name).toBe('UnsupportedOperationException');
    expect(error.message).toContain('symmetric AES-256');
    expect((await kms.listKeys()).Keys).toEqual([]);
  });

  it('refuses multi-Region keys, custom key stores, unknown fields and bad tags', async () => {
    const { kms } = newKms();
    expect(await failureName(kms.createKey({ MultiRegion: true }))).toBe('UnsupportedOperationException');
    expect(await failureName(kms.createKey({ CustomKeyStoreId: 'cks-1' }))).toBe('UnsupportedOperationException');
    expect(await failureName(kms.createKey({ Bogus: 1 } as never))).toBe('ValidationException');
    expect(await failureName(kms.createKey({ Tags: [{ TagKey: '', TagValue: 'x' }] }))).toBe('ValidationException');
    expect((await kms.createKey({ Tags: [{ TagKey: 'team', TagValue: 'a' }] })).KeyMetadata.KeyState).toBe('Enabled');
  });

  it('DescribeKey of an unknown key fails with NotFoundException; and so does a malformed ARN (as AWS KMS answers)', async () => {
    const { kms } = newKms();
    expect(await failureName(kms.describeKey({ KeyId: '00000000-0000-4000-8000-000000000000' }))).toBe(
      'NotFoundException',
    );
    expect(await failureName(kms.describeKey({ KeyId: 'alias/none' }))).toBe('NotFoundException');
    expect(await failureName(kms.describeKey({ KeyId: 'arn:aws:kms:us-east-1:111122223333:bucket/x' }))).toBe(
      'NotFoundException',
    );
    expect(await failureName(kms.describeKey({ KeyId: 'not a key' }))).toBe('NotFoundException');
    expect(await failureName(kms.describeKey({} as never))).toBe('ValidationException');
  });
});

describe('ListKeys', () => {
  it('lists the caller account keys oldest first, with Limit and Marker paging', async () => {
    const { kms, clock } = newKms();
    const created: string[] = [];
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      created.push((await kms.createKey()).KeyMetadata.KeyId);
    }
    await kms.as(ROOT_B).createKey();
    const first = await kms.listKeys({ Limit: 2 });
    expect(first.Keys.map((k) => k.KeyId)).toEqual(created.slice(0, 2));
    expect(first.Truncated).toBe(true);
    const second = await kms.listKeys({ Limit: 2, Marker: first.NextMarker });
    expect(second.Keys.map((k) => k.KeyId)).toEqual(created.slice(2, 4));
    const last = await kms.listKeys({ Limit: 2, Marker: second.NextMarker });
    expect(last.Keys.map((k) => k.KeyId)).toEqual(created.slice(4));
    expect(last.Truncated).toBe(false);
    expect(last.NextMarker).toBeUndefined();
    expect(first.Keys[0]?.KeyArn).toContain(`:${ACCOUNT_A}:key/`);
    expect(await failureName(kms.listKeys({ Marker: 'bm90LWlzc3VlZA' }))).toBe('InvalidMarkerException');
    expect(await failureName(kms.listKeys({ Limit: 0 }))).toBe('ValidationException');
  });
});

describe('EnableKey, DisableKey', () => {
  it('toggles KeyState and Enabled, and takes key IDs or ARNs but not aliases', async () => {
    const { kms } = newKms();
    const { KeyMetadata } = await kms.createKey();
    await kms.createAlias({ AliasName: 'alias/k', TargetKeyId: KeyMetadata.KeyId });
    await kms.disableKey({ KeyId: KeyMetadata.Arn });
    expect((await kms.describeKey({ KeyId: KeyMetadata.KeyId })).KeyMetadata).toMatchObject({
      KeyState: 'Disabled',
      Enabled: false,
    });
    await kms.enableKey({ KeyId: KeyMetadata.KeyId });
    expect((await kms.describeKey({ KeyId: 'alias/k' })).KeyMetadata).toMatchObject({
      KeyState: 'Enabled',
      Enabled: true,
    });
    expect(await failureName(kms.disableKey({ KeyId: 'alias/k' }))).toBe('NotFoundException');
  });
});

describe('ScheduleKeyDeletion, CancelKeyDeletion', () => {
  it('accepts a 7-30 day window (default 30) and refuses others', async () => {
    const { kms, clock } = newKms();
    const a = await kms.createKey();
    const out = await kms.scheduleKeyDeletion({ KeyId: a.KeyMetadata.KeyId });
    expect(out).toMatchObject({ KeyId: a.KeyMetadata.Arn, KeyState: 'PendingDeletion', PendingWindowInDays: 30 });
    expect(out.DeletionDate.getTime()).toBe(clock.time + 30 * DAY);
    const b = await kms.createKey();
    expect(await failureName(kms.scheduleKeyDeletion({ KeyId: b.KeyMetadata.KeyId, PendingWindowInDays: 6 }))).toBe(
      'ValidationException',
    );
    expect(await failureName(kms.scheduleKeyDeletion({ KeyId: b.KeyMetadata.KeyId, PendingWindowInDays: 31 }))).toBe(
      'ValidationException',
    );
    expect(
      (await kms.scheduleKeyDeletion({ KeyId: b.KeyMetadata.KeyId, PendingWindowInDays: 7 })).PendingWindowInDays,
    ).toBe(7);
  });

  it('the key and its aliases are gone once the window passes on the clock, not before', async () => {
    const { kms, clock } = newKms();
    const { KeyMetadata } = await kms.createKey();
    await kms.createAlias({ AliasName: 'alias/doomed', TargetKeyId: KeyMetadata.KeyId });
    const { CiphertextBlob } = await kms.encrypt({ KeyId: KeyMetadata.KeyId, Plaintext: new Uint8Array([1]) });
    await kms.scheduleKeyDeletion({ KeyId: KeyMetadata.KeyId, PendingWindowInDays: 7 });
    clock.advance(7 * DAY - 1);
    const described = await kms.describeKey({ KeyId: KeyMetadata.KeyId });
    expect(described.KeyMetadata.KeyState).toBe('PendingDeletion');
    expect(described.KeyMetadata.DeletionDate?.getTime()).toBe(clock.time + 1);
    clock.advance(1);
    expect(await failureName(kms.describeKey({ KeyId: KeyMetadata.KeyId }))).toBe('NotFoundException');
    expect((await kms.listKeys()).Keys).toEqual([]);
    expect((await kms.listAliases()).Aliases).toEqual([]);
    expect(await failureName(kms.decrypt({ CiphertextBlob }))).toBe('InvalidCiphertextException');
  });

  it('cancelling leaves the key disabled, and its old ciphertexts decrypt once enabled', async () => {
    const { kms, clock } = newKms();
    const { KeyMetadata } = await kms.createKey();
    const KeyId = KeyMetadata.KeyId;
    const { CiphertextBlob } = await kms.encrypt({ KeyId, Plaintext: new Uint8Array([9]) });
    await kms.scheduleKeyDeletion({ KeyId, PendingWindowInDays: 7 });
    expect(await failureName(kms.scheduleKeyDeletion({ KeyId }))).toBe('KMSInvalidStateException');
    expect(await failureName(kms.enableKey({ KeyId }))).toBe('KMSInvalidStateException');
    clock.advance(6 * DAY);
    expect((await kms.cancelKeyDeletion({ KeyId })).KeyId).toBe(KeyMetadata.Arn);
    const { KeyMetadata: after } = await kms.describeKey({ KeyId });
    expect(after.KeyState).toBe('Disabled');
    expect(after.DeletionDate).toBeUndefined();
    clock.advance(30 * DAY);
    await kms.enableKey({ KeyId });
    expect([...(await kms.decrypt({ CiphertextBlob })).Plaintext]).toEqual([9]);
    expect(await failureName(kms.cancelKeyDeletion({ KeyId }))).toBe('KMSInvalidStateException');
  });
});

describe('rotation', () => {
  it('RotateKeyOnDemand gives new data new material; every earlier ciphertext still decrypts', async () => {
    const { kms } = newKms();
    const { KeyMetadata } = await kms.createKey();
    const KeyId = KeyMetadata.KeyId;
    const blobs: Uint8Array[] = [];
    const materials = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const out = await kms.encrypt({ KeyId, Plaintext: Uint8Array.of(i) });
      blobs.push(out.CiphertextBlob);
      materials.add((await kms.describeKey({ KeyId })).KeyMetadata.CurrentKeyMaterialId);
      await kms.rotateKeyOnDemand({ KeyId });
    }
    expect(materials.size).toBe(4);
    for (const [i, blob] of blobs.entries())
      expect([...(await kms.decrypt({ CiphertextBlob: blob })).Plaintext]).toEqual([i]);
    expect((await kms.getKeyRotationStatus({ KeyId })).OnDemandRotationStartDate).toBeInstanceOf(Date);
  });

  it('RotateKeyOnDemand allows 10 rotations per key, then LimitExceededException; disabled keys fail with DisabledException', async () => {
    const { kms } = newKms();
    const { KeyMetadata } = await kms.createKey();
    for (let i = 0; i < 10; i++) await kms.rotateKeyOnDemand({ KeyId: KeyMetadata.KeyId });
    expect(await failureName(kms.rotateKeyOnDemand({ KeyId: KeyMetadata.KeyId }))).toBe('LimitExceededException');
    const other = await kms.createKey();
    await kms.disableKey({ KeyId: other.KeyMetadata.KeyId });
    expect(await failureName(kms.rotateKeyOnDemand({ KeyId: other.KeyMetadata.KeyId }))).toBe('DisabledException');
  });

  it('automatic rotation happens every period against the clock, and not while the key is disabled', async () => {
    const { kms, clock } = newKms();
    const { KeyMetadata } = await kms.createKey();
    const KeyId = KeyMetadata.KeyId;
    expect((await kms.getKeyRotationStatus({ KeyId })).KeyRotationEnabled).toBe(false);
    await kms.enableKeyRotation({ KeyId, RotationPeriodInDays: 100 });
    const status = await kms.getKeyRotationStatus({ KeyId });
    expect(status).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 100 });
    expect(status.NextRotationDate?.getTime()).toBe(clock.time + 100 * DAY);
    const old = await kms.encrypt({ KeyId, Plaintext: Uint8Array.of(1) });
    clock.advance(100 * DAY - 1);
    expect((await kms.describeKey({ KeyId })).KeyMetadata.CurrentKeyMaterialId).toBe(KeyMetadata.CurrentKeyMaterialId);
    clock.advance(1);
    const rotated = (await kms.describeKey({ KeyId })).KeyMetadata.CurrentKeyMaterialId;
    expect(rotated).not.toBe(KeyMetadata.CurrentKeyMaterialId);
    await kms.disableKey({ KeyId });
    clock.advance(300 * DAY);
    expect((await kms.describeKey({ KeyId })).KeyMetadata.CurrentKeyMaterialId).toBe(rotated);
    await kms.enableKey({ KeyId });
    expect((await kms.describeKey({ KeyId })).KeyMetadata.CurrentKeyMaterialId).not.toBe(rotated);
    expect([...(await kms.decrypt({ CiphertextBlob: old.CiphertextBlob })).Plaintext]).toEqual([1]);
  });

  it('refuses rotation periods outside 90-2560 days; DisableKeyRotation stops it', async () => {
    const { kms, clock } = newKms();
    const { KeyMetadata } = await kms.createKey();
    const KeyId = KeyMetadata.KeyId;
    expect(await failureName(kms.enableKeyRotation({ KeyId, RotationPeriodInDays: 89 }))).toBe('ValidationException');
    expect(await failureName(kms.enableKeyRotation({ KeyId, RotationPeriodInDays: 2561 }))).toBe('ValidationException');
    await kms.enableKeyRotation({ KeyId });
    expect((await kms.getKeyRotationStatus({ KeyId })).RotationPeriodInDays).toBe(365);
    await kms.disableKeyRotation({ KeyId });
    clock.advance(800 * DAY);
    expect((await kms.describeKey({ KeyId })).KeyMetadata.CurrentKeyMaterialId).toBe(KeyMetadata.CurrentKeyMaterialId);
  });
});

describe('PutKeyPolicy, GetKeyPolicy', () => {
  it('returns the default policy granting the account root, then the policy put, unchanged', async () => {
    const { kms } = newKms();
    const { KeyMetadata } = await kms.createKey();
    const initial = await kms.getKeyPolicy({ KeyId: KeyMetadata.KeyId, PolicyName: 'default' });
    expect(initial.PolicyName).toBe('default');
    expect(JSON.parse(initial.Policy)).toMatchObject({ Statement: [{ Principal: { AWS: ROOT_A }, Action: 'kms:*' }] });
    const text = policy(
      { Effect: 'Allow', Principal: { AWS: ROOT_A }, Action: 'kms:*', Resource: '*' },
      { Effect: 'Allow', Principal: { AWS: WRITER_A }, Action: 'kms:GenerateDataKey', Resource: '*' },
    );
    await kms.putKeyPolicy({ KeyId: KeyMetadata.KeyId, Policy: text });
    expect((await kms.getKeyPolicy({ KeyId: KeyMetadata.KeyId })).Policy).toBe(text);
  });

  it('refuses malformed policies and other policy names', async () => {
    const { kms } = newKms();
    const { KeyMetadata } = await kms.createKey();
    const KeyId = KeyMetadata.KeyId;
    for (const bad of [
      'not json',
      '{}',
      policy({ Effect: 'Maybe', Principal: '*', Action: 'kms:*', Resource: '*' }),
      policy({ Effect: 'Allow', NotAction: 'kms:Decrypt', Principal: '*', Resource: '*' }),
    ]) {
      expect(await failureName(kms.putKeyPolicy({ KeyId, Policy: bad }))).toBe('MalformedPolicyDocumentException');
    }
    expect(await failureName(kms.putKeyPolicy({ KeyId, Policy: 'x'.repeat(32_769) }))).toBe('ValidationException');
    expect(await failureName(kms.getKeyPolicy({ KeyId, PolicyName: 'other' }))).toBe('NotFoundException');
  });

  it('refuses a policy that would lock the caller out, unless BypassPolicyLockoutSafetyCheck', async () => {
    const { kms } = newKms();
    const { KeyMetadata } = await kms.createKey();
    const KeyId = KeyMetadata.KeyId;
    const lockout = policy({ Effect: 'Allow', Principal: { AWS: ADMIN_ROLE_A }, Action: 'kms:*', Resource: '*' });
    const error = await failure(kms.putKeyPolicy({ KeyId, Policy: lockout }));
    expect(error.name).toBe('MalformedPolicyDocumentException');
    expect(error.message).toContain(ROOT_A);
    await kms.putKeyPolicy({ KeyId, Policy: lockout, BypassPolicyLockoutSafetyCheck: true });
    expect(await failureName(kms.getKeyPolicy({ KeyId }))).toBe('AccessDeniedException');
    expect((await kms.as(ADMIN_ROLE_A).getKeyPolicy({ KeyId })).Policy).toBe(lockout);
    expect(await failureName(kms.createKey({ Policy: lockout }))).toBe('MalformedPolicyDocumentException');
  });

  it('management calls need their kms: action in the key policy', async () => {
    const { kms } = newKms();
    const admin = kms.as(ADMIN_ROLE_A);
    const text = policy(
      { Effect: 'Allow', Principal: { AWS: ADMIN_ROLE_A }, Action: 'kms:*', Resource: '*' },
      { Effect: 'Allow', Principal: { AWS: WRITER_A }, Action: 'kms:DescribeKey', Resource: '*' },
    );
    const { KeyMetadata } = await admin.createKey({ Policy: text });
    const KeyId = KeyMetadata.KeyId;
    const writer = kms.as(WRITER_A);
    expect((await writer.describeKey({ KeyId })).KeyMetadata.KeyId).toBe(KeyId);
    const calls = [
      () => writer.disableKey({ KeyId }),
      () => writer.scheduleKeyDeletion({ KeyId }),
      () => writer.putKeyPolicy({ KeyId, Policy: text }),
      () => writer.getKeyPolicy({ KeyId }),
      () => writer.rotateKeyOnDemand({ KeyId }),
      () => writer.enableKeyRotation({ KeyId }),
      () => kms.describeKey({ KeyId }),
    ];
    for (const call of calls) expect(await failureName(call())).toBe('AccessDeniedException');
    expect((await admin.describeKey({ KeyId })).KeyMetadata.KeyState).toBe('Enabled');
    expect(await failureName(kms.as(ROOT_B).describeKey({ KeyId: KeyMetadata.Arn }))).toBe('AccessDeniedException');
  });
});
