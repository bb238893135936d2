import { ErrorCodes, MalformedMessageError, nodeBackend, type CipherBackend, type CipherKey } from '@sealflow/core';
import { bodyAad, BodyKind, readUint32, writeUint32 } from '@sealflow/core/frames';
import type { NativeBinding, NativeKeyHandle } from './binding.js';
import { runFrameJob } from './frame-job.js';

const TAG_LENGTH = 16;

/** A key the native code holds (AES-128/256), or a node:crypto key (AES-192, which ring lacks). */
interface NativeCipherKey extends CipherKey {
  readonly native: NativeKeyHandle | undefined;
  readonly fallback: CipherKey | undefined;
}

function asNativeKey(key: CipherKey): NativeCipherKey {
  if (key.backend !== 'native') throw new TypeError('native backend: key was imported by another backend');
  return key as NativeCipherKey;
}

/** Zeroes what a batch wrote and throws ERR_FRAME_SEQUENCE. */
function outOfSequence(output: Uint8Array, length: number): never {
  output.fill(0, 0, length);
  throw new MalformedMessageError(ErrorCodes.FRAME_SEQUENCE, 'malformed body: frames are out of sequence');
}

/** The native handle of a key this backend imported, when it has one (for frame batches). */
export function nativeKeyHandle(key: CipherKey): NativeKeyHandle | undefined {
  return key.backend === 'native' ? (key as NativeCipherKey).native : undefined;
}

/**
 * A CipherBackend whose AES-GCM is ring's, through napi; HKDF, ECDSA and randomness are
 * node:crypto's (they stay in TypeScript-land by design). Output is byte-identical to
 * `nodeBackend` (test/native-differential.test.ts). Each seal/open is one synchronous
 * native call writing into memory this backend allocates; `sealRegularFrames` and
 * `openRegularFrames` handle a whole batch of regular frames in one synchronous call.
 */
export function createNativeBackend(binding: NativeBinding): CipherBackend {
  const backend: CipherBackend = Object.freeze({
    name: 'native',
    randomBytes: nodeBackend.randomBytes,
    hkdf: nodeBackend.hkdf,
    createSigner: nodeBackend.createSigner,
    createVerifier: nodeBackend.createVerifier,
    timingSafeEqual: nodeBackend.timingSafeEqual,
    allocateBatchOutput(length: number): Uint8Array {
      // Uninitialized: sealRegularFrames writes every byte, openRegularFrames every byte or
      // zeroes the output; nothing reads it before. (A zero fill cost as much as a copy.)
      return new Uint8Array(Buffer.allocUnsafeSlow(length).buffer, 0, length);
    },
    importKey(raw: Uint8Array): CipherKey {
      const key: NativeCipherKey =
        raw.length === 24
          ? { backend: 'native', native: undefined, fallback: nodeBackend.importKey(raw) }
          : { backend: 'native', native: new binding.NativeKey(raw), fallback: undefined };
      return key;
    },
    seal(
      key: CipherKey,
      iv: Uint8Array,
      aad: Uint8Array,
      plaintext: Uint8Array,
    ): { ciphertext: Uint8Array; tag: Uint8Array } {
      const k = asNativeKey(key);
      if (k.native === undefined) return nodeBackend.seal(k.fallback as CipherKey, iv, aad, plaintext);
      // allocUnsafe: every byte is written by the seal before it is returned.
      const out = Buffer.allocUnsafeSlow(plaintext.length + TAG_LENGTH);
      binding.sealOne(k.native, iv, aad, plaintext, out);
      const view = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
      return { ciphertext: view.subarray(0, plaintext.length), tag: view.subarray(plaintext.length) };
    },
    sealRegularFrames(
      key: CipherKey,
      messageId: Uint8Array,
      frameLength: number,
      firstSequence: number,
      input: Uint8Array,
      output: Uint8Array,
    ): void {
      const k = asNativeKey(key);
      if (k.native !== undefined) {
        // One synchronous call for the whole batch, written straight into `output`.
        binding.sealFramesSync(k.native, messageId, frameLength, firstSequence, input, output);
        return;
      }
      // AES-192 (not in ring): the same layout one frame at a time through node:crypto.
      const unit = frameLength + 32;
      const aad = bodyAad(messageId, BodyKind.REGULAR, 0, frameLength);
      const seqAt = messageId.length + BodyKind.REGULAR.length;
      for (let i = 0; i * frameLength < input.length; i++) {
        const sequence = firstSequence + i;
        const frame = output.subarray(i * unit, (i + 1) * unit);
        writeUint32(frame, 0, sequence);
        frame.fill(0, 4, 12);
        writeUint32(frame, 12, sequence);
        writeUint32(aad, seqAt, sequence);
        const { ciphertext, tag } = nodeBackend.seal(
          k.fallback as CipherKey,
          frame.subarray(4, 16),
          aad,
          input.subarray(i * frameLength, (i + 1) * frameLength),
        );
        frame.set(ciphertext, 16);
        frame.set(tag, 16 + frameLength);
      }
    },
    openRegularFrames(
      key: CipherKey,
      messageId: Uint8Array,
      frameLength: number,
      firstSequence: number,
      input: Uint8Array,
      output: Uint8Array,
    ): boolean {
      const k = asNativeKey(key);
      const unit = frameLength + 32;
      if (k.native !== undefined) {
        // One synchronous call for the whole batch, written straight into `output`: the
        // JavaScript thread is blocked, so nothing else can touch either buffer meanwhile.
        try {
          binding.openFramesSync(k.native, messageId, frameLength, firstSequence, input, output);
          return true;
        } catch (error) {
          // The native side zeroed the failing frame; frames before it verified, but the
          // caller zeroes the whole region anyway. Anything else is a caller bug.
          if (error instanceof Error && error.message.startsWith('AUTHENTICATION_FAILED:')) {
            output.fill(0, 0, (input.length / unit) * frameLength);
            return false;
          }
          throw error;
        }
      }
      // AES-192 (not in ring): frame by frame through node:crypto.
      const aad = bodyAad(messageId, BodyKind.REGULAR, 0, frameLength);
      const seqAt = messageId.length + BodyKind.REGULAR.length;
      for (let i = 0; i * unit < input.length; i++) {
        const frame = input.subarray(i * unit, (i + 1) * unit);
        writeUint32(aad, seqAt, firstSequence + i);
        const plaintext = nodeBackend.open(
          k.fallback as CipherKey,
          frame.subarray(4, 16),
          aad,
          frame.subarray(16, 16 + frameLength),
          frame.subarray(16 + frameLength),
        );
        if (plaintext === undefined) {
          output.fill(0, 0, (input.length / unit) * frameLength);
          return false;
        }
        output.set(plaintext, i * frameLength);
      }
      return true;
    },
    async sealRegularFramesAsync(
      key: CipherKey,
      messageId: Uint8Array,
      frameLength: number,
      firstSequence: number,
      input: Uint8Array,
      output: Uint8Array,
      tasks = 1,
    ): Promise<void> {
      const k = asNativeKey(key);
      if (k.native === undefined) {
        backend.sealRegularFrames?.(key, messageId, frameLength, firstSequence, input, output);
        return;
      }
      // libuv pool tasks: the caller (the frame pool) holds both buffers and touches
      // neither until this settles; napi keeps them alive (referenced) meanwhile.
      await runFrameJob(binding, false, k.native, messageId, frameLength, firstSequence, input, output, tasks);
    },
    async openRegularFramesAsync(
      key: CipherKey,
      messageId: Uint8Array,
      frameLength: number,
      firstSequence: number,
      input: Uint8Array,
      output: Uint8Array,
      tasks = 1,
    ): Promise<boolean> {
      const k = asNativeKey(key);
      const unit = frameLength + 32;
      const frames = input.length / unit;
      if (k.native === undefined) {
        for (let i = 0; i < frames; i++) {
          if (readUint32(input, i * unit) !== firstSequence + i) return outOfSequence(output, frames * frameLength);
        }
        return backend.openRegularFrames?.(key, messageId, frameLength, firstSequence, input, output) ?? false;
      }
      try {
        // libuv pool tasks, with the ownership rule of sealRegularFramesAsync.
        await runFrameJob(binding, true, k.native, messageId, frameLength, firstSequence, input, output, tasks);
        return true;
      } catch (error) {
        const message = error instanceof Error ? error.message : '';
        if (message.startsWith('AUTHENTICATION_FAILED:')) {
          output.fill(0, 0, frames * frameLength);
          return false;
        }
        if (message.startsWith('FRAME_SEQUENCE:')) return outOfSequence(output, frames * frameLength);
        throw error;
      }
    },
    open(
      key: CipherKey,
      iv: Uint8Array,
      aad: Uint8Array,
      ciphertext: Uint8Array,
      tag: Uint8Array,
    ): Uint8Array | undefined {
      const k = asNativeKey(key);
      if (k.native === undefined) return nodeBackend.open(k.fallback as CipherKey, iv, aad, ciphertext, tag);
      if (tag.length !== TAG_LENGTH || iv.length !== 12) return undefined;
      const out = new Uint8Array(ciphertext.length);
      // The native side zeroes `out` when the tag fails: no unverified byte is returned.
      return binding.openOne(k.native, iv, aad, ciphertext, tag, out) ? out : undefined;
    },
  });
  return backend;
}
