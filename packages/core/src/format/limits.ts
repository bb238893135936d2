/**
 * Every cap on untrusted input, in one place. A length field is compared with its cap
 * before anything it declares is buffered or allocated (STYLE §7).
 */

/** Hard limits of the wire format (ESDK message format, v1 and v2). */
export const FormatLimits: {
  readonly uint16Max: 0xffff;
  readonly maxFrameLength: 0xffff_ffff;
  readonly maxFrameCount: 0xffff_ffff;
  readonly maxNonFramedLength: number;
  readonly maxSignatureLength: 128;
} = {
  /** uint16 fields: context length, pair count, EDK count, each EDK field, signature length. */
  uint16Max: 0xffff,
  /** uint32 frame length and frame count. */
  maxFrameLength: 0xffff_ffff,
  maxFrameCount: 0xffff_ffff,
  /** spec: esdk message-body.md#non-framed-data: at most 2^36 - 32 bytes. */
  maxNonFramedLength: 2 ** 36 - 32,
  /** A DER ECDSA P-384 signature is at most 104 bytes; anything far above is hostile. */
  maxSignatureLength: 128,
};

/** Configurable decrypt-side caps and their defaults. */
export interface DecryptLimits {
  /** Most EDKs a header may list (the ESDK default is no limit; ours is 10). */
  readonly maxEncryptedDataKeys: number;
  /** Largest frame length accepted on decrypt (default 16 MiB): bounds the per-frame buffer. */
  readonly maxFrameLength: number;
  /**
   * Largest serialized encryption context accepted (default 16 KiB; up to the format's
   * 65,535). Contexts are metadata (S3 caps its own at 8 KiB); a 60 KiB one is hostile.
   */
  readonly maxContextBytes: number;
  /** Largest header (fields 1-10 plus the auth tag) accepted, in bytes (default 1 MiB). */
  readonly maxHeaderBytes: number;
  /** Largest non-framed body accepted (default 64 MiB: it must be held whole before its tag verifies). */
  readonly maxNonFramedBytes: number;
}

export const DEFAULT_DECRYPT_LIMITS: DecryptLimits = Object.freeze({
  maxEncryptedDataKeys: 10,
  maxFrameLength: 16 * 1024 * 1024,
  maxContextBytes: 16 * 1024,
  maxHeaderBytes: 1024 * 1024,
  maxNonFramedBytes: 64 * 1024 * 1024,
});

/** Default frame length for messages we write: 64 KiB (the ESDK default is 4 KiB). */
export const DEFAULT_FRAME_LENGTH: number = 64 * 1024;
