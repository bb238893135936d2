// A setup file: when SEALFLOW_RUNNING_TESTS names a folder, each vitest worker keeps
// `worker-<pid>.txt` there, naming its test file and the test that runs now, written
// synchronously by the worker at each step, so a test that never ends is named even when
// its worker's event loop is blocked. Removed once the file's tests and hooks are done. See
// `running-reporter.ts` for the files, and `scripts/ci-watchdog.mjs` for who reads them.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, afterEach, beforeEach, expect } from 'vitest';

const folder = process.env['SEALFLOW_RUNNING_TESTS'];
if (folder) {
  const file = join(folder, `worker-${process.pid}.txt`);
  const testFile = relative(process.cwd(), expect.getState().testPath ?? '(unknown file)');
  let broken = false;
  const note = (what: string): void => {
    if (broken) return;
    try {
      mkdirSync(folder, { recursive: true });
      writeFileSync(file, `${testFile}: ${what} (since ${new Date().toISOString()})\n`);
    } catch (error) {
      // A diagnostic aid must never fail the tests it watches: say so once, then stop.
      broken = true;
      process.stderr.write(`running-tests: cannot write ${file} (${String(error)}); stopped keeping it\n`);
    }
  };
  note('loading the file, or in a beforeAll hook');
  beforeEach((context) => note(`test "${context.task.fullTestName}"`));
  afterEach(() => note('between tests, or in an afterAll hook'));
  // Hooks run in stack order: this afterAll runs after the file's own, once all is done.
  afterAll(() => {
    if (!broken) rmSync(file, { force: true });
  });
}
