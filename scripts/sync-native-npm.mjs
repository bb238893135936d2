#!/usr/bin/env node
// Keeps @sealflow/native's napi-rs per-platform package layout consistent with the main
// package: one folder packages/native/npm/<suffix>/ per triple in `napi.targets`, each a
// package `@sealflow/native-<suffix>` at the main package's version whose only file is the
// prebuilt `sealflow-native.<suffix>.node`, with the `os`/`cpu`/`libc` npm uses to pick it.
// `npm run version` runs it after `changeset version` (changesets knows only the workspace
// packages, and npm/* are not workspace packages). `--check` changes nothing and exits 1
// when a folder is missing or differs; test/release/native-layout.test.ts runs it so.
// The main package's `optionalDependencies` stay empty in the repository: they are filled
// only in the release job that publishes the binaries, as napi-rs's `prepublish` does,
// because naming unpublished packages would make every install look them up.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';

const native = join(dirname(fileURLToPath(import.meta.url)), '..', 'packages', 'native');
const check = process.argv.includes('--check');

/** Rust target triple -> napi-rs platform suffix, and the npm fields that select it. */
const PLATFORMS = {
  'x86_64-unknown-linux-gnu': {
    suffix: 'linux-x64-gnu',
    os: 'linux',
    cpu: 'x64',
    libc: 'glibc',
    label: 'x86_64 Linux (glibc)',
  },
  'aarch64-unknown-linux-gnu': {
    suffix: 'linux-arm64-gnu',
    os: 'linux',
    cpu: 'arm64',
    libc: 'glibc',
    label: 'arm64 Linux (glibc)',
  },
  'x86_64-apple-darwin': { suffix: 'darwin-x64', os: 'darwin', cpu: 'x64', label: 'x86_64 macOS' },
  'aarch64-apple-darwin': { suffix: 'darwin-arm64', os: 'darwin', cpu: 'arm64', label: 'Apple silicon macOS' },
  'x86_64-pc-windows-msvc': { suffix: 'win32-x64-msvc', os: 'win32', cpu: 'x64', label: 'x86_64 Windows (MSVC)' },
};

const main = JSON.parse(readFileSync(join(native, 'package.json'), 'utf8'));
const problems = [];

/** The manifest a platform folder must hold. */
function expected(platform) {
  const binary = `${main.napi.binaryName}.${platform.suffix}.node`;
  return {
    name: `${main.name}-${platform.suffix}`,
    version: main.version,
    description: `Prebuilt ${main.name} binary for ${platform.label}; published by the napi-rs per-platform layout`,
    license: main.license,
    repository: { ...main.repository, directory: `packages/native/npm/${platform.suffix}` },
    os: [platform.os],
    cpu: [platform.cpu],
    ...(platform.libc === undefined ? {} : { libc: [platform.libc] }),
    main: binary,
    files: [binary],
    engines: main.engines,
    publishConfig: main.publishConfig,
  };
}

const wanted = new Set();
for (const triple of main.napi.targets) {
  const platform = PLATFORMS[triple];
  if (platform === undefined) {
    problems.push(`napi.targets names ${triple}, which scripts/sync-native-npm.mjs does not know`);
    continue;
  }
  wanted.add(platform.suffix);
  const file = join(native, 'npm', platform.suffix, 'package.json');
  const manifest = expected(platform);
  const current = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
  // Compared as JSON values, so prettier's layout of the file does not matter.
  if (isDeepStrictEqual(current, manifest)) continue;
  if (check) {
    problems.push(`${file} ${current === undefined ? 'is missing' : 'differs from what the main package implies'}`);
  } else {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
    console.error(`sync-native-npm: wrote ${file}`);
  }
}
for (const folder of readdirSync(join(native, 'npm'))) {
  if (!wanted.has(folder)) problems.push(`packages/native/npm/${folder} is not a napi.targets platform`);
}
if (problems.length > 0) {
  for (const problem of problems) console.error(`sync-native-npm: ${problem}`);
  console.error('sync-native-npm: run `node scripts/sync-native-npm.mjs` to rewrite the folders');
  process.exit(1);
}
