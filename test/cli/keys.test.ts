import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorCode, sandbox, type CliSandbox } from './support/run-cli.js';

interface KeyJson {
  keyId: string;
  arn: string;
  state: string;
  enabled: boolean;
  aliases: string[];
  description: string;
  rotation?: { automatic: boolean; periodDays?: number };
  deletionDate?: string;
}

let box: CliSandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.remove());

async function createKey(...args: string[]): Promise<KeyJson> {
  const run = await box.run(['keys', 'create', '--json', ...args]);
  expect(run.stderr).not.toMatch(/ERR_/);
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout.toString()) as KeyJson;
}

async function describeKey(key: string): Promise<KeyJson> {
  const run = await box.run(['keys', 'describe', key, '--json']);
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout.toString()) as KeyJson;
}

describe('sealflow keys', () => {
  it('create makes the key store on first use, sealed (no key material in clear) and private to the user', async () => {
    const key = await createKey('--description', 'photos', '--alias', 'alias/photos');
    expect(key.arn).toMatch(/^arn:aws:kms:us-east-1:\d{12}:key\/[0-9a-f-]{36}$/);
    expect(key).toMatchObject({ state: 'Enabled', enabled: true, aliases: ['alias/photos'], description: 'photos' });
    const file = readFileSync(box.keystore, 'utf8');
    expect(JSON.parse(file)).toMatchObject({ format: 'sealflow-memory-kms' });
    expect(file).not.toContain(key.keyId);
    expect(statSync(box.keystore).mode & 0o077).toBe(0);
  });

  it('list shows every key with its state and aliases, as text and JSON', async () => {
    const a = await createKey('--alias', 'alias/a');
    const b = await createKey('--description', 'second');
    const text = await box.run(['keys', 'list']);
    expect(text.code).toBe(0);
    expect(text.stdout.toString()).toMatch(new RegExp(`${a.keyId}\\s+Enabled\\s+alias/a`));
    expect(text.stdout.toString()).toMatch(new RegExp(`${b.keyId}\\s+Enabled\\s+-\\s+second`));
    const json = JSON.parse((await box.run(['keys', 'list', '--json'])).stdout.toString()) as KeyJson[];
    expect(json.map((k) => k.keyId).sort()).toEqual([a.keyId, b.keyId].sort());
  });

  it('describe accepts a key ID, key ARN, alias name and alias ARN', async () => {
    const key = await createKey('--alias', 'alias/named');
    const aliasArn = key.arn.replace(/:key\/.*$/, ':alias/named');
    for (const id of [key.keyId, key.arn, 'alias/named', aliasArn]) {
      expect((await describeKey(id)).keyId).toBe(key.keyId);
    }
  });

  it('disable and enable change the key state', async () => {
    const key = await createKey();
    expect((await box.run(['keys', 'disable', key.keyId])).code).toBe(0);
    expect((await describeKey(key.keyId)).state).toBe('Disabled');
    expect((await box.run(['keys', 'enable', key.keyId])).code).toBe(0);
    expect((await describeKey(key.keyId)).state).toBe('Enabled');
  });

  it('rotate rotates on demand, and --automatic / --no-automatic switch automatic rotation', async () => {
    const key = await createKey();
    const now = await box.run(['keys', 'rotate', key.keyId, '--json']);
    expect(now.code).toBe(0);
    const on = JSON.parse(
      (await box.run(['keys', 'rotate', key.keyId, '--automatic', '180', '--json'])).stdout.toString(),
    ) as KeyJson;
    expect(on.rotation).toMatchObject({ automatic: true, periodDays: 180 });
    const off = JSON.parse(
      (await box.run(['keys', 'rotate', key.keyId, '--no-automatic', '--json'])).stdout.toString(),
    ) as KeyJson;
    expect(off.rotation?.automatic).toBe(false);
    const audit = await box.run(['keys', 'audit', '--json', '--limit', '1000']);
    const names = (JSON.parse(audit.stdout.toString()) as { eventName: string }[]).map((r) => r.eventName);
    expect(names).toEqual(expect.arrayContaining(['RotateKeyOnDemand', 'EnableKeyRotation', 'DisableKeyRotation']));
  });

  it('rotate refuses an automatic period outside 90..2560 days before touching the store', async () => {
    const key = await createKey();
    const run = await box.run(['keys', 'rotate', key.keyId, '--automatic', '30']);
    expect(run.code).toBe(1);
    expect(errorCode(run)).toBe('ERR_INVALID_ARGUMENT');
  });

  it('schedule-deletion puts the key in PendingDeletion with a date; cancel-deletion takes it back (disabled)', async () => {
    const key = await createKey();
    const scheduled = JSON.parse(
      (await box.run(['keys', 'schedule-deletion', key.keyId, '--days', '7', '--json'])).stdout.toString(),
    ) as KeyJson;
    expect(scheduled.state).toBe('PendingDeletion');
    const days = (Date.parse(scheduled.deletionDate as string) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThan(7.1);
    const cancelled = JSON.parse(
      (await box.run(['keys', 'cancel-deletion', key.keyId, '--json'])).stdout.toString(),
    ) as KeyJson;
    expect(cancelled.state).toBe('Disabled');
  });

  it('schedule-deletion refuses a window outside 7..30 days', async () => {
    const key = await createKey();
    const run = await box.run(['keys', 'schedule-deletion', key.keyId, '--days', '3']);
    expect(run.code).toBe(1);
    expect((await describeKey(key.keyId)).state).toBe('Enabled');
  });

  it('alias create, update, list and delete', async () => {
    const a = await createKey();
    const b = await createKey();
    expect((await box.run(['keys', 'alias', 'create', 'alias/app', a.keyId])).code).toBe(0);
    expect((await describeKey('alias/app')).keyId).toBe(a.keyId);
    expect((await box.run(['keys', 'alias', 'update', 'alias/app', b.keyId])).code).toBe(0);
    expect((await describeKey('alias/app')).keyId).toBe(b.keyId);
    const list = JSON.parse((await box.run(['keys', 'alias', 'list', '--json'])).stdout.toString()) as {
      alias: string;
      keyId: string;
    }[];
    expect(list).toContainEqual(expect.objectContaining({ alias: 'alias/app', keyId: b.keyId }));
    expect((await box.run(['keys', 'alias', 'delete', 'alias/app'])).code).toBe(0);
    const gone = await box.run(['keys', 'describe', 'alias/app']);
    expect(gone.code).toBe(3);
    expect(errorCode(gone)).toBe('ERR_KEY_NOT_FOUND');
  });

  it('create --alias refuses an alias that is taken, and creates no key', async () => {
    await createKey('--alias', 'alias/taken');
    const run = await box.run(['keys', 'create', '--alias', 'alias/taken']);
    expect(run.code).toBe(1);
    const list = JSON.parse((await box.run(['keys', 'list', '--json'])).stdout.toString()) as KeyJson[];
    expect(list).toHaveLength(1);
  });

  it('policy get prints the key policy; policy put replaces it and the KMS enforces it', async () => {
    const key = await createKey();
    const got = await box.run(['keys', 'policy', 'get', key.keyId]);
    expect(got.code).toBe(0);
    const policy = JSON.parse(got.stdout.toString()) as { Statement: unknown[] };
    expect(policy.Statement.length).toBeGreaterThan(0);
    // Allow the account everything but kms:Decrypt, which needs a context pair.
    const account = /:(\d{12}):key/.exec(key.arn)?.[1] as string;
    const restrictive = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'admin',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${account}:root` },
          Action: ['kms:*'],
          Resource: '*',
        },
        {
          Sid: 'decrypt-only-tenant-a',
          Effect: 'Deny',
          Principal: { AWS: `arn:aws:iam::${account}:root` },
          Action: 'kms:Decrypt',
          Resource: '*',
          Condition: { StringNotEquals: { 'kms:EncryptionContext:tenant': 'a' } },
        },
      ],
    };
    writeFileSync(box.path('policy.json'), JSON.stringify(restrictive));
    const put = await box.run(['keys', 'policy', 'put', key.keyId, box.path('policy.json')]);
    expect(put.stderr).toBe('');
    expect(put.code).toBe(0);
    expect((await box.run(['keys', 'policy', 'get', key.keyId])).stdout.toString()).toContain('decrypt-only-tenant-a');
    const sealedA = await box.run(['encrypt', '-k', key.keyId, '-c', 'tenant=a'], { input: 'for a' });
    const sealedB = await box.run(['encrypt', '-k', key.keyId, '-c', 'tenant=b'], { input: 'for b' });
    expect((await box.run(['decrypt'], { input: sealedA.stdout })).stdout.toString()).toBe('for a');
    const denied = await box.run(['decrypt'], { input: sealedB.stdout });
    expect(denied.code).toBe(3);
    expect(denied.stderr).toMatch(/ERR_ACCESS_DENIED/);
  });

  it('audit shows CloudTrail-shaped records of every call, newest last, without a passphrase', async () => {
    const key = await createKey('--alias', 'alias/audited');
    await box.run(['encrypt', '-k', 'alias/audited', '-c', 'purpose=audit-test'], { input: 'x' });
    const run = await box.run(['keys', 'audit', '--json'], { env: { SEALFLOW_PASSPHRASE: '' } });
    expect(run.code).toBe(0);
    const records = JSON.parse(run.stdout.toString()) as {
      eventName: string;
      requestParameters: { encryptionContext?: Record<string, string> };
      resources: { ARN: string }[];
    }[];
    const generate = records.find((r) => r.eventName === 'GenerateDataKey');
    expect(generate?.requestParameters.encryptionContext).toEqual({ purpose: 'audit-test' });
    expect(generate?.resources[0]?.ARN).toBe(key.arn);
    expect(records.map((r) => r.eventName)).toEqual(
      expect.arrayContaining(['CreateKey', 'CreateAlias', 'GenerateDataKey']),
    );
    const text = await box.run(['keys', 'audit', '--limit', '1']);
    expect(text.stdout.toString().trim().split('\n')).toHaveLength(1);
    expect(text.stdout.toString()).toContain('GenerateDataKey');
  });

  it('an unknown key fails with ERR_KEY_NOT_FOUND and exit code 3', async () => {
    await createKey();
    const run = await box.run(['keys', 'describe', 'alias/nope']);
    expect(run.code).toBe(3);
    expect(errorCode(run)).toBe('ERR_KEY_NOT_FOUND');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a wrong passphrase fails with ERR_KEY_STORE_LOCKED and exit code 3, and leaves the store as it was', async () => {
    await createKey();
    const before = readFileSync(box.keystore);
    const run = await box.run(['keys', 'list'], { env: { SEALFLOW_PASSPHRASE: 'wrong' } });
    expect(run.code).toBe(3);
    expect(errorCode(run)).toBe('ERR_KEY_STORE_LOCKED');
    expect(run.stdout.length).toBe(0);
    expect(readFileSync(box.keystore).equals(before)).toBe(true);
  });

  it('without a passphrase and no terminal to ask on, it fails with ERR_KEY_STORE_LOCKED naming the variable', async () => {
    await createKey();
    const run = await box.run(['keys', 'list'], { env: { SEALFLOW_PASSPHRASE: '' } });
    expect(run.code).toBe(3);
    expect(errorCode(run)).toBe('ERR_KEY_STORE_LOCKED');
    expect(run.stderr).toContain('SEALFLOW_PASSPHRASE');
  });

  it('a missing key store is not created by read commands: ERR_KEY_STORE_UNAVAILABLE, exit code 3', async () => {
    const run = await box.run(['keys', 'list']);
    expect(run.code).toBe(3);
    expect(errorCode(run)).toBe('ERR_KEY_STORE_UNAVAILABLE');
    expect(existsSync(box.keystore)).toBe(false);
  });

  it('a corrupt key store file fails with ERR_KEY_STORE_CORRUPT, exit code 3', async () => {
    await createKey();
    const envelope = JSON.parse(readFileSync(box.keystore, 'utf8')) as { sealed: string };
    const sealed = Buffer.from(envelope.sealed, 'base64');
    sealed[5] = (sealed[5] as number) ^ 1;
    writeFileSync(box.keystore, JSON.stringify({ ...envelope, sealed: sealed.toString('base64') }));
    const run = await box.run(['keys', 'list']);
    expect(run.code).toBe(3);
    expect(errorCode(run)).toBe('ERR_KEY_STORE_CORRUPT');
  });

  it('--keystore overrides SEALFLOW_KEYSTORE', async () => {
    const other = box.path('elsewhere.sealed');
    const run = await box.run(['--keystore', other, 'keys', 'create', '--json']);
    expect(run.code).toBe(0);
    expect(existsSync(other)).toBe(true);
    expect(existsSync(box.keystore)).toBe(false);
  });

  it('without --keystore or SEALFLOW_KEYSTORE the store lives under XDG_CONFIG_HOME', async () => {
    const xdg = box.path('xdg');
    const run = await box.run(['keys', 'create'], { env: { SEALFLOW_KEYSTORE: '', XDG_CONFIG_HOME: xdg } });
    expect(run.code).toBe(0);
    expect(existsSync(`${xdg}/sealflow/keys.sealed`)).toBe(true);
  });
});
