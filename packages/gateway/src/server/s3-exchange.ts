import type { RequestIds } from '../http/request-id.js';
import type { S3Operation } from '../http/operation.js';
import type { RequestTarget } from '../http/request-target.js';

/** Who made a request, once authenticated. */
export type Caller =
  | { readonly anonymous: true }
  | {
      readonly anonymous: false;
      readonly principal: string;
      readonly accountId: string;
      readonly displayName: string;
      readonly accessKeyId: string;
    };

/** One S3 request, routed and authenticated, as an operation handler sees it. */
export interface S3Request {
  readonly operation: S3Operation;
  readonly method: string;
  readonly target: RequestTarget;
  /** Request headers, lower-case names; repeated headers joined with `,`. */
  readonly headers: Readonly<Record<string, string>>;
  readonly ids: RequestIds;
  readonly caller: Caller;
  /** Whether the request came over TLS. */
  readonly secure: boolean;
  /** The decoded, verified body (aws-chunked removed); completes only when every check passed. */
  readonly body: AsyncIterable<Uint8Array>;
  /** The decoded body length, when declared. */
  readonly contentLength: number | undefined;
  /** Trailing headers of an aws-chunked body (`{}` when none), settled when the body ends. */
  readonly trailers: Promise<Readonly<Record<string, string>>>;
  /** Aborted when the client goes away before the response is complete. */
  readonly signal: AbortSignal;
  /** POST Object only: the form's object key, fields (lower-case names) and content type. */
  readonly form?: { readonly key: string; readonly fields: ReadonlyMap<string, string>; readonly contentType: string };
}

/** What a handler answers; the server adds the request IDs and writes it. */
export interface S3Response {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** An XML document, bytes, or a stream of bytes (written with back-pressure). */
  readonly body?: string | Uint8Array | AsyncIterable<Uint8Array>;
}

/** Serves one operation. Throws (rejects with) an S3 error to refuse. */
export type S3Handler = (request: S3Request) => Promise<S3Response>;
