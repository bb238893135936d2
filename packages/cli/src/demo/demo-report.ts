import { renderAuditLine } from '../audit-view.js';
import { formatBytes } from '../io/human.js';
import type { DemoRefusal, DemoResult } from './demo-types.js';

const refusal = (r: DemoRefusal): string => `${r.status ?? '-'} ${r.code}`;
const counts = (byOperation: Readonly<Record<string, number>>): string =>
  Object.entries(byOperation)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ') || 'none';

/** Lines of the demo's text report, section by section. */
export const DemoReport = {
  intro(folder: string, g: DemoResult['gateway']): string {
    return [
      'sealflow demo: the S3-compatible encrypting gateway, driven by @aws-sdk/client-s3',
      `  gateway       ${g.url} (in this process, the embedded default of \`sealflow gateway\`)`,
      `  storage       ${g.dataDir} (fs: every object stored encrypted)`,
      `  key store     ${g.keyStore} (the in-process KMS file store; audit ${g.auditFile})`,
      `  TLS           ${g.tls}`,
      `  demo folder   ${folder} (removed at the end unless --keep)`,
    ].join('\n');
  },

  uploads(bucket: string, u: DemoResult['uploads']): string {
    const generate = u.kmsCalls['GenerateDataKey'] ?? 0;
    return [
      `1. PUT ${u.objects} objects (${formatBytes(u.bytes)}) into ${bucket} with SSE-KMS and a bucket key, 8 at a time: ${(u.ms / 1000).toFixed(2)} s`,
      `   response: x-amz-server-side-encryption ${u.serverSideEncryption ?? '-'}, key ${u.keyArn ?? '-'}, bucket key ${u.bucketKeyEnabled ? 'enabled' : 'NOT enabled'}`,
      `   KMS calls for these PUTs: ${counts(u.kmsCalls)}; without bucket keys: GenerateDataKey ${u.kmsCallsWithoutBucketKeys} (one per object), ${u.kmsCallsWithoutBucketKeys - generate} saved`,
      `   GET every object back: SHA-256 ${u.verified ? 'matches' : 'DOES NOT MATCH'} what was PUT`,
    ].join('\n');
  },

  multipart(m: DemoResult['multipart']): string {
    return `2. multipart upload ${m.key}: ${m.parts.length} parts (${m.parts.map((p) => formatBytes(p)).join(' + ')}) sent concurrently, each its own encrypted message; GET ${formatBytes(m.bytes)}: SHA-256 ${m.verified ? 'matches' : 'DOES NOT MATCH'}`;
  },

  range(r: DemoResult['range']): string {
    return `3. GET ${r.key} Range: bytes=${r.first}-${r.last} (inclusive) across parts ${r.spansParts.join(' and ')}: Content-Range ${r.contentRange ?? '-'}, ${r.matches ? 'matches' : 'DOES NOT MATCH'} the original`;
  },

  sseHeaderOnGet(r: DemoRefusal): string {
    return `4. GET with an x-amz-server-side-encryption header: refused, ${refusal(r)} (S3 decrypts by the stored settings; SSE headers on GET are an error)`;
  },

  policy(p: DemoResult['policy']): string {
    return [
      `5. bucket policy: deny s3:PutObject unless s3:x-amz-server-side-encryption-aws-kms-key-id is ${p.requiredKeyArn}`,
      `   PUT with SSE-S3 (AES256): refused, ${refusal(p.refused)}; PUT naming that key: ${p.allowedStatus ?? '-'}`,
    ].join('\n');
  },

  tamper(t: DemoResult['tamper']): string {
    return `6. one flipped bit in the stored ciphertext of ${t.key}: ${t.refused ? `the GET fails (${t.error}) instead of returning altered bytes` : `NOT REFUSED: ${t.error}`}`;
  },

  metrics(m: DemoResult['metrics'], limit: number = 16): string {
    const shown =
      m.lines.length <= limit ? m.lines : [...m.lines.slice(0, limit), `... ${m.lines.length - limit} more`];
    return [
      `7. gateway /metrics: ${m.kmsCallsTotal} KMS calls made, ${m.kmsCallsAvoided} avoided by bucket keys`,
      ...shown.map((l) => `   ${l}`),
    ].join('\n');
  },

  audit(r: Pick<DemoResult, 'audit'>, limit: number = 10): string {
    const { records, byOperation } = r.audit;
    const shown = records.length <= limit ? records : [...records.slice(0, limit - 3), ...records.slice(-3)];
    const lines = [`8. audit trail: ${records.length} KMS calls recorded (${counts(byOperation)})`];
    shown.forEach((record, i) => {
      if (records.length > limit && i === limit - 3) lines.push(`   ... ${records.length - limit} more ...`);
      lines.push(`   ${renderAuditLine(record)}`);
    });
    return lines.join('\n');
  },

  /** Whether every check the demo makes came out as it should. */
  ok(r: DemoResult): boolean {
    return (
      r.uploads.verified &&
      r.uploads.serverSideEncryption === 'aws:kms' &&
      r.uploads.bucketKeyEnabled &&
      (r.uploads.kmsCalls['GenerateDataKey'] ?? 0) <= 1 &&
      r.multipart.verified &&
      r.range.matches &&
      r.range.spansParts.length === 2 &&
      r.sseHeaderOnGet.status === 400 &&
      r.policy.refused.status === 403 &&
      r.policy.allowedStatus === 200 &&
      r.tamper.refused
    );
  },

  done(r: DemoResult): string {
    return `${DemoReport.ok(r) ? 'all checks passed' : 'SOME CHECKS FAILED'} in ${(r.totalMs / 1000).toFixed(1)} s`;
  },
} as const;
