import type { KdfHash, SignatureCurve } from '../format/suites.js';

/** An imported AES key, opaque to everything but the backend that made it. */
export interface CipherKey {
  readonly backend: string;
}

/** Incremental ECDSA signer: the hash absorbs every byte written before the footer. */
export interface MessageSigner {
  /** SEC1 compressed public point (49 bytes for P-384). */
  readonly publicKey: Uint8Array;
  update(data: Uint8Array): void;
  /** DER `ECDSA-Sig-Value`. Ends the signer. */
  sign(): Uint8Array;
}

/** Incremental ECDSA verifier. */
export interface MessageVerifier {
  update(data: Uint8Array): void;
  /** Accepts any valid DER length and both low-S and high-S values. */
  verify(signature: Uint8Array): boolean;
}

/**
 * The only seam through which the engine touches a cipher. Two implementations:
 * `nodeBackend` (node:crypto, default) and `nobleBackend` (`@sealflow/core/noble`,
 * pure JS for runtimes without node:crypto). For the same inputs they produce the same
 * bytes; the shared test suite proves it.
 */
export interface CipherBackend {
  readonly name: string;
  randomBytes(length: number): Uint8Array;
  /** HKDF (RFC 5869) extract-then-expand. */
  hkdf(hash: KdfHash, ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array;
  /** Imports raw AES key bytes (16, 24 or 32) for repeated use. The caller may wipe `raw` afterwards. */
  importKey(raw: Uint8Array): CipherKey;
  /**
   * AES-GCM seal with a 12-byte IV and 16-byte tag. Returns the ciphertext (same length as
   * `plaintext`) and the tag as separate views, so framing needs no concatenation.
   */
  seal(
    key: CipherKey,
    iv: Uint8Array,
    aad: Uint8Array,
    plaintext: Uint8Array,
  ): { ciphertext: Uint8Array; tag: Uint8Array };
  /** AES-GCM open. Returns undefined when the tag does not verify; never returns unverified bytes. */
  open(
    key: CipherKey,
    iv: Uint8Array,
    aad: Uint8Array,
    ciphertext: Uint8Array,
    tag: Uint8Array,
  ): Uint8Array | undefined;
  createSigner(curve: SignatureCurve): MessageSigner;
  /** undefined when `publicKey` is not a valid compressed point on `curve`. */
  createVerifier(curve: SignatureCurve, publicKey: Uint8Array): MessageVerifier | undefined;
  /** Constant-time equality (false for different lengths). */
  timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean;
  /**
   * Optional batch seal (the native backend has it): seals `input.length / frameLength`
   * whole regular frames numbered from `firstSequence` into `output`, each
   * seq(4) || IV(12) || ciphertext || tag(16), byte-identical to sealing them one by one
   * with `seal`. `input` and `output` must not overlap, and neither may be touched by
   * anything else until the call returns.
   */
  sealRegularFrames?(
    key: CipherKey,
    messageId: Uint8Array,
    frameLength: number,
    firstSequence: number,
    input: Uint8Array,
    output: Uint8Array,
  ): void;
  /**
   * Optional batch open (the native backend has it): opens `input.length / (frameLength + 32)`
   * whole regular frames numbered from `firstSequence` (the caller checked every frame's
   * sequence field) into `output[0 .. frames * frameLength]`, in one call. Returns false when
   * a tag does not verify; `output` then holds no unverified byte (the backend zeroes the
   * failing frame, the caller zeroes the rest). `input` and `output` must not overlap, and
   * neither may be touched by anything else until the call returns.
   */
  openRegularFrames?(
    key: CipherKey,
    messageId: Uint8Array,
    frameLength: number,
    firstSequence: number,
    input: Uint8Array,
    output: Uint8Array,
  ): boolean;
  /**
   * Optional: `sealRegularFrames` on the libuv thread pool (the native backend has it;
   * `@sealflow/parallel`'s `mode: 'native'` runs batches with it), as `tasks` pool tasks
   * (default 1) that share the frames: each claims the next run of frames until none is
   * left, so the tasks finish together however the threads are scheduled. Until the
   * promise settles the caller owns neither buffer: it must not read `output` nor write
   * either of them (the frame pool hands it buffers only it holds).
   */
  sealRegularFramesAsync?(
    key: CipherKey,
    messageId: Uint8Array,
    frameLength: number,
    firstSequence: number,
    input: Uint8Array,
    output: Uint8Array,
    tasks?: number,
  ): Promise<void>;
  /**
   * Optional: `openRegularFrames` on the libuv thread pool, as `tasks` pool tasks sharing
   * the frames, with the ownership rule of `sealRegularFramesAsync`. Settles only once
   * every task has returned. Resolves to false on a tag failure (output zeroed); rejects
   * with ERR_FRAME_SEQUENCE when a frame's sequence field is not the expected one (output
   * zeroed), as this variant checks them itself.
   */
  openRegularFramesAsync?(
    key: CipherKey,
    messageId: Uint8Array,
    frameLength: number,
    firstSequence: number,
    input: Uint8Array,
    output: Uint8Array,
    tasks?: number,
  ): Promise<boolean>;
  /**
   * Optional: memory for the output of `sealRegularFrames` / `openRegularFrames` when the
   * engine has no destination of its own (streams). Those calls write every byte of it
   * before any is read (or zero it, when a tag fails), so it need not be zero-filled: the
   * native backend hands out uninitialized memory, which saves the calling thread a memset
   * of every byte. Default: `new Uint8Array(length)`.
   */
  allocateBatchOutput?(length: number): Uint8Array;
}
