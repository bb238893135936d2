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
});
