import { open } from 'node:fs/promises';
import { createEngine, type RandomAccessSource } from '@sealflow/core';
import type { Fixture } from '../contestants.js';
import { log } from '../log.js';
import type { ResultRow } from '../results.js';
import { time, type Budget } from '../timer.js';
import { MiB, sizeLabel } from '../units.js';

/**
 * Range reads from the stored message: 1 byte and 1 MiB from the middle. sealflow reads
 * the header, the final frame and the frames covering the range, each verified. ESDKs have
 * no range read: the peer row is a whole-message streamed decrypt, which is what a range
 * costs there.
 */
export async function runRanges(
  fixture: Fixture,
  path: string,
  total: number,
  chunk: Uint8Array,
  budget: Budget,
  peerWholeDecrypt: ResultRow | undefined,
): Promise<ResultRow[]> {
  const engine = createEngine({ keyStore: fixture.store });
  const file = await open(path);
  try {
    const { size } = await file.stat();
    let reads = 0;
    const source: RandomAccessSource = {
      size,
      read: async (position, length) => {
        reads++;
        const buffer = Buffer.allocUnsafe(length);
        const { bytesRead } = await file.read(buffer, 0, length, position);
        return buffer.subarray(0, bytesRead);
      },
    };
    const rows: ResultRow[] = [];
    for (const length of [1, MiB]) {
      const start = Math.floor(total / 2) + 12_345;
      const got = await engine.decryptRange(source, { start, end: start + length });
      // The plaintext is the stream chunk repeated: byte x is chunk[x mod chunk length].
      for (let i = 0; i < got.length; i++) {
        if (got[i] !== chunk[(start + i) % chunk.length])
          throw new Error(`range read of ${length} bytes returned wrong plaintext at ${i}`);
      }
      reads = 0;
      await engine.decryptRange(source, { start, end: start + length });
      const readsPerRange = reads;
      const timing = await time(
        `range ${length}`,
        () => engine.decryptRange(source, { start, end: start + length }),
        budget,
      );
      const workload = `range read of ${sizeLabel(length)} from a ${sizeLabel(total)} message`;
      rows.push({
        suite: 'ranges',
        workload,
        operation: 'range',
        bytes: length,
        frameLength: undefined,
        contestant: 'sealflow',
        // Ops/s only: the peer row is whole-message decrypts per second.
        mibPerSecond: undefined,
        opsPerSecond: 1000 / timing.meanMs,
        samples: timing.samples,
        note: `${readsPerRange} reads per range`,
      });
      if (peerWholeDecrypt?.opsPerSecond !== undefined) {
        rows.push({
          ...peerWholeDecrypt,
          suite: 'ranges',
          workload,
          operation: 'range',
          bytes: length,
          mibPerSecond: undefined,
          note: 'no range read: decrypts the whole message',
        });
      }
      log(`ranges: ${workload}: ${Math.round(1000 / timing.meanMs)} ops/s`);
    }
    return rows;
  } finally {
    await file.close();
  }
}
