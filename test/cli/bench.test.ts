import { writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorCode, sandbox, type CliSandbox } from './support/run-cli.js';

let box: CliSandbox;
beforeEach(() => {
  box = sandbox();
  // A stand-in runner: the real one takes minutes (bench/ has its own tests).
  writeFileSync(
    box.path('runner.mjs'),
    [
      "process.stdout.write(`args ${JSON.stringify(process.argv.slice(2))}\\n`);",
      "process.stdout.write('| contestant | ratio vs node:crypto |\\n| sealflow | 0.93 |\\n');",
      "process.stderr.write('cross-check: ok\\n');",
      "process.exitCode = Number(process.env.RUNNER_EXIT ?? 0);",
    ].join('\n'),
  );
});
afterEach(() => box.remove());

describe('sealflow bench', () => {
  it('runs the bench runner with --quick and passes its ratio table through', async () => {
    const run = await box.run(['bench'], { env: { SEALFLOW_BENCH_RUNNER: box.path('runner.mjs') } });
    expect(run.code).toBe(0);
    expect(run.stdout.toString()).toContain('args ["--quick"]');
    expect(run.stdout.toString()).toContain('| sealflow | 0.93 |');
    expect(run.stderr).toContain('cross-check: ok');
  });

  it('--full drops --quick; --check is passed on, and the runner exit code becomes the CLI exit code', async () => {
    const run = await box.run(['bench', '--full', '--check'], { env: { SEALFLOW_BENCH_RUNNER: box.path('runner.mjs'), RUNNER_EXIT: '3' } });
    expect(run.stdout.toString()).toContain('args ["--check"]');
    expect(run.code).toBe(3);
    expect(run.stderr).not.toMatch(/^sealflow: /m);
  });

  it('a missing runner fails with ENOENT (exit 4) and says how to get it', async () => {
    const run = await box.run(['bench'], { env: { SEALFLOW_BENCH_RUNNER: box.path('absent.mjs') } });
    expect(run.code).toBe(4);
    expect(errorCode(run)).toBe('ENOENT');
    expect(run.stderr).toContain('npm run setup');
  });
});
