import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { pemInput } from '../shared/pem.js';
import { Sha256 } from '../shared/sha256.js';
import {
  XKS_SERVICE,
  isXksErrorName,
  operationPath,
  type XksErrorName,
  type XksOperation,
} from '../shared/xks-wire.js';
import type { ResolvedClientOptions } from './client-options.js';

/** How one call failed, before it is turned into a KeyStoreError. */
export type CallFailure =
  | { readonly kind: 'unreachable'; readonly why: string }
  | { readonly kind: 'timeout'; readonly why: string }
  | { readonly kind: 'cancelled'; readonly why: string }
  | {
      readonly kind: 'rejected';
      readonly status: number;
      readonly errorName: XksErrorName | undefined;
      readonly why: string;
    }
  | { readonly kind: 'malformed'; readonly why: string };

/** Thrown by {@link XksTransport.call}; carries the KMS request ID the call used. */
export class XksCallError extends Error {
  readonly failure: CallFailure;
  readonly requestId: string;
  readonly attempts: number;

  constructor(failure: CallFailure, requestId: string, attempts: number) {
    super(failure.why);
    this.failure = failure;
    this.requestId = requestId;
    this.attempts = attempts;
  }
}

/** A proxy never needs more than this to answer; anything longer is malformed. */
const MAX_RESPONSE_BYTES = 64 * 1024;
/** Statuses worth another attempt: throttling and transient server failures. */
const RETRYABLE_STATUS: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);
/** Socket errors that mean the request never reached a handler (or the connection died). */
const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EAI_AGAIN',
]);
const BACKOFF_MS = 25;

/**
 * Signed JSON calls to one XKS proxy: SigV4 (`kms-xks-proxy`) through
 * `@smithy/signature-v4`, over node:http(s) with a keep-alive agent, a deadline per
 * attempt, and retries for failures that are safe to retry.
 *
 * Retries: every XKS operation is free of side effects on the proxy (Encrypt draws a
 * fresh IV, and a lost answer only leaves a ciphertext nobody keeps), so a refused or
 * reset connection, 429, 500, 502, 503 and 504 are retried up to `maxAttempts`. A
 * deadline miss is not: a proxy that is slow now is likely slow again, and the
 * caller's time is better spent failing over to another store.
 */
export class XksTransport {
  readonly #options: ResolvedClientOptions;
  readonly #signer: SignatureV4;
  readonly #agent: HttpAgent;
  readonly #https: boolean;

  constructor(options: ResolvedClientOptions) {
    this.#options = options;
    this.#https = options.url.protocol === 'https:';
    this.#signer = new SignatureV4({
      service: XKS_SERVICE,
      region: options.region,
      credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
      sha256: Sha256,
      applyChecksum: false,
    });
    const tls = options.tls;
    this.#agent = this.#https
      ? new HttpsAgent({
          keepAlive: true,
          ...(tls?.ca ? { ca: pemInput(tls.ca) } : {}),
          ...(tls?.cert ? { cert: pemInput(tls.cert) } : {}),
          ...(tls?.key ? { key: pemInput(tls.key) } : {}),
        })
      : new HttpAgent({ keepAlive: true });
  }

  /**
   * POSTs `body` to `operation` and returns the parsed JSON object of a 200 answer.
   * @throws {XksCallError}
   */
  async call(
    operation: XksOperation,
    keyId: string | undefined,
    body: object,
    requestId: string,
    signal?: AbortSignal,
  ): Promise<Record<string, unknown>> {
    const path = operationPath(this.#options.uriPrefix, operation, keyId);
    const text = JSON.stringify(body);
    let attempt = 0;
    for (;;) {
      attempt += 1;
      let failure: CallFailure;
      try {
        return await this.#attempt(path, text, signal);
      } catch (error) {
        failure = isFailure(error)
          ? error
          : { kind: 'unreachable', why: error instanceof Error ? error.message : 'request failed' };
      }
      if (attempt >= this.#options.maxAttempts || !retryable(failure) || signal?.aborted === true) {
        throw new XksCallError(failure, requestId, attempt);
      }
      await sleep(BACKOFF_MS * attempt);
    }
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.#agent.destroy();
  }

  async #attempt(path: string, text: string, signal: AbortSignal | undefined): Promise<Record<string, unknown>> {
    const url = this.#options.url;
    const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const port = url.port === '' ? (this.#https ? 443 : 80) : Number(url.port);
    const signed = await this.#signer.sign(
      new HttpRequest({
        method: 'POST',
        protocol: url.protocol,
        hostname,
        port,
        path,
        // The Host header is sent exactly as signed: host[:port] as in the endpoint.
        headers: { host: url.host, 'content-type': 'application/json' },
        body: text,
      }),
      { signingDate: new Date(this.#options.now()) },
    );
    const send = this.#https ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const request = send({
        host: hostname,
        port,
        method: 'POST',
        path,
        agent: this.#agent,
        headers: { ...signed.headers, 'content-length': String(Buffer.byteLength(text)) },
      });
      const fail = (failure: CallFailure): void => {
        cleanup();
        request.destroy();
        reject(failure);
      };
      const timer = setTimeout(
        () => fail({ kind: 'timeout', why: `no answer within ${this.#options.timeoutMs} ms` }),
        this.#options.timeoutMs,
      );
      const onAbort = (): void => fail({ kind: 'cancelled', why: 'the call was cancelled' });
      const cleanup = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      request.on('error', (error: NodeJS.ErrnoException) =>
        fail({ kind: 'unreachable', why: connectionProblem(error) }),
      );
      if (signal?.aborted === true) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      request.on('response', (response) => {
        readResponse(response).then(
          (result) => {
            cleanup();
            if (typeof result === 'string') return reject({ kind: 'malformed', why: result } satisfies CallFailure);
            if (response.statusCode === 200) return resolve(result.json ?? {});
            reject(rejection(response.statusCode ?? 0, result.json));
          },
          () => fail({ kind: 'unreachable', why: 'the connection closed while reading the answer' }),
        );
      });
      request.end(text);
    });
  }
}

/** Reads a capped JSON answer; a string is why it is malformed. */
async function readResponse(
  response: IncomingMessage,
): Promise<{ json: Record<string, unknown> | undefined } | string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_RESPONSE_BYTES) {
      response.destroy();
      return `the answer is longer than ${MAX_RESPONSE_BYTES} bytes`;
    }
    chunks.push(chunk);
  }
  if (size === 0 && response.statusCode !== 200) return { json: undefined };
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks, size).toString('utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'the answer is not a JSON object';
    return { json: value as Record<string, unknown> };
  } catch {
    // A non-JSON error page (a load balancer's 502, say) still tells its status.
    return response.statusCode === 200 ? 'the answer is not JSON' : { json: undefined };
  }
}

function rejection(status: number, json: Record<string, unknown> | undefined): CallFailure {
  const name = json !== undefined && Object.hasOwn(json, 'errorName') ? json['errorName'] : undefined;
  const errorName = isXksErrorName(name) ? name : undefined;
  return {
    kind: 'rejected',
    status,
    errorName,
    why: `HTTP ${status}${errorName === undefined ? '' : ` ${errorName}`}`,
  };
}

function retryable(failure: CallFailure): boolean {
  if (failure.kind === 'rejected') return RETRYABLE_STATUS.has(failure.status);
  return failure.kind === 'unreachable' && RETRYABLE_CODES.has(failure.why.split(' ')[0] ?? '');
}

/** `ECONNREFUSED connecting to ...`: the code first, so retry decisions can read it. */
function connectionProblem(error: NodeJS.ErrnoException): string {
  const code = error.code ?? 'ERROR';
  return RETRYABLE_CODES.has(code) ? `${code} (the proxy could not be reached)` : `${code}: ${error.message}`;
}

function isFailure(value: unknown): value is CallFailure {
  return typeof value === 'object' && value !== null && 'kind' in value && 'why' in value;
}
