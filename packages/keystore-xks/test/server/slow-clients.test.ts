// Slow and unsigned clients over real sockets (issue 14, points 5 and 6): a client that
// never finishes its headers is cut off within the configured bound (Node alone sweeps
// only every 30 s), and unsigned slow-body connections neither spend a key store's quota
// nor keep a signed request out.
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { XksAuditRecord } from '@sealflow/keystore-xks';
import { resolveProxyOptions } from '../../src/server/proxy-options.js';
import { serverTimeouts } from '../../src/server/xks-proxy.js';
import { CREDENTIAL, PREFIX, encryptBody, paths, send, startProxyPerTest } from '../support/xks-fixtures.js';

const start = startProxyPerTest();

/** A raw TCP client: what it received, and when the server closed it. */
function rawClient(url: string): { socket: Socket; received: () => string; closed: Promise<number> } {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let text = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => {
    text += chunk;
  });
  socket.on('error', () => undefined);
  const opened = Date.now();
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - opened)));
  return { socket, received: () => text, closed };
}

describe('slow headers', () => {
  it("a client trickling its headers is answered 408 and closed within headersTimeoutMs (1 s here), not Node's 30 s sweep", async () => {
    const { url } = await start({ limits: { headersTimeoutMs: 1000 } });
    const client = rawClient(url);
    client.socket.write(`POST ${paths.encrypt()} HTTP/1.1\r\nHost: x\r\n`);
    const trickle = setInterval(() => client.socket.write('X-Slow: 1\r\n'), 200);
    const elapsed = await client.closed;
    clearInterval(trickle);
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(elapsed).toBeLessThan(2500);
    expect(elapsed).toBeGreaterThan(500);
  });

  it('a client that connects and sends nothing is closed within the bound too', async () => {
    const { url } = await start({ limits: { headersTimeoutMs: 1000 } });
    const client = rawClient(url);
    expect(await client.closed).toBeLessThan(2500);
  });

  it('the default bound stays 10 s for headers and 30 s per request: Node sweeps every second and is given the bound minus one sweep', () => {
    const resolved = resolveProxyOptions({
      keyStores: [{ uriPrefix: PREFIX, credentials: [CREDENTIAL] }],
      backend: {
        vendor: 'x',
        describe: async () => undefined,
        encrypt: async () => ({ ciphertext: new Uint8Array(), iv: new Uint8Array(12), tag: new Uint8Array(16) }),
        decrypt: async () => new Uint8Array(),
        members: async () => [],
      },
    });
    expect([resolved.headersTimeoutMs, resolved.requestTimeoutMs]).toEqual([10_000, 30_000]);
    const node = serverTimeouts(resolved.headersTimeoutMs, resolved.requestTimeoutMs);
    expect(node).toEqual({ connectionsCheckingInterval: 1000, headersTimeout: 9000, requestTimeout: 29_000 });
    // Closed at the first sweep after Node's limit: at most limit + interval = the bound.
    expect(node.headersTimeout + node.connectionsCheckingInterval).toBe(10_000);
  });

  it('refuses timeouts out of range, and a request timeout under the headers timeout', async () => {
    await expect(start({ limits: { headersTimeoutMs: 10 } })).rejects.toThrow(/limits\.headersTimeoutMs/);
    await expect(start({ limits: { headersTimeoutMs: 5000, requestTimeoutMs: 2000 } })).rejects.toThrow(
      /limits\.requestTimeoutMs: must be at least/,
    );
  });
});

describe('unsigned slow clients', () => {
  /** Opens `count` connections that send complete headers and then never their body. */
  async function slowBodies(url: string, count: number): Promise<ReturnType<typeof rawClient>[]> {
    const clients = Array.from({ length: count }, () => rawClient(url));
    for (const c of clients) {
      c.socket.write(
        `POST ${paths.encrypt()} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`,
      );
    }
    // Let the proxy receive every request's headers.
    await new Promise((resolve) => setTimeout(resolve, 300));
    return clients;
  }

  it('260 unsigned slow-body connections do not spend the quota: a signed request still gets 200', async () => {
    const records: XksAuditRecord[] = [];
    const { url } = await start({ logger: (r) => records.push(r) });
    const clients = await slowBodies(url, 260);
    const res = await send(url, paths.encrypt(), encryptBody(randomBytes(4)));
    expect(res.status).toBe(200);
    expect(records.filter((r) => r.errorName === 'ThrottlingException')).toEqual([]);
    for (const c of clients) c.socket.destroy();
  });

  it('past maxUnauthenticatedRequests the oldest unsigned connections are shed, and a signed request still gets through', async () => {
    const records: XksAuditRecord[] = [];
    const { url } = await start({
      logger: (r) => records.push(r),
      limits: { maxUnauthenticatedRequests: 16 },
      keyStores: [{ uriPrefix: PREFIX, credentials: [CREDENTIAL], maxConcurrentRequests: 4 }],
    });
    const clients = await slowBodies(url, 40);
    expect((await send(url, paths.encrypt(), encryptBody(randomBytes(4)))).status).toBe(200);
    // 40 + 1 requests, 16 slots: the 25 oldest were shed and their connections closed.
    await expect.poll(() => clients.filter((c) => c.socket.destroyed).length).toBe(25);
    expect(clients.slice(0, 25).every((c) => c.socket.destroyed)).toBe(true);
    const shed = records.filter((r) => r.errorName === 'ThrottlingException');
    expect(shed).toHaveLength(25);
    expect(shed[0]?.reason).toMatch(/^shed: /);
    for (const c of clients) c.socket.destroy();
  });
});
