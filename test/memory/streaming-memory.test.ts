// Streaming keeps memory O(frame length + high-water marks), whatever the message size.
// A generated 1 GiB message (never held: a Readable makes it chunk by chunk) goes through
// encryptStream -> decryptStream -> a hashing sink; memory is sampled during the run and
// the hashes of what went in and what came out must match.
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { isMainThread } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createEngine, DEFAULT_FRAME_LENGTH } from '@sealflow/core';
import { rawAesStore } from '../../packages/core/test/engine/fixtures.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const CHUNK = 64 * 1024;

/** A garbage collector: `global.gc` when exposed, else one obtained through the V8 flag. */
function collector(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed !== undefined) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/**
 * `total` bytes of counter-seeded pseudo-random data (xorshift32), made on demand and
 * hashed as they are made. Each chunk is a fresh buffer: the pipeline may hold it.
 */
function generated(total: number, hash: ReturnType<typeof createHash>): Readable & { produced: () => number } {
  let produced = 0;
  let state = 0x9e3779b9;
  const stream = new Readable({
    highWaterMark: CHUNK,
    read() {
      if (produced >= total) {
        this.push(null);
        return;
      }
      const size = Math.min(CHUNK, total - produced);
      const chunk = Buffer.allocUnsafe(size);
      const words = new Uint32Array(chunk.buffer, chunk.byteOffset, size >>> 2);
      for (let i = 0; i < words.length; i++) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        words[i] = state >>> 0;
      }
      chunk.fill(0xa5, words.length * 4);
      produced += size;
      hash.update(chunk);
      this.push(chunk);
    },
  });
  return Object.assign(stream, { produced: () => produced });
}

function hashingSink(hash: ReturnType<typeof createHash>): Writable & { received: () => number } {
  let received = 0;
  const sink = new Writable({
    write(chunk: Uint8Array, _encoding, callback) {
      received += chunk.length;
      hash.update(chunk);
      callback();
    },
  });
  return Object.assign(sink, { received: () => received });
}

interface Peak {
  rss: number;
  heap: number;
}

/** Samples memory every `ms` until stopped; returns peaks above the baseline. */
function sampler(baseline: NodeJS.MemoryUsage, ms = 25): { stop: () => Peak; sample: () => void } {
  const peak: Peak = { rss: 0, heap: 0 };
  const sample = (): void => {
    const now = process.memoryUsage();
    peak.rss = Math.max(peak.rss, now.rss - baseline.rss);
    peak.heap = Math.max(peak.heap, now.heapUsed + now.arrayBuffers - (baseline.heapUsed + baseline.arrayBuffers));
  };
  const timer = setInterval(sample, ms);
  return {
    sample,
    stop: () => {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

describe('streaming 1 GiB through encryptStream -> decryptStream', () => {
  it('keeps peak memory within 64 MiB above the baseline, and what comes out hashes to what went in', async () => {
    const gc = collector();
    const engine = createEngine({ keyStore: rawAesStore() });
    // Warm up the code paths (JIT, crypto) so the baseline is not taken before their one-off allocations.
    await pipeline(
      generated(4 * MiB, createHash('sha256')),
      engine.encryptStream(),
      engine.decryptStream(),
      hashingSink(createHash('sha256')),
    );
    gc();
    gc();
    const baseline = process.memoryUsage();
    const memory = sampler(baseline);

    const inputHash = createHash('sha256');
    const outputHash = createHash('sha256');
    const source = generated(GiB, inputHash);
    const sink = hashingSink(outputHash);
    // The sampler's timer may starve under load: sample from the data path as well, every
    // 8 MiB. Every 16 MiB a full gc runs right after the sample: every chunk here is a
    // fresh buffer, and garbage that V8 has not yet collected would otherwise make the
    // reading depend on GC timing (and CPU contention on a shared machine). A leak or
    // unbounded buffering survives gc, so it still shows in the next samples.
    let nextSample = 0;
    const observed = new Writable({
      write(chunk: Uint8Array, encoding, callback) {
        if (sink.received() >= nextSample) {
          memory.sample();
          if (nextSample % (16 * MiB) === 0) gc();
          nextSample += 8 * MiB;
        }
        sink.write(chunk, encoding, callback);
      },
      final(callback) {
        sink.end(callback);
      },
    });
    const before = engine.stats().bytesDecrypted;
    await pipeline(source, engine.encryptStream(), engine.decryptStream(), observed);
    const peak = memory.stop();

    expect(source.produced()).toBe(GiB);
    expect(sink.received()).toBe(GiB);
    expect(outputHash.digest('hex')).toBe(inputHash.digest('hex'));
    expect(engine.stats().bytesDecrypted - before).toBe(GiB);
    expect(peak.heap).toBeLessThan(64 * MiB);
    // rss is per process; under a threads pool other files share it, so it is only judged in a process of our own.
    if (isMainThread) expect(peak.rss).toBeLessThan(64 * MiB);
  }, 300_000);
});

describe('backpressure', () => {
  /** An endless plaintext source that counts what it produced. */
  function endless(): Readable & { produced: () => number } {
    let produced = 0;
    const chunk = Buffer.alloc(CHUNK, 7);
    const stream = new Readable({
      highWaterMark: CHUNK,
      read() {
        produced += chunk.length;
        this.push(Buffer.from(chunk));
      },
    });
    return Object.assign(stream, { produced: () => produced });
  }

  /** A consumer that takes one chunk per macrotask, and stops after `limit` bytes. */
  function slowSink(limit: number, onWrite: () => void): Writable & { consumed: () => number } {
    let consumed = 0;
    const sink = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Uint8Array, _encoding, callback) {
        consumed += chunk.length;
        onWrite();
        if (consumed >= limit) callback(new Error('enough'));
        else setImmediate(callback);
      },
    });
    return Object.assign(sink, { consumed: () => consumed });
  }

  it('a slow consumer keeps what the encryptor buffers bounded by one frame plus the high-water marks', async () => {
    for (const frameLength of [4096, DEFAULT_FRAME_LENGTH, 256 * 1024]) {
      const engine = createEngine({ keyStore: rawAesStore(), frameLength });
      const source = endless();
      const encrypt = engine.encryptStream();
      let worst = 0;
      let worstInFlight = 0;
      const sink = slowSink(32 * MiB, () => {
        worst = Math.max(worst, encrypt.writableLength + encrypt.readableLength);
        // Plaintext made but not yet delivered (ciphertext carries 32 bytes per frame and a header on top).
        const delivered = sink.consumed() - 1024 - 32 * Math.ceil(sink.consumed() / frameLength);
        worstInFlight = Math.max(worstInFlight, source.produced() - delivered);
      });
      await expect(pipeline(source, encrypt, sink)).rejects.toThrow('enough');
      // What may sit in the transform's buffers: the high-water marks, one queued input chunk,
      // and the output of one write (a chunk's worth of frames, or a whole frame once filled),
      // plus per-frame overhead and the header.
      const burst = Math.max(CHUNK, frameLength);
      const bound =
        encrypt.writableHighWaterMark +
        encrypt.readableHighWaterMark +
        CHUNK +
        burst +
        32 * (Math.ceil(burst / frameLength) + 1) +
        1024;
      expect(worst).toBeLessThanOrEqual(bound);
      // Plus the partial frame inside the encryptor, the source's buffer and the sink's.
      expect(worstInFlight).toBeLessThanOrEqual(bound + frameLength + source.readableHighWaterMark + CHUNK + 16 * 1024);
      // The consumer really was the bottleneck: the source was held back, not drained at full speed.
      expect(source.produced()).toBeLessThan(32 * MiB + bound + 4 * CHUNK);
    }
  });

  it('a slow consumer keeps what the decryptor buffers bounded too', async () => {
    const frameLength = DEFAULT_FRAME_LENGTH;
    const engine = createEngine({ keyStore: rawAesStore(), frameLength });
    const source = endless();
    const encrypt = engine.encryptStream();
    const decrypt = engine.decryptStream();
    let worst = 0;
    const sink = slowSink(32 * MiB, () => {
      worst = Math.max(
        worst,
        decrypt.writableLength + decrypt.readableLength + encrypt.writableLength + encrypt.readableLength,
      );
    });
    await expect(pipeline(source, encrypt, decrypt, sink)).rejects.toThrow('enough');
    const perStage = 16 * 1024 + 16 * 1024 + CHUNK + Math.max(CHUNK, frameLength) + 2 * 32 + 1024;
    expect(worst).toBeLessThanOrEqual(2 * perStage);
    expect(source.produced()).toBeLessThan(32 * MiB + 4 * perStage);
  });
});
