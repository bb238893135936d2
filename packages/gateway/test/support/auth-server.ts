import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { authenticate, type AuthResult } from '@sealflow/gateway';
import { credentials, REGION } from './replay.js';

/** What the live server saw for one request that authenticated and completed. */
export interface Accepted {
  readonly identity: AuthResult['identity'];
  readonly payload: AuthResult['payload'];
  readonly body: Buffer;
  readonly trailers: Readonly<Record<string, string>>;
}

/**
 * A node:http server that runs `authenticate` on every live request, reads the
 * body to completion (the "commit" point) and answers 200, or the S3 error as
 * S3's XML so real clients raise it by its code.
 */
export class AuthServer {
  readonly accepted: Accepted[] = [];
  readonly #server: Server;
  #endpoint = '';

  private constructor(now: () => number) {
    this.#server = createServer((req, res) => {
      void (async () => {
        try {
          const url = req.url ?? '/';
          const q = url.indexOf('?');
          const result = await authenticate(
            {
              method: req.method ?? 'GET',
              path: q < 0 ? url : url.slice(0, q),
              query: q < 0 ? '' : url.slice(q + 1),
              headers: req.headers,
              secure: false,
            },
            req,
            credentials,
            { region: REGION, now },
          );
          const parts: Buffer[] = [];
          for await (const part of result.body) parts.push(Buffer.from(part));
          this.accepted.push({
            identity: result.identity,
            payload: result.payload,
            body: Buffer.concat(parts),
            trailers: await result.trailers,
          });
          res.setHeader('ETag', '"0123456789abcdef0123456789abcdef"');
          res.end();
        } catch (e) {
          const { s3Code, status } = e as { s3Code?: string; status?: number };
          res.statusCode = status ?? 500;
          res.setHeader('Content-Type', 'application/xml');
          res.end(
            `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${s3Code ?? 'InternalError'}</Code><Message>refused</Message></Error>`,
          );
          // An unread body would be parsed as the next request.
          if (!req.complete) res.once('finish', () => req.destroy());
        }
      })();
    });
  }

  static async start(now: () => number = Date.now): Promise<AuthServer> {
    const server = new AuthServer(now);
    await new Promise<void>((resolve) => server.#server.listen(0, '127.0.0.1', resolve));
    server.#endpoint = `http://127.0.0.1:${(server.#server.address() as AddressInfo).port}`;
    return server;
  }

  get endpoint(): string {
    return this.#endpoint;
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
