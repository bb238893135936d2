import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { base64Length, encodeBase64 } from '../shared/base64.js';
import type { XksOperation } from '../shared/xks-wire.js';
import { auditedMetadata, emitAudit, type XksAuditRecord } from './audit.js';
import { HealthCheck } from './health-check.js';
import { KeyOperations } from './operations.js';
import type { ResolvedKeyStore, ResolvedProxyOptions } from './proxy-options.js';
import { readBody } from './request-body.js';
import {
  parseJsonBody,
  readDecryptInput,
  readEncryptInput,
  readRequestMetadata,
  type RequestMetadata,
} from './request-validation.js';
import { Router } from './router.js';
import { SigV4Verifier } from './sigv4-verifier.js';
import { XksRequestError, validation } from './xks-error.js';

/** What is known about a request so far, for its audit record. */
interface RequestState {
  operation?: XksOperation;
  uriPrefix?: string;
  keyId?: string;
  metadata?: RequestMetadata;
  accessKeyId?: string;
  authorizationRule?: string;
}

/** Room for requestMetadata and JSON punctuation on top of the Base64 fields. */
const BODY_SLACK_BYTES = 64 * 1024;

/**
 * Answers one request: route (404, 405) → raw body, capped, among at most
 * `maxUnauthenticatedRequests` unverified requests (the oldest is shed) → SigV4 and
 * region (401) → per-prefix quota of verified requests (429) → JSON and field validation
 * (400, 501) → secondary authorization (403, not for health) → key allow-list (404) →
 * the operation. Every request ends with exactly one single-line JSON response and one
 * audit record.
 *
 * Unsigned clients must not be able to spend a key store's quota: a slow body holds an
 * unauthenticated slot only, and those are bounded proxy-wide by shedding the oldest
 * (a genuine request sends its body at once, so the oldest are the slow ones).
 */
export class RequestHandler {
  readonly #options: ResolvedProxyOptions;
  readonly #router: Router;
  readonly #verifier: SigV4Verifier;
  readonly #health: HealthCheck;
  readonly #operations: KeyOperations;
  readonly #inFlight = new Map<string, number>();
  /** Requests whose signature is not verified yet, oldest first, with how to shed each. */
  readonly #unauthenticated = new Map<IncomingMessage, () => void>();
  readonly #maxBodyBytes: number;

  constructor(options: ResolvedProxyOptions) {
    this.#options = options;
    this.#router = new Router(options.keyStores.keys(), options.pingPath);
    this.#verifier = new SigV4Verifier(options.now);
    this.#health = new HealthCheck(options);
    this.#operations = new KeyOperations(options);
    this.#maxBodyBytes = base64Length(options.maxPlaintextBytes) + base64Length(options.maxAadBytes) + BODY_SLACK_BYTES;
  }

  /** The `request` listener; never rejects. */
  handle = (request: IncomingMessage, response: ServerResponse): void => {
    void this.#handle(request, response);
  };

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = performance.now();
    const target = request.url ?? '';
    const state: RequestState = {};
    let status = 200;
    let errorName: XksRequestError['errorName'] | undefined;
    let reason: string | undefined;
    let store: ResolvedKeyStore | undefined;
    // The decoded Encrypt plaintext (a data key, usually): wiped however the request ends.
    let secret: Uint8Array | undefined;
    try {
      const route = this.#router.route(target);
      if (route.kind === 'ping') {
        if (request.method !== 'GET' && request.method !== 'HEAD') return respondMethodNotAllowed(response, 'GET');
        response.writeHead(200, { 'content-type': 'text/plain' }).end('pong from sealflow-xks-proxy');
        return;
      }
      if (route.kind === 'unknown') throw new XksRequestError('InvalidUriPathException', 'unknown URI path');
      Object.assign(
        state,
        { operation: route.operation, uriPrefix: route.prefix },
        route.keyId === undefined ? {} : { keyId: route.keyId },
      );
      // spec: xks-api.md §1: GET (and anything but POST) on an operation URI is 405.
      if (request.method !== 'POST') {
        status = 405;
        reason = `method ${request.method ?? '?'} is not allowed`;
        return respondMethodNotAllowed(response, 'POST');
      }
      const routed = this.#options.keyStores.get(route.prefix) as ResolvedKeyStore;
      const body = await this.#authenticatedBody(request, routed, state);
      // Only verified requests count against the prefix's quota.
      const inFlight = this.#inFlight.get(route.prefix) ?? 0;
      if (inFlight >= routed.maxConcurrentRequests) {
        throw new XksRequestError(
          'ThrottlingException',
          'too many requests for this key store',
          `${inFlight} authenticated requests already in flight`,
        );
      }
      // Counted from here; `finally` gives the slot back.
      store = routed;
      this.#inFlight.set(route.prefix, inFlight + 1);
      const contentType = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
      if (contentType !== 'application/json') throw validation('Content-Type must be application/json');
      const json = parseJsonBody(body);
      state.metadata = readRequestMetadata(json, route.operation);
      if (route.operation === 'GetHealthStatus') return respondJson(response, 200, await this.#health.report());
      const keyId = route.keyId as string;
      // Validate the fields before asking anyone about the key.
      const encryptInput = route.operation === 'Encrypt' ? readEncryptInput(json, this.#options) : undefined;
      const decryptInput = route.operation === 'Decrypt' ? readDecryptInput(json, this.#options) : undefined;
      secret = encryptInput?.plaintext;
      await this.#authorize(route.operation, keyId, store, state);
      if (store.keyIds !== undefined && !store.keyIds.has(keyId)) {
        throw new XksRequestError('KeyNotFoundException', 'no such external key', 'key is not in this key store');
      }
      if (encryptInput !== undefined)
        return respondJson(response, 200, await this.#operations.encrypt(keyId, encryptInput));
      if (decryptInput !== undefined) {
        const plaintext = await this.#operations.decrypt(keyId, decryptInput);
        const encoded = encodeBase64(plaintext);
        plaintext.fill(0);
        return respondJson(response, 200, { plaintext: encoded });
      }
      return respondJson(response, 200, await this.#operations.metadata(keyId));
    } catch (error) {
      const failure =
        error instanceof XksRequestError
          ? error
          : new XksRequestError('InternalException', 'internal error', 'unexpected failure');
      status = failure.status;
      errorName = failure.errorName;
      reason = failure.detail;
      // A body left unread (too large, or never looked at) is not worth draining: close instead.
      if (!request.complete) response.setHeader('connection', 'close');
      respondError(response, failure);
    } finally {
      secret?.fill(0);
      if (store !== undefined) this.#inFlight.set(store.uriPrefix, (this.#inFlight.get(store.uriPrefix) ?? 1) - 1);
      if (state.operation !== undefined || status !== 200) {
        this.#audit(request, target, state, status, errorName, reason, started);
      }
    }
  }

  /**
   * Reads the capped raw body and verifies its SigV4 signature against the prefix's
   * credentials and region, holding one of the proxy's unauthenticated slots meanwhile.
   */
  async #authenticatedBody(
    request: IncomingMessage,
    store: ResolvedKeyStore,
    state: RequestState,
  ): Promise<Uint8Array> {
    let shed = false;
    this.#unauthenticated.set(request, () => {
      shed = true;
      request.socket.destroy();
    });
    if (this.#unauthenticated.size > this.#options.maxUnauthenticatedRequests) {
      const [oldest, shedOldest] = this.#unauthenticated.entries().next().value as [IncomingMessage, () => void];
      this.#unauthenticated.delete(oldest);
      shedOldest();
    }
    try {
      const body = await readBody(request, this.#maxBodyBytes);
      if (!body.ok) {
        if (shed)
          throw new XksRequestError(
            'ThrottlingException',
            'too many unauthenticated requests',
            'shed: the oldest of too many requests not yet authenticated',
          );
        if (body.reason === 'aborted') throw validation('the request body was not received');
        throw new XksRequestError(
          'UnsupportedOperationException',
          `the request body is larger than ${this.#maxBodyBytes} bytes`,
        );
      }
      const verdict = await this.#verifier.verify(
        { method: request.method ?? '', target: request.url ?? '', rawHeaders: request.rawHeaders, body: body.bytes },
        (accessKeyId) => store.credentials.get(accessKeyId),
      );
      if (!verdict.ok)
        throw new XksRequestError(
          'AuthenticationFailedException',
          'the request signature could not be verified',
          verdict.reason,
        );
      // spec: xks-api.md §10.1: the scope names the region of the KMS making the call.
      if (verdict.region !== store.region) {
        throw new XksRequestError(
          'AuthenticationFailedException',
          'the request signature could not be verified',
          `credential scope region ${JSON.stringify(verdict.region.slice(0, 64))} is not this key store's (${store.region})`,
        );
      }
      state.accessKeyId = verdict.accessKeyId;
      return body.bytes;
    } finally {
      this.#unauthenticated.delete(request);
    }
  }

  async #authorize(
    operation: 'GetKeyMetadata' | 'Encrypt' | 'Decrypt',
    keyId: string,
    store: ResolvedKeyStore,
    state: RequestState,
  ): Promise<void> {
    const authorize = this.#options.authorize;
    if (authorize === undefined) return;
    const metadata = state.metadata as RequestMetadata;
    let decision;
    try {
      decision = await authorize({
        operation,
        keyId,
        uriPrefix: store.uriPrefix,
        accessKeyId: state.accessKeyId as string,
        principal: metadata['awsPrincipalArn'] as string,
        requestMetadata: Object.freeze({ ...metadata }),
      });
    } catch {
      throw new XksRequestError('InternalException', 'authorization failed', 'the authorization hook threw');
    }
    const allow = typeof decision === 'boolean' ? decision : decision.allow === true;
    if (typeof decision === 'object' && decision.rule !== undefined) state.authorizationRule = decision.rule;
    if (!allow) {
      throw new XksRequestError(
        'AccessDeniedException',
        'access denied',
        `denied by ${state.authorizationRule ?? 'the authorization hook'}`,
      );
    }
  }

  #audit(
    request: IncomingMessage,
    target: string,
    state: RequestState,
    status: number,
    errorName: XksRequestError['errorName'] | undefined,
    reason: string | undefined,
    started: number,
  ): void {
    const queryAt = target.indexOf('?');
    const record: XksAuditRecord = {
      time: new Date().toISOString(),
      level: status < 400 ? 'info' : status >= 500 ? 'error' : 'warn',
      method: request.method ?? '',
      path: queryAt === -1 ? target : target.slice(0, queryAt),
      ...(state.operation === undefined ? {} : { operation: state.operation }),
      ...(state.uriPrefix === undefined ? {} : { uriPrefix: state.uriPrefix }),
      ...(state.keyId === undefined ? {} : { keyId: state.keyId }),
      ...auditedMetadata(state.metadata),
      ...(state.accessKeyId === undefined ? {} : { accessKeyId: state.accessKeyId }),
      status,
      outcome: status < 400 ? 'success' : 'failure',
      ...(errorName === undefined ? {} : { errorName }),
      ...(reason === undefined ? {} : { reason }),
      ...(state.authorizationRule === undefined ? {} : { authorizationRule: state.authorizationRule }),
      ...(request.socket.remoteAddress === undefined ? {} : { remoteAddress: request.socket.remoteAddress }),
      durationMs: Math.round((performance.now() - started) * 1000) / 1000,
    };
    emitAudit(record, this.#options.logger);
  }
}

/** Single-line JSON (spec: xks-api.md §15 item 14: the test client reads only the last line). */
function respondJson(response: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  response
    .writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
    .end(text);
}

function respondError(response: ServerResponse, error: XksRequestError): void {
  if (response.headersSent) return;
  const text = error.body();
  response
    .writeHead(error.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
    .end(text);
}

/** 405 carries no errorName in the spec; the body is still JSON, with an explanation. */
function respondMethodNotAllowed(response: ServerResponse, allow: string): void {
  const text = JSON.stringify({ errorMessage: `only ${allow} is allowed on this URI` });
  response
    .writeHead(405, { allow, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
    .end(text);
}
