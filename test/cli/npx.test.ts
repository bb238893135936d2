// `npx sealflow` from a clone after setup: the README's promise, run as a user types it.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

describe('npx sealflow in a clone', () => {
  it('runs the workspace-linked CLI without installing anything (npx --no-install)', async () => {
    const version = (
      JSON.parse(readFileSync(new URL('../../packages/cli/package.json', import.meta.url), 'utf8')) as {
        version: string;
      }
    ).version;
    const { stdout } = await run('npx', ['--no-install', 'sealflow', '--version'], {
      cwd: ROOT,
      env: { ...process.env, npm_config_yes: 'false' },
    });
    expect(stdout.trim()).toBe(version);
  }, 60_000);
});
