#!/usr/bin/env node
// Makes a fresh clone runnable with nothing but Node.js 20+ and npm: installs the
// workspace with the pinned pnpm (through npx, so no global install is needed) when the
// lockfile changed since the last install, then builds every package (tsc -b is
// incremental, so a second run costs about a second).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PNPM = 'pnpm@12.4.2';
const marker = join(root, 'node_modules', '.sealflow-install');
const lock = readFileSync(join(root, 'pnpm-lock.yaml'));
const digest = createHash('sha256').update(lock).digest('hex');

const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });

if (!existsSync(marker) || readFileSync(marker, 'utf8') !== digest) {
  console.error(`sealflow: installing the workspace with ${PNPM} (frozen lockfile)`);
  run('npx', ['--yes', PNPM, 'install', '--frozen-lockfile']);
  writeFileSync(marker, digest);
}
run(process.execPath, [join(root, 'scripts', 'build-native.mjs')]);
run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b']);
