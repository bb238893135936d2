// One batch shared by several libuv tasks (`sealRegularFramesAsync(..., tasks)`): the tasks
// claim runs of frames until none is left, so a one-shot message on a native frame pool is
// one batch whatever the thread count. The bytes are those of one synchronous call for any
// task count; a failure settles only once every task returned, with the output zeroed; the
// runner gives a one-shot batch every free thread and a stream batch one.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ErrorCodes, type CipherBackend } from '@sealflow/core';
import { nativeBackend } from '@sealflow/native';
import type { Batch } from '../packages/parallel/src/batch-runner.js';
import { NativeRunner } from '../packages/parallel/src/native-runner.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const native = nativeBackend as CipherBackend;
type Seal = NonNullable<CipherBackend['sealRegularFramesAsync']>;
type Open = NonNullable<CipherBackend['openRegularFramesAsync']>;
const seal = (native.sealRegularFramesAsync as Seal).bind(native);
const open = (native.openRegularFramesAsync as Open).bind(native);

function setup(frameLength: number, frames: number) {
  const key = native.importKey(new Uint8Array(randomBytes(32)));
  const id = new Uint8Array(randomBytes(32));
  const plaintext = new Uint8Array(randomBytes(frameLength * frames));
  const sealed = new Uint8Array(frames * (frameLength + 32));
  native.sealRegularFrames?.(key, id, frameLength, 1, plaintext, sealed);
  return { key, id, plaintext, sealed };
}

describe('native frame jobs shared by several tasks', () => {
  it('writes the bytes of one synchronous call for any task count, frame length and claim split', async () => {
    for (const [fl, frames] of [
      [4 * KiB, 700],
      [64 * KiB, 40],
      [1000, 3],
    ] as const) {
      const { key, id, plaintext, sealed } = setup(fl, frames);
      for (const tasks of [1, 2, 3, 8]) {
        const out = new Uint8Array(sealed.length).fill(0xee);
        await seal(key, id, fl, 1, plaintext, out, tasks);
        expect(Buffer.from(out).equals(sealed), `seal, ${fl} B frames, ${tasks} tasks`).toBe(true);
        const opened = new Uint8Array(plaintext.length).fill(0xee);
        expect(await open(key, id, fl, 1, sealed, opened, tasks)).toBe(true);
        expect(Buffer.from(opened).equals(plaintext), `open, ${fl} B frames, ${tasks} tasks`).toBe(true);
      }
    }
    // No frames at all: nothing to claim, nothing written.
    const { key, id } = setup(16, 1);
    await expect(seal(key, id, 16, 1, new Uint8Array(0), new Uint8Array(0), 2)).resolves.toBeUndefined();
  });

  it('a bad tag or a frame out of sequence anywhere fails the job with nothing left in the output', async () => {
    const fl = 4 * KiB;
    const frames = 1024; // 4 MiB: 4 claims of 1 MiB
    const unit = fl + 32;
    const { key, id, sealed } = setup(fl, frames);
    for (const frame of [0, 255, 256, 700, 1023]) {
      const bad = Uint8Array.from(sealed);
      bad[frame * unit + 100] = (bad[frame * unit + 100] ?? 0) ^ 1;
      const opened = new Uint8Array(frames * fl).fill(0xee);
      expect(await open(key, id, fl, 1, bad, opened, 2), `bad tag in frame ${frame}`).toBe(false);
      expect(opened.every((b) => b === 0)).toBe(true);
    }
    const outOfOrder = Uint8Array.from(sealed);
    outOfOrder[600 * unit + 3] = (outOfOrder[600 * unit + 3] ?? 0) ^ 1;
    const opened = new Uint8Array(frames * fl).fill(0xee);
    await expect(open(key, id, fl, 1, outOfOrder, opened, 3)).rejects.toMatchObject({
      code: ErrorCodes.FRAME_SEQUENCE,
    });
    expect(opened.every((b) => b === 0)).toBe(true);
  });

  it('the runner gives a one-shot batch every free thread, concurrent messages a thread each, a stream batch one', async () => {
    const calls: { tasks: number | undefined; running: number }[] = [];
    let running = 0;
    const backend: CipherBackend = {
      ...native,
      async sealRegularFramesAsync(key, messageId, frameLength, first, input, output, tasks) {
        calls.push({ tasks, running: ++running });
        try {
          await seal(key, messageId, frameLength, first, input, output, tasks);
        } finally {
          running--;
        }
      },
    };
    const runner = new NativeRunner(2, backend);
    const fl = 64 * KiB;
    const message = runner.forMessage(new Uint8Array(randomBytes(32)), new Uint8Array(randomBytes(32)), fl);
    const view = new Uint8Array(randomBytes(4 * MiB));
    const oneShot = (first: number): Batch => ({
      operation: 'seal',
      firstSequence: first,
      frames: 64,
      input: view,
      destination: new Uint8Array(64 * (fl + 32)),
    });
    const stream: Batch = {
      operation: 'seal',
      firstSequence: 1,
      frames: 16,
      input: new ArrayBuffer(MiB),
      destination: undefined,
    };
    await message.run(oneShot(1));
    await message.run(stream);
    // Two one-shot batches at once (two messages): a thread each, both running.
    await Promise.all([message.run(oneShot(1)), message.run(oneShot(65))]);
    // A third while two run on a 2-thread runner: it waits, and takes the first thread freed.
    const first = message.run(oneShot(1));
    const second = message.run(oneShot(65));
    const third = message.run(oneShot(1));
    await Promise.all([first, second, third]);
    expect(calls).toEqual([
      { tasks: 2, running: 1 },
      { tasks: 1, running: 1 },
      { tasks: 1, running: 1 },
      { tasks: 1, running: 2 },
      { tasks: 1, running: 1 },
      { tasks: 1, running: 2 },
      { tasks: 1, running: expect.any(Number) as number },
    ]);
    message.destroy();
  });
});
