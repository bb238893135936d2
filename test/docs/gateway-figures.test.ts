// The README's gateway figures are the committed bench run's (bench/results/gateway.json,
// written by `bench --only gateway --check`): re-running the bench without updating the
// README, or editing a figure by hand, fails here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');

interface Row {
  readonly workload: string;
  readonly contestant: string;
  readonly mibPerSecond?: number;
  readonly peakRssOverBaselineMiB?: number;
}
interface Results {
  readonly rows: readonly Row[];
  readonly machine: { readonly loadAverageBefore: readonly number[] };
  readonly targets: readonly { readonly id: string; readonly measured: string; readonly pass: boolean }[];
}
const results = JSON.parse(readFileSync(new URL('bench/results/gateway.json', root), 'utf8')) as Results;

function rate(workload: string, contestant: string): number {
  const row = results.rows.find((r) => r.workload === workload && r.contestant === contestant);
  expect(row?.mibPerSecond, `${workload} ${contestant} in gateway.json`).toBeGreaterThan(0);
  return row?.mibPerSecond as number;
}
const ratio = (op: 'PUT' | 'GET', peer: string, size = '64 MiB'): string =>
  (rate(`${op} ${size}`, 'gateway') / rate(`${op} ${size}`, peer)).toFixed(2);

describe('the README gateway figures', () => {
  it('quote the committed run: 64 MiB PUT / GET against the stand-in and moto, and whether the target was met', () => {
    const met = results.targets.filter((t) => t.id === 'gateway-put-64m' || t.id === 'gateway-get-64m');
    expect(met).toHaveLength(2);
    const verdict = met.every((t) => t.pass) ? 'met' : 'missed';
    expect(readme).toContain(
      `| ${ratio('PUT', 'stand-in')}× / ${ratio('GET', 'stand-in')}× (target 0.7×: ${verdict}) |`,
    );
    expect(readme).toContain(`| ${ratio('PUT', 'moto')}× / ${ratio('GET', 'moto')}× |`);
  });

  it('quote the small-object rows against the stand-in', () => {
    for (const size of ['1 MiB', '1 KiB']) {
      const line = readme.split('\n').find((l) => l.startsWith(`| PUT / GET ${size}, vs the stand-in`));
      expect(line, `the README row for ${size}`).toBeDefined();
      expect(line).toContain(`| ${ratio('PUT', 'stand-in', size)}× / ${ratio('GET', 'stand-in', size)}× |`);
    }
  });

  it('quote its peak RSS and the load it ran under', () => {
    const rss = results.rows.find((r) => r.peakRssOverBaselineMiB !== undefined)?.peakRssOverBaselineMiB;
    expect(rss).toBeDefined();
    expect(readme).toContain(`| ${Math.round(rss as number)} MiB |`);
    expect(readme).toContain(`load average ${results.machine.loadAverageBefore[0]} before`);
  });
});
