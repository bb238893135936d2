import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { abortable } from '../../src/http/abortable.js';

async function* items<T>(...values: T[]): AsyncIterable<T> {
  yield* values;
}

describe('abortable', () => {
  it('passes every item through and ends with the source', async () => {
    const out: number[] = [];
    for await (const n of abortable(items(1, 2, 3), new AbortController().signal)) out.push(n);
    expect(out).toEqual([1, 2, 3]);
  });

  it('ends a read that never settles as soon as the signal aborts, and tells the source to return', async () => {
    let returned = false;
    const stuck: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => ({
        next: () => new Promise<IteratorResult<number>>(() => undefined),
        return: async () => {
          returned = true;
          return { done: true, value: undefined };
        },
      }),
    };
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('client disconnected')), 10);
    const read = (async () => {
      for await (const _ of abortable(stuck, controller.signal)) {
        // never reached
      }
    })();
    await expect(read).rejects.toThrow('client disconnected');
    expect(returned).toBe(true);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const iterator = abortable(items(1), AbortSignal.abort(new Error('gone')))[Symbol.asyncIterator]();
    await expect(iterator.next()).rejects.toThrow('gone');
  });

  it('keeps no chunk it has passed on: a long body streams through in bounded memory', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const passed: WeakRef<Uint8Array>[] = [];
    async function* body(): AsyncIterable<Uint8Array> {
      for (let i = 0; i < 64; i++) yield new Uint8Array(256 * 1024).fill(i);
    }
    const controller = new AbortController();
    let seen = 0;
    for await (const chunk of abortable(body(), controller.signal)) {
      passed.push(new WeakRef(chunk));
      seen += 1;
      if (seen === 64) {
        // Still iterating, the signal never settled: every earlier chunk must be collectable.
        await new Promise((resolve) => setImmediate(resolve));
        gc();
        const kept = passed.slice(0, 60).filter((ref) => ref.deref() !== undefined).length;
        expect(kept).toBeLessThanOrEqual(2);
      }
    }
    expect(seen).toBe(64);
  });
});
