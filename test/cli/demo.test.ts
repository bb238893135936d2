import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sandbox, type CliSandbox } from './support/run-cli.js';

interface DemoJson {
  folder: { path: string; kept: boolean };
  keyStore: { path: string };
  key: { arn: string; alias: string };
  encrypt: { objects: number; bytes: number; kmsCalls: number; kmsCallsAvoided: number; mibPerSecond: number };
  decrypt: { objects: number; bytes: number; kmsCalls: number; kmsCallsAvoided: number; verified: boolean };
  range: { start: number; end: number; objectBytes: number; bytesRead: number; matches: boolean };
  tamper: { code: string; outputLeftBehind: boolean };
  audit: { entries: number; byOperation: Record<string, number>; records: { eventName: string; requestParameters: { encryptionContext?: Record<string, string> } }[] };
}

let box: CliSandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.remove());

describe('sealflow demo', () => {
  it('streams many objects with bucket keys: one KMS call each way instead of one per object, everything verified', async () => {
    const run = await box.run(['demo', '--size', '4MiB', '--objects', '16', '--frame-length', '16KiB', '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const demo = JSON.parse(run.stdout.toString()) as DemoJson;
    expect(demo.encrypt).toMatchObject({ objects: 16, bytes: 4 * 1024 * 1024, kmsCalls: 1, kmsCallsAvoided: 15 });
    expect(demo.decrypt).toMatchObject({ objects: 16, bytes: 4 * 1024 * 1024, kmsCalls: 1, kmsCallsAvoided: 15, verified: true });
    expect(demo.encrypt.mibPerSecond).toBeGreaterThan(0);
    // The range read touched a fraction of the object file, and matched.
    expect(demo.range.matches).toBe(true);
    expect(demo.range.bytesRead).toBeLessThan(demo.range.objectBytes);
    expect(demo.tamper).toEqual(expect.objectContaining({ code: 'ERR_AUTHENTICATION_FAILED', outputLeftBehind: false }));
    // The audit trail has the key's creation and the two data-key calls, with the bucket-level context.
    expect(demo.audit.byOperation).toMatchObject({ CreateKey: 1, CreateAlias: 1, GenerateDataKey: 1, Decrypt: 1 });
    const generate = demo.audit.records.find((r) => r.eventName === 'GenerateDataKey');
    expect(generate?.requestParameters.encryptionContext).toEqual({ 'aws:s3:arn': 'arn:aws:s3:::sealflow-demo-bucket' });
    // Throwaway: the demo folder (store, audit file, ciphertexts) is gone, the user's store untouched.
    expect(existsSync(demo.folder.path)).toBe(false);
    expect(existsSync(box.keystore)).toBe(false);
  });

  it('prints a readable report with each step, the calls avoided and the audit trail', async () => {
    const run = await box.run(['demo', '--size', '2MiB', '--objects', '8']);
    expect(run.code).toBe(0);
    const text = run.stdout.toString();
    expect(text).toContain('FIXED DEMO PASSPHRASE');
    expect(text).toMatch(/KMS GenerateDataKey calls: 1 made, 7 avoided by the bucket key/);
    expect(text).toMatch(/KMS Decrypt calls: 1 made, 7 avoided by the bucket key/);
    expect(text).toMatch(/SHA-256 of every object matches/);
    expect(text).toMatch(/range read of .*: matches the original/);
    expect(text).toMatch(/decrypt fails with ERR_AUTHENTICATION_FAILED; no partial output file is left behind/);
    expect(text).toMatch(/audit trail: 4 KMS calls recorded/);
    expect(text).toMatch(/GenerateDataKey\s+ok/);
    expect(text).toMatch(/all checks passed in [\d.]+ s/);
  });

  it('--keep keeps the demo folder with its key store and audit file', async () => {
    const run = await box.run(['demo', '--size', '64KiB', '--objects', '2', '--keep', '--json']);
    const demo = JSON.parse(run.stdout.toString()) as DemoJson;
    try {
      expect(demo.folder.kept).toBe(true);
      expect(existsSync(demo.keyStore.path)).toBe(true);
      expect(existsSync(`${demo.keyStore.path}.audit.jsonl`)).toBe(true);
      // The CLI README's claim: each object has its own data key wrapped under the bucket key
      // (layout 2), which any ESDK's Raw AES keyring opens given the bucket key.
      const inspected = await box.run(['inspect', join(demo.folder.path, '00000.sealed'), '--json']);
      const edks = (JSON.parse(inspected.stdout.toString()) as { encryptedDataKeys: { providerId: string; reader: string; bucketKey?: { layout: number } }[] }).encryptedDataKeys;
      expect(edks.map((e) => [e.providerId, e.reader])).toEqual([
        ['sealflow-bucket-data-key', 'esdk-raw-aes-keyring-bucket-key'],
        ['sealflow-bucket-key', 'sealflow-or-esdk-keyring'],
      ]);
      expect(edks[1]?.bucketKey?.layout).toBe(2);
    } finally {
      rmSync(demo.folder.path, { recursive: true, force: true });
    }
  });

  it('refuses more objects than bytes', async () => {
    const run = await box.run(['demo', '--size', '10', '--objects', '11']);
    expect(run.code).toBe(1);
  });
});
