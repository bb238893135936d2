// The browser bench script's output shape (no timing assertions): one small run of
// bench/dist/browser/run.js in headless Chromium, its JSON report, and the README section
// rendered from it.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  BROWSER_END,
  BROWSER_START,
  browserMarkdown,
  replaceBrowserSection,
  type BrowserBenchReport,
} from '../src/browser/browser-bench.js';

const SCRIPT = fileURLToPath(new URL('../dist/browser/run.js', import.meta.url));

describe('bench/browser run.js', () => {
  it('prints a report with the bundle size and a row per suite and operation', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [SCRIPT, '--mib', '1', '--runs', '1'], {
      timeout: 120_000,
    });
    const report = JSON.parse(stdout) as BrowserBenchReport;
    expect(report.browser).toMatch(/^Chromium \d+\./);
    expect(report.bundle.bytes).toBeGreaterThan(report.bundle.gzipBytes);
    expect(report.bundle.gzipBytes).toBeGreaterThan(0);
    expect(report.minimalBundle.bytes).toBeLessThan(report.bundle.bytes);
    expect(report.minimalBundle.gzipBytes).toBeLessThan(report.minimalBundle.bytes);
    expect(report.rows.map((row) => `${row.suite} ${row.operation}`)).toEqual([
      '0x0478 encrypt',
      '0x0478 decrypt',
      '0x0578 encrypt',
      '0x0578 decrypt',
    ]);
    for (const row of report.rows) {
      expect(row.mib).toBe(1);
      expect(Number.isFinite(row.mibPerSecond) && row.mibPerSecond > 0).toBe(true);
    }

    const section = browserMarkdown(report);
    expect(section).toContain('| Minified + gzip -9 |');
    expect(section).toContain("| all of it: `export * from '@sealflow/core'` |");
    expect(section.split('\n').filter((line) => /^\| 0x0[45]78 \|/.test(line))).toHaveLength(4);
    const readme = replaceBrowserSection(`# bench\n\n${BROWSER_START}\nold\n${BROWSER_END}\n\ntail\n`, section);
    expect(readme).toBe(`# bench\n\n${BROWSER_START}\n${section}\n${BROWSER_END}\n\ntail\n`);
  });
});
