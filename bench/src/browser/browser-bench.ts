// The browser bench: the size of the browser entry as a user ships it (esbuild, minified,
// gzipped) and the encrypt/decrypt throughput of the page in headless Chromium (times
// measured in the page, Web Streams in and out, raw AES keyring, both suites). Node only
// sets up and checks: the page decrypts what it encrypted, and the plaintext must match.
import { randomBytes } from 'node:crypto';
import { bundleBrowserEntry, MINIMAL_ENTRY, startBrowserHarness } from './harness.js';
import type { PageTask } from './page-task.js';
import { patternMismatch } from './pattern.js';

const MiB = 1024 * 1024;

export interface BrowserBenchRow {
  readonly suite: '0x0478' | '0x0578';
  readonly operation: 'encrypt' | 'decrypt';
  /** Plaintext MiB per run. */
  readonly mib: number;
  /** Best run, milliseconds (performance.now() in the page). */
  readonly ms: number;
  /** Plaintext MiB per second of the best run. */
  readonly mibPerSecond: number;
}

export interface BrowserBenchReport {
  readonly browser: string;
  readonly node: string;
  readonly date: string;
  /** The whole browser entry (`export * from '@sealflow/core'`), minified. */
  readonly bundle: { readonly bytes: number; readonly gzipBytes: number };
  /** Only `createEngine` and `RawAesKeyStore`, minified (what tree shaking leaves). */
  readonly minimalBundle: { readonly bytes: number; readonly gzipBytes: number };
  readonly runs: number;
  readonly rows: readonly BrowserBenchRow[];
}

export interface BrowserBenchOptions {
  readonly sizeMiB: number;
  readonly runs: number;
}

/**
 * Runs the browser bench.
 * @throws {Error} when chromium is missing or a round trip does not give the plaintext back.
 */
export async function runBrowserBench(options: BrowserBenchOptions): Promise<BrowserBenchReport> {
  const bundle = await bundleBrowserEntry();
  const minimal = await bundleBrowserEntry(MINIMAL_ENTRY);
  const harness = await startBrowserHarness();
  const rows: BrowserBenchRow[] = [];
  const size = Math.round(options.sizeMiB * MiB);
  try {
    const base = {
      store: 'raw-aes',
      aesKey: randomBytes(32).toString('base64'),
      context: { bench: 'browser' },
    } as const;
    for (const suite of [0x0478, 0x0578] as const) {
      const label = suite === 0x0478 ? '0x0478' : '0x0578';
      let encryptMs = Infinity;
      let decryptMs = Infinity;
      for (let run = 0; run < options.runs; run++) {
        const sealed = `/blob/bench-${suite}`;
        const plain = `/blob/bench-plain-${suite}`;
        const encrypt: PageTask = { ...base, op: 'encrypt', suite, size, chunkSize: MiB, upload: sealed };
        encryptMs = Math.min(encryptMs, (await harness.run(encrypt)).ms);
        decryptMs = Math.min(
          decryptMs,
          (await harness.run({ ...base, op: 'decrypt', suite, source: sealed, upload: plain })).ms,
        );
        const mismatch = patternMismatch(harness.blobs.get(plain) ?? new Uint8Array(0), size);
        if (mismatch !== -1) throw new Error(`browser bench: suite ${label} round trip differs at byte ${mismatch}`);
        harness.blobs.clear();
      }
      const mib = size / MiB;
      rows.push({ suite: label, operation: 'encrypt', mib, ms: encryptMs, mibPerSecond: mib / (encryptMs / 1000) });
      rows.push({ suite: label, operation: 'decrypt', mib, ms: decryptMs, mibPerSecond: mib / (decryptMs / 1000) });
    }
    return {
      browser: `Chromium ${harness.browserVersion} (headless, Debian package)`,
      node: process.version,
      date: new Date().toISOString().slice(0, 10),
      bundle: { bytes: bundle.bytes, gzipBytes: bundle.gzipBytes },
      minimalBundle: { bytes: minimal.bytes, gzipBytes: minimal.gzipBytes },
      runs: options.runs,
      rows,
    };
  } finally {
    await harness.close();
  }
}

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

/** The README section for a report. */
export function browserMarkdown(report: BrowserBenchReport): string {
  const lines = [
    `Measured ${report.date} in ${report.browser}, driven from Node ${report.node}; best of ${report.runs} run(s).`,
    '',
    '| Browser entry bundle (esbuild 0.28.2, platform browser, ESM) | Minified | Minified + gzip -9 |',
    '| --- | ---: | ---: |',
    `| all of it: \`export * from '@sealflow/core'\` | ${kib(report.bundle.bytes)} | ${kib(report.bundle.gzipBytes)} |`,
    `| \`createEngine\` and \`RawAesKeyStore\` only | ${kib(report.minimalBundle.bytes)} | ${kib(report.minimalBundle.gzipBytes)} |`,
    '',
    '| Suite | Operation | Plaintext | Time in the page | Throughput |',
    '| --- | --- | ---: | ---: | ---: |',
    ...report.rows.map(
      (row) =>
        `| ${row.suite} | ${row.operation} | ${row.mib} MiB | ${row.ms.toFixed(0)} ms | ${row.mibPerSecond.toFixed(1)} MiB/s |`,
    ),
  ];
  return lines.join('\n');
}

export const BROWSER_START = '<!-- bench:browser:start -->';
export const BROWSER_END = '<!-- bench:browser:end -->';

/** `document` with the section between the browser markers replaced (appended when absent). */
export function replaceBrowserSection(document: string, block: string): string {
  const start = document.indexOf(BROWSER_START);
  const end = document.indexOf(BROWSER_END);
  const wrapped = `${BROWSER_START}\n${block}\n${BROWSER_END}`;
  if (start === -1 || end === -1 || end < start) return `${document.trimEnd()}\n\n${wrapped}\n`;
  return `${document.slice(0, start)}${wrapped}${document.slice(end + BROWSER_END.length)}`;
}
