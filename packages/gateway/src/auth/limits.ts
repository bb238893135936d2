/**
 * Caps the authentication layer enforces before it buffers or trusts anything a
 * client declares. Each is named here so a reviewer sees every bound in one place.
 */
export const AuthLimits = {
  /** S3 refuses a request whose signing time is more than 15 minutes from the server clock. */
  maxClockSkewMs: 900_000, // 15 * 60 * 1000
  /** X-Amz-Expires: 1 second to 7 days (spec: SigV4 query authentication). */
  minPresignExpiresSeconds: 1,
  maxPresignExpiresSeconds: 604_800,
  /** One aws-chunked chunk may declare at most this many data bytes (SDKs send 64 KiB; 16 MiB is generous). */
  maxChunkSize: 16_777_216, // 16 * 1024 * 1024
  /** A chunk header line (`hex-size;chunk-signature=<64 hex>\r\n`) is short; longer is hostile. */
  maxChunkHeaderBytes: 1024,
  /** The whole trailer section (`name:value\r\n`... then `x-amz-trailer-signature`). */
  maxTrailerBytes: 8_192, // 8 * 1024
  /** At most this many trailing headers. */
  maxTrailers: 8,
  /** A single PUT carries at most 5 GiB (S3's limit for one request body). */
  maxDecodedContentLength: 5_368_709_120, // 5 * 1024 * 1024 * 1024
  /** The Authorization header and X-Amz-Credential are short; anything longer is refused unparsed. */
  maxAuthorizationBytes: 8_192, // 8 * 1024
} as const;
