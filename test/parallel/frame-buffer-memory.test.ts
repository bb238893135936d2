// Issue 14.4 through a frame pool: an offloaded streaming decrypt took a whole batch
// buffer (at least one declared frame) on the first body byte, so 20 streams whose
// authenticated headers declare 16 MiB frames, fed one body byte each, held 400 MiB. The
// batch buffer now starts small and grows with the bytes that arrive, unless the pool
// already has a recycled full-size buffer (which costs no new memory).
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '@sealflow/core';
import type { FramePool } from '@sealflow/parallel';
import { chunked, patternBytes, rawAesStore } from '../../packages/core/test/engine/fixtures.js';
import { expectSameBytes, MiB, MODES, pool } from './support/pools.js';

const STREAMS = 20;
const DECLARED_FRAME = 16 * MiB;
const pools: FramePool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

describe.each(MODES)('batch buffers of an offloaded streaming decrypt (%s)', (mode) => {
  it(`${STREAMS} streams declaring ${DECLARED_FRAME / MiB} MiB frames, fed one body byte each, hold far less than one such frame in all`, async () => {
    const store = rawAesStore();
    const framePool = pool({ mode, threads: 2, minMessageBytes: 0 });
    pools.push(framePool);
    const engine = createEngine({ keyStore: store, offload: framePool });
    // Two regular frames and a final one: the body starts with a regular frame's sequence number.
    const sealed = await createEngine({ keyStore: store, frameLength: DECLARED_FRAME }).encrypt(
      patternBytes(2 * DECLARED_FRAME + 100),
    );
    const opening = sealed.subarray(0, engine.inspect(sealed).headerLength + 1);
    const before = process.memoryUsage().arrayBuffers;
    const streams = [];
    for (let i = 0; i < STREAMS; i++) {
      const stream = engine.decryptStream();
      stream.resume();
      const header = once(stream, 'header');
      stream.write(opening);
      await header;
      streams.push(stream);
    }
    const held = process.memoryUsage().arrayBuffers - before;
    for (const stream of streams) stream.destroy();
    // Was 20 x (at least one 16 MiB frame) = 400 MiB; now 64 KiB a stream plus noise.
    expect(held).toBeLessThan(DECLARED_FRAME);
  });

  it('a message of 16 MiB frames fed in 64 KiB chunks grows its batch buffer and round-trips through the pool', async () => {
    const store = rawAesStore();
    const framePool = pool({ mode, threads: 2, minMessageBytes: 0 });
    pools.push(framePool);
    const plaintext = patternBytes(2 * DECLARED_FRAME + 12345, 3);
    const sealed = await createEngine({ keyStore: store, frameLength: DECLARED_FRAME }).encrypt(plaintext);
    const engine = createEngine({ keyStore: store, offload: framePool });
    for (let round = 0; round < 2; round++) {
      // The second round starts from a buffer the pool recycled.
      const stream = engine.decryptStream();
      const pieces: Uint8Array[] = [];
      stream.on('data', (piece: Uint8Array) => pieces.push(piece));
      const done = once(stream, 'end');
      for (const chunk of chunked(sealed, [64 * 1024])) stream.write(chunk);
      stream.end();
      await done;
      expectSameBytes(Buffer.concat(pieces), plaintext, `round ${round}`);
    }
    expect(framePool.stats().batches).toBeGreaterThan(0);
  });
});
