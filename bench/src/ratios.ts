import type { ResultRow } from './results.js';

const rate = (row: ResultRow): number | undefined => row.mibPerSecond ?? row.opsPerSecond;

/**
 * Fills the ratio columns: each row's throughput over raw node:crypto, over client-node
 * (for the object suite: over client-node with its caching CMM when the row is sealflow
 * with bucket keys, else over client-node), and, for parallel contestants, over the
 * single-thread engine, all within the same suite, workload and operation.
 */
export function fillRatios(rows: ResultRow[]): void {
  const key = (row: ResultRow): string => `${row.suite}|${row.workload}|${row.operation}`;
  const groups = new Map<string, ResultRow[]>();
  for (const row of rows) {
    const list = groups.get(key(row)) ?? [];
    list.push(row);
    groups.set(key(row), list);
  }
  for (const group of groups.values()) {
    const find = (name: string): number | undefined => {
      const found = group.find((r) => r.contestant === name);
      return found === undefined ? undefined : rate(found);
    };
    const raw = find('raw-node');
    const single = find('sealflow');
    for (const row of group) {
      const mine = rate(row);
      if (mine === undefined) continue;
      const peerName = row.contestant.startsWith('sealflow-bucket-key') ? 'client-node-caching-cmm' : 'client-node';
      const peer = find(peerName);
      if (raw !== undefined) row.ratioToRaw = mine / raw;
      if (peer !== undefined) row.ratioToClientNode = mine / peer;
      if (single !== undefined && row.contestant.startsWith('sealflow-')) row.ratioToSingleThread = mine / single;
    }
  }
}
