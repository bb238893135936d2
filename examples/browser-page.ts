// A browser page that seals and opens a file with @sealflow/core in the page itself.
// esbuild bundles examples/browser/page.ts through core's `browser` export condition
// (WebCrypto, Web Streams, no node: module); this program serves it on loopback.
//
//   npx tsc -p examples && node examples/dist/browser-page.js [port]
//   then open the printed address in a browser.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const page = (file: string): string => fileURLToPath(new URL(`../browser/${file}`, import.meta.url));

const bundle = await build({
  entryPoints: [page('page.ts')],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  write: false,
  logLevel: 'warning',
});
const script = bundle.outputFiles[0]?.text ?? '';
const html = await readFile(page('index.html'), 'utf8');

const server = createServer((request, response) => {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  const [type, body] =
    path === '/' ? ['text/html', html] : path === '/page.js' ? ['text/javascript', script] : ['text/plain', ''];
  response.writeHead(body === '' ? 404 : 200, {
    'content-type': `${type}; charset=utf-8`,
    'content-security-policy': "default-src 'self'",
  });
  response.end(body === '' ? 'not found' : body);
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  console.log(`page bundle: ${(script.length / 1024).toFixed(1)} KiB (minified)`);
  console.log(`open http://127.0.0.1:${port}/`);
});
