import { availableParallelism } from 'node:os';
import { writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sandbox, type CliSandbox } from './support/run-cli.js';

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
