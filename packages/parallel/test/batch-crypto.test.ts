import { describe, expect, it } from 'vitest';
import { AuthenticationError, deserializeError, ErrorCodes, LimitExceededError, MalformedMessageError, nodeBackend } from '@sealflow/core';
import { FrameEncryptor } from '@sealflow/core/internal';
import { openBatch, sealBatch } from '../src/batch-crypto.js';
import type { BatchTask } from '../src/batch-task.js';
import { join } from './support.js';

const FL = 100;
const KEY = Uint8Array.from({ length: 32 }, (_, i) => i * 3 + 1);
const MESSAGE_ID = Uint8Array.from({ length: 32 }, (_, i) => 200 - i);
const plaintext = (frames: number): Uint8Array => Uint8Array.from({ length: frames * FL }, (_, i) => (i * 7 + (i >> 8)) & 0xff);

function task(operation: 'seal' | 'open', input: Uint8Array, firstSequence: number, frames: number, key = KEY): BatchTask {
  return { operation, key: key.slice().buffer, messageId: MESSAGE_ID, frameLength: FL, firstSequence, frames, input: input.slice().buffer };
}

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
  const meta = new Uint8Array(reply.meta as ArrayBuffer);
  return join(reply.outputs.flatMap((ct, i) => [meta.subarray(i * 32, i * 32 + 16), new Uint8Array(ct), meta.subarray(i * 32 + 16, i * 32 + 32)]));
}

describe('sealBatch', () => {
  it('seals frames byte-for-byte as the core FrameEncryptor does, from any first sequence number', () => {
    for (const first of [1, 2, 17, 0xffff_fff0]) {
      expect(Buffer.from(sealed(5, first)), `first sequence ${first}`).toStrictEqual(Buffer.from(coreFrames(plaintext(5), first)));
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

  it('refuses a batch that would pass the format limit of 2^32 - 1 frames, as a LimitExceededError record', () => {
    const reply = sealBatch(task('seal', plaintext(2), 0xffff_ffff, 2));
    expect(reply.outputs).toHaveLength(0);
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
  it('opens the frames the core wrote and returns each frame plaintext in order', () => {
    const frames = coreFrames(plaintext(4), 9);
    const reply = openBatch(task('open', frames, 9, 4));
    expect(reply.error).toBeUndefined();
    expect(reply.outputs).toHaveLength(4);
    expect(Buffer.from(join(reply.outputs.map((b) => new Uint8Array(b))))).toStrictEqual(Buffer.from(plaintext(4)));
  });

  it('stops at the frame whose tag fails: returns the plaintext before it and an authentication-failure record', () => {
    const frames = coreFrames(plaintext(4), 1);
    const unit = FL + 32;
    frames[2 * unit + 40] = (frames[2 * unit + 40] as number) ^ 1; // a ciphertext byte of the third frame
    const reply = openBatch(task('open', frames, 1, 4));
    expect(reply.outputs).toHaveLength(2);
    expect(Buffer.from(join(reply.outputs.map((b) => new Uint8Array(b))))).toStrictEqual(Buffer.from(plaintext(2)));
    const error = deserializeError(reply.error as NonNullable<typeof reply.error>);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.code).toBe(ErrorCodes.AUTHENTICATION_FAILED);
  });

  it('refuses a frame whose sequence number is not the one expected (reordered frames)', () => {
    const a = coreFrames(plaintext(2), 1);
    const unit = FL + 32;
    const swapped = join([a.subarray(unit, 2 * unit), a.subarray(0, unit)]);
    const reply = openBatch(task('open', swapped, 1, 2));
    expect(reply.outputs).toHaveLength(0);
    const error = deserializeError(reply.error as NonNullable<typeof reply.error>);
    expect(error).toBeInstanceOf(MalformedMessageError);
    expect(error.code).toBe(ErrorCodes.FRAME_SEQUENCE);
  });

  it('fails every frame under another key and zeroes that key buffer too', () => {
    const frames = coreFrames(plaintext(2), 1);
    const t = task('open', frames, 1, 2, new Uint8Array(32).fill(1));
    const reply = openBatch(t);
    expect(reply.outputs).toHaveLength(0);
    expect(reply.error?.code).toBe(ErrorCodes.AUTHENTICATION_FAILED);
    expect(new Uint8Array(t.key).every((b) => b === 0)).toBe(true);
  });
});
