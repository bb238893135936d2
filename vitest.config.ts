import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string): string => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

// Tests run against the TypeScript sources: every `@sealflow/*` import resolves to the
// package's src/index.ts, so a test and the code under it share one module instance.
// Worker threads and spawned CLI processes run the built dist/ (scripts/setup.mjs builds).
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@sealflow\/core$/, replacement: src('core') },
      {
        find: /^@sealflow\/core\/browser$/,
        replacement: fileURLToPath(new URL('./packages/core/src/browser.ts', import.meta.url)),
      },
      {
        find: /^@sealflow\/core\/noble$/,
        replacement: fileURLToPath(new URL('./packages/core/src/crypto/noble-backend.ts', import.meta.url)),
      },
      {
        find: /^@sealflow\/core\/frames$/,
        replacement: fileURLToPath(new URL('./packages/core/src/frames.ts', import.meta.url)),
      },
      {
        find: /^@sealflow\/core\/codecs$/,
        replacement: fileURLToPath(new URL('./packages/core/src/codecs.ts', import.meta.url)),
      },
      {
        find: /^@sealflow\/core\/validate$/,
        replacement: fileURLToPath(new URL('./packages/core/src/validate.ts', import.meta.url)),
      },
      {
        find: /^@sealflow\/core\/keystore-kit$/,
        replacement: fileURLToPath(new URL('./packages/core/src/keystore-kit.ts', import.meta.url)),
      },
      {
        find: /^@sealflow\/core\/testing$/,
        replacement: fileURLToPath(new URL('./packages/core/src/testing.ts', import.meta.url)),
      },
      { find: /^@sealflow\/keystore-memory$/, replacement: src('keystore-memory') },
      { find: /^@sealflow\/keystore-aws-kms$/, replacement: src('keystore-aws-kms') },
      { find: /^@sealflow\/keystore-xks$/, replacement: src('keystore-xks') },
      { find: /^@sealflow\/parallel$/, replacement: src('parallel') },
      {
        find: /^@sealflow\/native$/,
        replacement: fileURLToPath(new URL('./packages/native/ts/index.ts', import.meta.url)),
      },
      { find: /^@sealflow\/s3$/, replacement: src('s3') },
      {
        find: /^@sealflow\/s3\/test-support$/,
        replacement: fileURLToPath(new URL('./packages/s3/src/test-support.ts', import.meta.url)),
      },
      { find: /^@sealflow\/esdk-keyring$/, replacement: src('esdk-keyring') },
      { find: /^@sealflow\/gateway$/, replacement: src('gateway') },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts', 'bench/test/**/*.test.ts'],
    // The AWS SDK's notice that its 2027 releases need Node.js 22 is nine lines per test
    // file on Node.js 20: it buried the CI log's tail, the only part a timed-out run shows.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    allowOnly: false,
    globalSetup: ['test/setup/global-setup.ts'],
    setupFiles: ['test/setup/running-tests.ts'],
    reporters: ['default', './test/setup/summary-reporter.ts', './test/setup/running-reporter.ts'],
  },
});
