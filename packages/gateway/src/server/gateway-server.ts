import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { s3Error } from '@sealflow/s3';
import { authenticate, authenticatePostObject, type CredentialLookup, type Identity } from '../auth/index.js';
import { errorResponse, toS3ErrorShape } from '../http/error-response.js';
import { GatewayLimits } from '../http/limits.js';
import { resolveOperation, type S3Operation } from '../http/operation.js';
import { checkUploadLength, drainThenClose, flattenHeaders, resourceOf } from '../http/request-helpers.js';
import { readPieces } from '../http/read-pieces.js';
import { newRequestIds, type RequestIds } from '../http/request-id.js';
import { parseRequestTarget, type RequestTarget } from '../http/request-target.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { Caller, S3Handler, S3Response } from './s3-exchange.js';

/** Options of {@link GatewayServer}. */
export interface GatewayServerOptions {
  readonly handler: S3Handler;
  readonly credentials: CredentialLookup;
  readonly region: string;
  readonly metrics: GatewayMetrics;
  /** PEM certificate and key: serve HTTPS. */
  readonly tls?: { readonly cert: string; readonly key: string };
  /**
   * Host names under which virtual-host-style requests arrive (`<bucket>.<host>`); any
   * other `Host` is path style. Default `['localhost']`.
   */
  readonly virtualHosts?: readonly string[];
  /** Clock for signature checks (ms since the epoch). */
  readonly now?: () => number;
  /** Answers `GET /health` (default: always healthy). */
  readonly health?: () => Promise<boolean>;
}

/** Operations whose request body is an object's bytes (streamed, never buffered). */
const STREAMING_UPLOADS: ReadonlySet<S3Operation> = new Set(['PutObject', 'UploadPart']);

/**
 * The HTTP side of the gateway: node:http(s), S3 routing (path and virtual-host style),
 * authentication, S3 XML errors, `/metrics` and `/health`, caps on headers and bodies,
 * back-pressure both ways, and an abort signal for clients that leave mid-request.
 */
export class GatewayServer {
  readonly #options: GatewayServerOptions;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #secure: boolean;

  constructor(options: GatewayServerOptions) {
    this.#options = options;
    this.#secure = options.tls !== undefined;
    const serverOptions = {
      maxHeaderSize: GatewayLimits.maxHeaderBytes,
      headersTimeout: GatewayLimits.headersTimeoutMs,
      // No overall request timeout: a 5 GiB upload may take long; idle sockets are closed below.
      requestTimeout: 0,
      keepAliveTimeout: 5_000,
      // Request bodies are read ahead up to one piece (TLS records are decrypted while the
      // previous piece is sealed and written), and responses buffer as much before back-pressure.
      highWaterMark: GatewayLimits.bodyPieceBytes,
    };
    const listener = (req: IncomingMessage, res: ServerResponse): void => void this.#serve(req, res);
    this.#server =
      options.tls === undefined
        ? createHttpServer(serverOptions, listener)
        : createHttpsServer({ ...serverOptions, cert: options.tls.cert, key: options.tls.key }, listener);
    this.#server.maxHeadersCount = GatewayLimits.maxHeaderCount;
    this.#server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.setTimeout(GatewayLimits.socketIdleMs, () => socket.destroy());
      socket.once('close', () => this.#sockets.delete(socket));
    });
    // Requests node refuses before they reach us (oversized header section, malformed
    // request line): answer with an S3 error document, then close.
    this.#server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
      if (!socket.writable) {
        socket.destroy();
        return;
      }
      const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
      const ids = newRequestIds();
      const response = errorResponse(
        tooLarge
          ? s3Error('RequestHeaderSectionTooLarge')
          : s3Error('InvalidRequest', 'The request could not be parsed.'),
        ids,
        undefined,
      );
      const head = [
        `HTTP/1.1 ${response.status} Bad Request`,
        ...Object.entries(response.headers).map(([k, v]) => `${k}: ${v}`),
        `x-amz-request-id: ${ids.requestId}`,
        `x-amz-id-2: ${ids.hostId}`,
        'connection: close',
        '',
        '',
      ];
      socket.end(`${head.join('\r\n')}${response.body}`);
      options.metrics.request('Unknown', response.status, false);
    });
  }

  /**
   * Starts listening; resolves with the bound address (port 0 picks a free port).
   * @throws (rejects) when the address cannot be bound.
   */
  listen(host: string, port: number): Promise<{ host: string; port: number; url: string }> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        const address = this.#server.address() as AddressInfo;
        const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
        resolve({
          host: address.address,
          port: address.port,
          url: `${this.#secure ? 'https' : 'http'}://${shown}:${address.port}`,
        });
      });
    });
  }

  /** Stops accepting connections and closes the open ones. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const ids = newRequestIds();
    const controller = new AbortController();
    // The client left before the response was complete: whatever it was uploading is abandoned.
    res.once('close', () => {
      if (!res.writableFinished) controller.abort(new Error('client disconnected'));
    });
    req.once('aborted', () => controller.abort(new Error('client disconnected')));
    let operation: S3Operation | 'Metrics' | 'Health' | 'Unknown' = 'Unknown';
    let target: RequestTarget | undefined;
    let sseKms = false;
    try {
      const method = req.method ?? 'GET';
      const url = req.url ?? '/';
      const special = this.#special(method, url, req);
      if (special !== undefined) {
        operation = special;
        await this.#write(
          res,
          ids,
          special === 'Metrics' ? await this.#metrics() : await this.#health(),
          controller.signal,
        );
        return;
      }
      target = parseRequestTarget(url, req.headers.host, this.#options.virtualHosts ?? ['localhost']);
      operation = resolveOperation(method, target, req.headers);
      const exchange = await this.#authenticate(operation, method, url, target, req, controller.signal);
      const identity = exchange.identity;
      const caller: Caller = identity.anonymous
        ? { anonymous: true }
        : {
            anonymous: false,
            principal: identity.principal,
            accountId: identity.accountId,
            displayName: identity.displayName,
            accessKeyId: identity.accessKeyId,
          };
      const response = await this.#options.handler({
        operation,
        method,
        target,
        headers: flattenHeaders(req.headers),
        ids,
        caller,
        secure: this.#secure,
        body: exchange.body,
        contentLength: exchange.contentLength,
        trailers: exchange.trailers,
        signal: controller.signal,
        ...(exchange.form === undefined ? {} : { form: exchange.form }),
      });
      sseKms = (response.headers?.['x-amz-server-side-encryption'] ?? '').startsWith('aws:kms');
      await this.#write(res, ids, response, controller.signal);
      this.#options.metrics.request(operation, response.status, sseKms);
    } catch (error) {
      const shape = toS3ErrorShape(error);
      this.#options.metrics.request(operation, shape.status, sseKms);
      if (res.headersSent || controller.signal.aborted) {
        // Mid-body failure (the stored object failed to authenticate, the client left): the
        // status is gone; cutting the connection is the only honest signal left.
        res.destroy();
        return;
      }
      const resource = target === undefined ? undefined : resourceOf(target);
      const response = errorResponse(shape, ids, resource);
      // A request body left unread: what the client is still sending is read and dropped
      // (up to a cap, then the socket is closed) so that it sees the answer, not a reset.
      const headers = response.headers;
      if (!req.complete) drainThenClose(req);
      // A HEAD error, and a 304, have no body (S3 sends the status and headers only).
      const bodyless = req.method === 'HEAD' || response.status === 304;
      await this.#write(
        res,
        ids,
        { status: response.status, headers, ...(bodyless ? {} : { body: response.body }) },
        controller.signal,
      ).catch(() => res.destroy());
    }
  }

  // SigV4 (header or presigned) for every operation, or the signed form of a POST Object.
  async #authenticate(
    operation: S3Operation,
    method: string,
    url: string,
    target: RequestTarget,
    req: IncomingMessage,
    signal: AbortSignal,
  ): Promise<Authenticated> {
    const now = this.#options.now === undefined ? {} : { now: this.#options.now };
    if (operation === 'PostObject') {
      const post = await authenticatePostObject(
        { bucket: target.bucket as string, headers: req.headers, secure: this.#secure },
        this.#countedBody(req, signal),
        this.#options.credentials,
        {
          region: this.#options.region,
          ...now,
        },
      );
      return {
        identity: post.identity,
        body: post.body,
        contentLength: undefined,
        trailers: Promise.resolve({}),
        form: { key: post.key, fields: post.fields, contentType: post.contentType },
      };
    }
    const q = url.indexOf('?');
    const auth = await authenticate(
      {
        method,
        path: target.rawPath,
        query: q < 0 ? '' : url.slice(q + 1),
        headers: req.headers,
        secure: this.#secure,
      },
      this.#countedBody(req, signal),
      this.#options.credentials,
      { region: this.#options.region, ...now },
    );
    if (STREAMING_UPLOADS.has(operation)) checkUploadLength(req, auth.contentLength);
    return auth;
  }

  #special(method: string, url: string, req: IncomingMessage): 'Metrics' | 'Health' | undefined {
    if (method !== 'GET' && method !== 'HEAD') return undefined;
    // Unsigned GET /metrics and /health only: a signed request for a bucket named
    // `metrics` or `health` is still an S3 request.
    if (req.headers.authorization !== undefined || url.includes('X-Amz-Signature=')) return undefined;
    if (url === '/metrics') return 'Metrics';
    if (url === '/health' || url === '/healthz') return 'Health';
    return undefined;
  }

  async #metrics(): Promise<S3Response> {
    const { contentType, body } = await this.#options.metrics.render();
    return { status: 200, headers: { 'content-type': contentType }, body };
  }

  async #health(): Promise<S3Response> {
    const ok = await (this.#options.health ?? (async () => true))().catch(() => false);
    const body = JSON.stringify({ status: ok ? 'ok' : 'unavailable' });
    return { status: ok ? 200 : 503, headers: { 'content-type': 'application/json' }, body };
  }

  // Counts body bytes as they are read, in pieces of GatewayLimits.bodyPieceBytes; back-pressure
  // is the socket's: nothing is read ahead past its high-water mark (one piece).
  async *#countedBody(req: IncomingMessage, signal: AbortSignal): AsyncIterable<Uint8Array> {
    // A handler that stops reading early (a refused body) leaves the request alone: the socket
    // must not be reset before its error answer is written; the rest is drained instead.
    for await (const chunk of readPieces(req, GatewayLimits.bodyPieceBytes, signal)) {
      this.#options.metrics.bytesIn(chunk.length);
      yield chunk;
    }
  }

  async #write(res: ServerResponse, ids: RequestIds, response: S3Response, signal: AbortSignal): Promise<void> {
    res.statusCode = response.status;
    res.setHeader('x-amz-request-id', ids.requestId);
    res.setHeader('x-amz-id-2', ids.hostId);
    res.setHeader('server', 'sealflow');
    for (const [name, value] of Object.entries(response.headers ?? {})) res.setHeader(name, value);
    const body = response.body;
    if (body === undefined) {
      if (!res.hasHeader('content-length') && response.status !== 204 && response.status !== 304)
        res.setHeader('content-length', '0');
      res.end();
      return;
    }
    if (typeof body === 'string' || body instanceof Uint8Array) {
      const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
      if (!res.hasHeader('content-type')) res.setHeader('content-type', 'application/xml');
      res.setHeader('content-length', String(bytes.length));
      this.#options.metrics.bytesOut(bytes.length);
      res.end(res.req.method === 'HEAD' ? undefined : bytes);
      return;
    }
    const metrics = this.#options.metrics;
    async function* counted(): AsyncIterable<Uint8Array> {
      for await (const chunk of body as AsyncIterable<Uint8Array>) {
        metrics.bytesOut(chunk.length);
        yield chunk;
      }
    }
    // pipeline honours the socket's back-pressure and, when the client leaves, ends the
    // source (its finally blocks release file handles and KMS-derived keys).
    await pipeline(Readable.from(counted(), { objectMode: false }), res, { signal });
  }
}

interface Authenticated {
  readonly identity: Identity;
  readonly body: AsyncIterable<Uint8Array>;
  readonly contentLength: number | undefined;
  readonly trailers: Promise<Readonly<Record<string, string>>>;
  readonly form?: { readonly key: string; readonly fields: ReadonlyMap<string, string>; readonly contentType: string };
}
