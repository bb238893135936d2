// One batch shared by several libuv tasks (`sealRegularFramesAsync(..., tasks)`): the tasks
// claim runs of frames until none is left, so a one-shot message on a native frame pool is
// one batch whatever the thread count. The bytes are those of one synchronous call for any
// task count; a failure settles only once every task returned, with the output zeroed; the
// runner gives a one-shot batch every free thread and a stream batch one.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ErrorCodes, type CipherBackend } from '@sealflow/core';
import { nativeBackend, nativeBinding, type NativeBinding } from '@sealflow/native';
import type { Batch } from '../packages/parallel/src/batch-runner.js';
import { NativeRunner } from '../packages/parallel/src/native-runner.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const native = nativeBackend as CipherBackend;
type Seal = NonNullable<CipherBackend['sealRegularFramesAsync']>;
type Open = NonNullable<CipherBackend['openRegularFramesAsync']>;
const seal = (native.sealRegularFramesAsync as Seal).bind(native);
const open = (native.openRegularFramesAsync as Open).bind(native);

const out0 = (): Uint8Array => new Uint8Array(64 * 1024);

function setup(frameLength: number, frames: number) {
  const key = native.importKey(new Uint8Array(randomBytes(32)));
  const id = new Uint8Array(randomBytes(32));
  const plaintext = new Uint8Array(randomBytes(frameLength * frames));
  const sealed = new Uint8Array(frames * (frameLength + 32));
  native.sealRegularFrames?.(key, id, frameLength, 1, plaintext, sealed);
  return { key, id, plaintext, sealed };
}

/** `bytes` cut at random places into pieces (some empty), each a view of its own copy. */
function cut(bytes: Uint8Array, seed: number): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  let state = seed;
  for (let at = 0; at < bytes.length;) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    const size = state % 3 === 0 ? 0 : 1 + (state % 9000);
    pieces.push(Uint8Array.from(bytes.subarray(at, at + size)));
    at += size;
  }
  return pieces;
}

/** Runs a job to the end on `tasks` libuv tasks; resolves to its outcome's error, if any. */
async function settle(
  binding: NativeBinding,
  job: ReturnType<NativeBinding['NativeFrameJob']['fromPieces']>,
  tasks: number,
) {
  await Promise.all(
    Array.from({ length: tasks }, async () => {
      while (await binding.runFrameJob(job, 64 * 1024));
    }),
  );
  try {
    job.outcome();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

describe('native frame jobs shared by several tasks', () => {
  it('reads an input in pieces where frames span pieces, with the bytes of one call', async () => {
    const binding = nativeBinding as NativeBinding;
    const fl = 1000;
    const frames = 300;
    const unit = fl + 32;
    const raw = new Uint8Array(randomBytes(32));
    const handle = new binding.NativeKey(raw);
    const key = native.importKey(raw);
    const id = new Uint8Array(randomBytes(32));
    const plaintext = new Uint8Array(randomBytes(fl * frames));
    const sealed = new Uint8Array(frames * unit);
    native.sealRegularFrames?.(key, id, fl, 4, plaintext, sealed);
    for (const [seed, tasks] of [
      [1, 1],
      [2, 2],
      [3, 4],
    ] as const) {
      const out = new Uint8Array(sealed.length);
      const job = binding.NativeFrameJob.fromPieces(false, handle, id, fl, 4, cut(plaintext, seed), out, 8 * 1024);
      expect(await settle(binding, job, tasks)).toBeUndefined();
      expect(Buffer.from(out).equals(sealed), `seal, seed ${seed}`).toBe(true);
      const opened = new Uint8Array(plaintext.length);
      const back = binding.NativeFrameJob.fromPieces(true, handle, id, fl, 4, cut(sealed, seed + 10), opened, 8 * 1024);
      expect(await settle(binding, back, tasks)).toBeUndefined();
      expect(Buffer.from(opened).equals(plaintext), `open, seed ${seed}`).toBe(true);
    }
    // One piece given again and again (a stream repeating one chunk) is only read.
    const chunk = plaintext.subarray(0, fl);
    const repeated = new Uint8Array(3 * unit);
    const job = binding.NativeFrameJob.fromPieces(false, handle, id, fl, 1, [chunk, chunk, chunk], repeated, fl);
    expect(await settle(binding, job, 2)).toBeUndefined();
    // A bad tag in a frame that spans two pieces fails the job.
    const bad = Uint8Array.from(sealed);
    bad[150 * unit + unit - 1] = (bad[150 * unit + unit - 1] ?? 0) ^ 1;
    const pieces = [bad.subarray(0, 150 * unit + 500), bad.subarray(150 * unit + 500)];
    const failing = binding.NativeFrameJob.fromPieces(
      true,
      handle,
      id,
      fl,
      4,
      pieces,
      new Uint8Array(plaintext.length),
      fl,
    );
    expect(await settle(binding, failing, 2)).toMatch(/^AUTHENTICATION_FAILED: .*frame 151/);
    // Whole frames only, and no piece may share bytes with the output.
    expect(() =>
      binding.NativeFrameJob.fromPieces(false, handle, id, fl, 1, [plaintext.subarray(0, 10)], out0(), fl),
    ).toThrow(/NATIVE_ARGUMENT/);
    const shared = new Uint8Array(4 * unit);
    expect(() =>
      binding.NativeFrameJob.fromPieces(
        false,
        handle,
        id,
        fl,
        1,
        [shared.subarray(0, fl)],
        shared.subarray(fl - 1),
        fl,
      ),
    ).toThrow(/NATIVE_ARGUMENT: .*overlap/);
  });

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
