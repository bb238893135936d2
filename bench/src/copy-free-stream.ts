// The ceiling of a two-thread stream on this machine, measured in the native suite's run:
// a Writable that copies nothing on the JavaScript thread. Node hands a Writable one write
// (or one `_writev` of every write buffered meanwhile) at a time and the next only after the
// callback, so a stream that reads its caller's chunks in place can have one batch in flight:
// `_writev` gives every buffered chunk to one native job (`NativeFrameJob.fromPieces`, frames
// spanning chunks) on `tasks` libuv tasks and calls back once it is sealed. Regular frames
// only (no header, final frame or key derivation: nothing per GiB). Not in the product: it
// bounds what the product's stream could reach, see bench/README.md.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import {
  FRAME_JOB_CLAIM_BYTES,
  settleFrameJob,
  type NativeBinding,
  type NativeFrameJobHandle,
  type NativeKeyHandle,
} from '@sealflow/native';

export class CopyFreeSealer extends Writable {
  readonly #binding: NativeBinding;
  readonly #key: NativeKeyHandle;
  readonly #id = new Uint8Array(randomBytes(32));
  readonly #frameLength: number;
  readonly #tasks: number;
  /** The bytes after the last whole frame, copied out before their chunk goes back (less than a frame). */
  #rest: Uint8Array = new Uint8Array(0);
  #sequence = 1;
  #sealed = 0;

  /** `writeBuffer`: bytes Node buffers while a batch is sealed (what the next batch gets). */
  constructor(binding: NativeBinding, frameLength: number, tasks: number, writeBuffer: number) {
    super({ highWaterMark: writeBuffer });
    this.#binding = binding;
    this.#key = new binding.NativeKey(new Uint8Array(randomBytes(32)));
    this.#frameLength = frameLength;
    this.#tasks = tasks;
  }

  /** Bytes of sealed frames written so far. */
  get sealed(): number {
    return this.#sealed;
  }

  override _write(chunk: Uint8Array, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this._writev([{ chunk }], done);
  }

  override _writev(entries: { chunk: Uint8Array }[], done: (error?: Error | null) => void): void {
    const fl = this.#frameLength;
    const pieces: Uint8Array[] = this.#rest.length > 0 ? [this.#rest] : [];
    let bytes = this.#rest.length;
    for (const { chunk } of entries) {
      pieces.push(chunk);
      bytes += chunk.length;
    }
    const frames = Math.floor(bytes / fl);
    // Cut the bytes after the last whole frame off the end; they wait for the next batch.
    const rest = new Uint8Array(bytes - frames * fl);
    for (let keep = rest.length; keep > 0;) {
      const last = pieces.pop() as Uint8Array;
      if (last.length <= keep) {
        rest.set(last, keep - last.length);
        keep -= last.length;
      } else {
        rest.set(last.subarray(last.length - keep), 0);
        pieces.push(last.subarray(0, last.length - keep));
        keep = 0;
      }
    }
    const output = new Uint8Array(Buffer.allocUnsafeSlow(frames * (fl + 32)).buffer);
    const job: NativeFrameJobHandle = this.#binding.NativeFrameJob.fromPieces(
      false,
      this.#key,
      this.#id,
      fl,
      this.#sequence,
      pieces,
      output,
      FRAME_JOB_CLAIM_BYTES,
    );
    this.#sequence += frames;
    settleFrameJob(this.#binding, job, this.#tasks).then(
      () => {
        this.#sealed += output.length;
        this.#rest = rest;
        done();
      },
      (error: unknown) => done(error instanceof Error ? error : new Error(String(error))),
    );
  }
}
