import { mkdirSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorCode, sandbox, type CliSandbox } from './support/run-cli.js';

let box: CliSandbox;
let runner: string;
beforeEach(() => {
  box = sandbox();
  // A stand-in runner laid out like bench/ (dist/run.js, results/latest.json): the real one
  // takes minutes and has its own tests.
  mkdirSync(box.path('bench/dist'), { recursive: true });
  runner = box.path('bench/dist/run.mjs');
  const report = {
    mode: 'quick',
    machine: { effectiveCores: 1.9 },
    rows: [
      {
        suite: 'messages',
        workload: 'encrypt 64 MiB, 64 KiB frames',
        contestant: 'sealflow-node',
        mibPerSecond: 1500.4,
        ratioToRaw: 0.93,
        ratioToClientNode: 2.1,
      },
      {
        suite: 'messages',
        workload: 'encrypt 64 MiB, 64 KiB frames',
        contestant: 'sealflow-workers-2',
        mibPerSecond: 2400,
        ratioToSingleThread: 1.6,
      },
      { suite: 'objects', workload: '10000 x 1 KiB', contestant: 'sealflow-bucket-keys', opsPerSecond: 9000 },
    ],
  };
  writeFileSync(
    runner,
    [
      "import { mkdirSync, writeFileSync } from 'node:fs';",
      'process.stdout.write(`args ${JSON.stringify(process.argv.slice(2))}\\n`);',
      "process.stderr.write('cross-check: ok\\n');",
      "mkdirSync(new URL('../results/', import.meta.url), { recursive: true });",
      `writeFileSync(new URL('../results/latest.json', import.meta.url), ${JSON.stringify(JSON.stringify(report))});`,
      'process.exitCode = Number(process.env.RUNNER_EXIT ?? 0);',
    ].join('\n'),
  );
});
afterEach(() => box.remove());

describe('sealflow bench', () => {
  it('runs the bench runner with --quick, passes its output through, then prints the ratio table from its results', async () => {
    const run = await box.run(['bench'], { env: { SEALFLOW_BENCH_RUNNER: runner } });
    expect(run.code).toBe(0);
    const out = run.stdout.toString();
    expect(out).toContain('args ["--quick"]');
    expect(run.stderr).toContain('cross-check: ok');
    expect(out).toMatch(/ratio table \(quick run, 1\.9 effective cores/);
    expect(out).toMatch(/messages: encrypt 64 MiB, 64 KiB frames\s+sealflow-node\s+1500\s+0\.93x\s+2\.10x\s+-/);
    expect(out).toMatch(/sealflow-workers-2\s+2400\s+-\s+-\s+1\.60x/);
    expect(out).not.toContain('sealflow-bucket-keys');
  });

  it('--full drops --quick; --check is passed on, and the runner exit code becomes the CLI exit code', async () => {
    const run = await box.run(['bench', '--full', '--check'], {
      env: { SEALFLOW_BENCH_RUNNER: runner, RUNNER_EXIT: '1' },
    });
    expect(run.stdout.toString()).toContain('args ["--check"]');
    expect(run.stdout.toString()).toContain('ratio table');
    expect(run.code).toBe(1);
    expect(run.stderr).not.toMatch(/^sealflow: /m);
  });

  it('a missing runner fails with ENOENT (exit 4) and says how to get it', async () => {
    const run = await box.run(['bench'], { env: { SEALFLOW_BENCH_RUNNER: box.path('absent.mjs') } });
    expect(run.code).toBe(4);
    expect(errorCode(run)).toBe('ENOENT');
    expect(run.stderr).toContain('npm run setup');
  });
});
