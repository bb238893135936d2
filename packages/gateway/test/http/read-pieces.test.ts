import { randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { readPieces } from '../../src/http/read-pieces.js';

async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const piece of source) out.push(piece);
  return out;
}

const live = (): AbortSignal => new AbortController().signal;

describe('readPieces', () => {
  it('gathers 16 KiB chunks into pieces of the size, the last one shorter, bytes unchanged', async () => {
    const data = new Uint8Array(randomBytes(300_000));
    const stream = new PassThrough();
    const written = (async () => {
      for (let at = 0; at < data.length; at += 16_384) {
        stream.write(data.subarray(at, at + 16_384));
        await new Promise((resolve) => setImmediate(resolve));
      }
      stream.end();
    })();
    const out = await collect(readPieces(stream, 65_536, live()));
    await written;
    expect(out.map((p) => p.length)).toEqual([65_536, 65_536, 65_536, 65_536, 300_000 - 4 * 65_536]);
    expect(Buffer.concat(out).equals(Buffer.from(data))).toBe(true);
  });

  it('hands out pieces that later writes never change (a consumer may keep them)', async () => {
    const stream = new PassThrough();
    const chunk = Buffer.alloc(6, 1);
    stream.write(chunk);
    stream.write(Buffer.alloc(6, 2));
    stream.end();
    const out = await collect(readPieces(stream, 8, live()));
    chunk.fill(9);
    expect(out.map((p) => Array.from(p))).toEqual([
      [1, 1, 1, 1, 1, 1, 2, 2],
      [2, 2, 2, 2],
    ]);
  });

  it('yields nothing for an empty body', async () => {
    expect(await collect(readPieces(Readable.from([]), 8, live()))).toEqual([]);
  });

  it('ends with the stream error, and with an error when the stream closes before its end', async () => {
    const failing = new PassThrough();
    failing.write(Buffer.alloc(3));
    setTimeout(() => failing.destroy(new Error('socket reset')), 5);
    await expect(collect(readPieces(failing, 8, live()))).rejects.toThrow('socket reset');
    const closed = new PassThrough();
    closed.write(Buffer.alloc(3));
    setTimeout(() => closed.destroy(), 5);
    await expect(collect(readPieces(closed, 8, live()))).rejects.toThrow(/premature close/i);
  });

  it('ends a wait that would never settle as soon as the signal aborts, leaving the stream open', async () => {
    const stuck = new PassThrough();
    stuck.write(Buffer.alloc(3));
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('client disconnected')), 10);
    await expect(collect(readPieces(stuck, 8, controller.signal))).rejects.toThrow('client disconnected');
    expect(stuck.destroyed).toBe(false);
    await expect(readPieces(stuck, 8, AbortSignal.abort(new Error('gone'))).next()).rejects.toThrow('gone');
  });

  it('stopping early leaves the stream and its unread bytes alone, with no listener left behind', async () => {
    const stream = new PassThrough();
    stream.write(Buffer.alloc(20, 5));
    for await (const piece of readPieces(stream, 8, live())) {
      expect(piece.length).toBe(8);
      break;
    }
    expect(stream.destroyed).toBe(false);
    expect(stream.listenerCount('readable')).toBe(0);
    expect(stream.readableLength).toBe(12);
  });

  it('keeps no piece it has passed on: a long body streams through in bounded memory', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const stream = new PassThrough({ highWaterMark: 256 * 1024 });
    const passed: WeakRef<Uint8Array>[] = [];
    const written = (async () => {
      for (let i = 0; i < 64; i++) {
        if (!stream.write(new Uint8Array(256 * 1024).fill(i)))
          await new Promise((resolve) => stream.once('drain', resolve));
      }
      stream.end();
    })();
    let seen = 0;
    for await (const piece of readPieces(stream, 256 * 1024, live())) {
      passed.push(new WeakRef(piece));
      seen += 1;
      if (seen === 60) {
        await new Promise((resolve) => setImmediate(resolve));
        gc();
        const kept = passed.slice(0, 56).filter((ref) => ref.deref() !== undefined).length;
        expect(kept).toBe(0);
      }
    }
    await written;
    expect(seen).toBe(64);
  });
});
