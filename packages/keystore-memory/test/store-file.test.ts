import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCodes, InvalidArgumentError, KeyStoreError } from '@sealflow/core';
import { createKeyFile, MemoryKms, type MemoryKmsOpenOptions } from '@sealflow/keystore-memory';
import { StoreFile } from '../src/store-file.js';
import { DAY, ManualClock, READER_A } from './support.js';

const FAST = { N: 1024, r: 8, p: 1 };
let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealflow-store-'));
  path = join(dir, 'kms.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const open = (options: Partial<MemoryKmsOpenOptions> = {}): Promise<MemoryKms> =>
  MemoryKms.open({ path, passphrase: 'correct horse', scrypt: FAST, ...options } as MemoryKmsOpenOptions);

async function storeFailure(promise: Promise<unknown>): Promise<KeyStoreError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KeyStoreError);
  return error as KeyStoreError;
}

describe('MemoryKms.open: persistence', () => {
  it('keys, aliases, policies, states and rotation survive a restart, and old ciphertexts decrypt', async () => {
    const clock = new ManualClock();
    const first = await open({ now: clock.now });
    const { KeyMetadata } = await first.createKey({ Description: 'kept' });
    const KeyId = KeyMetadata.KeyId;
    const keyPolicy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' },
        { Effect: 'Deny', Principal: { AWS: READER_A }, Action: 'kms:Decrypt', Resource: '*' },
      ],
    });
    await first.putKeyPolicy({ KeyId, Policy: keyPolicy });
    await first.createAlias({ AliasName: 'alias/kept', TargetKeyId: KeyId });
    await first.enableKeyRotation({ KeyId, RotationPeriodInDays: 90 });
    const sealed = await first.encrypt({
      KeyId: 'alias/kept',
      Plaintext: Uint8Array.of(4, 2),
      EncryptionContext: { a: 'b' },
    });
    clock.advance(91 * DAY);
    const rotated = await first.generateDataKey({ KeyId, NumberOfBytes: 32 });
    const other = (await first.createKey()).KeyMetadata;
    await first.disableKey({ KeyId: other.KeyId });
    await first.close();

    const second = await open({ now: clock.now });
    expect((await second.describeKey({ KeyId: 'alias/kept' })).KeyMetadata).toMatchObject({
      Description: 'kept',
      CurrentKeyMaterialId: rotated.KeyMaterialId,
    });
    expect([
      ...(await second.decrypt({ CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: { a: 'b' } })).Plaintext,
    ]).toEqual([4, 2]);
    expect((await second.decrypt({ CiphertextBlob: rotated.CiphertextBlob })).Plaintext).toEqual(rotated.Plaintext);
    expect((await second.describeKey({ KeyId: other.KeyId })).KeyMetadata.KeyState).toBe('Disabled');
    expect((await second.getKeyRotationStatus({ KeyId })).RotationPeriodInDays).toBe(90);
    expect((await second.getKeyPolicy({ KeyId })).Policy).toBe(keyPolicy);
    const denied = await second
      .as(READER_A)
      .decrypt({ CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: { a: 'b' } })
      .catch((e: unknown) => e);
    expect((denied as Error).name).toBe('AccessDeniedException');
  });

  it('the file holds no key ID, description or material in clear', async () => {
    const kms = await open();
    const { KeyMetadata } = await kms.createKey({ Description: 'visible-if-unsealed' });
    const text = await readFile(path, 'utf8');
    expect(text).not.toContain(KeyMetadata.KeyId);
    expect(text).not.toContain('visible-if-unsealed');
    expect(JSON.parse(text)).toMatchObject({
      format: 'sealflow-memory-kms',
      version: 1,
      region: 'us-east-1',
      rootKey: { source: 'scrypt', N: 1024 },
    });
  });

  it('a wrong passphrase fails with ERR_KEY_STORE_LOCKED', async () => {
    await (await open()).createKey();
    const error = await storeFailure(open({ passphrase: 'wrong horse' }));
    expect(error.code).toBe(ErrorCodes.KEY_STORE_LOCKED);
    expect(error.message).toContain('wrong passphrase or key file');
  });

  it('uses the scrypt cost stored in the file, whatever is passed later', async () => {
    await (await open()).createKey();
    const again = await open({ scrypt: { N: 2048, r: 8, p: 1 } });
    expect((await again.listKeys()).Keys).toHaveLength(1);
  });

  it('works with a key file; a wrong key file or a passphrase is LOCKED', async () => {
    const keyFile = join(dir, 'root.key');
    await createKeyFile(keyFile);
    await expect(createKeyFile(keyFile)).rejects.toMatchObject({ code: 'EEXIST' });
    const kms = await MemoryKms.open({ path, keyFile });
    await kms.createKey();
    expect((await (await MemoryKms.open({ path, keyFile })).listKeys()).Keys).toHaveLength(1);
    const otherKey = join(dir, 'other.key');
    await writeFile(otherKey, 'ab'.repeat(32));
    expect((await storeFailure(MemoryKms.open({ path, keyFile: otherKey }))).code).toBe(ErrorCodes.KEY_STORE_LOCKED);
    expect((await storeFailure(MemoryKms.open({ path, passphrase: 'x' }))).code).toBe(ErrorCodes.KEY_STORE_LOCKED);
    await writeFile(otherKey, 'short');
    await expect(MemoryKms.open({ path, keyFile: otherKey })).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it.each([
    [
      'one flipped byte in the sealed body',
      (t: string) => {
        const e = JSON.parse(t) as Record<string, string>;
        const b = Buffer.from(e['sealed'] as string, 'base64');
        b[5] = (b[5] as number) ^ 1;
        e['sealed'] = b.toString('base64');
        return JSON.stringify(e);
      },
    ],
    [
      'an altered header field',
      (t: string) => t.replace('"partition":"aws"', '"partition":"aws" ').replace('"check":"', '"check":"A'),
    ],
    ['not JSON', () => 'garbage'],
    ['cut in half', (t: string) => t.slice(0, t.length / 2)],
    ['an empty file', () => ''],
    ['another format', () => JSON.stringify({ format: 'other' })],
    ['a hostile scrypt cost', (t: string) => t.replace('"N":1024', '"N":1073741824')],
  ])('a corrupt file (%s) fails with a typed error and no partial state', async (_why, corrupt) => {
    await (await open()).createKey();
    await writeFile(path, corrupt(await readFile(path, 'utf8')));
    const error = await storeFailure(open());
    expect([ErrorCodes.KEY_STORE_CORRUPT, ErrorCodes.KEY_STORE_LOCKED]).toContain(error.code);
    expect(error.message).toContain(path);
  });

  it('a flipped sealed byte is CORRUPT, not LOCKED: the check value tells a wrong passphrase from an altered file', async () => {
    await (await open()).createKey();
    const envelope = JSON.parse(await readFile(path, 'utf8')) as Record<string, string>;
    const body = Buffer.from(envelope['sealed'] as string, 'base64');
    body[0] = (body[0] as number) ^ 0x80;
    await writeFile(path, JSON.stringify({ ...envelope, sealed: body.toString('base64') }));
    expect((await storeFailure(open())).code).toBe(ErrorCodes.KEY_STORE_CORRUPT);
  });

  it('refuses to open a store of another region', async () => {
    await (await open()).createKey();
    await expect(open({ region: 'eu-west-1' })).rejects.toThrow(/belongs to aws\/us-east-1/);
  });

  it('rejects malformed open options', async () => {
    await expect(MemoryKms.open({ path } as MemoryKmsOpenOptions)).rejects.toThrow(
      /exactly one of passphrase and keyFile/,
    );
    await expect(MemoryKms.open({ path, passphrase: 'x', keyFile: 'y' })).rejects.toThrow(/exactly one/);
    await expect(open({ scrypt: { N: 1000, r: 8, p: 1 } })).rejects.toThrow(/scrypt/);
    await expect(open({ passphrase: '' })).rejects.toThrow(/passphrase/);
  });

  it('a store that cannot be created fails with ERR_KEY_STORE_UNAVAILABLE', async () => {
    const error = await storeFailure(
      MemoryKms.open({ path: join(dir, 'missing-dir', 'kms.json'), passphrase: 'pw', scrypt: FAST }),
    );
    expect(error.code).toBe(ErrorCodes.KEY_STORE_UNAVAILABLE);
    expect(error.message).toContain('cannot be locked (ENOENT; its directory must exist');
  });

  it('uses the default scrypt cost when none is given', async () => {
    const kms = await MemoryKms.open({ path, passphrase: 'pw' });
    await kms.createKey();
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ rootKey: { N: 32768, r: 8, p: 1 } });
  });

  it('lock options are checked', async () => {
    await expect(open({ lock: { staleMs: 1000 } })).rejects.toThrow(
      /lock\.staleMs: expected an integer number of milliseconds from 2000/,
    );
    await expect(open({ lock: { timeoutMs: -1 } })).rejects.toThrow(/lock\.timeoutMs/);
    await expect(open({ lock: { staleMs: 5000, bogus: 1 } as never })).rejects.toThrow(/bogus/);
    await (await open({ lock: { staleMs: 5000, timeoutMs: 1000 } })).close();
  });

  it('a store written before generations existed (no generation field) opens, and the next write carries generation 1', async () => {
    await (await open()).createKey();
    const envelope = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    delete envelope['generation'];
    await writeFile(path, JSON.stringify(envelope));
    const kms = await open();
    await kms.createKey();
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ generation: 1 });
    expect((await kms.listKeys()).Keys).toHaveLength(2);
  });

  it('a malformed generation is CORRUPT', async () => {
    await (await open()).createKey();
    const envelope = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    await writeFile(path, JSON.stringify({ ...envelope, generation: -1 }));
    expect((await storeFailure(open())).code).toBe(ErrorCodes.KEY_STORE_CORRUPT);
  });

  it('a save outside the store lock is refused', async () => {
    const { file } = await StoreFile.open({
      path,
      secret: { passphrase: 'correct horse' },
      region: 'us-east-1',
      partition: 'aws',
      scrypt: FAST,
    });
    await expect(file.save(new TextEncoder().encode('{"keys":[],"aliases":[]}'))).rejects.toMatchObject({
      code: ErrorCodes.KEY_STORE_UNAVAILABLE,
    });
    file.close();
  });
});
