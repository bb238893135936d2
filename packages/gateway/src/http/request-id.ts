import { randomBytes } from 'node:crypto';

/** The pair of IDs S3 puts on every response (and in every error body). */
export interface RequestIds {
  /** `x-amz-request-id`: 16 upper-case hex digits. */
  readonly requestId: string;
  /** `x-amz-id-2`: the "extended request ID", an opaque base64 token. */
  readonly hostId: string;
}

/** Fresh, unguessable IDs for one request (they also tag its audit records). */
export function newRequestIds(): RequestIds {
  const bytes = randomBytes(8 + 24);
  return {
    requestId: bytes.subarray(0, 8).toString('hex').toUpperCase(),
    hostId: bytes.subarray(8).toString('base64'),
  };
}
