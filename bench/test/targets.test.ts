// `--check` holds bucket-key layout 2 to >= 90% of layout 1's encrypt ops/s, same run.
import { describe, expect, it } from 'vitest';
import type { MachineInfo, ResultRow } from '../src/results.js';
import { evaluateTargets } from '../src/targets.js';

const machine: MachineInfo = {
  node: 'v20',
  platform: 'linux',
  cpus: 2,
  cpuModel: 'test',
  loadAverageBefore: [],
  loadAverageAfter: [],
  effectiveCores: 2,
  openssl: undefined,
};
const row = (contestant: string, opsPerSecond: number): ResultRow => ({
  suite: 'objects',
  workload: 'encrypt 1 KiB objects through KMS (warm)',
  operation: 'encrypt',
  bytes: 1024,
  frameLength: undefined,
  contestant,
  mibPerSecond: undefined,
  opsPerSecond,
  samples: 1000,
});
const layoutCheck = (layout2: number, layout1: number) =>
  evaluateTargets(
    [row('sealflow-bucket-key', layout2), row('sealflow-bucket-key-layout-1', layout1)],
    machine,
    '64 MiB',
    '1 GiB',
    new Map(),
  ).find((t) => t.id === 'bucket-key-layout-2-vs-layout-1');

describe('the bucket-key layout target', () => {
  it('passes at 90% and above, and says by how much it misses below', () => {
    expect(layoutCheck(9000, 10_000)).toMatchObject({ pass: true, measured: '90%', required: '>= 90%' });
    expect(layoutCheck(8500, 10_000)).toMatchObject({ pass: false, measured: '85%', shortfall: '5 points short' });
  });

  it('is "not measured" when a run lacks either row', () => {
    const [only] = evaluateTargets([row('sealflow-bucket-key', 1)], machine, '64 MiB', '1 GiB', new Map()).filter(
      (t) => t.id === 'bucket-key-layout-2-vs-layout-1',
    );
    expect(only).toMatchObject({ pass: false, measured: 'not measured' });
  });
});
