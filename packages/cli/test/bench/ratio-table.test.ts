import { describe, expect, it } from 'vitest';
import { parseRatioReport, renderRatioTable } from '../../src/bench/ratio-table.js';

describe('parseRatioReport', () => {
  it('keeps message and stream rows that carry a ratio, with only the fields it knows', () => {
    const report = parseRatioReport(
      JSON.stringify({
        mode: 'full',
        machine: { effectiveCores: 2 },
        rows: [
          {
            suite: 'streams',
            workload: 'decrypt 1 GiB',
            contestant: 'sealflow-node',
            mibPerSecond: 900,
            ratioToRaw: 0.9,
            extra: 'ignored',
          },
          { suite: 'messages', workload: 'no ratios', contestant: 'x', mibPerSecond: 1 },
          { suite: 'memory', workload: 'rss', contestant: 'y', ratioToRaw: 1 },
        ],
      }),
    );
    expect(report).toEqual({
      mode: 'full',
      effectiveCores: 2,
      rows: [
        {
          suite: 'streams',
          workload: 'decrypt 1 GiB',
          contestant: 'sealflow-node',
          mibPerSecond: 900,
          ratioToRaw: 0.9,
          ratioToClientNode: undefined,
          ratioToSingleThread: undefined,
        },
      ],
    });
  });

  it('treats the file as untrusted: not JSON, not a report, or rows of the wrong types', () => {
    expect(parseRatioReport('not json')).toBeUndefined();
    expect(parseRatioReport('[1,2]')).toBeUndefined();
    expect(parseRatioReport('{"rows": 5}')).toBeUndefined();
    const odd = parseRatioReport(
      JSON.stringify({
        rows: [
          null,
          7,
          { suite: 'messages', workload: 1, contestant: 'c', ratioToRaw: 1 },
          { suite: 'messages', workload: 'w', contestant: 'c', ratioToRaw: 'fast' },
        ],
      }),
    );
    expect(odd?.rows).toEqual([]);
  });
});

describe('renderRatioTable', () => {
  it('aligns a header and one line per row, with dashes for missing ratios', () => {
    const text = renderRatioTable({
      mode: 'quick',
      effectiveCores: undefined,
      rows: [
        {
          suite: 'messages',
          workload: 'encrypt 1 MiB',
          contestant: 'sealflow-node',
          mibPerSecond: 812.6,
          ratioToRaw: 0.951,
          ratioToClientNode: undefined,
          ratioToSingleThread: undefined,
        },
      ],
    });
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('ratio table (quick run; higher is better)');
    expect(lines[1]).toMatch(/^workload\s+contestant\s+MiB\/s\s+vs node:crypto\s+vs client-node\s+vs 1 thread$/);
    expect(lines[2]).toMatch(/^messages: encrypt 1 MiB\s+sealflow-node\s+813\s+0\.95x\s+-\s+-$/);
  });

  it('says so when there is nothing to show', () => {
    expect(renderRatioTable({ mode: 'quick', effectiveCores: 1, rows: [] })).toMatch(/no rows with ratios/);
  });
});
