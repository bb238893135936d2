import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { assertInteger, invalidArgument } from '@sealflow/core/validate';
import { pemInput } from '../shared/pem.js';
import {
  resolveCredentials,
  resolveProxyOptions,
  type ResolvedProxyOptions,
  type XksProxyOptions,
} from './proxy-options.js';
import { RequestHandler } from './request-handler.js';
import type { XksCredential } from './sigv4-verifier.js';

/** Where a listening proxy can be reached. */
export interface XksProxyAddress {
  /** `http://host:port` or `https://host:port` (no path: add the key store's URI prefix). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
}

/**
 * Slow clients may not hold a connection forever (slowloris). Node enforces
 * `headersTimeout` and `requestTimeout` only when it sweeps its connections, every
 * `connectionsCheckingInterval` (30 s by default): a 10 s limit then cuts a client off
 * after 10 to 40 s. So the proxy sweeps at a tenth of the limit (100 ms to 1 s) and
 * gives Node the limit minus one sweep: a connection is closed (408) no later than the
 * configured limit, and no earlier than one sweep before it.
 */
export function serverTimeouts(
  headersTimeoutMs: number,
  requestTimeoutMs: number,
): { connectionsCheckingInterval: number; headersTimeout: number; requestTimeout: number } {
  const interval = Math.min(1000, Math.max(100, Math.round(headersTimeoutMs / 10)));
  return {
    connectionsCheckingInterval: interval,
    headersTimeout: headersTimeoutMs - interval,
    requestTimeout: requestTimeoutMs - interval,
  };
}

/**
 * An XKS Proxy API v1 server (spec: xks-api.md). Create it with {@link createXksProxy}.
 * It can listen on its own (`listen`), or lend its request listener (`handler`) to a
 * server the caller owns.
 */
export class XksProxy {
  readonly #options: ResolvedProxyOptions;
  readonly #handler: RequestHandler;
  #server: Server | undefined;
  #address: XksProxyAddress | undefined;

  /** @throws {InvalidArgumentError} for invalid options. */
  constructor(options: XksProxyOptions) {
    this.#options = resolveProxyOptions(options);
    this.#handler = new RequestHandler(this.#options);
  }

  /** The node:http `request` listener, to mount the proxy on a server you own. */
  get handler(): RequestHandler['handle'] {
    return this.#handler.handle;
  }

  /** The address while listening. */
  get address(): XksProxyAddress | undefined {
    return this.#address;
  }

  /**
   * Starts listening (HTTPS when `tls` was given). Defaults: an ephemeral port on 127.0.0.1.
   * @throws {InvalidArgumentError} for a bad port, or when already listening.
   */
  async listen(port = 0, host = '127.0.0.1'): Promise<XksProxyAddress> {
    assertInteger(port, 'listen: port', 0, 65535);
    if (this.#server !== undefined) throw invalidArgument('listen: the proxy is already listening');
    const server = this.#createServer();
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((error: unknown) => {
      this.#server = undefined;
      throw error;
    });
    const address = server.address() as AddressInfo;
    const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.#address = {
      url: `${this.#options.tls === undefined ? 'http' : 'https'}://${shownHost}:${address.port}`,
      host: address.address,
      port: address.port,
    };
    return this.#address;
  }

  /**
   * Replaces the credentials one URI prefix accepts, without a restart (spec §10.1
   * rotation). Requests already verified are unaffected.
   * @throws {InvalidArgumentError} for an unknown prefix or malformed credentials.
   */
  updateCredentials(uriPrefix: string, credentials: readonly XksCredential[]): void {
    const store = this.#options.keyStores.get(uriPrefix);
    if (store === undefined) throw invalidArgument(`updateCredentials: no key store with uriPrefix "${uriPrefix}"`);
    store.credentials = resolveCredentials(credentials, 'updateCredentials: credentials');
  }

  /** Stops listening, closes every connection, and closes the backend when the proxy owns it. */
  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    this.#address = undefined;
    if (server !== undefined) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    }
    if (this.#options.ownsBackend) await this.#options.backend.close?.();
  }

  #createServer(): Server {
    const tls = this.#options.tls;
    const timeouts = serverTimeouts(this.#options.headersTimeoutMs, this.#options.requestTimeoutMs);
    if (tls === undefined) return createHttpServer({ keepAlive: true, ...timeouts }, this.#handler.handle);
    const mtls = tls.clientCa !== undefined;
    const server = createHttpsServer(
      {
        ...timeouts,
        cert: pemInput(tls.cert),
        key: pemInput(tls.key),
        // spec: xks-api.md §1: TLS 1.2 at least.
        minVersion: 'TLSv1.2',
        ...(mtls
          ? { ca: pemInput(tls.clientCa as string | Uint8Array), requestCert: true, rejectUnauthorized: true }
          : {}),
      },
      this.#handler.handle,
    );
    const allowed = tls.allowedClientNames;
    server.on('secureConnection', (socket: TLSSocket) => {
      // TLS 1.2 lets a client renegotiate, and so present another certificate after the
      // checks below: the attempt fails and the connection is closed (TLS 1.3 has none).
      // Closed here, before the HTTP server's own error handling, which would write an
      // error response into the half-done handshake and leave the client waiting.
      socket.disableRenegotiation();
      socket.prependListener('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'ERR_TLS_RENEGOTIATION_DISABLED') socket.destroy();
      });
      // The CA check happens in the handshake; the subject name check right after it.
      if (mtls && allowed !== undefined && !clientNames(socket).some((name) => allowed.includes(name)))
        socket.destroy();
    });
    return server;
  }
}

/** The client certificate's CN and DNS subject alternative names. */
function clientNames(socket: TLSSocket): string[] {
  const cert = socket.getPeerCertificate();
  const names: string[] = [];
  const cn = cert.subject?.CN;
  if (typeof cn === 'string') names.push(cn);
  for (const entry of (cert.subjectaltname ?? '').split(',')) {
    const trimmed = entry.trim();
    if (trimmed.startsWith('DNS:')) names.push(trimmed.slice(4));
  }
  return names;
}

/**
 * Creates an XKS proxy server.
 * @throws {InvalidArgumentError} for invalid options (each message names the field).
 */
export function createXksProxy(options: XksProxyOptions): XksProxy {
  return new XksProxy(options);
}
