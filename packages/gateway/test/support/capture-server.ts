import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request exactly as a real client put it on the wire. */
export interface CapturedRequest {
  readonly method: string;
  /** The request target: raw path and query. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/**
 * A tiny node:http server that records what real S3 clients send and answers
 * 200 (an ETag, and `response` bytes for GET), so tests can replay the exact
 * bytes through `authenticate`, untouched or tampered.
 */
export class CaptureServer {
  readonly requests: CapturedRequest[] = [];
  readonly #server: Server;
  #endpoint = '';

  private constructor(response: Buffer) {
    this.#server = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (b: Buffer) => parts.push(b));
      req.on('end', () => {
        this.requests.push({
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(parts),
        });
        res.setHeader('ETag', '"0123456789abcdef0123456789abcdef"');
        if (req.method === 'GET') {
          res.setHeader('Content-Length', response.length);
          res.end(response);
        } else {
          res.end();
        }
      });
    });
  }

  static async start(response: Buffer = Buffer.from('hello')): Promise<CaptureServer> {
    const capture = new CaptureServer(response);
    await new Promise<void>((resolve) => capture.#server.listen(0, '127.0.0.1', resolve));
    capture.#endpoint = `http://127.0.0.1:${(capture.#server.address() as AddressInfo).port}`;
    return capture;
  }

  get endpoint(): string {
    return this.#endpoint;
  }

  /** The last request captured. */
  last(): CapturedRequest {
    const last = this.requests.at(-1);
    if (last === undefined) throw new Error('no request captured');
    return last;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
