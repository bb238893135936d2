import { availableParallelism, cpus } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sandbox, type CliRun, type CliSandbox } from './support/run-cli.js';

let box: CliSandbox;
beforeEach(async () => {
  box = sandbox();
  expect((await box.run(['keys', 'create', '--alias', 'alias/t'])).code).toBe(0);
  writeFileSync(box.path('in.bin'), 'some bytes');
});
afterEach(() => box.remove());

describe('sealflow --threads above the CPU count', () => {
  it('warns once on stderr, naming the CPU count, and still does the work', async () => {
    const n = Math.min(64, availableParallelism() + 1);
    const run = await box.run([
      'encrypt',
      box.path('in.bin'),
      '-o',
      box.path('m.sealed'),
      '-k',
      'alias/t',
      '--threads',
      String(n),
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr.match(/warning: --threads/g)).toHaveLength(1);
    expect(run.stderr).toContain(`more than this machine's ${availableParallelism()} CPUs`);
    const back = await box.run(['decrypt', box.path('m.sealed'), '--threads', String(n)]);
    expect(back.stdout.toString()).toBe('some bytes');
    expect(back.stderr.match(/warning: --threads/g)).toHaveLength(1);
  });

  it('says nothing at or below the CPU count, or with --quiet', async () => {
    const at = await box.run([
      'encrypt',
      box.path('in.bin'),
      '-o',
      box.path('a.sealed'),
      '-k',
      'alias/t',
      '--threads',
      String(Math.min(64, availableParallelism())),
    ]);
    expect(at.stderr).toBe('');
    const quiet = await box.run([
      '--quiet',
      'encrypt',
      box.path('in.bin'),
      '-o',
      box.path('b.sealed'),
      '-k',
      'alias/t',
      '--threads',
      '64',
    ]);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
  });
});

/** A bench results file as the runner writes it, recorded on this machine unless `machine` says otherwise. */
function benchResults(ratio: number, machine: Partial<{ cpus: number; cpuModel: string }> = {}): string {
  return JSON.stringify({
    generatedAt: '2026-11-28T15:12:15.582Z',
    machine: {
      platform: `${process.platform} ${process.arch}`,
      cpus: availableParallelism(),
      cpuModel: cpus()[0]?.model ?? 'unknown',
      ...machine,
    },
    rows: ['encrypt', 'decrypt'].flatMap((operation) => [
      { suite: 'streams', operation, contestant: 'sealflow', mibPerSecond: 1900 },
      { suite: 'streams', operation, contestant: 'sealflow-workers-2', ratioToSingleThread: ratio },
      { suite: 'messages', operation, contestant: 'sealflow-workers-2', ratioToSingleThread: 1.5 },
    ]),
  });
}

describe('sealflow --threads where the bench measured the pool slower', () => {
  // At or below the CPU count, so only the bench can make it warn (this machine has 2 or more CPUs).
  const n = Math.max(2, Math.min(64, availableParallelism()));
  const write = (text: string): void => {
    mkdirSync(box.path('bench/results'), { recursive: true });
    writeFileSync(box.path('bench/results/latest.json'), text);
  };
  let outputs = 0;
  const encrypt = (): Promise<CliRun> =>
    box.run([
      'encrypt',
      box.path('in.bin'),
      '-o',
      box.path(`m${++outputs}.sealed`),
      '-k',
      'alias/t',
      '--threads',
      String(n),
    ]);

  it('warns once, naming the run, the measured ratio and the results file, and still does the work', async () => {
    expect(availableParallelism()).toBeGreaterThanOrEqual(2);
    write(benchResults(0.46));
    const run = await encrypt();
    expect(run.code).toBe(0);
    expect(run.stderr.match(/warning: --threads/g)).toHaveLength(1);
    expect(run.stderr).toContain(
      `--threads ${n}: the bench run of 2026-11-28 on this machine measured 2 worker threads at 0.46x one thread for streamed encrypt (${box.path('bench/results/latest.json')})`,
    );
    const back = await box.run(['decrypt', box.path(`m${outputs}.sealed`), '--threads', String(n)]);
    expect(back.stdout.toString()).toBe('some bytes');
    expect(back.stderr).toContain('for streamed decrypt');
  });

  it('says nothing when the bench measured the pool faster, or when there is no results file', async () => {
    expect((await encrypt()).stderr).toBe('');
    write(benchResults(1.2));
    expect((await encrypt()).stderr).toBe('');
  });

  it('ignores a run recorded on another machine, and a results file that is not one', async () => {
    write(benchResults(0.46, { cpuModel: 'another CPU' }));
    expect((await encrypt()).stderr).toBe('');
    write(benchResults(0.46, { cpus: availableParallelism() + 8 }));
    expect((await encrypt()).stderr).toBe('');
    write('{"rows": "not rows"');
    expect((await encrypt()).stderr).toBe('');
  });

  it('says nothing with --quiet', async () => {
    write(benchResults(0.46));
    const quiet = await box.run([
      '--quiet',
      'encrypt',
      box.path('in.bin'),
      '-o',
      box.path('q.sealed'),
      '-k',
      'alias/t',
      '--threads',
      String(n),
    ]);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
  });
});
