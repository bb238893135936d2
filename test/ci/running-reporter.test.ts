// test/setup/running-reporter.ts and running-tests.ts in a real vitest run of a fixture:
// while a hook or a test runs, the worker's file names it; once the run ends, vitest's
// file names the last test file and nothing running. (scripts/ci-watchdog.mjs prints
// them when a run goes quiet.)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const VITEST = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
const FIXTURE = 'test/ci/fixtures/waits.fixture.ts';
const scratch = mkdtempSync(join(tmpdir(), 'sealflow-running-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface FixtureRun {
  readonly exited: Promise<number | null>;
  readonly output: () => string;
}

function runFixture(folder: string, go: string): FixtureRun {
  const child = spawn(
    process.execPath,
    [VITEST, 'run', '--root', ROOT, '--config', 'test/ci/fixtures/vitest.config.ts'],
    {
      cwd: ROOT,
      env: { ...process.env, SEALFLOW_RUNNING_TESTS: folder, FIXTURE_GO: go },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { exited: new Promise((resolve) => child.on('close', resolve)), output: () => output };
}

/** The one worker file's text, once it matches `pattern`. */
async function workerSays(folder: string, pattern: RegExp, run: FixtureRun): Promise<string> {
  const end = Date.now() + 30_000;
  let text = '';
  for (;;) {
    const workers = existsSync(folder) ? readdirSync(folder).filter((f) => f.startsWith('worker-')) : [];
    text = workers.length === 1 ? readFileSync(join(folder, workers[0] as string), 'utf8') : `${workers.length} files`;
    if (pattern.test(text)) return text;
    if (Date.now() > end) throw new Error(`never matched ${pattern}; last: ${text}\nvitest printed: ${run.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

it('names the file in its beforeAll hook, then the running test, and nothing once the run ended', async () => {
  const folder = join(scratch, 'running');
  const go = join(scratch, 'go');
  const run = runFixture(folder, go);

  const hook = await workerSays(folder, /beforeAll/, run);
  expect(hook).toMatch(new RegExp(`^${FIXTURE}: loading the file, or in a beforeAll hook \\(since 20\\d\\d-`));
  writeFileSync(`${go}.hook`, '');

  const test = await workerSays(folder, /test "/, run);
  expect(test).toMatch(new RegExp(`^${FIXTURE}: test "a fixture > waits for its go" \\(since 20\\d\\d-`));
  writeFileSync(`${go}.test`, '');

  expect(await run.exited, run.output()).toBe(0);
  expect(readFileSync(join(folder, 'vitest.txt'), 'utf8')).toBe(`last file ended: ${FIXTURE}\n\n`);
  // The worker removed its file once the fixture's tests and hooks were done.
  expect(readdirSync(folder)).toStrictEqual(['vitest.txt']);
}, 60_000);

it('never fails the run it watches: files it cannot write cost one line on stderr each', async () => {
  const go = join(scratch, 'go-unwritable');
  writeFileSync(`${go}.hook`, '');
  writeFileSync(`${go}.test`, '');
  // A file where the folder should be: nothing can be written under it.
  const folder = join(scratch, 'not-a-folder');
  writeFileSync(folder, '');
  const run = runFixture(folder, go);
  expect(await run.exited, run.output()).toBe(0);
  expect(
    run.output().match(/running-reporter: cannot write .*not-a-folder\/vitest\.txt .*; stopped keeping it/g),
  ).toHaveLength(1);
  expect(
    run.output().match(/running-tests: cannot write .*not-a-folder\/worker-\d+\.txt .*; stopped keeping it/g),
  ).toHaveLength(1);
}, 60_000);
