import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  deserializeError,
  ErrorCodes,
  LimitExceededError,
  MalformedMessageError,
  nodeBackend,
} from '@sealflow/core';
import { FrameEncryptor } from '@sealflow/core/frames';
import { openBatch, sealBatch } from '../src/batch-crypto.js';
import type { BatchReply, BatchTask } from '../src/batch-task.js';
import { join } from './support.js';

const FL = 100;
const KEY = Uint8Array.from({ length: 32 }, (_, i) => i * 3 + 1);
const MESSAGE_ID = Uint8Array.from({ length: 32 }, (_, i) => 200 - i);
const plaintext = (frames: number): Uint8Array =>
  Uint8Array.from({ length: frames * FL }, (_, i) => (i * 7 + (i >> 8)) & 0xff);

function task(
  operation: 'seal' | 'open',
  input: Uint8Array,
  firstSequence: number,
  frames: number,
  key = KEY,
  output?: { buffer: SharedArrayBuffer; offset: number },
): BatchTask {
  return {
    operation,
    key: key.slice().buffer,
    messageId: MESSAGE_ID,
    frameLength: FL,
    firstSequence,
    frames,
    input: input.slice().buffer,
    output: output?.buffer,
    outputOffset: output?.offset ?? 0,
  };
}

/** The reply's output bytes (its own buffers), all of them, joined. */
const outputOf = (reply: BatchReply): Uint8Array => join(reply.output.map((buffer) => new Uint8Array(buffer)));

/** What the core's single-thread FrameEncryptor writes for these frames. */
function coreFrames(bytes: Uint8Array, firstSequence: number): Uint8Array {
  const encryptor = new FrameEncryptor({
    backend: nodeBackend,
    key: nodeBackend.importKey(KEY),
    messageId: MESSAGE_ID,
    frameLength: FL,
    header: [],
    signer: undefined,
    plaintextLength: undefined,
    firstSequence,
  });
  return join(encryptor.push(bytes));
}

function sealed(frames: number, firstSequence: number): Uint8Array {
  const reply = sealBatch(task('seal', plaintext(frames), firstSequence, frames));
  expect(reply.frames).toBe(frames);
  return outputOf(reply);
}

describe('sealBatch', () => {
  it('seals frames byte-for-byte as the core FrameEncryptor does, from any first sequence number', () => {
    for (const first of [1, 2, 17, 0xffff_fff0]) {
      expect(Buffer.from(sealed(5, first)), `first sequence ${first}`).toStrictEqual(
        Buffer.from(coreFrames(plaintext(5), first)),
      );
    }
  });

  it('zeroes the key buffer it was given, after sealing and after refusing', () => {
    const ok = task('seal', plaintext(2), 1, 2);
    sealBatch(ok);
    expect(new Uint8Array(ok.key).every((b) => b === 0)).toBe(true);
    const refused = task('seal', plaintext(2), 1, 2, new Uint8Array(31).fill(9));
    expect(sealBatch(refused).error?.code).toBe(ErrorCodes.WORKER_FAILED);
    expect(new Uint8Array(refused.key).every((b) => b === 0)).toBe(true);
  });

  it('writes the frames straight into a shared output at the offset named, and allocates nothing', () => {
    const shared = new SharedArrayBuffer(7 + 3 * (FL + 32) + 5);
    new Uint8Array(shared).fill(0xee);
    const reply = sealBatch(task('seal', plaintext(3), 4, 3, KEY, { buffer: shared, offset: 7 }));
    expect(reply.output).toHaveLength(0);
    expect(reply.frames).toBe(3);
    const all = new Uint8Array(shared);
    expect(Buffer.from(all.subarray(7, 7 + 3 * (FL + 32)))).toStrictEqual(Buffer.from(coreFrames(plaintext(3), 4)));
    // Nothing outside its place was touched.
    expect([...all.subarray(0, 7), ...all.subarray(7 + 3 * (FL + 32))].every((b) => b === 0xee)).toBe(true);
  });

  it('refuses a shared output too small for its frames, before writing anything', () => {
    const shared = new SharedArrayBuffer(2 * (FL + 32));
    const reply = sealBatch(task('seal', plaintext(3), 1, 3, KEY, { buffer: shared, offset: 0 }));
    expect(reply.frames).toBe(0);
    expect(reply.error?.code).toBe(ErrorCodes.WORKER_FAILED);
    expect(new Uint8Array(shared).every((b) => b === 0)).toBe(true);
  });

  it('refuses a batch that would pass the format limit of 2^32 - 1 frames, as a LimitExceededError record', () => {
    const reply = sealBatch(task('seal', plaintext(2), 0xffff_ffff, 2));
    expect(reply.frames).toBe(0);
    const error = deserializeError(reply.error as NonNullable<typeof reply.error>);
    expect(error).toBeInstanceOf(LimitExceededError);
    expect((error as LimitExceededError).limit).toBe('maxFrameCount');
  });

  it('hands the input buffer back in the reply for reuse', () => {
    const t = task('seal', plaintext(3), 1, 3);
    expect(sealBatch(t).input).toBe(t.input);
  });
});

describe('openBatch', () => {
  it('opens the frames the core wrote and returns each frame plaintext in order, a buffer of its own each', () => {
    const frames = coreFrames(plaintext(4), 9);
    const reply = openBatch(task('open', frames, 9, 4));
    expect(reply.error).toBeUndefined();
    expect(reply.frames).toBe(4);
    expect(reply.output.map((b) => b.byteLength)).toStrictEqual([FL, FL, FL, FL]);
    expect(Buffer.from(outputOf(reply))).toStrictEqual(Buffer.from(plaintext(4)));
  });

  it('writes verified plaintext straight into a shared output at the offset named', () => {
    const frames = coreFrames(plaintext(4), 1);
    const shared = new SharedArrayBuffer(3 + 4 * FL);
    const reply = openBatch(task('open', frames, 1, 4, KEY, { buffer: shared, offset: 3 }));
    expect(reply.output).toHaveLength(0);
    expect(reply.frames).toBe(4);
    expect(Buffer.from(new Uint8Array(shared, 3))).toStrictEqual(Buffer.from(plaintext(4)));
  });

  it('stops at the frame whose tag fails: returns the plaintext before it and an authentication-failure record', () => {
    const frames = coreFrames(plaintext(4), 1);
    const unit = FL + 32;
    frames[2 * unit + 40] = (frames[2 * unit + 40] as number) ^ 1; // a ciphertext byte of the third frame
    const reply = openBatch(task('open', frames, 1, 4));
    expect(reply.frames).toBe(2);
    // The verified frames only: not a byte of the failing frame.
    expect(Buffer.from(outputOf(reply))).toStrictEqual(Buffer.from(plaintext(2)));
    const error = deserializeError(reply.error as NonNullable<typeof reply.error>);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.code).toBe(ErrorCodes.AUTHENTICATION_FAILED);
  });

  it('refuses a frame whose sequence number is not the one expected (reordered frames)', () => {
    const a = coreFrames(plaintext(2), 1);
    const unit = FL + 32;
    const swapped = join([a.subarray(unit, 2 * unit), a.subarray(0, unit)]);
    const reply = openBatch(task('open', swapped, 1, 2));
    expect(reply.frames).toBe(0);
    const error = deserializeError(reply.error as NonNullable<typeof reply.error>);
    expect(error).toBeInstanceOf(MalformedMessageError);
    expect(error.code).toBe(ErrorCodes.FRAME_SEQUENCE);
  });

  it('fails every frame under another key and zeroes that key buffer too', () => {
    const frames = coreFrames(plaintext(2), 1);
    const t = task('open', frames, 1, 2, new Uint8Array(32).fill(1));
    const reply = openBatch(t);
    expect(reply.frames).toBe(0);
    expect(reply.output).toHaveLength(0);
    expect(reply.error?.code).toBe(ErrorCodes.AUTHENTICATION_FAILED);
    expect(new Uint8Array(t.key).every((b) => b === 0)).toBe(true);
  });
});
