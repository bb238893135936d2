// eslint flat config: the conventions of ../shared/STYLE.md that a tool can check.
// `npm run lint` (and `npm test`, so CI) fails on any error; `npm run lint -- --fix` fixes
// what is fixable. Globs, not package names, so a new packages/<name> is covered as it lands.
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';

const SOURCES = ['packages/*/src/**/*.ts', 'bench/src/**/*.ts'];
const TESTS = ['packages/*/test/**/*.ts', 'test/**/*.ts', 'bench/test/**/*.ts'];

// The layers of @sealflow/core, bottom first. A layer imports only from layers below it
// (and from the foundation files); never from one above. The folders of
// packages/core/src/ are the layers:
//
//   foundation  errors.ts, assert.ts, events.ts, stats.ts  (no layer imports)
//   format/     pure codecs: bytes in, values out; never node:* nor I/O
//   crypto/     the only place that calls a cipher
//   keys/       KeyStore, DataKey, the stores and the bucket-key cache
//   engine/     encrypt/decrypt state machines, no streams
//   stream/     thin adapters over engine/ sessions
//   top         index.ts, create-engine.ts, browser.ts, browser/ and the published subpaths (anything in src/)
const CORE = 'packages/core/src';
const LAYERS = [
  { name: 'foundation', from: ['errors.ts', 'assert.ts', 'events.ts', 'stats.ts'] },
  { name: 'format', from: ['format'] },
  { name: 'crypto', from: ['crypto'] },
  { name: 'keys', from: ['keys'] },
  { name: 'engine', from: ['engine'] },
  { name: 'stream', from: ['stream'] },
];
const TOP_FILES = [
  'index.ts',
  'create-engine.ts',
  'engine-base.ts',
  'portable-engine.ts',
  'call-plans.ts',
  'browser.ts',
  'browser',
  'frames.ts',
  'codecs.ts',
  'validate.ts',
  'keystore-kit.ts',
  'testing.ts',
];

/** import-x/no-restricted-paths zones: each layer may not import anything above it. */
function layerZones() {
  const zones = [];
  LAYERS.forEach((layer, index) => {
    const above = LAYERS.slice(index + 1).flatMap((upper) => upper.from);
    for (const target of layer.from) {
      zones.push({
        target: `./${CORE}/${target}`,
        from: [...above, ...TOP_FILES].map((path) => `./${CORE}/${path}`),
        message: `core layering: ${layer.name} sits below what it imports here (see eslint.config.js)`,
      });
    }
  });
  return zones;
}

// Every core source file the browser entry (src/browser.ts, the `browser`/`worker`/edge
// export conditions) reaches through static imports, type-only ones included: each of them
// must import no node:* module (a rule below). packages/core/test/browser-entry.test.ts
// walks the same graph, and test/browser/ bundles and runs it in Chromium.
function browserReachable() {
  const specifier =
    /(?:^|[\s;}])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)/gm;
  const root = join(import.meta.dirname, CORE);
  const seen = new Set();
  const queue = ['browser.ts'];
  while (queue.length > 0) {
    const file = queue.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    for (const match of readFileSync(join(root, file), 'utf8').matchAll(specifier)) {
      const target = match[1] ?? match[2];
      if (target.startsWith('.')) queue.push(posix.join(dirname(file), target).replace(/\.js$/, '.ts'));
    }
  }
  return [...seen].map((file) => `${CORE}/${file}`);
}

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', '.emulators/**', 'coverage/**', '**/*.js', '**/*.mjs', '**/*.cjs'],
  },
  {
    files: [...SOURCES, ...TESTS],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: {
        project: ['./packages/*/tsconfig.json', './bench/tsconfig.json', './test/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { '@typescript-eslint': tseslint.plugin, 'import-x': importX },
    settings: {
      'import-x/resolver-next': [
        createTypeScriptImportResolver({
          project: ['./packages/*/tsconfig.json', './bench/tsconfig.json', './test/tsconfig.json'],
          noWarnOnMultipleProjects: true,
        }),
      ],
    },
    rules: {
      // Promises: every one is awaited, returned or explicitly voided; none is passed
      // where a callback's return value is ignored.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // A switch over a union names every member (a new suite or error code is handled).
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/ban-ts-comment': 'error',
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: 'TSEnumDeclaration', message: 'No enum: use an `as const` object (STYLE.md 4).' },
        { selector: 'ExportAllDeclaration', message: 'No `export *`: name every export (STYLE.md 3).' },
      ],
      // Imports: no cycles anywhere, no duplicates, nothing that does not resolve.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-self-import': 'error',
      'import-x/no-duplicates': ['error', { 'prefer-inline': true }],
      'import-x/no-unresolved': 'error',
    },
  },
  {
    files: TESTS,
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'TSEnumDeclaration', message: 'No enum: use an `as const` object (STYLE.md 4).' },
        {
          selector:
            'CallExpression[callee.object.name=/^(it|test|describe)$/][callee.property.name=/^(only|skip|todo)$/]',
          message: 'No skipped, focused or placeholder tests.',
        },
      ],
    },
  },
  {
    files: [`${CORE}/**/*.ts`],
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: layerZones() }],
    },
  },
  {
    // format/ is pure: bytes in, values out; no node:* module, no I/O.
    files: [`${CORE}/format/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^node:', message: 'format/ is pure codecs: no node:* (ARCHITECTURE.md).' },
            { regex: '^@sealflow/', message: 'core imports no other sealflow package.' },
          ],
        },
      ],
    },
  },
  {
    // Core has no runtime dependencies and never imports a sibling package (arrows point down).
    files: [`${CORE}/**/*.ts`],
    ignores: [`${CORE}/format/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^@sealflow/', message: 'core imports no other sealflow package.' }] },
      ],
    },
  },
  {
    // The browser build: no node:* module in any file the browser entry reaches.
    files: browserReachable(),
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^node:', message: 'reached from the browser entry (src/browser.ts): no node:* module.' },
            { regex: '^@sealflow/', message: 'core imports no other sealflow package.' },
          ],
        },
      ],
    },
  },
);
