// `sealflow demo` (the README's first command): the gateway on its embedded default,
// driven through @aws-sdk/client-s3. Every line the demo prints is asserted here, from
// its --json output and from its text report.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sandbox, type CliSandbox } from './support/run-cli.js';

interface Refusal {
  status: number;
  code: string;
}
interface DemoJson {
  ok: boolean;
  folder: { path: string; kept: boolean };
  gateway: { url: string; dataDir: string; keyStore: string; auditFile: string };
  bucket: string;
  uploads: {
    objects: number;
    bytes: number;
    serverSideEncryption: string;
    keyArn: string;
    bucketKeyEnabled: boolean;
    kmsCalls: Record<string, number>;
    kmsCallsWithoutBucketKeys: number;
    verified: boolean;
  };
  multipart: { key: string; parts: number[]; bytes: number; verified: boolean };
  range: { first: number; last: number; contentRange: string; spansParts: number[]; matches: boolean };
  sseHeaderOnGet: Refusal;
  policy: { requiredKeyArn: string; refused: Refusal; allowedStatus: number };
  tamper: { refused: boolean; error: string };
  metrics: { lines: string[]; kmsCallsTotal: number; kmsCallsAvoided: number };
  audit: {
    entries: number;
    byOperation: Record<string, number>;
    records: {
      eventName: string;
      userIdentity: { arn: string };
      requestParameters: { encryptionContext?: Record<string, string> };
    }[];
  };
  totalMs: number;
}

const MiB = 1024 * 1024;
let box: CliSandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.remove());

describe('sealflow demo', () => {
  it('--json: every step of the gateway run, as claimed', async () => {
    const run = await box.run(['demo', '--objects', '12', '--object-size', '16KiB', '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const demo = JSON.parse(run.stdout.toString()) as DemoJson;
    expect(demo.ok).toBe(true);
    expect(demo.gateway.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    // 1. SSE-KMS with a bucket key: one GenerateDataKey for 12 objects (12 without), all read back identical.
    expect(demo.uploads).toMatchObject({
      objects: 12,
      bytes: 12 * 16 * 1024,
      serverSideEncryption: 'aws:kms',
      bucketKeyEnabled: true,
      kmsCallsWithoutBucketKeys: 12,
      verified: true,
    });
    expect(demo.uploads.keyArn).toMatch(/^arn:aws:kms:us-east-1:111122223333:key\/[0-9a-f-]{36}$/);
    expect(demo.uploads.kmsCalls['GenerateDataKey']).toBe(1);
    // 2. multipart: 5 MiB + 5 MiB + 1 MiB, read back identical.
    expect(demo.multipart).toMatchObject({ parts: [5 * MiB, 5 * MiB, MiB], bytes: 11 * MiB, verified: true });
    // 3. a range across the part 1 / part 2 boundary, inclusive bounds as in HTTP.
    expect(demo.range).toMatchObject({
      first: 5 * MiB - 65536,
      last: 5 * MiB + 65535,
      contentRange: `bytes ${5 * MiB - 65536}-${5 * MiB + 65535}/${11 * MiB}`,
      spansParts: [1, 2],
      matches: true,
    });
    // 4. and 5. the refusals, with S3's statuses and codes.
    expect(demo.sseHeaderOnGet).toMatchObject({ status: 400, code: 'InvalidArgument' });
    expect(demo.policy).toMatchObject({
      requiredKeyArn: demo.uploads.keyArn,
      refused: { status: 403, code: 'AccessDenied' },
      allowedStatus: 200,
    });
    // 6. a tampered stored object is not served.
    expect(demo.tamper.refused).toBe(true);
    // 7. metrics: the KMS calls counted match the audit trail's data-key calls; bucket-key hits counted.
    expect(demo.metrics.kmsCallsTotal).toBe(
      (demo.audit.byOperation['GenerateDataKey'] ?? 0) +
        (demo.audit.byOperation['Decrypt'] ?? 0) +
        (demo.audit.byOperation['Encrypt'] ?? 0),
    );
    expect(demo.metrics.kmsCallsAvoided).toBeGreaterThanOrEqual(11);
    expect(demo.metrics.lines).toContain('sealflow_gateway_requests_total{operation="GetObject",status="400"} 1');
    expect(demo.metrics.lines).toContain('sealflow_gateway_requests_total{operation="PutObject",status="403"} 1');
    // 8. the audit trail: the caller's principal and the bucket-level context of the bucket key.
    expect(demo.audit.entries).toBe(demo.audit.records.length);
    const generate = demo.audit.records.find((r) => r.eventName === 'GenerateDataKey');
    expect(generate?.userIdentity.arn).toBe('arn:aws:iam::111122223333:user/sealflow');
    expect(generate?.requestParameters.encryptionContext).toEqual({ 'aws:s3:arn': 'arn:aws:s3:::sealflow-demo' });
    // Under 30 s, and throwaway: the demo folder is gone, nothing written to the user's gateway dir.
    expect(demo.totalMs).toBeLessThan(30_000);
    expect(existsSync(demo.folder.path)).toBe(false);
  });

  it('prints a readable report with each step, the KMS calls saved, the metrics and the audit trail', async () => {
    const run = await box.run(['demo', '--objects', '8', '--object-size', '4KiB']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const text = run.stdout.toString();
    expect(text).toMatch(
      /gateway {7}https:\/\/127\.0\.0\.1:\d+ \(in this process, the embedded default of `sealflow gateway`\)/,
    );
    expect(text).toMatch(/1\. PUT 8 objects \(32\.0 KiB\) into sealflow-demo with SSE-KMS and a bucket key/);
    expect(text).toMatch(
      /response: x-amz-server-side-encryption aws:kms, key arn:aws:kms:us-east-1:111122223333:key\/\S+, bucket key enabled/,
    );
    expect(text).toMatch(
      /KMS calls for these PUTs: GenerateDataKey 1(, Decrypt \d+)?; without bucket keys: GenerateDataKey 8 \(one per object\), 7 saved/,
    );
    expect(text).toMatch(/GET every object back: SHA-256 matches what was PUT/);
    expect(text).toMatch(
      /2\. multipart upload multipart\/large\.bin: 3 parts \(5\.0 MiB \+ 5\.0 MiB \+ 1\.0 MiB\) .* SHA-256 matches/,
    );
    expect(text).toMatch(
      /3\. GET multipart\/large\.bin Range: bytes=5177344-5308415 \(inclusive\) across parts 1 and 2: Content-Range bytes 5177344-5308415\/11534336, matches the original/,
    );
    expect(text).toMatch(/4\. GET with an x-amz-server-side-encryption header: refused, 400 InvalidArgument/);
    expect(text).toMatch(/PUT with SSE-S3 \(AES256\): refused, 403 AccessDenied; PUT naming that key: 200/);
    expect(text).toMatch(/6\. one flipped bit in the stored ciphertext of victim\.bin: the GET fails/);
    expect(text).toMatch(/7\. gateway \/metrics: \d+ KMS calls made, \d+ avoided by bucket keys/);
    expect(text).toMatch(/sealflow_gateway_requests_total\{operation="PutObject",status="200"\} \d+/);
    expect(text).toMatch(/8\. audit trail: \d+ KMS calls recorded \(.*GenerateDataKey \d+/);
    expect(text).toMatch(
      /GenerateDataKey\s+ok\s+key \S+\s+by arn:aws:iam::111122223333:user\/sealflow\s+aws:s3:arn=arn:aws:s3:::sealflow-demo/,
    );
    expect(text).toMatch(/all checks passed in [\d.]+ s/);
  });

  it('--keep keeps the demo folder with the gateway data, key store and audit file', async () => {
    const run = await box.run(['demo', '--objects', '2', '--object-size', '1KiB', '--keep', '--json']);
    expect(run.code).toBe(0);
    const demo = JSON.parse(run.stdout.toString()) as DemoJson;
    try {
      expect(demo.folder.kept).toBe(true);
      expect(existsSync(demo.gateway.keyStore)).toBe(true);
      expect(existsSync(demo.gateway.auditFile)).toBe(true);
      expect(readdirSync(demo.gateway.dataDir).length).toBeGreaterThan(0);
      expect(existsSync(join(demo.folder.path, 'credentials.json'))).toBe(true);
    } finally {
      rmSync(demo.folder.path, { recursive: true, force: true });
    }
  });

  it('refuses a bad --objects', async () => {
    const run = await box.run(['demo', '--objects', '0']);
    expect(run.code).toBe(1);
  });
});
