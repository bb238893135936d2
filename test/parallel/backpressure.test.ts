// Real backpressure end to end: with a slow consumer, an engine on a frame pool reads its
// source only as fast as the consumer takes ciphertext. What was read and not yet consumed
// stays within the pool's in-flight cap plus stream buffers, far below the message size.
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '@sealflow/core';
import type { FramePool } from '@sealflow/parallel';
import { rawAesStore } from '../../packages/core/test/engine/fixtures.js';
import { KiB, MiB, MODES, pool } from './support/pools.js';

const TOTAL = 64 * MiB;
const CHUNK = 64 * KiB;
const pools: FramePool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

describe.each(MODES)('backpressure through a frame pool (%s)', (mode) => {
  it('a slow consumer holds the source back: bytes read ahead stay bounded by the in-flight cap, not the message size', async () => {
    const maxInFlightBytes = 4 * MiB;
    const p = pool({ mode, threads: 2, batchBytes: MiB, maxInFlightBytes, minMessageBytes: 0 });
    pools.push(p);
    const engine = createEngine({ keyStore: rawAesStore(), offload: p });
    let produced = 0;
    let consumed = 0;
    let ahead = 0;
    const source = new Readable({
      read() {
        if (produced >= TOTAL) {
          this.push(null);
          return;
        }
        produced += CHUNK;
        ahead = Math.max(ahead, produced - consumed);
        this.push(Buffer.alloc(CHUNK, produced & 0xff));
      },
    });
    const sink = new Writable({
      highWaterMark: CHUNK,
      write(chunk: Uint8Array, _encoding, callback) {
        // Ciphertext carries 32 bytes per 64 KiB frame: count it as the plaintext it holds.
        consumed += Math.floor((chunk.length * (64 * KiB)) / (64 * KiB + 32));
        setImmediate(callback); // a consumer slower than the pool
      },
    });
    await pipeline(source, engine.encryptStream(), sink);
    expect(produced).toBe(TOTAL);
    expect(p.stats().batches).toBeGreaterThanOrEqual(60);
    // In flight (4 MiB) + the batch being filled + a released window + stream high-water marks.
    expect(ahead).toBeLessThan(3 * maxInFlightBytes);
    expect(ahead).toBeLessThan(TOTAL / 4);
  });
});
