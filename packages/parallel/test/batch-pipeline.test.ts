import { describe, expect, it } from 'vitest';
import { authenticationFailed } from '@sealflow/core/frames';
import { ErrorCodes, WorkerError } from '@sealflow/core';
import type { Batch, BatchOutput, MessageRunner } from '../src/batch-runner.js';
import { BatchPipeline } from '../src/batch-pipeline.js';
import { BufferPool } from '../src/buffer-pool.js';
import { tick } from './support.js';

interface Pending {
  readonly batch: Batch;
  resolve(output: BatchOutput): void;
  reject(error: unknown): void;
}

/** A runner whose batches settle only when the test settles them; each output is one byte: the batch number. */
function manualRunner(): MessageRunner & { pending: Pending[] } {
  const pending: Pending[] = [];
  return {
    pending,
    run: (batch) => new Promise<BatchOutput>((resolve, reject) => pending.push({ batch, resolve, reject })),
    destroy: () => {},
  };
}

const output = (n: number, error?: BatchOutput['error']): BatchOutput => ({
  pieces: [Uint8Array.of(n)],
  frames: 1,
  input: new ArrayBuffer(8),
  error,
});
const batch = (n: number): Batch => ({
  operation: 'seal',
  firstSequence: n,
  frames: 1,
  input: new ArrayBuffer(8),
  destination: undefined,
});
const numbers = (out: Uint8Array[]): number[] => out.map((piece) => piece[0] as number);

function pipeline(maxBytes = 100): {
  runner: ReturnType<typeof manualRunner>;
  pipe: BatchPipeline;
  buffers: BufferPool;
} {
  const runner = manualRunner();
  const buffers = new BufferPool(65536);
  const pipe = new BatchPipeline(runner, maxBytes, buffers, (o, out) => out.push(...o.pieces));
  return { runner, pipe, buffers };
}

describe('BatchPipeline', () => {
  it('releases batches in dispatch order whatever order they finish in', async () => {
    const { runner, pipe } = pipeline();
    for (let n = 1; n <= 4; n++) pipe.dispatch(batch(n), 10);
    const out: Uint8Array[] = [];
    runner.pending[3]?.resolve(output(4));
    runner.pending[1]?.resolve(output(2));
    await tick();
    pipe.collect(out);
    expect(numbers(out)).toStrictEqual([]); // batch 1 is not done: nothing may pass it
    runner.pending[0]?.resolve(output(1));
    await tick();
    pipe.collect(out);
    expect(numbers(out)).toStrictEqual([1, 2]);
    runner.pending[2]?.resolve(output(3));
    expect(await pipe.settleAll(out)).toBe(true);
    expect(numbers(out)).toStrictEqual([1, 2, 3, 4]);
    expect(pipe.idle).toBe(true);
  });

  it('keeps bytes in flight under the cap but always admits one batch, however large', () => {
    const { pipe } = pipeline(25);
    expect(pipe.hasRoom(1000)).toBe(true); // nothing in flight: one batch may always go
    pipe.dispatch(batch(1), 10);
    pipe.dispatch(batch(2), 10);
    expect(pipe.inFlightBytes).toBe(20);
    expect(pipe.hasRoom(5)).toBe(true);
    expect(pipe.hasRoom(10)).toBe(false);
  });

  it('makeRoom waits for the oldest batch, releases it, and then admits the next', async () => {
    const { runner, pipe } = pipeline(20);
    pipe.dispatch(batch(1), 10);
    pipe.dispatch(batch(2), 10);
    const out: Uint8Array[] = [];
    let admitted = false;
    const room = pipe.makeRoom(10, out).then((ok) => (admitted = ok));
    await tick();
    expect(admitted).toBe(false);
    runner.pending[0]?.resolve(output(1));
    await room;
    expect(admitted).toBe(true);
    expect(numbers(out)).toStrictEqual([1]);
    expect(pipe.inFlightBytes).toBe(10);
  });

  it('hands back everything finished before a failed batch, then throws the failure on the next call', async () => {
    const { runner, pipe } = pipeline();
    for (let n = 1; n <= 3; n++) pipe.dispatch(batch(n), 10);
    runner.pending[0]?.resolve(output(1));
    runner.pending[1]?.reject(new WorkerError(ErrorCodes.WORKER_FAILED, 'worker exited with code 1'));
    runner.pending[2]?.resolve(output(3));
    await tick();
    const out: Uint8Array[] = [];
    pipe.collect(out);
    expect(numbers(pipe.settle(out))).toStrictEqual([1]); // batch 3 finished but may never pass the failed batch 2
    expect(() => pipe.throwIfFailed()).toThrow(WorkerError);
    expect(() => pipe.settle([])).toThrow(/worker exited/);
  });

  it('releases the verified part of a batch that failed midway, then fails', async () => {
    const { runner, pipe } = pipeline();
    pipe.dispatch(batch(1), 10);
    runner.pending[0]?.resolve(output(7, authenticationFailed()));
    const out: Uint8Array[] = [];
    expect(await pipe.settleAll(out)).toBe(false);
    expect(numbers(out)).toStrictEqual([7]);
    expect(pipe.failure?.code).toBe(ErrorCodes.AUTHENTICATION_FAILED);
  });

  it('recycles the input buffers that come back with results', async () => {
    const { runner, pipe, buffers } = pipeline();
    pipe.dispatch(batch(1), 10);
    const returned = new ArrayBuffer(4096);
    runner.pending[0]?.resolve({ pieces: [], frames: 0, input: returned, error: undefined });
    await pipe.settleAll([]);
    expect(buffers.take(4000)).toBe(returned);
  });

  it('after abort, results that arrive late are dropped and the abort reason is the failure', async () => {
    const { runner, pipe } = pipeline();
    pipe.dispatch(batch(1), 10);
    pipe.abort(new WorkerError(ErrorCodes.WORKER_FAILED, 'aborted'));
    runner.pending[0]?.resolve(output(1));
    await tick();
    const out: Uint8Array[] = [];
    pipe.collect(out);
    expect(out).toHaveLength(0);
    expect(pipe.idle).toBe(true);
    expect(() => pipe.throwIfFailed()).toThrow('aborted');
  });
});
