import {
  ErrorCodes,
  MalformedMessageError,
  type DecryptOptions,
  type EncryptOptions,
  type Engine,
  type RandomAccessSource,
  type RangeOptions,
} from '@sealflow/core';

/** What the S3 read and write paths use of an engine (a single-layer `Engine` is one). */
export type MessageEngine = Pick<Engine, 'encryptIterable' | 'decryptIterable' | 'decryptRange' | 'inspect'>;

/** ESDK v2 framed body overheads: a regular frame adds 32 bytes, the final frame 40. */
const FRAME_OVERHEAD = 32;
const FINAL_FRAME_OVERHEAD = 40;
const HEADER_PROBE = 4096;

/**
 * The plaintext length of a framed message of `size` bytes whose header is `headerLength`
 * bytes and frame length `frameLength`: size = H + n(32 + FL) + 40 + L, 0 <= L <= FL.
 * @throws {MalformedMessageError} when no (n, L) fits
 */
export function framedPlaintextLength(size: number, headerLength: number, frameLength: number): number {
  const rest = size - headerLength - FINAL_FRAME_OVERHEAD;
  const frames = Math.floor(rest / (FRAME_OVERHEAD + frameLength));
  const last = rest - frames * (FRAME_OVERHEAD + frameLength);
  if (rest < 0 || last > frameLength)
    throw new MalformedMessageError(ErrorCodes.MALFORMED_MESSAGE, 'the outer message has an impossible size');
  return frames * frameLength + last;
}

/**
 * DSSE-KMS (`aws:kms:dsse`): two independent layers of AES-256-GCM under two data keys from
 * KMS (one GenerateDataKey per layer, same KMS key, same context). The inner layer is an
 * ESDK v2 message of the plaintext; the outer layer is an ESDK v2 message whose plaintext is
 * the whole inner message. Both use the engine's suite and frame length, so a range of the
 * object maps to inner frames, and those (as bytes of the inner message) to outer frames:
 * `decryptRange` opens only the outer frames that cover the inner header, the inner final
 * frame and the inner frames covering the range. Layout: docs/S3-OBJECTS.md, "DSSE-KMS".
 */
export function dualLayerEngine(engine: Engine): MessageEngine {
  return {
    encryptIterable(source, options?: EncryptOptions) {
      return engine.encryptIterable(engine.encryptIterable(source, options), options);
    },
    decryptIterable(source, options?: DecryptOptions) {
      return engine.decryptIterable(engine.decryptIterable(source, options), options);
    },
    inspect(bytes) {
      return engine.inspect(bytes);
    },
    async decryptRange(source: Uint8Array | RandomAccessSource, options: RangeOptions) {
      const outer: RandomAccessSource =
        source instanceof Uint8Array
          ? { size: source.length, read: (at, n) => Promise.resolve(source.subarray(at, at + n)) }
          : source;
      const probe = await outer.read(0, Math.min(outer.size, HEADER_PROBE));
      const info = engine.inspect(probe);
      const innerSize = framedPlaintextLength(outer.size, info.headerLength, info.frameLength);
      const { start: _s, end: _e, suffixLength: _n, ...decrypt } = options;
      const inner: RandomAccessSource = {
        size: innerSize,
        read: (position, length) => {
          const end = Math.min(position + length, innerSize);
          if (end <= position) return Promise.resolve(new Uint8Array(0));
          return engine.decryptRange(outer, { ...decrypt, start: position, end });
        },
      };
      return engine.decryptRange(inner, options);
    },
  };
}
