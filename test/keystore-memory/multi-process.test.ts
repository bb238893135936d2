// Several processes on one MemoryKms store file (issue 14, points 2 and 3): every write
// happens under an inter-process lock after re-reading the file, so no process's key is
// lost to another's rewrite; opening the store never removes a live writer's temp file;
// a writer killed while holding the lock blocks the others for the stale time only.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKeyFile, MemoryKms } from '@sealflow/keystore-memory';
import {
  startSlowRenameWriter,
  startStalledWriter,
  startWriter,
  type StoreProcess,
  type StoreSpec,
} from './support/store-processes.js';

const STALE_MS = 2000;
let dir: string;
let spec: StoreSpec;
const children: StoreProcess[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealflow-multi-'));
  spec = { path: join(dir, 'kms.json'), keyFile: join(dir, 'root.key'), staleMs: STALE_MS };
  await createKeyFile(spec.keyFile);
});
afterEach(async () => {
  for (const child of children.splice(0)) {
    child.kill9();
    await child.exited;
  }
  await rm(dir, { recursive: true, force: true });
});

const openHere = (): Promise<MemoryKms> =>
  MemoryKms.open({ path: spec.path, keyFile: spec.keyFile, lock: { staleMs: STALE_MS, timeoutMs: 30_000 } });

function writer(count: number, tag: string): StoreProcess {
  const child = startWriter(spec, count, tag);
  children.push(child);
  return child;
}

/** Every listed key ID is in the store and works: encrypt then decrypt under it. */
async function expectUsable(kms: MemoryKms, keyIds: readonly string[]): Promise<void> {
  const listed = new Set((await kms.listKeys({ Limit: 1000 })).Keys.map((k) => k.KeyId));
  expect(
    keyIds.filter((id) => !listed.has(id)),
    'keys whose createKey returned but which are not in the file',
  ).toEqual([]);
  for (const KeyId of keyIds) {
    const plaintext = new TextEncoder().encode(KeyId);
    const { CiphertextBlob } = await kms.encrypt({ KeyId, Plaintext: plaintext, EncryptionContext: { k: KeyId } });
    const opened = await kms.decrypt({ CiphertextBlob, EncryptionContext: { k: KeyId } });
    expect(opened.KeyId).toContain(KeyId);
    expect(opened.Plaintext).toEqual(plaintext);
  }
}

describe('one store file, several processes', () => {
  it('4 processes x 50 createKey: all 200 keys are in the file afterwards and usable', async () => {
    await (await openHere()).close(); // the file exists before the writers race
    const writers = [0, 1, 2, 3].map((i) => writer(50, `w${i}`));
    const exits = await Promise.all(writers.map((w) => w.exited));
    for (const [i, w] of writers.entries()) {
      expect(w.failures, `writer ${i}: ${w.stderr}`).toEqual([]);
      expect(exits[i]).toEqual({ code: 0, signal: null });
      expect(w.created).toHaveLength(50);
    }
    const created = writers.flatMap((w) => w.created);
    expect(new Set(created).size).toBe(200);
    const kms = await openHere();
    expect((await kms.listKeys({ Limit: 1000 })).Keys).toHaveLength(200);
    await expectUsable(kms, created);
    await kms.close();
  });

  it('a key created by one instance is visible at once to another instance on the same file', async () => {
    const a = await openHere();
    const b = await openHere();
    const { KeyMetadata } = await a.createKey({ Description: 'from a' });
    expect((await b.describeKey({ KeyId: KeyMetadata.KeyId })).KeyMetadata.Description).toBe('from a');
    await b.createAlias({ AliasName: 'alias/from-b', TargetKeyId: KeyMetadata.KeyId });
    const sealed = await a.encrypt({ KeyId: 'alias/from-b', Plaintext: Uint8Array.of(1, 2, 3) });
    expect([...(await b.decrypt({ CiphertextBlob: sealed.CiphertextBlob })).Plaintext]).toEqual([1, 2, 3]);
    await b.createKey({ Description: 'from b' });
    expect((await a.listKeys()).Keys).toHaveLength(2);
    await a.close();
    await b.close();
  });

  it('a rotation that comes due is applied once, under the lock, whichever instance meets it first', async () => {
    let time = Date.UTC(2026, 0, 1);
    const now = (): number => time;
    const options = { path: spec.path, keyFile: spec.keyFile, now };
    const a = await MemoryKms.open(options);
    const b = await MemoryKms.open(options);
    const KeyId = (await a.createKey()).KeyMetadata.KeyId;
    await a.enableKeyRotation({ KeyId, RotationPeriodInDays: 90 });
    time += 91 * 86_400_000;
    const [fromA, fromB] = await Promise.all([
      a.generateDataKey({ KeyId, NumberOfBytes: 32 }),
      b.generateDataKey({ KeyId, NumberOfBytes: 32 }),
    ]);
    expect(fromA.KeyMaterialId).toBe(fromB.KeyMaterialId);
    const c = await MemoryKms.open(options);
    expect((await c.describeKey({ KeyId })).KeyMetadata.CurrentKeyMaterialId).toBe(fromA.KeyMaterialId);
    expect((await c.decrypt({ CiphertextBlob: fromA.CiphertextBlob })).Plaintext).toEqual(fromA.Plaintext);
    expect((await c.decrypt({ CiphertextBlob: fromB.CiphertextBlob })).Plaintext).toEqual(fromB.Plaintext);
    for (const kms of [a, b, c]) await kms.close();
  });

  it('opening the store while a live writer sits between its temp write and its rename leaves that temp file alone', async () => {
    await (await openHere()).close();
    const slow = startSlowRenameWriter(spec, 1500);
    children.push(slow);
    await slow.waitFor('in rename');
    expect(
      (await readdir(dir)).filter((f) => f.endsWith('.tmp')),
      "the writer's temp file",
    ).toHaveLength(1);
    await (await openHere()).close();
    await slow.exited;
    expect(slow.lines, slow.stderr).toEqual(['in rename', 'saved']);
  });

  it('a writer killed -9 inside its write leaves the previous store; its lock is taken over after the stale time and its temp file removed', async () => {
    const first = await openHere();
    const kept = (await first.createKey({ Description: 'before the kill' })).KeyMetadata.KeyId;
    await first.close();
    const stalled = startStalledWriter(spec);
    children.push(stalled);
    await stalled.waitFor('in rename');
    stalled.kill9();
    await stalled.exited;
    expect(existsSync(`${spec.path}.lock`), 'the dead writer left its lock').toBe(true);
    expect(
      (await readdir(dir)).filter((f) => f.endsWith('.tmp')),
      'and its temp file',
    ).toHaveLength(1);

    const started = Date.now();
    const kms = await openHere();
    const added = (await kms.createKey({ Description: 'after the kill' })).KeyMetadata.KeyId;
    const waited = Date.now() - started;
    expect(waited, 'the stale lock was recovered in about the stale time').toBeLessThan(STALE_MS + 8000);
    await expectUsable(kms, [kept, added]);
    await kms.close();
    expect((await readdir(dir)).sort()).toEqual(['kms.json', 'root.key']);
  });

  it('writers killed -9 at random in a loop: every acknowledged key is in the file, which opens, and no lock stays stuck', async () => {
    await (await openHere()).close();
    const acknowledged = (): string[] => everyone.flatMap((w) => w.created);
    const everyone: StoreProcess[] = [];
    const live: StoreProcess[] = [];
    let serial = 0;
    const spawnOne = (): void => {
      const w = writer(0, `k${serial++}`);
      everyone.push(w);
      live.push(w);
    };
    for (let i = 0; i < 3; i += 1) spawnOne();
    // Bounded: until 8 kills and 30 acknowledged keys, or 15 s, whichever comes first.
    // Only writers that opened the store are killed: the point is to kill them mid-run.
    const until = Date.now() + 15_000;
    let kills = 0;
    while (Date.now() < until && (kills < 8 || acknowledged().length < 30)) {
      await new Promise((resolve) => setTimeout(resolve, 200 + Math.floor(Math.random() * 400)));
      const running = live.filter((w) => w.lines.includes('opened'));
      const victim = running[Math.floor(Math.random() * running.length)];
      if (victim === undefined) continue;
      live.splice(live.indexOf(victim), 1);
      victim.kill9();
      kills += 1;
      spawnOne();
    }
    for (const w of live.splice(0)) w.kill9();
    await Promise.all(everyone.map((w) => w.exited));
    const keys = acknowledged();
    expect(kills).toBeGreaterThanOrEqual(5);
    expect(keys.length, 'the writers made progress between kills').toBeGreaterThan(10);
    for (const w of everyone) expect(w.failures, w.stderr).toEqual([]);

    const kms = await openHere();
    await expectUsable(kms, keys);
    // A stale lock of a killed holder (if any) was taken over: a new write goes through.
    await kms.createKey({ Description: 'after the loop' });
    await kms.close();
    expect(existsSync(`${spec.path}.lock`)).toBe(false);
    expect(
      (await readdir(dir)).filter((f) => f.endsWith('.tmp')),
      'temp files of dead writers are gone',
    ).toEqual([]);
  });
});
