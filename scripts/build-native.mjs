#!/usr/bin/env node
// Builds @sealflow/native (packages/native, Rust + napi-rs) when cargo exists, in release
// mode, and copies the library to packages/native/sealflow-native.node. Incremental: does
// nothing when that file is newer than every source (Cargo.toml, Cargo.lock, build.rs,
// src/*.rs). Without cargo it prints one line and exits 0: the engine then uses
// node:crypto. A plain `cargo build` instead of `napi build` (@napi-rs/cli): the CLI would
// be one more frozen dev dependency on every machine, cargo-less ones included, for a
// step that is a cargo build plus a copy.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, renameSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const crate = join(root, 'packages', 'native');
const target = join(crate, 'sealflow-native.node');

// cargo on PATH, else rustup's default place (a non-login shell may not have it on PATH).
const works = (cmd) => {
  const probe = spawnSync(cmd, ['--version'], { stdio: 'ignore' });
  return probe.error === undefined && probe.status === 0;
};
const home = join(process.env.CARGO_HOME ?? join(homedir(), '.cargo'), 'bin', 'cargo');
const cargo = works('cargo') ? 'cargo' : works(home) ? home : undefined;
if (cargo === undefined) {
  console.error('sealflow: cargo not found, @sealflow/native is not built (the engine uses node:crypto)');
  process.exit(0);
}

const sources = ['Cargo.toml', 'Cargo.lock', 'build.rs', ...readdirSync(join(crate, 'src')).map((f) => join('src', f))];
const newest = Math.max(...sources.map((f) => statSync(join(crate, f)).mtimeMs));
if (existsSync(target) && statSync(target).mtimeMs > newest) process.exit(0);

console.error('sealflow: building @sealflow/native (cargo build --release)');
const started = Date.now();
execFileSync(cargo, ['build', '--release', '--locked'], { cwd: crate, stdio: 'inherit' });
const names = { linux: 'libsealflow_native.so', darwin: 'libsealflow_native.dylib', win32: 'sealflow_native.dll' };
const built = join(crate, 'target', 'release', names[process.platform] ?? names.linux);
// Copy then rename: a running process that loaded the old file keeps a valid mapping.
copyFileSync(built, `${target}.tmp`);
renameSync(`${target}.tmp`, target);
console.error(`sealflow: @sealflow/native built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
