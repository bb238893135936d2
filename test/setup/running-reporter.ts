import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Reporter, ReportedHookContext, TestCase, TestModule } from 'vitest/node';

/**
 * Keeps a file listing what runs right now (test files, their tests and hooks, each with
 * its start time) when SEALFLOW_RUNNING_TESTS names one: `scripts/ci-watchdog.mjs` sets it
 * and prints the file if the run goes quiet, so a hang names its test. Does nothing
 * otherwise.
 */
export default class RunningReporter implements Reporter {
  readonly #file = process.env['SEALFLOW_RUNNING_TESTS'];
  readonly #running = new Map<string, number>();
  #lastEnded = '(none yet)';

  onTestModuleQueued(module: TestModule): void {
    this.#set(`${this.#name(module)}: queued (loading)`);
  }

  onTestModuleStart(module: TestModule): void {
    this.#drop(`${this.#name(module)}: queued (loading)`);
    this.#set(`${this.#name(module)}: running`);
  }

  onTestModuleEnd(module: TestModule): void {
    const name = this.#name(module);
    for (const key of [...this.#running.keys()]) if (key.startsWith(`${name}:`)) this.#running.delete(key);
    this.#lastEnded = name;
    this.#write();
  }

  onTestCaseReady(test: TestCase): void {
    this.#set(this.#test(test));
  }

  onTestCaseResult(test: TestCase): void {
    this.#drop(this.#test(test));
  }

  onHookStart(hook: ReportedHookContext): void {
    this.#set(this.#hook(hook));
  }

  onHookEnd(hook: ReportedHookContext): void {
    this.#drop(this.#hook(hook));
  }

  #name(module: TestModule): string {
    return relative(process.cwd(), module.moduleId);
  }

  #test(test: TestCase): string {
    return `${this.#name(test.module)}: test "${test.fullName}"`;
  }

  #hook(hook: ReportedHookContext): string {
    const entity = hook.entity;
    const where = entity.type === 'module' ? this.#name(entity) : `${this.#name(entity.module)}: "${entity.fullName}"`;
    return `${where}: ${hook.name} hook`;
  }

  #set(key: string): void {
    this.#running.set(key, Date.now());
    this.#write();
  }

  #drop(key: string): void {
    this.#running.delete(key);
    this.#write();
  }

  #write(): void {
    if (this.#file === undefined) return;
    const lines = [...this.#running].map(([key, since]) => `${key} (since ${new Date(since).toISOString()})`);
    writeFileSync(this.#file, `last file ended: ${this.#lastEnded}\n${lines.join('\n')}\n`);
  }
}
