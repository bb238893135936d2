// Runs the crate's own tests (`cargo test`, packages/native/tests/frames.rs) from the
// README's test command, so CI runs them wherever cargo exists. Release profile: it
// shares the dependencies `npm run setup` already compiled.
import { spawnSync } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { nativeBinding } from '@sealflow/native';

const crate = fileURLToPath(new URL('..', import.meta.url));

describe('cargo test for @sealflow/native', () => {
  it('passes where cargo exists; without cargo the binary is absent and nothing loads', () => {
    // The same lookup as scripts/build-native.mjs: PATH, then rustup's default place.
    const works = (cmd: string): boolean => {
      const probe = spawnSync(cmd, ['--version'], { stdio: 'ignore', timeout: 30_000 });
      return probe.error === undefined && probe.status === 0;
    };
    const home = join(process.env['CARGO_HOME'] ?? join(homedir(), '.cargo'), 'bin', 'cargo');
    const cargo = works('cargo') ? 'cargo' : works(home) ? home : undefined;
    if (cargo === undefined) {
      expect(nativeBinding).toBeUndefined();
      return;
    }
    expect(nativeBinding, 'npm run setup builds the binary where cargo exists').toBeDefined();
    // Bounded: a synchronous child that never ended would block this worker, and the run,
    // for good (a test timeout cannot fire while the thread waits).
    const run = spawnSync(cargo, ['test', '--release', '--locked', '--no-default-features'], {
      cwd: crate,
      encoding: 'utf8',
      timeout: 600_000,
    });
    expect(run.signal, `cargo test did not end within 10 minutes\n${run.stdout}\n${run.stderr}`).toBeNull();
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(/test result: ok\. 6 passed; 0 failed/);
  }, 900_000);
});
