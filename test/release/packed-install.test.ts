// Every package as a user gets it: `pnpm pack` (workspace ranges rewritten, prepack build,
// the beforePacking hook in .pnpmfile.mjs), the tarballs checked file by file, installed
// with plain `npm install` into a scratch project outside the workspace, a TypeScript file
// compiled against them with `strict` (the workspace's tsc, skipLibCheck off so a broken
// .d.ts fails), an example and a round trip run, and `sealflow gateway` (embedded default)
// started from the installed bin and driven by @aws-sdk/client-s3. npm reaches the registry
// for the third-party dependencies; its cache is kept in .sealflow-test/npm-cache.
import { execFile, spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFiles, packageDirs, readManifest, type Manifest } from './manifests.js';

const exec = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const NPM_CACHE = join(ROOT, '.sealflow-test', 'npm-cache');
const SCRATCH_SOURCES = fileURLToPath(new URL('./scratch/', import.meta.url));
const ENV = {
  ...process.env,
  npm_config_update_notifier: 'false',
  npm_config_fund: 'false',
  npm_config_audit: 'false',
};

const work = mkdtempSync(join(realpathSync(tmpdir()), 'sealflow-packed-'));
const tarballs = join(work, 'tarballs');
const unpacked = join(work, 'unpacked');
const scratch = join(work, 'scratch');
const packed = new Map<string, { tarball: string; dir: string; manifest: Manifest }>();

beforeAll(async () => {
  mkdirSync(tarballs, { recursive: true });
  await exec(
    'npx',
    ['--yes', 'pnpm@12.4.2', '-r', '--filter', './packages/*', 'pack', '--pack-destination', tarballs],
    {
      cwd: ROOT,
      env: ENV,
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  for (const file of readdirSync(tarballs)) {
    const dir = join(unpacked, file.replace(/\.tgz$/, ''));
    mkdirSync(dir, { recursive: true });
    await exec('tar', ['xzf', join(tarballs, file), '-C', dir, '--strip-components=1']);
    const manifest = readManifest(join(dir, 'package.json'));
    packed.set(manifest.name, { tarball: join(tarballs, file), dir, manifest });
  }
}, 300_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('packed tarballs', () => {
  it('one tarball per package under packages/', () => {
    const names = packageDirs(ROOT).map((dir) => readManifest(join(ROOT, 'packages', dir, 'package.json')).name);
    expect([...packed.keys()].sort()).toEqual(names.sort());
  });

  it('no workspace: range survives, and internal dependencies pin the released version', () => {
    for (const { manifest } of packed.values()) {
      for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies'] as const) {
        for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
          expect(range, `${manifest.name} ${field}.${dep}`).not.toMatch(/^workspace:/);
          if (packed.has(dep))
            expect(range, `${manifest.name} ${field}.${dep}`).toBe(packed.get(dep)?.manifest.version);
        }
      }
    }
  });

  it('every export, types and bin target is in the tarball; test-only and internal subpaths are not exported', () => {
    for (const { dir, manifest } of packed.values()) {
      const targets: string[] = [];
      const collect = (value: unknown): void => {
        if (typeof value === 'string') targets.push(value);
        else if (value !== null && typeof value === 'object') Object.values(value).forEach(collect);
      };
      collect(manifest.exports);
      collect(manifest.bin);
      if (manifest.types !== undefined) targets.push(manifest.types);
      expect(targets.length, manifest.name).toBeGreaterThan(0);
      for (const target of targets) expect(existsSync(join(dir, target)), `${manifest.name}: ${target}`).toBe(true);
      const subpaths = Object.keys(manifest.exports ?? {});
      for (const hidden of ['./internal', './testing', './test-support'])
        expect(subpaths, manifest.name).not.toContain(hidden);
      expect(manifest.scripts, `${manifest.name} publishes no scripts`).toBeUndefined();
      if (manifest.name === '@sealflow/s3') expect(manifest.peerDependencies?.['vitest']).toBeUndefined();
    }
  });

  it('publishing metadata: licence files, repository directory, homepage, bugs, engines, sideEffects, access', () => {
    for (const [name, { dir, manifest }] of packed) {
      const folder = name.replace('@sealflow/', '');
      expect(existsSync(join(dir, 'LICENSE')), `${name} LICENSE`).toBe(true);
      expect(existsSync(join(dir, 'README.md')), `${name} README.md`).toBe(true);
      expect(manifest.license).toBe('Apache-2.0');
      expect(manifest.repository).toEqual({
        type: 'git',
        url: 'git+https://github.com/sealflow/sealflow.git',
        directory: `packages/${folder}`,
      });
      expect(manifest.homepage).toBe(`https://github.com/sealflow/sealflow/tree/main/packages/${folder}#readme`);
      expect(manifest.bugs).toEqual({ url: 'https://github.com/sealflow/sealflow/issues' });
      expect(manifest.engines).toEqual({ node: '>=20.19' });
      expect(manifest.publishConfig).toEqual({ access: 'public' });
      expect(manifest.type).toBe('module');
      expect(manifest.sideEffects, name).toEqual(name === '@sealflow/native' ? ['./dist/index.js'] : false);
    }
  });

  it('every source map points at a shipped source, and every built module has its source (no stale dist files)', () => {
    for (const [name, { dir }] of packed) {
      const files = listFiles(dir);
      const maps = files.filter((file) => file.endsWith('.map'));
      expect(maps.length, name).toBeGreaterThan(0);
      for (const map of maps) {
        const { sources } = JSON.parse(readFileSync(join(dir, map), 'utf8')) as { sources: string[] };
        for (const source of sources) {
          const target = resolve(dirname(join(dir, map)), source);
          expect(relative(dir, target).startsWith('..'), `${name}: ${map} -> ${source} leaves the package`).toBe(false);
          expect(existsSync(target), `${name}: ${map} -> ${source}`).toBe(true);
        }
      }
      for (const js of files.filter((file) => file.startsWith('dist/') && file.endsWith('.js'))) {
        expect(existsSync(join(dir, `${js}.map`)), `${name}: ${js} has a map`).toBe(true);
      }
      const srcDir = name === '@sealflow/native' ? 'ts' : 'src';
      for (const source of files.filter((file) => file.startsWith(`${srcDir}/`) && file.endsWith('.ts'))) {
        const built = source.replace(new RegExp(`^${srcDir}/`), 'dist/').replace(/\.ts$/, '.js');
        expect(files, `${name}: ${source} is built`).toContain(built);
      }
    }
  });
});

describe('installed with plain npm outside the workspace', () => {
  beforeAll(async () => {
    mkdirSync(scratch, { recursive: true });
    const dependencies: Record<string, string> = {
      '@aws-sdk/client-s3': readManifest(join(ROOT, 'package.json')).devDependencies?.['@aws-sdk/client-s3'] ?? '',
      '@types/node': readManifest(join(ROOT, 'package.json')).devDependencies?.['@types/node'] ?? '',
    };
    for (const [name, { tarball }] of packed) dependencies[name] = `file:${tarball}`;
    writeFileSync(
      join(scratch, 'package.json'),
      JSON.stringify({ name: 'sealflow-scratch', private: true, type: 'module', dependencies }, null, 2),
    );
    writeFileSync(
      join(scratch, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2023'],
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          types: ['node'],
          strict: true,
          noUncheckedIndexedAccess: true,
          // Not exactOptionalPropertyTypes: @aws-crypto/kms-keyring-node's own declarations
          // (reached through @sealflow/esdk-keyring's types) do not compile under it.
          verbatimModuleSyntax: true,
          skipLibCheck: false,
          outDir: 'dist',
        },
        files: ['surface.ts', 'encrypt-files.ts', 'gateway-client.ts'],
      }),
    );
    copyFileSync(join(SCRATCH_SOURCES, 'surface.ts'), join(scratch, 'surface.ts'));
    copyFileSync(join(SCRATCH_SOURCES, 'gateway-client.ts'), join(scratch, 'gateway-client.ts'));
    copyFileSync(join(ROOT, 'examples', 'encrypt-files.ts'), join(scratch, 'encrypt-files.ts'));
    await exec('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--cache', NPM_CACHE], {
      cwd: scratch,
      env: ENV,
      maxBuffer: 64 * 1024 * 1024,
    });
  }, 600_000);

  it('resolves every @sealflow package from the tarballs, not from the workspace', () => {
    for (const name of packed.keys()) {
      const installed = readManifest(join(scratch, 'node_modules', name, 'package.json'));
      expect(installed.name).toBe(name);
      const sources = name === '@sealflow/native' ? 'ts' : 'src';
      expect(existsSync(join(scratch, 'node_modules', name, sources)), `${name} is the tarball's copy`).toBe(true);
      expect(realpathSync(join(scratch, 'node_modules', name)).startsWith(scratch), `${name} is not a link`).toBe(true);
    }
    expect(relative(ROOT, scratch).startsWith('..')).toBe(true);
  });

  it('compiles against the installed types with strict TypeScript (lib checks on)', async () => {
    const result = await exec(process.execPath, [TSC, '-p', join(scratch, 'tsconfig.json')], { cwd: scratch }).catch(
      (error: { stdout?: string }) => ({ stdout: error.stdout ?? String(error) }),
    );
    expect(result.stdout).toBe('');
    expect(existsSync(join(scratch, 'dist', 'surface.js'))).toBe(true);
  }, 180_000);

  it('runs a round trip (one-shot and streamed) under the in-process KMS', async () => {
    const { stdout } = await exec(process.execPath, [join(scratch, 'dist', 'surface.js')], { cwd: scratch });
    expect(JSON.parse(stdout)).toMatchObject({
      oneShot: true,
      streamed: true,
      headerContext: { purpose: 'packed-install' },
      refused: true,
    });
  }, 60_000);

  it('runs examples/encrypt-files.ts compiled against the tarballs', async () => {
    const folder = join(work, 'files');
    mkdirSync(folder);
    const { stdout } = await exec(process.execPath, [join(scratch, 'dist', 'encrypt-files.js'), folder], {
      cwd: scratch,
    });
    expect(stdout).toContain('a.txt round trip: identical');
    expect(stdout).toContain('b.txt bytes [7, 20): "hello sealflo"');
  }, 60_000);

  it('keeps test-only subpaths out: @sealflow/core/testing and @sealflow/s3/test-support do not resolve', async () => {
    for (const specifier of ['@sealflow/core/testing', '@sealflow/s3/test-support']) {
      const probe = `import(${JSON.stringify(specifier)}).then(() => console.log('resolved'), (e) => console.log(e.code))`;
      const { stdout } = await exec(process.execPath, ['--input-type=module', '-e', probe], { cwd: scratch });
      expect(stdout.trim(), specifier).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
    }
  });

  it('starts `sealflow gateway` (embedded default) from the installed bin and serves an SSE-S3 PUT and GET', async () => {
    const dataDir = join(work, 'gateway');
    const child = spawn(join(scratch, 'node_modules', '.bin', 'sealflow'), ['gateway', '--data-dir', dataDir], {
      cwd: scratch,
      env: ENV,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      const endpoint = await new Promise<string>((resolveEndpoint, reject) => {
        let stderr = '';
        const timer = setTimeout(() => reject(new Error(`gateway did not start: ${stderr}`)), 30_000);
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
          if (match?.[1] !== undefined) {
            clearTimeout(timer);
            resolveEndpoint(match[1]);
          }
        });
        child.once('exit', (code) => reject(new Error(`gateway exited with ${String(code)}: ${stderr}`)));
      });
      const { stdout } = await exec(process.execPath, [join(scratch, 'dist', 'gateway-client.js'), endpoint, dataDir], {
        cwd: scratch,
      });
      expect(JSON.parse(stdout)).toEqual({ sse: 'AES256', body: 'through the packed gateway' });
    } finally {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    }
  }, 60_000);
});
