import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { log } from '../log.js';
import type { ResultRow } from '../results.js';
import type { RssProbeResult } from '../rss-probe.js';
import { sizeLabel } from '../units.js';

const run = promisify(execFile);
const PROBE = fileURLToPath(new URL('../rss-probe.js', import.meta.url));
export const MEMORY_CONTESTANTS = ['sealflow', 'sealflow-workers-2', 'sealflow-subtle', 'client-node'] as const;

/** Peak RSS above baseline while streaming `bytes` through encrypt -> decrypt, one child process per contestant. */
export async function runMemory(
  bytes: number,
  contestants: readonly string[] = MEMORY_CONTESTANTS,
): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  for (const contestant of contestants) {
    const { stdout } = await run(process.execPath, ['--expose-gc', PROBE, contestant, String(bytes)], {
      timeout: 10 * 60_000,
      maxBuffer: 1024 * 1024,
    });
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as RssProbeResult;
    rows.push({
      suite: 'memory',
      workload: `peak RSS streaming ${sizeLabel(bytes)} (encrypt -> decrypt)`,
      operation: 'encrypt',
      bytes,
      frameLength: 64 * 1024,
      contestant,
      mibPerSecond: bytes / (1024 * 1024) / result.seconds,
      opsPerSecond: undefined,
      peakRssOverBaselineMiB: result.overBaselineMiB,
      samples: 1,
      note: `baseline ${Math.round(result.baselineMiB)} MiB, peak ${Math.round(result.peakMiB)} MiB`,
    });
    log(`memory: ${contestant} +${result.overBaselineMiB.toFixed(1)} MiB over ${Math.round(result.baselineMiB)} MiB`);
  }
  return rows;
}
