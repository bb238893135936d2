import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

/**
 * When SEALFLOW_RUNNING_TESTS names a folder (`scripts/ci-watchdog.mjs` sets it, and
 * prints the folder if the run goes quiet), keeps `vitest.txt` there: the test files
 * running now and the last one that ended. Which test inside a file runs is kept by the
 * worker itself (`running-tests.ts`): vitest's runner holds back test and hook events
 * (throttled), so a reporter can miss the start of the one that hangs. Does nothing
 * without the variable, and stops (one line on stderr) if the file cannot be written.
 */
export default class RunningReporter implements Reporter {
  #file = process.env['SEALFLOW_RUNNING_TESTS'] && join(process.env['SEALFLOW_RUNNING_TESTS'], 'vitest.txt');
  readonly #running = new Map<string, number>();
  #lastEnded = '(none yet)';

  onTestModuleStart(module: TestModule): void {
    this.#running.set(this.#name(module), Date.now());
    this.#write();
  }

  onTestModuleEnd(module: TestModule): void {
    this.#running.delete(this.#name(module));
    this.#lastEnded = this.#name(module);
    this.#write();
  }

  #name(module: TestModule): string {
    return relative(process.cwd(), module.moduleId);
  }

  #write(): void {
    if (!this.#file) return;
    const lines = [...this.#running].map(
      ([name, since]) => `${name}: running (since ${new Date(since).toISOString()})`,
    );
    try {
      mkdirSync(join(this.#file, '..'), { recursive: true });
      writeFileSync(this.#file, `last file ended: ${this.#lastEnded}\n${lines.join('\n')}\n`);
    } catch (error) {
      // A diagnostic aid must never fail the run it watches: say so once, then stop.
      process.stderr.write(`running-reporter: cannot write ${this.#file} (${String(error)}); stopped keeping it\n`);
      this.#file = undefined;
    }
  }
}
