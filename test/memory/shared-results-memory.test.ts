// One-shot results a worker pool writes in place live in SharedArrayBuffers, which V8 does
// not count as memory pressure. Each carries an untouched ordinary buffer of its size that
// it does count, so dropped results are reclaimed as promptly as ordinary ones: a loop of
// large one-shot calls keeps resident memory flat. (Without it, measured: 120 calls of
// 64 MiB peaked at 1.3 GiB over baseline.)
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '@sealflow/core';
import { createFramePool } from '@sealflow/parallel';
import { patternBytes, rawAesStore } from '../../packages/core/test/engine/fixtures.js';

const MiB = 1024 * 1024;
// Only the pressure keeps memory down here: the bound on unreclaimed results is set out of reach.
const pool = createFramePool({ threads: 2, sharedOutputBytes: 64 * 1024 * MiB });
afterAll(() => pool.close());

describe('shared one-shot results and memory', () => {
  it('48 one-shot encrypts of 32 MiB (1.5 GiB of results, each dropped) keep peak RSS growth under 384 MiB', async () => {
    const engine = createEngine({ keyStore: rawAesStore(), offload: pool });
    const plaintext = patternBytes(32 * MiB);
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    let shared = 0;
    for (let i = 0; i < 48; i++) {
      const result = await engine.encrypt(plaintext);
      if (result.buffer instanceof SharedArrayBuffer) shared++;
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    expect(shared).toBe(48);
    expect((peak - baseline) / MiB).toBeLessThan(384);
  });
});
