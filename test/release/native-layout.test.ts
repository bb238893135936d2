// The release plumbing that needs no packing: @sealflow/native's napi-rs per-platform
// folders match its manifest, and changesets is set up as CONTRIBUTING.md ("Releases") says.
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { packageDirs, readManifest } from './manifests.js';

const exec = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NATIVE = join(ROOT, 'packages', 'native');

describe('@sealflow/native per-platform packages (napi-rs layout)', () => {
  it('scripts/sync-native-npm.mjs --check finds every npm/ folder as the main manifest implies', async () => {
    const { stderr } = await exec(process.execPath, [join(ROOT, 'scripts', 'sync-native-npm.mjs'), '--check']);
    expect(stderr).toBe('');
  });

  it('one folder per napi target, each a package of the same version shipping only its binary', () => {
    const main = readManifest(join(NATIVE, 'package.json'));
    const folders = readdirSync(join(NATIVE, 'npm')).sort();
    expect(folders).toHaveLength(main.napi?.targets.length ?? -1);
    for (const folder of folders) {
      const platform = readManifest(join(NATIVE, 'npm', folder, 'package.json'));
      expect(platform.name).toBe(`@sealflow/native-${folder}`);
      expect(platform.version).toBe(main.version);
      expect(platform.files).toEqual([`${main.napi?.binaryName}.${folder}.node`]);
    }
    // Filled only by the release job that publishes the binaries (CONTRIBUTING.md).
    expect(main.optionalDependencies ?? {}).toEqual({});
  });

  it('--check fails on a folder that drifted from the main manifest', async () => {
    const file = join(NATIVE, 'npm', 'linux-x64-gnu', 'package.json');
    const original = readFileSync(file, 'utf8');
    const drifted = original.replace(/"version": "[^"]+"/, '"version": "0.0.0-drifted"');
    expect(drifted).not.toBe(original);
    writeFileSync(file, drifted);
    try {
      const result = await exec(process.execPath, [join(ROOT, 'scripts', 'sync-native-npm.mjs'), '--check']).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('linux-x64-gnu/package.json differs');
    } finally {
      writeFileSync(file, original);
    }
  });
});

describe('changesets', () => {
  const root = readManifest(join(ROOT, 'package.json'));

  it('is pinned exactly and reachable through npm run changeset / npm run version', () => {
    expect(root.devDependencies?.['@changesets/cli']).toMatch(/^\d+\.\d+\.\d+$/);
    expect(root.scripts?.['changeset']).toBe('changeset');
    expect(root.scripts?.['version']).toMatch(/^changeset version && node scripts\/sync-native-npm\.mjs/);
  });

  it('releases every published package at one version, and holds an initial changeset naming them all', () => {
    const config = JSON.parse(readFileSync(join(ROOT, '.changeset', 'config.json'), 'utf8')) as {
      fixed: string[][];
      access: string;
    };
    expect(config.fixed).toEqual([['@sealflow/*']]);
    expect(config.access).toBe('public');
    const names = packageDirs(ROOT).map((dir) => readManifest(join(ROOT, 'packages', dir, 'package.json')));
    expect(new Set(names.map((m) => m.version)).size).toBe(1);
    const initial = readFileSync(join(ROOT, '.changeset', 'initial-release.md'), 'utf8');
    for (const { name } of names) expect(initial, name).toContain(`'${name}': minor`);
  });
});
