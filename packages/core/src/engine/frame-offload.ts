import type { CipherBackend, CipherKey, MessageSigner, MessageVerifier } from '../crypto/backend.js';
import type { MessageHeader } from '../format/header.js';
import type { DecryptLimits } from '../format/limits.js';
import type { AlgorithmSuite } from '../format/suites.js';

/**
 * Extension point: a strategy that seals or opens the frames of a message body somewhere
 * other than the calling thread (worker threads, `crypto.subtle`). The core defines the
 * shape and never imports an implementation; `@sealflow/parallel` provides them, and an
 * engine takes one through `createEngine({ offload })`.
 *
 * The engine still owns everything around the body: options, key-store calls, key
 * derivation, the commitment, the header and its tag. The offload receives the derived
 * message key after that work is done, and owns the body from then on: it must emit
 * exactly the bytes `FrameEncryptor` would (same frames, same order), release no
 * plaintext before its frame verified and in order, and wipe its copy of the key.
 */
export interface FrameOffload {
  /** Short name for diagnostics (`workers`, `subtle`). */
  readonly name: string;
  /**
   * Takes over the body of a message being encrypted, or returns `undefined` to leave it
   * on the calling thread (a small message, say). When it returns a body, the body owns
   * `init.keyBytes` and must wipe them; when it declines, the engine wipes them.
   */
  encryptBody(init: OffloadEncryptInit): OffloadedBody | undefined;
  /** The same for a message being decrypted, called once its header authenticated. */
  decryptBody(init: OffloadDecryptInit): OffloadedBody | undefined;
  /**
   * Optional. Memory of exactly `length` bytes for the whole result of a one-shot call
   * (the ciphertext of `engine.encrypt`, the plaintext of `engine.decrypt`) that the
   * offload's threads can write into, or `undefined` to let the engine allocate as usual
   * (a message the offload would not take, say). Asked only for unsigned framed messages,
   * whose result size is known before the body is read. The engine hands this memory to
   * the caller as the result, so it must be fresh (no other holder writes to it later).
   */
  allocate?(length: number): Uint8Array | undefined;
}

/** What an offload gets to encrypt one message body. */
export interface OffloadEncryptInit {
  /** The engine's backend and its imported key, for frames sealed on the calling thread. */
  readonly backend: CipherBackend;
  readonly key: CipherKey;
  /** A private copy of the derived message key (never the data key). */
  readonly keyBytes: Uint8Array;
  readonly suite: AlgorithmSuite;
  readonly messageId: Uint8Array;
  readonly frameLength: number;
  /** Header body and header tag: emitted first, and absorbed by the signer when there is one. */
  readonly header: readonly Uint8Array[];
  /** Present for signing suites: absorbs every byte before the footer, in order. */
  readonly signer: MessageSigner | undefined;
  /** The exact plaintext length when known (one-shot encrypt, declared stream length). */
  readonly plaintextLength: number | undefined;
  /**
   * One-shot calls, when `allocate` provided the result's memory: the body's place in it
   * (encrypt: every byte after the header; decrypt: the whole plaintext). The body may
   * write its output straight there and return views of it at their final place; the
   * engine copies only the pieces that are not already in place.
   */
  readonly destination?: Uint8Array | undefined;
}

/** What an offload gets to decrypt one message body. */
export interface OffloadDecryptInit {
  readonly backend: CipherBackend;
  readonly key: CipherKey;
  /** A private copy of the derived message key. */
  readonly keyBytes: Uint8Array;
  /** The parsed, authenticated header. */
  readonly header: MessageHeader;
  /** Present for signing suites; has already absorbed the header bytes. */
  readonly verifier: MessageVerifier | undefined;
  readonly limits: DecryptLimits;
  /** The whole message's size in bytes when known (one-shot decrypt). */
  readonly messageLength: number | undefined;
  /**
   * One-shot calls, when `allocate` provided the result's memory: the body's place in it
   * (encrypt: every byte after the header; decrypt: the whole plaintext). The body may
   * write its output straight there and return views of it at their final place; the
   * engine copies only the pieces that are not already in place.
   */
  readonly destination?: Uint8Array | undefined;
}

/**
 * One message body in an offload: the same contract as the engine's own frame state
 * machines, except that `push` may answer later (a promise) to apply backpressure, and
 * `end` always answers later.
 */
export interface OffloadedBody {
  /**
   * Consumes a chunk; returns the output that is ready, in order. The chunk is read until
   * the result settles; a one-shot call's (the body has a `destination`) until `end`
   * settles: the engine owns the caller's input for the whole call, so an offload may read
   * it in place.
   */
  push(chunk: Uint8Array): Uint8Array[] | Promise<Uint8Array[]>;
  /** Finishes the body (final frame, footer, signature) and returns the rest of the output. */
  end(): Promise<Uint8Array[]>;
  /** Drops everything in flight and wipes the key; safe to call at any time, and twice. */
  abort(): void;
  /** Plaintext bytes handled so far. */
  readonly plaintextBytes: number;
  /** Frames handled so far (including the final frame once `end` resolved). */
  readonly frames: number;
}

/** Memory from the offload for a whole one-shot result, if it provides it (and of the right size). */
export function allocateFrom(offload: FrameOffload, length: number): Uint8Array | undefined {
  const output = offload.allocate?.(length);
  return output?.length === length ? output : undefined;
}
