import { execFile } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import type { ResultRow } from '../results.js';
import { KiB } from '../units.js';

const run = promisify(execFile);

/** `openssl speed -evp aes-256-gcm` at `blockBytes` blocks, MiB/s (all processes with `multi`). */
export async function opensslSpeed(
  seconds: number,
  multi: number | undefined,
  blockBytes: number = 16 * KiB,
): Promise<number | undefined> {
  try {
    return await speed(seconds, multi, blockBytes);
  } catch {
    return undefined;
  }
}

async function speed(seconds: number, multi: number | undefined, blockBytes = 16 * KiB): Promise<number | undefined> {
  const args = [
    'speed',
    ...(multi === undefined ? [] : ['-multi', String(multi)]),
    '-seconds',
    String(seconds),
    '-bytes',
    String(blockBytes),
    '-evp',
    'aes-256-gcm',
  ];
  const { stdout } = await run('openssl', args, { timeout: 60_000, killSignal: 'SIGKILL' });
  // "AES-256-GCM   5198016.26k": thousands of bytes per second.
  const match = /^AES-256-GCM\s+([\d.]+)k\s*$/m.exec(stdout);
  return match === null ? undefined : (Number(match[1]) * 1000) / (1024 * 1024);
}

/** The machine's ceiling, `openssl speed -evp aes-256-gcm` on one core and on all; undefined rows when openssl is missing. */
export async function opensslCeiling(seconds: number): Promise<{ version: string | undefined; rows: ResultRow[] }> {
  let version: string | undefined;
  try {
    version = (await run('openssl', ['version'], { timeout: 10_000 })).stdout.trim();
  } catch {
    return { version: undefined, rows: [] };
  }
  const rows: ResultRow[] = [];
  const cores = availableParallelism();
  for (const multi of [undefined, cores]) {
    const mib = await speed(seconds, multi);
    if (mib === undefined) continue;
    rows.push({
      suite: 'ceiling',
      workload: 'AES-256-GCM, 16 KiB blocks (openssl speed -evp aes-256-gcm)',
      operation: 'encrypt',
      bytes: 16 * KiB,
      frameLength: undefined,
      contestant: multi === undefined ? 'openssl (1 core)' : `openssl (${cores} cores)`,
      mibPerSecond: mib,
      opsPerSecond: undefined,
      samples: 1,
    });
  }
  return { version, rows };
}
