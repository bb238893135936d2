import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ErrorCodes } from '@sealflow/core';
import { MemoryKms } from '@sealflow/keystore-memory';
import { failure } from './support.js';

// The crash: `rename` (the step that publishes a new store file) fails while `crash.on`
// is set, as if the process died between writing the temporary file and renaming it.
const crash = vi.hoisted(() => ({ on: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    rename: async (from: string, to: string): Promise<void> => {
      if (crash.on) throw Object.assign(new Error('simulated crash before rename'), { code: 'EIO' });
      return actual.rename(from, to);
    },
  };
});

const FAST = { N: 1024, r: 8, p: 1 };
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealflow-state-'));
  crash.on = false;
});
afterEach(async () => {
  crash.on = false;
  await rm(dir, { recursive: true, force: true });
});

describe('KmsState: saving after each change', () => {
  it('a save that fails before the rename fails the call, rolls memory back to the file, and leaves the file loadable', async () => {
    const path = join(dir, 'kms.json');
    const kms = await MemoryKms.open({ path, passphrase: 'pw', scrypt: FAST });
    const kept = (await kms.createKey({ Description: 'kept' })).KeyMetadata;
    const sealed = await kms.encrypt({ KeyId: kept.KeyId, Plaintext: Uint8Array.of(1, 2, 3) });
    const before = await readFile(path);

    crash.on = true;
    const error = await failure(kms.createKey({ Description: 'lost' }));
    expect(error.name).toBe('KMSInternalException');
    expect(error.cause).toMatchObject({ message: 'simulated crash before rename' });
    const disabled = await failure(kms.disableKey({ KeyId: kept.KeyId }));
    expect(disabled.name).toBe('KMSInternalException');
    crash.on = false;

    expect(await readFile(path)).toEqual(before);
    expect((await kms.listKeys()).Keys.map((k) => k.KeyId)).toEqual([kept.KeyId]);
    expect((await kms.describeKey({ KeyId: kept.KeyId })).KeyMetadata.KeyState).toBe('Enabled');
    const reopened = await MemoryKms.open({ path, passphrase: 'pw' });
    expect((await reopened.listKeys()).Keys.map((k) => k.KeyId)).toEqual([kept.KeyId]);
    expect([...(await reopened.decrypt({ CiphertextBlob: sealed.CiphertextBlob })).Plaintext]).toEqual([1, 2, 3]);
    expect(await readdir(dir)).toEqual(['kms.json']);
  });

  it('a data key is not handed out under a rotation that could not be saved', async () => {
    let now = Date.UTC(2026, 0, 1);
    const path = join(dir, 'kms.json');
    const kms = await MemoryKms.open({ path, passphrase: 'pw', scrypt: FAST, now: () => now });
    const { KeyMetadata } = await kms.createKey();
    await kms.enableKeyRotation({ KeyId: KeyMetadata.KeyId, RotationPeriodInDays: 90 });
    now += 90 * 86_400_000;
    crash.on = true;
    const error = await failure(kms.generateDataKey({ KeyId: KeyMetadata.KeyId, NumberOfBytes: 32 }));
    expect(error.name).toBe('KMSInternalException');
    expect(error.code).toBe(ErrorCodes.KEY_STORE_UNAVAILABLE);
    crash.on = false;
    const out = await kms.generateDataKey({ KeyId: KeyMetadata.KeyId, NumberOfBytes: 32 });
    const reopened = await MemoryKms.open({ path, passphrase: 'pw', now: () => now });
    expect((await reopened.decrypt({ CiphertextBlob: out.CiphertextBlob })).Plaintext).toEqual(out.Plaintext);
  });

  it('concurrent calls on a persistent store are serialized: every change reaches the file', async () => {
    const path = join(dir, 'kms.json');
    const kms = await MemoryKms.open({ path, passphrase: 'pw', scrypt: FAST });
    const created = await Promise.all(Array.from({ length: 8 }, (_, i) => kms.createKey({ Description: `k${i}` })));
    const reopened = await MemoryKms.open({ path, passphrase: 'pw' });
    expect((await reopened.listKeys()).Keys.map((k) => k.KeyId).sort()).toEqual(
      created.map((c) => c.KeyMetadata.KeyId).sort(),
    );
  });
});
