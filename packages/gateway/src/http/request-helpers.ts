import type { IncomingMessage } from 'node:http';
import { s3Error } from '@sealflow/s3';
import { GatewayLimits } from './limits.js';
import type { RequestTarget } from './request-target.js';

/** Reads and drops what is left of a refused request's body, closing the socket past the cap. */
export function drainThenClose(req: IncomingMessage): void {
  let dropped = 0;
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > GatewayLimits.maxDrainBytes) req.socket.destroy();
  });
  req.on('error', () => undefined);
  req.resume();
}

/** S3's `Resource` element: the path of the bucket or object. */
export function resourceOf(target: RequestTarget): string {
  if (target.bucket === undefined) return '/';
  return target.key === undefined ? `/${target.bucket}` : `/${target.bucket}/${target.key}`;
}

/** Header values as single strings (repeated headers joined, as HTTP allows). */
export function flattenHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return out;
}

/**
 * A PUT of object bytes declares its length (Content-Length, or the decoded length of an
 * aws-chunked body): 411 `MissingContentLength` without one, 400 `EntityTooLarge` over
 * 5 GiB, before any byte is read.
 */
export function checkUploadLength(req: IncomingMessage, decoded: number | undefined): void {
  const declared =
    decoded ?? (req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']));
  if (declared === undefined || !Number.isSafeInteger(declared)) {
    if (req.headers['transfer-encoding'] === undefined) throw s3Error('MissingContentLength');
    return;
  }
  if (declared > GatewayLimits.maxObjectBytes) {
    throw s3Error('EntityTooLarge', undefined, {
      fields: { ProposedSize: String(declared), MaxSizeAllowed: String(GatewayLimits.maxObjectBytes) },
    });
  }
}
