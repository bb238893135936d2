import type { HeaderInfo } from './engine/header-info.js';
import type { RewrappedHeader } from './engine/header-rewrap.js';
import type { DecryptOptions, EncryptOptions } from './engine/options.js';
import type { RandomAccessSource } from './engine/range-reader.js';
import type { EncryptionContext, KeyStore } from './keys/key-store.js';
import type { EngineStats } from './stats.js';

/** The result of a one-shot decrypt. */
export interface DecryptResult {
  readonly plaintext: Uint8Array;
  /** The authenticated context: stored pairs plus reproduced ones. */
  readonly context: Readonly<Record<string, string>>;
  readonly header: HeaderInfo;
}

/**
 * Options of `decryptRange`: the range plus decrypt options. Either `start` and `end`
 * (end exclusive), or `suffixLength`: the last n plaintext bytes (all of them when the
 * plaintext is shorter), for which the engine learns the size from the message.
 */
export type RangeOptions = DecryptOptions &
  (
    | { readonly start: number; readonly end: number; readonly suffixLength?: never }
    | { readonly suffixLength: number; readonly start?: never; readonly end?: never }
  );

/** Options of `rewrapHeader`. */
export interface RewrapOptions {
  /** The store(s) that wrap the data key in the new header; each writes one EDK (e.g. a `KmsKeyStore` on the new key). */
  readonly keyStore: KeyStore | readonly KeyStore[];
  /** Authenticate-only pairs the message was sealed with (as for decrypt). */
  readonly reproducedContext?: EncryptionContext;
  /** Pairs that must be in the authenticated context. */
  readonly expectContext?: EncryptionContext;
  readonly signal?: AbortSignal;
}

/**
 * The engine every entry shares: one-shot calls, Web Streams, async iterables, ranges,
 * re-keying. The Node entry's `Engine` adds Node `Transform` streams.
 */
export interface PortableEngine {
  /**
   * Encrypts one whole message. The engine owns `plaintext` until the promise settles (like
   * node's `fs.write`): do not write it before. An offload (the native frame pool) reads it
   * in place from other threads meanwhile.
   * @throws {SealflowError} (rejects)
   */
  encrypt(plaintext: Uint8Array, options?: EncryptOptions): Promise<Uint8Array>;
  /**
   * `encrypt`, written into the caller's `output` from its start (a gateway reusing
   * buffers avoids fresh-memory page faults); resolves to the view holding the message.
   * The engine owns `plaintext` and `output` until the promise settles (like node's
   * `fs.write`): do not write the plaintext, nor read or write `output`, before. Needs a suite without a signature (such as the default 0x0478).
   * @throws {SealflowError} (rejects) INVALID_ARGUMENT for a signing suite or an output too small.
   */
  encryptInto(plaintext: Uint8Array, output: Uint8Array, options?: EncryptOptions): Promise<Uint8Array>;
  /**
   * Decrypts one whole message. The engine owns `ciphertext` until the promise settles
   * (like node's `fs.read`'s buffer): do not write it before. An offload (the native frame
   * pool) reads it in place from other threads meanwhile; no plaintext is released that
   * did not verify, whatever happens to it.
   * @throws {SealflowError} (rejects)
   */
  decrypt(ciphertext: Uint8Array, options?: DecryptOptions): Promise<DecryptResult>;
  /**
   * `decrypt`, with the plaintext written into the caller's `output` from its start (a
   * gateway reusing buffers avoids fresh-memory page faults); resolves to the usual result,
   * whose `plaintext` is the view of `output` holding it. The engine owns `ciphertext` and
   * `output` until the promise settles: do not write the ciphertext, nor read or write
   * `output`, before. On any failure the part of `output`
   * the plaintext would occupy is zeroed (no verified frame of a failed message stays).
   * Needs an unsigned framed message (such as the default suite 0x0478 writes).
   * @throws {SealflowError} (rejects) INVALID_ARGUMENT for a signed or non-framed message, an
   * output too small or overlapping the ciphertext; and every decrypt failure.
   */
  decryptInto(ciphertext: Uint8Array, output: Uint8Array, options?: DecryptOptions): Promise<DecryptResult>;
  encryptWebStream(options?: EncryptOptions): TransformStream<Uint8Array, Uint8Array>;
  decryptWebStream(options?: DecryptOptions): TransformStream<Uint8Array, Uint8Array>;
  encryptIterable(
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    options?: EncryptOptions,
  ): AsyncIterable<Uint8Array>;
  decryptIterable(
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    options?: DecryptOptions,
  ): AsyncIterable<Uint8Array>;
  /**
   * Decrypts plaintext [start, end), or the last `suffixLength` bytes, reading only what it needs.
   * @throws {SealflowError} (rejects) ERR_RANGE_NOT_SATISFIABLE for a start past the plaintext size, and decrypt failures
   */
  decryptRange(source: Uint8Array | RandomAccessSource, options: RangeOptions): Promise<Uint8Array>;
  /**
   * Re-keys a message in place: a new header with the same data key wrapped by `keyStore`
   * (new EDKs, new header tag); the body bytes after `replacedLength` stay valid unchanged.
   * Unsigned framed v2 messages only.
   * @throws {SealflowError} (rejects) malformed header, signing suite, authentication or key-store failures
   */
  rewrapHeader(headerBytes: Uint8Array, options: RewrapOptions): Promise<RewrappedHeader>;
  /**
   * Re-keys a whole message in one streaming pass (signed messages too): the new header, then
   * the body unchanged; a signing suite's frames are re-signed with a fresh key as they pass
   * and the footer replaced once the old signature verifies (one frame held at a time).
   * @throws {SealflowError} (the iterable rejects) as `rewrapHeader`, plus ERR_SIGNATURE_INVALID, ERR_TRUNCATED, ERR_TRAILING_BYTES
   */
  rewrapIterable(
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    options: RewrapOptions,
  ): AsyncIterable<Uint8Array>;
  /** Parses a header without keys. The result is NOT authenticated. @throws {SealflowError} */
  inspect(bytes: Uint8Array): HeaderInfo;
  stats(): EngineStats;
  /** Drops and wipes cached bucket keys under `keyId` (all when omitted). Returns how many. */
  forget(filter?: { readonly keyId?: string }): number;
  /** Wipes every cached key; later calls fail with ERR_ENGINE_CLOSED. */
  close(): Promise<void>;
}
