import type { CipherBackend, CipherKey, MessageVerifier } from '../crypto/backend.js';
import { backendFrameCipher } from '../crypto/frame-cipher.js';
import {
  AuthenticationError,
  authenticationFailed,
  ErrorCodes,
  LimitExceededError,
  MalformedMessageError,
} from '../errors.js';
import { copyBytes, readUint16, readUint32, readUint64 } from '../format/bytes.js';
import {
  bodyAad,
  BodyKind,
  checkFrameSequence,
  FINAL_FRAME_MARKER,
  FINAL_FRAME_OVERHEAD,
  FINAL_FRAME_PREFIX,
  FrameAad,
  isFinalFrame,
  NON_FRAMED_PREFIX,
  openFinalFrame,
  openRegularFrame,
  REGULAR_FRAME_OVERHEAD,
  type FrameCipher,
} from '../format/frame.js';
import { ContentType, type MessageHeader } from '../format/header.js';
import { FormatLimits, type DecryptLimits } from '../format/limits.js';
import { IV_LENGTH, TAG_LENGTH } from '../format/suites.js';

export interface BodyDecryptorInit {
  readonly backend: CipherBackend;
  readonly key: CipherKey;
  readonly header: MessageHeader;
  /** Present for signing suites; has already absorbed the header bytes. */
  readonly verifier: MessageVerifier | undefined;
  readonly limits: DecryptLimits;
  /**
   * Sequence number of the first frame expected (default 1). An offload that opened
   * frames 1..n elsewhere finishes the body with one starting at n + 1.
   */
  readonly firstSequence?: number;
  /**
   * One-shot calls: memory for the whole plaintext. Each frame's verified plaintext is
   * written there, in order, and returned as a view of it (its temporary is zeroed); a
   * frame that would not fit is returned as it is.
   */
  readonly output?: Uint8Array | undefined;
}

type State = 'body' | 'footer' | 'done';

interface NonFramedState {
  readonly length: number;
  readonly iv: Uint8Array;
  parts: Uint8Array[];
  received: number;
}

/** The scratch's first size (or the largest unit, when smaller); it doubles from there. */
const FIRST_SCRATCH_BYTES = 16 * 1024;
const NO_BYTES = new Uint8Array(0);

const truncated = (): MalformedMessageError =>
  new MalformedMessageError(ErrorCodes.TRUNCATED, 'the message is truncated');

/**
 * The decrypt state machine for a message body (framed or not) and its footer: bytes
 * in, verified plaintext out. A frame's plaintext is returned only after its tag
 * verifies; with a signing suite, the final frame's plaintext is held until the
 * signature verifies in `end()`. Frames must arrive in sequence, exactly one final
 * frame must close the body, and nothing may follow the footer.
 */
export class BodyDecryptor {
  readonly #backend: CipherBackend;
  readonly #key: CipherKey;
  readonly #header: MessageHeader;
  readonly #verifier: MessageVerifier | undefined;
  readonly #limits: DecryptLimits;
  readonly #regularAad: FrameAad;
  readonly #cipher: FrameCipher;
  /** The backend's batch open (`openRegularFrames`), bound to this message, when it has one. */
  readonly #batch: ((first: number, input: Uint8Array, output: Uint8Array) => boolean) | undefined;
  /** Scratch for a unit split across input chunks; grows with the bytes held, up to the largest unit. */
  #scratch: Uint8Array | undefined;
  #scratchLength = 0;
  /** Non-framed ciphertext is held whole until its tag verifies (capped by maxNonFramedBytes). */
  #nonFramed: NonFramedState | undefined;
  #state: State = 'body';
  #sequence = 1;
  #held: Uint8Array | undefined;
  #signature: Uint8Array | undefined;
  #plaintextBytes = 0;
  readonly #destination: Uint8Array | undefined;
  /** Plaintext bytes written to the destination so far. */
  #written = 0;

  constructor(init: BodyDecryptorInit) {
    this.#backend = init.backend;
    this.#key = init.key;
    this.#header = init.header;
    this.#verifier = init.verifier;
    this.#limits = init.limits;
    this.#sequence = init.firstSequence ?? 1;
    this.#destination = init.output;
    const id = init.header.messageId;
    this.#regularAad = new FrameAad(id, BodyKind.REGULAR, init.header.frameLength);
    this.#cipher = backendFrameCipher(init.backend, init.key);
    const { backend, key } = init;
    const batch = backend.openRegularFrames;
    const fl = init.header.frameLength;
    this.#batch =
      batch === undefined || init.header.contentType !== ContentType.FRAMED
        ? undefined
        : (first, input, output) => batch.call(backend, key, id, fl, first, input, output);
  }

  /** A batch's output: the backend's (uninitialized: the batch writes or zeroes all of it), else zeroed. */
  #allocate(length: number): Uint8Array {
    return this.#backend.allocateBatchOutput?.(length) ?? new Uint8Array(length);
  }

  get plaintextBytes(): number {
    return this.#plaintextBytes;
  }

  get frames(): number {
    return this.#sequence - 1;
  }

  /** Whether the body and footer are complete (only `end()` may follow). */
  get done(): boolean {
    return this.#state === 'done';
  }

  /** Consumes `chunk`; returns verified plaintext pieces. */
  push(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#state === 'done')
        throw new MalformedMessageError(ErrorCodes.TRAILING_BYTES, 'bytes follow the end of the message');
      if (this.#nonFramed !== undefined && this.#state === 'body') {
        offset = this.#bufferNonFramed(chunk, offset, out);
        continue;
      }
      if (this.#scratchLength === 0) {
        // Batch path (native backend): a run of whole regular frames in one call.
        const opened = this.#openBatch(chunk, offset, out);
        if (opened > offset) {
          offset = opened;
          continue;
        }
        // Fast path: whole units straight from the caller's buffer.
        const size = this.#unitSize(chunk, offset, chunk.length - offset);
        if (size !== undefined && chunk.length - offset >= size) {
          this.#consume(chunk.subarray(offset, offset + size), out);
          offset += size;
          continue;
        }
      }
      offset = this.#buffer(chunk, offset, out);
    }
    return out;
  }

  /**
   * Ends the body: fails if it is incomplete; verifies the signature for signing suites
   * and then releases the held final plaintext.
   */
  end(): Uint8Array[] {
    if (this.#state !== 'done' || this.#scratchLength !== 0) throw truncated();
    if (this.#verifier !== undefined) {
      if (this.#signature === undefined || !this.#verifier.verify(this.#signature)) {
        this.#held?.fill(0);
        this.#held = undefined;
        throw new AuthenticationError(ErrorCodes.SIGNATURE_INVALID, 'the message signature does not verify');
      }
    }
    const held = this.#held;
    this.#held = undefined;
    return held === undefined || held.length === 0 ? [] : [held];
  }

  /** Buffers part of a unit; processes it when complete. Returns the new offset. */
  #buffer(chunk: Uint8Array, offset: number, out: Uint8Array[]): number {
    // Fill until the unit's size is known, then until the unit is complete.
    let size = this.#unitSize(this.#scratch ?? NO_BYTES, 0, this.#scratchLength);
    const want = (): number => (size ?? this.#probeLength()) - this.#scratchLength;
    let take = Math.min(want(), chunk.length - offset);
    this.#hold(chunk.subarray(offset, offset + take));
    offset += take;
    size = this.#unitSize(this.#scratch as Uint8Array, 0, this.#scratchLength);
    if (size !== undefined && this.#scratchLength < size) {
      take = Math.min(size - this.#scratchLength, chunk.length - offset);
      this.#hold(chunk.subarray(offset, offset + take));
      offset += take;
    }
    if (size !== undefined && this.#scratchLength === size) {
      this.#scratchLength = 0;
      this.#consume((this.#scratch as Uint8Array).subarray(0, size), out);
    }
    return offset;
  }

  /**
   * Appends `bytes` to the scratch. It grows with the bytes that actually arrived
   * (doubling, up to the largest unit), never straight to the frame length a header
   * declares: a peer that declares 16 MiB frames and sends one byte holds 16 KiB here,
   * not 16 MiB. The scratch is kept for later units, so a stream copies while growing
   * at most once per size.
   */
  #hold(bytes: Uint8Array): void {
    const length = this.#scratchLength + bytes.length;
    let scratch = this.#scratch;
    if (scratch === undefined || scratch.length < length) {
      const grown = new Uint8Array(
        Math.min(this.#maxUnitSize(), Math.max(length, FIRST_SCRATCH_BYTES, 2 * (scratch?.length ?? 0))),
      );
      if (scratch !== undefined) grown.set(scratch.subarray(0, this.#scratchLength));
      this.#scratch = scratch = grown;
    }
    scratch.set(bytes, this.#scratchLength);
    this.#scratchLength = length;
  }

  #bufferNonFramed(chunk: Uint8Array, offset: number, out: Uint8Array[]): number {
    const body = this.#nonFramed as NonFramedState;
    const need = body.length + TAG_LENGTH - body.received;
    const take = Math.min(need, chunk.length - offset);
    // Copied: the ciphertext must outlive the caller's buffer until the tag arrives.
    body.parts.push(copyBytes(chunk, offset, offset + take));
    body.received += take;
    if (body.received === body.length + TAG_LENGTH) this.#openNonFramed(out);
    return offset + take;
  }

  /** Bytes needed before a unit's size is known. */
  #probeLength(): number {
    if (this.#state === 'footer') return 2;
    if (this.#header.contentType === ContentType.NON_FRAMED) return NON_FRAMED_PREFIX;
    return this.#scratchLength >= 4 && readUint32(this.#scratch as Uint8Array, 0) === FINAL_FRAME_MARKER
      ? FINAL_FRAME_PREFIX
      : 4;
  }

  #maxUnitSize(): number {
    const fl = this.#header.frameLength;
    return Math.max(
      REGULAR_FRAME_OVERHEAD + fl,
      FINAL_FRAME_OVERHEAD + fl,
      NON_FRAMED_PREFIX,
      2 + FormatLimits.maxSignatureLength,
    );
  }

  /** The size of the unit starting at `offset`, or undefined if `available` bytes do not tell yet. */
  #unitSize(bytes: Uint8Array, offset: number, available: number): number | undefined {
    if (this.#state === 'footer') {
      if (available < 2) return undefined;
      const length = readUint16(bytes, offset);
      if (length > FormatLimits.maxSignatureLength)
        throw new LimitExceededError('maxSignatureLength', FormatLimits.maxSignatureLength, length);
      return 2 + length;
    }
    if (this.#header.contentType === ContentType.NON_FRAMED) {
      // The non-framed prefix is a unit of its own; the ciphertext streams into #nonFramed.
      return available < NON_FRAMED_PREFIX ? undefined : NON_FRAMED_PREFIX;
    }
    if (available < 4) return undefined;
    const fl = this.#header.frameLength;
    if (readUint32(bytes, offset) !== FINAL_FRAME_MARKER) return REGULAR_FRAME_OVERHEAD + fl;
    if (available < FINAL_FRAME_PREFIX) return undefined;
    const length = readUint32(bytes, offset + FINAL_FRAME_PREFIX - 4);
    // spec: esdk message-body.md#final-frame: the final frame holds at most one frame of content.
    if (length > fl)
      throw new MalformedMessageError(
        ErrorCodes.MALFORMED_MESSAGE,
        'malformed body: the final frame is longer than the frame length',
      );
    return FINAL_FRAME_OVERHEAD + length;
  }

  /** Processes one complete unit (frame, non-framed prefix or footer). */
  #consume(unit: Uint8Array, out: Uint8Array[]): void {
    if (this.#state === 'footer') {
      this.#signature = copyBytes(unit, 2);
      this.#state = 'done';
      return;
    }
    if (this.#header.contentType === ContentType.NON_FRAMED) {
      this.#startNonFramed(unit);
      return;
    }
    this.#verifier?.update(unit);
    const final = readUint32(unit, 0) === FINAL_FRAME_MARKER;
    const sequence = this.#sequence;
    if (sequence > FormatLimits.maxFrameCount)
      throw new LimitExceededError('maxFrameCount', FormatLimits.maxFrameCount, sequence);
    const plaintext = this.openFrame(unit, sequence);
    this.#sequence++;
    this.#plaintextBytes += plaintext.length;
    if (final) this.#finish(plaintext, out);
    else if (plaintext.length > 0) out.push(this.#place(plaintext));
  }

  /**
   * When the backend opens batches: the run of whole regular frames at `offset` whose
   * sequence fields are the expected ones (at least two), opened in one synchronous call
   * straight into the destination (or one fresh buffer). Frames after the run (a final
   * frame, a wrong sequence number, a partial frame) go through `#consume`, so errors are
   * the same as frame by frame. On a tag failure the whole region written is zeroed before
   * the error is thrown. Returns the new offset (`offset` when nothing was batched).
   */
  #openBatch(chunk: Uint8Array, offset: number, out: Uint8Array[]): number {
    const batch = this.#batch;
    if (batch === undefined || this.#state !== 'body') return offset;
    const fl = this.#header.frameLength;
    const unit = REGULAR_FRAME_OVERHEAD + fl;
    const first = this.#sequence;
    const last = Math.min(FormatLimits.maxFrameCount, first + Math.floor((chunk.length - offset) / unit) - 1);
    let count = 0;
    while (first + count <= last && readUint32(chunk, offset + count * unit) === first + count) count++;
    if (count < 2) return offset;
    const input = chunk.subarray(offset, offset + count * unit);
    const size = count * fl;
    const destination = this.#destination;
    const at = this.#written;
    const inPlace = destination !== undefined && at + size <= destination.length;
    const target = inPlace ? destination.subarray(at, at + size) : this.#allocate(size);
    this.#verifier?.update(input);
    if (!batch(first, input, target)) {
      target.fill(0);
      throw authenticationFailed();
    }
    if (inPlace) this.#written = at + size;
    this.#sequence += count;
    this.#plaintextBytes += size;
    if (size > 0) out.push(target);
    return offset + count * unit;
  }

  /** Verified plaintext into the destination (a view of it back, the temporary zeroed), or as it is. */
  #place(plaintext: Uint8Array): Uint8Array {
    const destination = this.#destination;
    const at = this.#written;
    if (destination === undefined || at + plaintext.length > destination.length) return plaintext;
    destination.set(plaintext, at);
    plaintext.fill(0);
    this.#written = at + plaintext.length;
    return destination.subarray(at, this.#written);
  }

  /**
   * Opens one complete frame (regular or final) as frame number `sequence`, without
   * touching the stream state: the range reader uses it for frames read out of order.
   * The frame's own sequence field must equal `sequence`.
   * @throws {AuthenticationError | MalformedMessageError}
   */
  openFrame(unit: Uint8Array, sequence: number): Uint8Array {
    let plaintext: Uint8Array | undefined;
    if (isFinalFrame(unit)) {
      plaintext = openFinalFrame(this.#cipher, this.#header.messageId, unit, sequence);
    } else {
      const fl = this.#header.frameLength;
      checkFrameSequence(unit, false, sequence);
      if (unit.length !== REGULAR_FRAME_OVERHEAD + fl)
        throw new MalformedMessageError(ErrorCodes.MALFORMED_MESSAGE, 'malformed body: a frame has the wrong length');
      plaintext = openRegularFrame(this.#cipher, this.#regularAad, unit, sequence, fl);
    }
    if (plaintext === undefined) throw authenticationFailed();
    return plaintext;
  }

  #startNonFramed(prefix: Uint8Array): void {
    this.#verifier?.update(prefix);
    const length = readUint64(prefix, IV_LENGTH);
    const cap = Math.min(this.#limits.maxNonFramedBytes, FormatLimits.maxNonFramedLength);
    if (length > cap) throw new LimitExceededError('maxNonFramedBytes', cap, length);
    this.#nonFramed = { length, iv: copyBytes(prefix, 0, IV_LENGTH), parts: [], received: 0 };
  }

  #openNonFramed(out: Uint8Array[]): void {
    const body = this.#nonFramed as NonFramedState;
    const joined = new Uint8Array(body.received);
    let at = 0;
    for (const part of body.parts) {
      this.#verifier?.update(part);
      joined.set(part, at);
      at += part.length;
    }
    body.parts = [];
    const aad = bodyAad(this.#header.messageId, BodyKind.SINGLE, 1, body.length);
    const plaintext = this.#backend.open(
      this.#key,
      body.iv,
      aad,
      joined.subarray(0, body.length),
      joined.subarray(body.length),
    );
    if (plaintext === undefined) throw authenticationFailed();
    this.#sequence = 2;
    this.#plaintextBytes = plaintext.length;
    this.#finish(plaintext, out);
  }

  /** After the last unit of content: release it, or hold it until the signature verifies. */
  #finish(plaintext: Uint8Array, out: Uint8Array[]): void {
    if (this.#verifier === undefined) {
      if (plaintext.length > 0) out.push(this.#place(plaintext));
      this.#state = 'done';
    } else {
      this.#held = plaintext;
      this.#state = 'footer';
    }
  }
}
