import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { KmsAuditRecord } from '@sealflow/keystore-memory';
import { renderAuditLine } from '../audit-view.js';
import { print, printJson, type CliIo } from '../cli-context.js';
import { auditPath } from '../keystore/local-kms.js';
import { keystorePath } from '../keystore/keystore-path.js';
import { parseCount } from '../options/parse-size.js';
import { contextOf } from './command-context.js';

/** Lines longer than this are not records we wrote; they are skipped, not buffered on. */
const MAX_LINE = 256 * 1024;

/**
 * `sealflow keys audit [--limit N] [--json]`: the newest entries of the embedded store's
 * audit trail (`<store>.audit.jsonl`, CloudTrail-shaped records of every KMS call). It
 * holds no secrets, so reading it needs no passphrase.
 */
export function registerKeyAudit(keys: Command, io: CliIo): void {
  keys
    .command('audit')
    .description('show the newest audit trail entries (every KMS call: who, which key, which context, outcome)')
    .option('-n, --limit <n>', 'how many entries', '20')
    .option('--json', 'print the records as JSON')
    .action(async (options: { limit: string; json?: boolean }, command: Command) => {
      const limit = parseCount(options.limit, '--limit', 1, 100_000);
      const context = contextOf(command, io);
      const path = auditPath(keystorePath(context.globals.keystore, io.env));
      const records = await tail(path, limit);
      if (options.json === true) await printJson(context, records);
      else
        await print(
          context,
          records.length === 0 ? 'no audit entries yet\n' : `${records.map(renderAuditLine).join('\n')}\n`,
        );
    });
}

/** The last `limit` parseable records of a JSON-lines file (memory bounded by `limit`). */
async function tail(path: string, limit: number): Promise<KmsAuditRecord[]> {
  const ring: KmsAuditRecord[] = [];
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      if (line.length === 0 || line.length > MAX_LINE) continue;
      try {
        const record = JSON.parse(line) as KmsAuditRecord;
        if (typeof record?.eventName !== 'string') continue;
        ring.push(record);
        if (ring.length > limit) ring.shift();
      } catch {
        // A torn last line (a crash mid-append) is skipped.
      }
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  } finally {
    lines.close();
  }
  return ring;
}
