// test/setup/running-reporter.ts in a real vitest run of a fixture: while a hook or a test
// runs, the file it keeps names it; once the run ends, it names the last file and nothing
// running. (scripts/ci-watchdog.mjs prints that file when a run goes quiet.)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'sealflow-running-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function until(read: () => string, pattern: RegExp): Promise<string> {
  const end = Date.now() + 30_000;
  for (;;) {
    const text = read();
    if (pattern.test(text)) return text;
    if (Date.now() > end) throw new Error(`never matched ${pattern}; last: ${text}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

it('names the hook, then the test, that runs right now, and nothing once the run ended', async () => {
  const running = join(scratch, 'running.txt');
  const go = join(scratch, 'go');
  const vitest = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
  const child = spawn(
    process.execPath,
    [vitest, 'run', '--root', ROOT, '--config', 'test/ci/fixtures/vitest.config.ts'],
    {
      cwd: ROOT,
      env: { ...process.env, SEALFLOW_RUNNING_TESTS: running, FIXTURE_GO: go },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const read = (): string => (existsSync(running) ? readFileSync(running, 'utf8') : '');

  const fixture = 'test/ci/fixtures/waits.fixture.ts';
  const hook = await until(read, /beforeAll hook/);
  expect(hook).toContain(`${fixture}: "a fixture": beforeAll hook (since 20`);
  expect(hook).toContain(`${fixture}: running (since`);
  expect(hook).not.toContain('test "');
  writeFileSync(`${go}.hook`, '');

  const test = await until(read, /test "/);
  expect(test).toContain(`${fixture}: test "a fixture > waits for its go" (since 20`);
  expect(test).not.toContain('beforeAll hook');
  writeFileSync(`${go}.test`, '');

  expect(await exited, output).toBe(0);
  expect(read()).toBe(`last file ended: ${fixture}\n\n`);
}, 60_000);
