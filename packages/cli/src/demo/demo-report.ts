import { renderAuditLine } from '../audit-view.js';
import { formatBytes } from '../io/human.js';
import type { DemoResult } from './demo-types.js';

/** Lines of the demo's text report, section by section. */
export const DemoReport = {
  intro(folder: string, storePath: string): string {
    return [
      'sealflow demo: envelope encryption on the embedded key store, with S3-style bucket keys',
      `  demo folder   ${folder} (removed at the end unless --keep)`,
      `  key store     ${storePath}`,
      '                a throwaway store sealed with the FIXED DEMO PASSPHRASE "sealflow-demo-passphrase":',
      '                for this demo only; your own keys live in ~/.config/sealflow/keys.sealed',
    ].join('\n');
  },

  key(result: Pick<DemoResult, 'key'>): string {
    return `1. created key ${result.key.keyId} (${result.key.alias})`;
  },

  encrypt(r: Pick<DemoResult, 'encrypt'>): string {
    const e = r.encrypt;
    return [
      `2. encrypted ${e.objects} objects, ${formatBytes(e.bytes)}, streamed (generated on the fly, never held in memory)`,
      `   ${(e.ms / 1000).toFixed(2)} s, ${e.mibPerSecond} MiB/s end to end; suite ${e.suite}, frames of ${formatBytes(e.frameLength)}`,
      `   KMS GenerateDataKey calls: ${e.kmsCalls} made, ${e.kmsCallsAvoided} avoided by the bucket key`,
      `   (without bucket keys every object costs one call: ${e.objects})`,
    ].join('\n');
  },

  decrypt(r: Pick<DemoResult, 'decrypt'>): string {
    const d = r.decrypt;
    return [
      `3. decrypted ${d.objects} objects, ${formatBytes(d.bytes)}: ${(d.ms / 1000).toFixed(2)} s, ${d.mibPerSecond} MiB/s end to end`,
      `   SHA-256 of every object ${d.verified ? 'matches' : 'DOES NOT MATCH'} the plaintext that was encrypted; each object's context was checked`,
      `   KMS Decrypt calls: ${d.kmsCalls} made, ${d.kmsCallsAvoided} avoided by the bucket key`,
    ].join('\n');
  },

  range(r: Pick<DemoResult, 'range'>): string {
    const g = r.range;
    return [
      `4. range read of ${g.object}, bytes ${g.start}-${g.last} (inclusive): ${g.matches ? 'matches' : 'DOES NOT MATCH'} the original`,
      `   read ${formatBytes(g.bytesRead)} of the ${formatBytes(g.objectBytes)} file in ${g.reads} reads (header, final frame, the frames covering the range)`,
    ].join('\n');
  },

  tamper(r: Pick<DemoResult, 'tamper'>): string {
    const t = r.tamper;
    return `5. one flipped bit in ${t.object}: decrypt fails with ${t.code}; ${t.outputLeftBehind ? 'a PARTIAL OUTPUT FILE WAS LEFT' : 'no partial output file is left behind'}`;
  },

  audit(r: Pick<DemoResult, 'audit'>, limit = 12): string {
    const { records, byOperation } = r.audit;
    const counts = Object.entries(byOperation)
      .map(([name, n]) => `${name} ${n}`)
      .join(', ');
    const shown = records.length <= limit ? records : [...records.slice(0, limit - 3), ...records.slice(-3)];
    const lines = [`6. audit trail: ${records.length} KMS calls recorded (${counts})`];
    shown.forEach((record, i) => {
      if (records.length > limit && i === limit - 3) lines.push(`   ... ${records.length - limit} more ...`);
      lines.push(`   ${renderAuditLine(record)}`);
    });
    return lines.join('\n');
  },

  done(r: Pick<DemoResult, 'totalMs' | 'decrypt' | 'range' | 'tamper'>): string {
    const ok = r.decrypt.verified && r.range.matches && r.tamper.code === 'ERR_AUTHENTICATION_FAILED' && !r.tamper.outputLeftBehind;
    return `${ok ? 'all checks passed' : 'SOME CHECKS FAILED'} in ${(r.totalMs / 1000).toFixed(1)} s`;
  },
} as const;
