/**
 * Every cap the gateway's HTTP layer applies to untrusted input, in one place (STYLE.md 7:
 * caps before allocation). Object bodies are never buffered: they stream through with
 * back-pressure, whatever their size. Only small control documents (XML configurations,
 * policies, DeleteObjects lists) are read into memory, each under its own cap.
 */
export const GatewayLimits = {
  /**
   * The request header section, in bytes. Amazon S3 refuses header sections over 8 KiB;
   * node counts the request line too, so the gateway allows a little more before refusing
   * with 400 `RequestHeaderSectionTooLarge`.
   */
  maxHeaderBytes: 16_384, // 16 * 1024
  /** Request headers (node's default is 2,000; S3 requests carry a few dozen). */
  maxHeaderCount: 200,
  /** An object key, in UTF-8 bytes (S3: 1,024). */
  maxKeyBytes: 1024,
  /** The whole request target (path and query), in characters. */
  maxUrlLength: 8_192, // 8 * 1024
  /** A control document read whole (CompleteMultipartUpload, DeleteObjects, configurations). */
  maxControlBodyBytes: 2_097_152, // 2 * 1024 * 1024
  /** A single PUT (S3: 5 GiB); larger bodies are refused with 400 `EntityTooLarge` before any byte is read. */
  maxObjectBytes: 5_368_709_120, // 5 * 1024 ** 3
  /**
   * Request bodies are re-cut into pieces of this many bytes as they leave the socket (TLS
   * delivers at most 16 KiB at a time), so the layers above run once per piece: sixteen
   * 64 KiB frames, sealed in one batch. At most one piece is held per request.
   */
  bodyPieceBytes: 1_048_576, // 1024 * 1024
  /** What is read and dropped of a refused request's body before the socket is closed. */
  maxDrainBytes: 16_777_216, // 16 * 1024 * 1024
  /** Idle time of a connection between bytes before it is closed (slow-loris). */
  socketIdleMs: 120_000,
  /** Time allowed for the request headers to arrive. */
  headersTimeoutMs: 30_000,
} as const;
