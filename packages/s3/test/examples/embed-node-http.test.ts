import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createEmbeddedServer } from '../../examples/embed-node-http.js';

const run = promisify(execFile);

describe('examples/embed-node-http.ts', () => {
  it('type-checks under the strict project settings (tsc)', async () => {
    const tsconfig = fileURLToPath(new URL('../../examples/tsconfig.json', import.meta.url));
    const tsc = fileURLToPath(new URL('../../../../node_modules/typescript/bin/tsc', import.meta.url));
    await run(process.execPath, [tsc, '-p', tsconfig], { timeout: 120_000 });
  }, 150_000);

  it('serves PUT, GET (range), HEAD and DELETE over raw node:http with SSE-KMS, and S3 errors', async () => {
    const server = createEmbeddedServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect((await fetch(`${base}/demo-bucket`, { method: 'PUT' })).status).toBe(200);
      const body = Buffer.from('hello, encrypted world '.repeat(1000));
      const put = await fetch(`${base}/demo-bucket/greeting.txt`, {
        method: 'PUT',
        body,
        headers: { 'x-amz-server-side-encryption': 'aws:kms' },
      });
      expect(put.status).toBe(200);
      expect(put.headers.get('x-amz-server-side-encryption-aws-kms-key-id')).toMatch(
        /^arn:aws:kms:us-east-1:111122223333:key\//,
      );
      const get = await fetch(`${base}/demo-bucket/greeting.txt`);
      expect(Buffer.from(await get.arrayBuffer()).equals(body)).toBe(true);
      const range = await fetch(`${base}/demo-bucket/greeting.txt`, { headers: { range: 'bytes=7-14' } });
      expect(range.status).toBe(206);
      expect(await range.text()).toBe('encrypte');
      const head = await fetch(`${base}/demo-bucket/greeting.txt`, { method: 'HEAD' });
      expect(head.headers.get('content-length')).toBe(String(body.length));
      const refused = await fetch(`${base}/demo-bucket/greeting.txt`, {
        headers: { 'x-amz-server-side-encryption': 'aws:kms' },
      });
      expect(refused.status).toBe(400);
      expect(await refused.text()).toContain('<Code>InvalidArgument</Code>');
      expect((await fetch(`${base}/demo-bucket/greeting.txt`, { method: 'DELETE' })).status).toBe(204);
      expect((await fetch(`${base}/demo-bucket/greeting.txt`)).status).toBe(404);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
