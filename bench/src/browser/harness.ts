// Runs the browser build of @sealflow/core in a real headless Chromium: esbuild bundles
// page.ts (resolving `@sealflow/core` through its `browser` export condition, so the
// package's built dist/ is what runs), a node:http server on 127.0.0.1 serves the page,
// stores what the page uploads and forwards /kms to a KMS-compatible endpoint, and
// playwright-core drives Debian's chromium through `executablePath`. Shared by
// test/browser/ and the browser bench (bench/src/browser/run.ts).
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PAGE_GLOBAL, type PageResult, type PageTask } from './page-task.js';

/** bench/ (this file sits in bench/src/browser or bench/dist/browser). */
const BENCH_DIR = fileURLToPath(new URL('../../', import.meta.url));
/** The page script's source (esbuild bundles the TypeScript directly). */
const PAGE_SOURCE = fileURLToPath(new URL('../../src/browser/page.ts', import.meta.url));

/** Where the browser is: SEALFLOW_CHROMIUM, else Debian's /usr/bin/chromium. */
export function chromiumPath(): string {
  const path = process.env['SEALFLOW_CHROMIUM'] ?? '/usr/bin/chromium';
  if (!existsSync(path))
    throw new Error(
      `chromium not found at ${path}: run scripts/install-chromium.sh as root (or set SEALFLOW_CHROMIUM)`,
    );
  return path;
}

/** A bundle esbuild wrote for the browser. */
export interface BrowserBundle {
  readonly code: string;
  /** Minified bytes. */
  readonly bytes: number;
  /** The same, gzipped (level 9). */
  readonly gzipBytes: number;
  /** Every input file esbuild took, relative to bench/. */
  readonly inputs: readonly string[];
}

async function bundle(options: { readonly entry: string } | { readonly contents: string }): Promise<BrowserBundle> {
  const result = await build({
    ...('entry' in options
      ? { entryPoints: [options.entry] }
      : { stdin: { contents: options.contents, resolveDir: BENCH_DIR, loader: 'ts' as const } }),
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    // `browser` is in esbuild's default conditions for platform browser; named here so the test says so.
    conditions: ['browser'],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (file === undefined) throw new Error('esbuild wrote no output');
  return {
    code: file.text,
    bytes: file.contents.length,
    gzipBytes: gzipSync(file.contents, { level: 9 }).length,
    inputs: Object.keys(result.metafile.inputs),
  };
}

/** What the default size row bundles: the whole browser entry, the most a user ships. */
export const WHOLE_ENTRY = "export * from '@sealflow/core';";
/** The smallest useful app: an engine over the raw AES keyring. */
export const MINIMAL_ENTRY = "export { createEngine, RawAesKeyStore } from '@sealflow/core';";

/** The browser entry as `contents` imports it (default: all of it), minified. */
export function bundleBrowserEntry(contents: string = WHOLE_ENTRY): Promise<BrowserBundle> {
  return bundle({ contents });
}

/** The test page's script. */
export function bundlePage(): Promise<BrowserBundle> {
  return bundle({ entry: PAGE_SOURCE });
}

/** Options of {@link startBrowserHarness}. */
export interface HarnessOptions {
  /** A KMS-compatible endpoint the server forwards the page's POST /kms to (local-kms in the tests). */
  readonly kmsEndpoint?: string;
}

/** A running page in Chromium, and the server behind it. */
export interface BrowserHarness {
  readonly origin: string;
  /** Bodies the page POSTed, and messages Node put there for the page to GET, by path. */
  readonly blobs: Map<string, Uint8Array>;
  readonly page: Page;
  /** Chromium's version string. */
  readonly browserVersion: string;
  /** Runs one task in the page. */
  run(task: PageTask): Promise<PageResult>;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const joined = Buffer.concat(chunks);
  return new Uint8Array(joined.buffer, joined.byteOffset, joined.byteLength);
}

async function forwardKms(endpoint: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const body = await readBody(request);
  const answer = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': String(request.headers['content-type'] ?? ''),
      'x-amz-target': String(request.headers['x-amz-target'] ?? ''),
    },
    body,
  });
  const requestId = answer.headers.get('x-amzn-requestid');
  response.writeHead(answer.status, {
    'content-type': answer.headers.get('content-type') ?? 'application/x-amz-json-1.1',
    ...(requestId === null ? {} : { 'x-amzn-requestid': requestId }),
  });
  response.end(Buffer.from(await answer.arrayBuffer()));
}

/**
 * Bundles the page, serves it on 127.0.0.1 and opens it in headless Chromium.
 * @throws {Error} when chromium is missing or the page does not load.
 */
export async function startBrowserHarness(options: HarnessOptions = {}): Promise<BrowserHarness> {
  const executablePath = chromiumPath();
  const script = await bundlePage();
  const blobs = new Map<string, Uint8Array>();
  const html = `<!doctype html><meta charset="utf-8"><title>sealflow browser build</title><script type="module" src="/page.js"></script>`;
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const fail = (error: unknown): void => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(String(error));
    };
    if (request.method === 'GET' && path === '/') {
      response.writeHead(200, { 'content-type': 'text/html' }).end(html);
    } else if (request.method === 'GET' && path === '/page.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(script.code);
    } else if (request.method === 'POST' && path === '/kms' && options.kmsEndpoint !== undefined) {
      forwardKms(options.kmsEndpoint, request, response).catch(fail);
    } else if (request.method === 'GET' && path.startsWith('/blob/') && blobs.has(path)) {
      response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(blobs.get(path));
    } else if (request.method === 'POST' && path.startsWith('/blob/')) {
      readBody(request).then((body) => {
        blobs.set(path, body);
        response.writeHead(204).end();
      }, fail);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let browser: Browser | undefined;
  try {
    // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
    browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${origin}/`);
    await page.waitForFunction((name) => name in globalThis, PAGE_GLOBAL);
    if (errors.length > 0) throw new Error(`page error: ${errors.join('; ')}`);
    const opened = browser;
    return {
      origin,
      blobs,
      page,
      browserVersion: opened.version(),
      run: (task) =>
        page.evaluate(
          ([name, t]) =>
            (globalThis as unknown as Record<string, { run(t: PageTask): Promise<PageResult> }>)[name]!.run(t),
          [PAGE_GLOBAL, task] as const,
        ),
      close: async () => {
        await opened.close();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  } catch (error) {
    await browser?.close();
    server.close();
    throw error;
  }
}
