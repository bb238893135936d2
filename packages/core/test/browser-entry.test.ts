// The browser entry (src/browser.ts, the `browser`/`worker`/edge export conditions) must
// reach no `node:` module: this walks its static import graph through the sources. The
// same walk from the Node entry finds node:crypto and node:stream, so the walker sees them.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');
const SPECIFIER =
  /(?:^|[\s;}])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm;

interface Graph {
  /** Source files reached, relative to src/. */
  readonly files: Set<string>;
  /** Non-relative specifiers, with the file that imports each. */
  readonly external: Map<string, string>;
}

function walk(entry: string): Graph {
  const files = new Set<string>();
  const external = new Map<string, string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (files.has(file)) continue;
    files.add(file);
    const text = readFileSync(join(SRC, file), 'utf8');
    for (const match of text.matchAll(SPECIFIER)) {
      const specifier = (match[1] ?? match[2] ?? match[3]) as string;
      if (specifier.startsWith('.')) queue.push(join(dirname(file), specifier).replace(/\.js$/, '.ts'));
      else if (!external.has(specifier)) external.set(specifier, file);
    }
  }
  return { files, external };
}

describe('browser entry import graph', () => {
  const browser = walk('browser.ts');

  it('reaches no node: module, type-only imports included', () => {
    const nodeImports = [...browser.external].filter(([specifier]) => specifier.startsWith('node:'));
    expect(nodeImports).toEqual([]);
  });

  it('imports only @noble packages from outside core', () => {
    const others = [...browser.external.keys()].filter((specifier) => !specifier.startsWith('@noble/'));
    expect(others).toEqual([]);
    expect([...browser.external.keys()].sort()).toEqual(
      expect.arrayContaining(['@noble/ciphers/aes.js', '@noble/curves/nist.js', '@noble/hashes/hkdf.js']),
    );
  });

  it('shares the format, engine and keys code with the Node entry', () => {
    const node = walk('index.ts');
    const shared = [...browser.files].filter((file) => /^(format|engine|keys)\//.test(file));
    expect(shared.length).toBeGreaterThan(40);
    for (const file of shared) expect(node.files.has(file), file).toBe(true);
    for (const nodeOnly of [
      'crypto/node-backend.ts',
      'crypto/rsa.ts',
      'stream/node-transform.ts',
      'stream/file-source.ts',
    ])
      expect(browser.files.has(nodeOnly), nodeOnly).toBe(false);
  });

  it('the same walk from the Node entry finds its node: imports (the walker sees them)', () => {
    const node = walk('index.ts');
    expect([...node.external.keys()]).toEqual(
      expect.arrayContaining(['node:crypto', 'node:stream', 'node:fs', 'node:fs/promises']),
    );
  });
});
