import type { IncomingHttpHeaders } from 'node:http';
import { authenticate, type AuthResult, type CredentialLookup } from '@sealflow/gateway';
import type { CapturedRequest } from './capture-server.js';

export const REGION = 'us-east-1';
export const ACCESS_KEY = 'AKIDGATEWAYTEST1';
export const SECRET = 'gateway/test/secret+key/0123456789abcdef';
export const PRINCIPAL = 'arn:aws:iam::111122223333:user/alice';

/** The test's single account. */
export const credentials: CredentialLookup = (id) =>
  id === ACCESS_KEY
    ? { secret: SECRET, principal: PRINCIPAL, accountId: '111122223333', displayName: 'alice' }
    : undefined;

/** Splits bytes into pieces of the given sizes (cycled), as a socket might deliver them. */
export async function* pieces(
  bytes: Uint8Array,
  sizes: readonly number[] = [bytes.length || 1],
): AsyncGenerator<Uint8Array> {
  let at = 0;
  let i = 0;
  while (at < bytes.length) {
    const size = Math.max(1, sizes[i % sizes.length] as number);
    yield bytes.subarray(at, at + size);
    at += size;
    i += 1;
  }
}

/** What a consumer that commits only on completion ended with. */
export interface Consumed {
  readonly result: AuthResult;
  readonly body: Buffer;
  readonly trailers: Readonly<Record<string, string>>;
}

export interface ReplayOptions {
  readonly now?: number;
  readonly sizes?: readonly number[];
  readonly body?: Uint8Array;
  readonly url?: string;
  readonly method?: string;
  readonly headers?: IncomingHttpHeaders;
}

/** Runs a captured request through `authenticate` and reads its body to completion. */
export async function replay(request: CapturedRequest, options: ReplayOptions = {}): Promise<Consumed> {
  const url = options.url ?? request.url;
  const q = url.indexOf('?');
  const result = await authenticate(
    {
      method: options.method ?? request.method,
      path: q === -1 ? url : url.slice(0, q),
      query: q === -1 ? '' : url.slice(q + 1),
      headers: options.headers ?? request.headers,
      secure: false,
    },
    pieces(options.body ?? request.body, options.sizes),
    credentials,
    { region: REGION, now: () => options.now ?? Date.now() },
  );
  const parts: Uint8Array[] = [];
  for await (const part of result.body) parts.push(Buffer.from(part));
  return { result, body: Buffer.concat(parts), trailers: await result.trailers };
}

/** The S3 error code a promise rejects with (fails the test when it resolves). */
export async function s3CodeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    const code = (e as { s3Code?: unknown }).s3Code;
    if (typeof code === 'string') return code;
    throw e;
  }
  throw new Error('expected an S3 error, but the request was accepted');
}
