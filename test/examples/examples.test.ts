// examples/: each program compiles under the repo's strict tsconfig and runs against the
// built packages, as a user runs it (`npx tsc -p examples && node examples/dist/X.js`).
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireMoto } from '../setup/required-services.js';

const exec = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const EXAMPLES = join(ROOT, 'examples');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

async function runExample(name: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const { stdout } = await exec(process.execPath, [join(EXAMPLES, 'dist', `${name}.js`), ...args], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    timeout: 60_000,
  });
  return stdout;
}

beforeAll(async () => {
  await exec(process.execPath, [TSC, '-p', join(EXAMPLES, 'tsconfig.json')], { cwd: ROOT });
  // The browser page's script is typechecked against the DOM and core's browser entry.
  await exec(process.execPath, [TSC, '-p', join(EXAMPLES, 'browser', 'tsconfig.json')], { cwd: ROOT });
}, 120_000);

describe('examples/', () => {
  it('every example is under 80 lines and has a compiled program', () => {
    const sources = readdirSync(EXAMPLES).filter((f) => f.endsWith('.ts'));
    expect(sources.sort()).toEqual([
      'aws-kms-endpoint.ts',
      'browser-page.ts',
      'bucket-key-upload.ts',
      'encrypt-files.ts',
      'xks-proxy-and-client.ts',
    ]);
    for (const file of sources) {
      expect(readFileSync(join(EXAMPLES, file), 'utf8').split('\n').length, file).toBeLessThan(80);
      expect(readdirSync(join(EXAMPLES, 'dist'))).toContain(file.replace(/\.ts$/, '.js'));
    }
    expect(readFileSync(join(EXAMPLES, 'browser', 'page.ts'), 'utf8').split('\n').length).toBeLessThan(80);
  });

  it('encrypt-files: a file round trip through the in-process KMS file store, and a range read', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'sealflow-example-test-'));
    try {
      const out = await runExample('encrypt-files', [folder]);
      expect(out).toContain('a.txt.sealed: context {"file":"a.txt"}');
      expect(out).toContain('a.txt round trip: identical');
      expect(out).toContain('b.txt bytes [7, 20): "hello sealflo"');
      expect(readdirSync(folder)).toEqual(expect.arrayContaining(['kms.json', 'a.txt.sealed', 'b.txt.sealed']));
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 60_000);

  it('bucket-key-upload: 20 streamed uploads make one GenerateDataKey call', async () => {
    const out = await runExample('bucket-key-upload');
    expect(out).toContain('img-7.jpg: image 7 part two the end');
    expect(out).toContain('20 uploads, 1 GenerateDataKey call(s); bucket-key hits 19');
  }, 60_000);

  it('xks-proxy-and-client: a round trip through a real proxy on a loopback socket', async () => {
    const out = await runExample('xks-proxy-and-client');
    expect(out).toMatch(/XKS proxy listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(out).toContain('round trip through the proxy: {"order":1001,"total":12.5}');
  }, 60_000);

  it('aws-kms-endpoint: AWS KMS through an endpoint (moto), decrypted in discovery mode', async () => {
    const out = await runExample('aws-kms-endpoint', [], {
      KMS_ENDPOINT: requireMoto(),
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDSEALFLOWTEST',
      AWS_SECRET_ACCESS_KEY: 'sealflow-test-secret',
    });
    expect(out).toMatch(/sealed \d+ bytes under arn:aws:kms:eu-west-1:\d{12}:key\//);
    expect(out).toContain('decrypted: "quarter,revenue\\nq4,42\\n"');
  }, 60_000);

  it('browser-page: the page seals and opens a file in headless Chromium; the message is ESDK v2', async () => {
    const chromiumPath = process.env['SEALFLOW_CHROMIUM'] ?? '/usr/bin/chromium';
    if (!existsSync(chromiumPath))
      throw new Error(`chromium not found at ${chromiumPath}: run scripts/install-chromium.sh as root`);
    const server = spawn(process.execPath, [join(EXAMPLES, 'dist', 'browser-page.js')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
    try {
      let printed = '';
      server.stdout.setEncoding('utf8');
      while (!/open (http:\S+)/.test(printed)) {
        const [chunk] = (await once(server.stdout, 'data')) as [string];
        printed += chunk;
      }
      expect(printed).toMatch(/page bundle: [\d.]+ KiB/);
      const url = /open (http:\S+)/.exec(printed)?.[1] ?? '';
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(url);
      const picked = Buffer.from('a file the user picked\n'.repeat(10_000));
      await page.setInputFiles('#file', { name: 'picked.txt', mimeType: 'text/plain', buffer: picked });
      await page.locator('#output', { hasText: 'opened again' }).waitFor();
      const text = await page.textContent('#output');
      expect(text).toContain(`picked.txt: ${picked.length} bytes sealed into`);
      expect(text).toContain('opened again: identical');
      // What the page wrote starts as an ESDK v2 message of suite 0x0478.
      const sealed = Buffer.from((await page.getAttribute('#output', 'data-sealed')) ?? '', 'base64');
      expect([...sealed.subarray(0, 3)]).toEqual([0x02, 0x04, 0x78]);
      await page.click('#sample');
      await page.locator('#output', { hasText: /^sample\.csv/ }).waitFor();
      expect(await page.textContent('#output')).toContain('opened again: identical');
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      server.kill();
    }
  }, 90_000);
});
