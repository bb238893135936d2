// Reading package manifests and package file lists for the release suites.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The package.json fields the release suites read. */
export interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
  readonly type?: string;
  readonly license?: string;
  readonly homepage?: string;
  readonly repository?: unknown;
  readonly bugs?: unknown;
  readonly engines?: Record<string, string>;
  readonly publishConfig?: unknown;
  readonly sideEffects?: unknown;
  readonly exports?: Record<string, unknown>;
  readonly bin?: Record<string, string>;
  readonly types?: string;
  readonly files?: readonly string[];
  readonly scripts?: Record<string, string>;
  readonly napi?: { readonly binaryName: string; readonly targets: readonly string[] };
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
}

/** Reads and parses one package.json. */
export function readManifest(path: string): Manifest {
  return JSON.parse(readFileSync(path, 'utf8')) as Manifest;
}

/** The folder names under packages/ that hold a package. */
export function packageDirs(root: string): string[] {
  return readdirSync(join(root, 'packages')).filter((dir) => {
    try {
      return statSync(join(root, 'packages', dir, 'package.json')).isFile();
    } catch {
      return false;
    }
  });
}

/** Every file under `dir`, as POSIX paths relative to it. */
export function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    return entry.isDirectory() ? listFiles(dir, path) : [path];
  });
}
