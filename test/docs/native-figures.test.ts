// The bench README's narrative of the native suite quotes the committed run
// (bench/results/native.json, written by `bench --only native --check`): re-running the
// suite without updating the narrative, or editing a figure by hand, fails here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
// Line breaks and indentation are the Markdown's wrapping, not part of a phrase.
const readme = readFileSync(new URL('bench/README.md', root), 'utf8').replace(/\s+/g, ' ');

interface Results {
  readonly generatedAt: string;
  readonly machine: { readonly loadAverageBefore: readonly number[]; readonly loadAverageAfter: readonly number[] };
  readonly rows: readonly { readonly contestant: string; readonly peakRssOverBaselineMiB?: number }[];
  readonly targets: readonly { readonly id: string; readonly measured: string }[];
}
const results = JSON.parse(readFileSync(new URL('bench/results/native.json', root), 'utf8')) as Results;

/** A target's measured ratio, as the narrative rounds it. */
function ratio(id: string, digits: number): string {
  const target = results.targets.find((t) => t.id === id);
  const value = Number.parseFloat(target?.measured ?? 'NaN');
  expect(value, `${id} in native.json`).toBeGreaterThan(0);
  return `${value.toFixed(digits)}x`;
}

function rss(contestant: string): string {
  const row = results.rows.find((r) => r.contestant === contestant && r.peakRssOverBaselineMiB !== undefined);
  expect(row, `${contestant} RSS row in native.json`).toBeDefined();
  return `+${(row?.peakRssOverBaselineMiB as number).toFixed(1)} MiB`;
}

describe('the bench README native-suite narrative', () => {
  it('names the committed run by its time and load', () => {
    const at = results.generatedAt.slice(0, 16).replace('T', ' ');
    const [before] = results.machine.loadAverageBefore;
    const [after] = results.machine.loadAverageAfter;
    expect(readme).toContain(`**Committed run: ${at} UTC, load average ${before} before and ${after} after.**`);
  });

  it("quotes that run's ratios and peak RSS", () => {
    const phrases = [
      `one-shot 64 KiB frames ${ratio('native-client-node-65536-encrypt', 1)} encrypt / ${ratio('native-client-node-65536-decrypt', 1)} decrypt`,
      `4 KiB frames ${ratio('native-client-node-4096-encrypt', 0)} / ${ratio('native-client-node-4096-decrypt', 0)}`,
      `64 MiB one-shot into a reused output ${ratio('native-raw-64 MiB one-shot (reused output)', 1)}`,
      `1 GiB stream ${ratio('native-raw-1 GiB stream', 2)}`,
      `one-shot ${ratio('native-openssl-64 MiB one-shot (reused output)', 2)}`,
      `stream ${ratio('native-openssl-1 GiB stream', 2)}`,
      `one-shot**: encrypt ${ratio('native-threads-one-shot-encrypt', 2)} [`,
      `decrypt ${ratio('native-threads-one-shot-decrypt', 2)} [`,
      `streams**: encrypt ${ratio('native-threads-stream-encrypt', 2)} [`,
      `decrypt ${ratio('native-threads-stream-decrypt', 2)} [`,
      `one thread ${rss('sealflow-native')}`,
      `2 native threads ${rss('sealflow-native-2')}`,
    ];
    for (const phrase of phrases) expect(readme, phrase).toContain(phrase);
  });
});
