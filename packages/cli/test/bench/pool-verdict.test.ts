import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { poolSlowerVerdict, readPoolSlowerVerdict, type MachineIdentity } from '../../src/bench/pool-verdict.js';

const HERE: MachineIdentity = { platform: 'linux x64', cpus: 4, cpuModel: 'Example CPU' };

function report(rows: unknown[], machine: unknown = HERE): string {
  return JSON.stringify({ generatedAt: '2026-11-28T15:12:15.582Z', machine, rows });
}
const streamRow = (operation: string, workers: number, ratio: unknown): unknown => ({
  suite: 'streams',
  operation,
  contestant: `sealflow-workers-${workers}`,
  ratioToSingleThread: ratio,
});

describe('poolSlowerVerdict', () => {
  it('reports the streams ratio for the operation when it is below one thread', () => {
    const text = report([streamRow('encrypt', 2, 0.46), streamRow('decrypt', 2, 0.61)]);
    expect(poolSlowerVerdict(text, 'encrypt', 2, HERE)).toEqual({ ratio: 0.46, workers: 2, generatedAt: '2026-11-28' });
    expect(poolSlowerVerdict(text, 'decrypt', 2, HERE)?.ratio).toBe(0.61);
  });

  it('is undefined when the pool was as fast as one thread or faster', () => {
    expect(poolSlowerVerdict(report([streamRow('encrypt', 2, 1)]), 'encrypt', 2, HERE)).toBeUndefined();
    expect(poolSlowerVerdict(report([streamRow('encrypt', 2, 1.3)]), 'encrypt', 2, HERE)).toBeUndefined();
  });

  it('uses the measured worker count nearest the requested threads', () => {
    const text = report([streamRow('encrypt', 2, 0.5), streamRow('encrypt', 4, 1.4)]);
    expect(poolSlowerVerdict(text, 'encrypt', 4, HERE)).toBeUndefined();
    expect(poolSlowerVerdict(text, 'encrypt', 3, HERE)?.workers).toBe(2); // tie: the slower
    expect(poolSlowerVerdict(text, 'encrypt', 2, HERE)?.workers).toBe(2);
  });

  it('ignores the messages suite, other contestants and malformed ratios', () => {
    const text = report([
      { suite: 'messages', operation: 'encrypt', contestant: 'sealflow-workers-2', ratioToSingleThread: 0.2 },
      { suite: 'streams', operation: 'encrypt', contestant: 'sealflow-subtle', ratioToSingleThread: 0.2 },
      streamRow('encrypt', 2, 'slow'),
      streamRow('encrypt', 2, -1),
      null,
    ]);
    expect(poolSlowerVerdict(text, 'encrypt', 2, HERE)).toBeUndefined();
  });

  it('counts only a run recorded on this kind of machine', () => {
    const rows = [streamRow('encrypt', 2, 0.46)];
    expect(poolSlowerVerdict(report(rows, { ...HERE, cpus: 8 }), 'encrypt', 2, HERE)).toBeUndefined();
    expect(poolSlowerVerdict(report(rows, { ...HERE, cpuModel: 'Other' }), 'encrypt', 2, HERE)).toBeUndefined();
    expect(poolSlowerVerdict(report(rows, { ...HERE, platform: 'darwin arm64' }), 'encrypt', 2, HERE)).toBeUndefined();
    expect(poolSlowerVerdict(report(rows, null), 'encrypt', 2, HERE)).toBeUndefined();
  });

  it('is undefined for text that is not a results file', () => {
    for (const text of ['', 'not json', '[]', '{"rows": {}}', JSON.stringify({ machine: HERE })]) {
      expect(poolSlowerVerdict(text, 'encrypt', 2, HERE), text).toBeUndefined();
    }
  });
});

describe('readPoolSlowerVerdict', () => {
  it('reads the file, and gives undefined for a missing one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sealflow-pool-verdict-'));
    try {
      const file = join(dir, 'latest.json');
      expect(readPoolSlowerVerdict(file, 'encrypt', 2, HERE)).toBeUndefined();
      writeFileSync(file, report([streamRow('encrypt', 2, 0.46)]));
      expect(readPoolSlowerVerdict(file, 'encrypt', 2, HERE)?.ratio).toBe(0.46);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
