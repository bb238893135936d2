import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash } from 'node:crypto';
import type { CapturedRequest } from './capture-server.js';
import { ACCESS_KEY, REGION, SECRET } from './replay.js';

class Sha256 extends Hash {
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    super('sha256', secret);
  }
}

const hex = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');
const EMPTY = hex('');

export interface SignedChunkedOptions {
  readonly data: Buffer;
  readonly chunkSize: number;
  readonly signingDate: Date;
  /** Trailing headers to sign after the final chunk (STREAMING-...-PAYLOAD-TRAILER). */
  readonly trailers?: Readonly<Record<string, string>>;
  readonly secret?: string;
}

/**
 * A signed aws-chunked PUT built with @smithy/signature-v4: the seed signature
 * from `sign(request)`, then each chunk and the trailer signed as strings with the
 * same signer, as the AWS streaming spec lays them out.
 */
export async function signedChunkedRequest(options: SignedChunkedOptions): Promise<CapturedRequest> {
  const signer = new SignatureV4({
    service: 's3',
    region: REGION,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: options.secret ?? SECRET },
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
  const trailerNames = Object.keys(options.trailers ?? {});
  const mode =
    options.trailers === undefined
      ? 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD'
      : 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';
  const headers: Record<string, string> = {
    host: 'localhost:9000',
    'content-encoding': 'aws-chunked',
    'x-amz-content-sha256': mode,
    'x-amz-decoded-content-length': String(options.data.length),
    ...(trailerNames.length > 0 ? { 'x-amz-trailer': trailerNames.join(',') } : {}),
  };
  const signed = await signer.sign(
    new HttpRequest({ method: 'PUT', hostname: 'localhost', port: 9000, path: '/bucket/chunked%20key', headers }),
    {
      signingDate: options.signingDate,
    },
  );
  const authorization = String(signed.headers['authorization']);
  let previous = /Signature=([0-9a-f]{64})/.exec(authorization)?.[1] ?? '';
  const longDate = String(signed.headers['x-amz-date']);
  const scope = `${longDate.slice(0, 8)}/${REGION}/s3/aws4_request`;
  const parts: Buffer[] = [];
  const sizes: number[] = [];
  for (let at = 0; at < options.data.length; at += options.chunkSize)
    sizes.push(Math.min(options.chunkSize, options.data.length - at));
  sizes.push(0);
  let at = 0;
  for (const size of sizes) {
    const chunk = options.data.subarray(at, at + size);
    at += size;
    previous = await signer.sign(
      ['AWS4-HMAC-SHA256-PAYLOAD', longDate, scope, previous, EMPTY, hex(chunk)].join('\n'),
      { signingDate: options.signingDate },
    );
    parts.push(Buffer.from(`${size.toString(16)};chunk-signature=${previous}\r\n`));
    if (size > 0) parts.push(chunk, Buffer.from('\r\n'));
  }
  if (options.trailers !== undefined) {
    const canonical = trailerNames.map((name) => `${name}:${options.trailers?.[name]}\n`).join('');
    const trailerSignature = await signer.sign(
      ['AWS4-HMAC-SHA256-TRAILER', longDate, scope, previous, hex(canonical)].join('\n'),
      { signingDate: options.signingDate },
    );
    for (const name of trailerNames) parts.push(Buffer.from(`${name}:${options.trailers[name]}\r\n`));
    parts.push(Buffer.from(`x-amz-trailer-signature:${trailerSignature}\r\n`));
  }
  parts.push(Buffer.from('\r\n'));
  const body = Buffer.concat(parts);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) out[name.toLowerCase()] = String(value);
  return {
    method: 'PUT',
    url: '/bucket/chunked%20key',
    headers: { ...out, 'content-length': String(body.length) },
    body,
  };
}
