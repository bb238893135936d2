// A frame's plaintext is released only after its tag verifies (STYLE §8), and with a
// signing suite the final frame's plaintext waits for the signature. Driven through the
// public streams, one small write at a time, with a spy cipher backend that logs every
// tag check next to every plaintext the stream releases.
import { describe, expect, it } from 'vitest';
import { createEngine, nodeBackend, SealflowError, type CipherBackend, type Engine } from '@sealflow/core';
import { chunked, layoutOf, patternBytes, rawAesStore, type FrameLayout } from './fixtures.js';

const FL = 100;
const FRAMES = 4;
const PLAINTEXT = patternBytes(FRAMES * FL); // a full final frame when plaintextLength is given

type Entry = { readonly kind: 'open'; readonly ok: boolean } | { readonly kind: 'data'; readonly bytes: number };

function spyBackend(log: Entry[]): CipherBackend {
  return {
    ...nodeBackend,
    open(key, iv, aad, ciphertext, tag) {
      const plaintext = nodeBackend.open(key, iv, aad, ciphertext, tag);
      log.push({ kind: 'open', ok: plaintext !== undefined });
      return plaintext;
    },
  };
}

interface Setup {
  readonly engine: Engine;
  readonly sealed: Uint8Array;
  readonly layout: FrameLayout;
  readonly log: Entry[];
  readonly bodyEnd: number;
}

async function setup(suite: 0x0478 | 0x0578, plaintextLength?: number): Promise<Setup> {
  const log: Entry[] = [];
  const engine = createEngine({ keyStore: rawAesStore(), frameLength: FL, suite, backend: spyBackend(log) });
  const writer = engine.encryptStream(plaintextLength === undefined ? {} : { plaintextLength });
  const parts: Uint8Array[] = [];
  writer.on('data', (chunk: Uint8Array) => parts.push(chunk));
  const done = new Promise((resolve, reject) => writer.on('end', resolve).on('error', reject));
  writer.end(PLAINTEXT);
  await done;
  const sealed = Uint8Array.from(Buffer.concat(parts));
  const footer = suite === 0x0578 ? 2 + findSignature(sealed) : 0;
  const bodyEnd = sealed.length - footer;
  log.length = 0;
  return { engine, sealed, layout: layoutOf(engine, sealed, bodyEnd), log, bodyEnd };
}

function findSignature(sealed: Uint8Array): number {
  for (let length = 60; length <= 110; length++) {
    const at = sealed.length - 2 - length;
    if ((((sealed[at] ?? 0) << 8) | (sealed[at + 1] ?? 0)) === length && sealed[at + 2] === 0x30) return length;
  }
  throw new Error('no footer');
}

interface Run {
  /** Plaintext bytes released after each write (cumulative), with the ciphertext offset reached. */
  readonly steps: ReadonlyArray<{ readonly written: number; readonly released: number }>;
  readonly released: Uint8Array;
  readonly error: unknown;
}

/** Writes `bytes` in chunks of `size`, waiting for each write to be processed; ends unless it failed. */
async function drive(engine: Engine, bytes: Uint8Array, size: number, log: Entry[]): Promise<Run> {
  const stream = engine.decryptStream();
  const released: Uint8Array[] = [];
  let total = 0;
  let error: unknown;
  stream.on('data', (chunk: Uint8Array) => {
    released.push(chunk);
    total += chunk.length;
    log.push({ kind: 'data', bytes: chunk.length });
  });
  const closed = new Promise<void>((resolve) => {
    stream.on('error', (e) => {
      error = e;
      resolve();
    });
    stream.on('end', () => resolve());
  });
  const steps: Array<{ written: number; released: number }> = [];
  let written = 0;
  for (const chunk of chunked(bytes, [size])) {
    if (error !== undefined) break;
    await new Promise<void>((resolve) => stream.write(chunk, () => resolve()));
    await new Promise((resolve) => setImmediate(resolve));
    written += chunk.length;
    steps.push({ written, released: total });
  }
  if (error === undefined) stream.end();
  await closed;
  return { steps, released: Uint8Array.from(Buffer.concat(released)), error };
}

/** Plaintext bytes whose frames lie entirely within the first `written` ciphertext bytes. */
function completeFrameBytes(layout: FrameLayout, written: number, includeFinal: boolean): number {
  let bytes = 0;
  for (let i = 0; i < layout.regular; i++) if (layout.frameOffset(i + 1) <= written) bytes += layout.frameLength;
  if (includeFinal && layout.finalOffset + layout.finalLength <= written) bytes += layout.finalContent;
  return bytes;
}

describe('plaintext is released only after its tag verifies', () => {
  for (const size of [1, 7, 64, 133]) {
    it(`never releases a frame before its last byte arrived, and releases it once it did (writes of ${size})`, async () => {
      const s = await setup(0x0478);
      const run = await drive(s.engine, s.sealed, size, s.log);
      expect(run.error).toBeUndefined();
      for (const step of run.steps) expect(step.released).toBe(completeFrameBytes(s.layout, step.written, true));
      expect(Buffer.from(run.released).equals(Buffer.from(PLAINTEXT))).toBe(true);
    });
  }

  it('each release follows a successful tag check of its own frame (spy backend)', async () => {
    const s = await setup(0x0478);
    await drive(s.engine, s.sealed, 5, s.log);
    // open #0 is the header tag; every data entry must be preceded by more frame verifications than releases.
    let verifiedFrames = -1;
    let releases = 0;
    for (const entry of s.log) {
      if (entry.kind === 'open') {
        expect(entry.ok).toBe(true);
        verifiedFrames++;
      } else {
        releases++;
        expect(verifiedFrames).toBeGreaterThanOrEqual(releases);
      }
    }
    expect(verifiedFrames).toBe(s.layout.regular + 1);
  });

  for (const bad of [0, 2, 3]) {
    it(`a frame that fails its tag check (frame ${bad + 1} of ${FRAMES + 1}) releases none of its bytes, nor any later ones`, async () => {
      const s = await setup(0x0478);
      const tampered = s.sealed.slice();
      const at = bad < s.layout.regular ? s.layout.frameOffset(bad) + 40 : s.layout.finalOffset + 30;
      tampered[at] = (tampered[at] as number) ^ 0x10;
      const run = await drive(s.engine, tampered, 3, s.log);
      expect(run.error).toBeInstanceOf(SealflowError);
      expect((run.error as SealflowError).code).toBe('ERR_AUTHENTICATION_FAILED');
      const expected = Math.min(bad, s.layout.regular) * FL;
      expect(run.released.length).toBe(expected);
      expect(Buffer.from(run.released).equals(Buffer.from(PLAINTEXT.subarray(0, expected)))).toBe(true);
      // The failed check is the last thing the backend did: nothing was released after it.
      const last = s.log.at(-1);
      expect(last).toStrictEqual({ kind: 'open', ok: false });
    });
  }

  it('the web stream and the iterable hold each frame until it is complete, too', async () => {
    const s = await setup(0x0478);
    const chunks = chunked(s.sealed, [9]);
    let consumed = 0;
    async function* source(): AsyncGenerator<Uint8Array> {
      for (const chunk of chunks) {
        consumed += chunk.length;
        yield chunk;
      }
    }
    let released = 0;
    for await (const piece of s.engine.decryptIterable(source())) {
      released += piece.length;
      expect(released).toBeLessThanOrEqual(completeFrameBytes(s.layout, consumed, true));
    }
    expect(released).toBe(PLAINTEXT.length);

    consumed = 0;
    released = 0;
    let next = 0;
    const reader = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          const chunk = chunks[next++];
          if (chunk === undefined) controller.close();
          else {
            consumed += chunk.length;
            controller.enqueue(chunk);
          }
        },
      },
      { highWaterMark: 0 },
    )
      .pipeThrough(s.engine.decryptWebStream())
      .getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      released += value.length;
      expect(released).toBeLessThanOrEqual(completeFrameBytes(s.layout, consumed, true));
    }
    expect(released).toBe(PLAINTEXT.length);
  });
});

describe('with a signing suite (0x0578) the final frame waits for the signature', () => {
  for (const shape of ['full final frame', 'empty final frame'] as const) {
    it(`releases regular frames as they verify but the final frame only after the footer verifies (${shape})`, async () => {
      const s = await setup(0x0578, shape === 'full final frame' ? PLAINTEXT.length : undefined);
      expect(s.layout.finalContent).toBe(shape === 'full final frame' ? FL : 0);
      const run = await drive(s.engine, s.sealed, 11, s.log);
      expect(run.error).toBeUndefined();
      for (const step of run.steps) {
        // Up to and including the last footer byte, nothing of the final frame is out.
        expect(step.released).toBe(completeFrameBytes(s.layout, step.written, false));
      }
      expect(Buffer.from(run.released).equals(Buffer.from(PLAINTEXT))).toBe(true);
    });
  }

  it('an invalid signature fails with ERR_SIGNATURE_INVALID and the final frame is never released', async () => {
    const s = await setup(0x0578, PLAINTEXT.length);
    const tampered = s.sealed.slice();
    tampered[tampered.length - 3] = (tampered[tampered.length - 3] as number) ^ 0x01;
    const run = await drive(s.engine, tampered, 11, s.log);
    expect((run.error as SealflowError).code).toBe('ERR_SIGNATURE_INVALID');
    expect(run.released.length).toBe(s.layout.regular * FL);
    expect(Buffer.from(run.released).equals(Buffer.from(PLAINTEXT.subarray(0, s.layout.regular * FL)))).toBe(true);
  });

  it('a missing footer fails with ERR_TRUNCATED and the final frame is never released', async () => {
    const s = await setup(0x0578, PLAINTEXT.length);
    const run = await drive(s.engine, s.sealed.subarray(0, s.bodyEnd), 11, s.log);
    expect((run.error as SealflowError).code).toBe('ERR_TRUNCATED');
    expect(run.released.length).toBe(s.layout.regular * FL);
  });
});
