// GatewayServer with a handler of the test's own (the S3 service is exercised end to end in
// test/gateway): health, unsigned special paths, and a handler failure mid-stream.
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayMetrics } from '../../src/metrics/gateway-metrics.js';
import { GatewayServer } from '../../src/server/gateway-server.js';
import type { S3Handler } from '../../src/server/s3-exchange.js';

const servers: { server: GatewayServer; metrics: GatewayMetrics }[] = [];
afterEach(async () => {
  for (const { server, metrics } of servers.splice(0)) {
    await server.close();
    metrics.close();
  }
});

async function start(handler: S3Handler, health?: () => Promise<boolean>): Promise<string> {
  const metrics = new GatewayMetrics();
  const server = new GatewayServer({
    handler,
    credentials: () => undefined,
    region: 'us-east-1',
    metrics,
    ...(health === undefined ? {} : { health }),
  });
  servers.push({ server, metrics });
  return (await server.listen('127.0.0.1', 0)).url;
}

function get(url: string): Promise<{ status: number; body: string; error?: string }> {
  return new Promise((resolve) => {
    const req = request(url, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', (error) => resolve({ status: res.statusCode ?? 0, body, error: error.message }));
    });
    req.on('error', (error) => resolve({ status: 0, body: '', error: error.message }));
    req.end();
  });
}

describe('GatewayServer', () => {
  it('/health answers 200 while storage answers and 503 when it does not', async () => {
    let up = true;
    const url = await start(
      async () => ({ status: 200 }),
      async () => {
        if (!up) throw new Error('store down');
        return true;
      },
    );
    expect(await get(`${url}/health`)).toMatchObject({ status: 200, body: '{"status":"ok"}' });
    up = false;
    expect(await get(`${url}/health`)).toMatchObject({ status: 503, body: '{"status":"unavailable"}' });
  });

  it('a handler failure before the headers is a 500 InternalError document that hides the cause', async () => {
    const url = await start(async () => {
      throw new Error('secret detail of a bug');
    });
    const res = await get(`${url}/bucket/key`);
    expect(res.status).toBe(500);
    expect(res.body).toContain('<Code>InternalError</Code>');
    expect(res.body).not.toContain('secret detail');
  });

  it('a body that fails after the headers went out cuts the connection (no false success)', async () => {
    const url = await start(async () => ({
      status: 200,
      headers: { 'content-length': '100' },
      body: (async function* () {
        yield Buffer.alloc(10);
        throw new Error('stored bytes failed to authenticate');
      })(),
    }));
    const res = await get(`${url}/bucket/key`);
    expect(res.status).toBe(200);
    expect(res.body.length).toBeLessThan(100);
    expect(res.error).toBeDefined();
  });
});
