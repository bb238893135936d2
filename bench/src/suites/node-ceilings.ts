import { createCipheriv, createSecretKey, randomBytes } from 'node:crypto';
import type { ResultRow } from '../results.js';
import { mibPerSecond, time, type Budget } from '../timer.js';
import { KiB, MiB } from '../units.js';

/** Contestant names of the ceiling rows (targets.ts reads them). */
export const NodeCeiling = {
  /** One AES-256-GCM cipher fed the 64 KiB parts of a 64 MiB buffer, output dropped: no per-frame setup at all. */
  update: 'node:crypto update (one cipher, 64 KiB parts of 64 MiB)',
  /** The same, fed one 64 KiB chunk over and over (cache-warm input, as the stream source sends). */
  updateWarm: 'node:crypto update (one cipher, one 64 KiB chunk repeated)',
  /** A fresh cipher per 4 KiB frame (setAAD, update, final, tag), output dropped. */
  frames4k: 'node:crypto per 4 KiB frame (new cipher each)',
  /** Writing a newly allocated 64 MiB buffer: what a one-shot result costs before any crypto. */
  freshMemory: 'fresh memory (write a new 64 MiB buffer)',
} as const;

/**
 * What node:crypto and the machine allow one thread, measured in the same run as the
 * contestants: the bounds any engine that seals through node:crypto works under. A
 * one-shot call also hands back a fresh result as large as the message, and fresh pages
 * cost a fault each on first write (the fresh-memory row).
 */
export async function nodeCeilings(budget: Budget): Promise<ResultRow[]> {
  // A bound is what the machine did at its best: the fastest of several runs, not the mean.
  const runs: Budget = { timeMs: budget.timeMs, minIterations: Math.max(budget.minIterations, 8) };
  const bytes = 64 * MiB;
  const input = new Uint8Array(randomBytes(bytes));
  const key = createSecretKey(randomBytes(32));
  const iv = new Uint8Array(12);
  const aad = new Uint8Array(80);
  const update = async (): Promise<void> => {
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    for (let at = 0; at < bytes; at += 64 * KiB) cipher.update(input.subarray(at, at + 64 * KiB));
  };
  const chunk = input.subarray(0, 64 * KiB);
  const updateWarm = async (): Promise<void> => {
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    for (let at = 0; at < bytes; at += 64 * KiB) cipher.update(chunk);
  };
  const frames4k = async (): Promise<void> => {
    for (let at = 0; at < bytes; at += 4 * KiB) {
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
      cipher.setAAD(aad);
      cipher.update(input.subarray(at, at + 4 * KiB));
      cipher.final();
      cipher.getAuthTag();
    }
  };
  const fresh = async (): Promise<void> => {
    Buffer.allocUnsafeSlow(bytes).fill(1);
  };
  const rows: ResultRow[] = [];
  for (const [contestant, fn] of [
    [NodeCeiling.update, update],
    [NodeCeiling.updateWarm, updateWarm],
    [NodeCeiling.frames4k, frames4k],
    [NodeCeiling.freshMemory, fresh],
  ] as const) {
    const timing = await time(contestant, fn, runs);
    rows.push({
      suite: 'ceiling',
      workload: 'one thread, 64 MiB',
      operation: 'encrypt',
      bytes,
      frameLength: undefined,
      contestant,
      mibPerSecond: mibPerSecond(bytes, timing.minMs),
      opsPerSecond: undefined,
      samples: timing.samples,
      note: 'the fastest of the runs',
    });
  }
  return rows;
}

/**
 * Ceilings measured at several points of a run, merged: for each bound, the fastest. The
 * machines are shared and their speed drifts over seconds, so a bound taken at one moment
 * can sit below what a workload reached at another.
 */
export function fastestCeilings(measurements: readonly (readonly ResultRow[])[]): ResultRow[] {
  const best = new Map<string, ResultRow>();
  for (const rows of measurements) {
    for (const row of rows) {
      const seen = best.get(row.contestant);
      if (seen === undefined || (row.mibPerSecond ?? 0) > (seen.mibPerSecond ?? 0)) best.set(row.contestant, row);
    }
  }
  return [...best.values()].map((row) => ({
    ...row,
    note: `the fastest of ${measurements.length} measurements spread over the run`,
  }));
}
