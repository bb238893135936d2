// Raw HTTPS requests to a test gateway, optionally SigV4-signed (UNSIGNED-PAYLOAD) with
// @smithy/signature-v4, for the inputs an SDK would never send: malformed XML, path
// tricks, oversized headers, bodies cut short.
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface RawOptions {
  readonly method?: string;
  /** The request target as sent (path and query, percent-encoded as the test wants). */
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Uint8Array;
  /** Sign with these credentials (UNSIGNED-PAYLOAD); anonymous otherwise. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** Signs `options` for `url` (SigV4 header auth, region us-east-1, service s3). */
export async function signedHeaders(url: string, options: RawOptions): Promise<Record<string, string>> {
  const base = new URL(url);
  const q = options.path.indexOf('?');
  const path = q < 0 ? options.path : options.path.slice(0, q);
  const query: Record<string, string> = {};
  if (q >= 0) {
    for (const part of options.path.slice(q + 1).split('&')) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      query[decodeURIComponent(eq < 0 ? part : part.slice(0, eq))] =
        eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
    }
  }
  const headers: Record<string, string> = {
    host: base.host,
    'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
    ...options.headers,
  };
  if (options.credentials === undefined) return headers;
  const signer = new SignatureV4({
    credentials: options.credentials,
    region: 'us-east-1',
    service: 's3',
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: false,
  });
  // The path is signed as sent (already encoded), the way S3 clients sign.
  const signed = await signer.sign({
    method: options.method ?? 'GET',
    protocol: base.protocol,
    hostname: base.hostname,
    port: Number(base.port),
    path,
    query,
    headers,
  });
  return signed.headers as Record<string, string>;
}

/** Sends one request and reads the whole answer. */
export async function rawRequest(url: string, ca: string, options: RawOptions): Promise<RawResponse> {
  const base = new URL(url);
  const headers = await signedHeaders(url, options);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        hostname: base.hostname,
        port: base.port,
        method: options.method ?? 'GET',
        path: options.path,
        headers,
        ca,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The `<Code>` of an S3 error document. */
export function errorCode(body: string): string | undefined {
  return /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
}
