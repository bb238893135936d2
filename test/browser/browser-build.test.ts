// The browser build of @sealflow/core in a real headless Chromium (Debian's chromium,
// installed by scripts/install-chromium.sh, driven by playwright-core): esbuild bundles the
// test page from `@sealflow/core` through its `browser` export condition (the built dist/),
// the page encrypts a 32 MiB Web Stream that Node decrypts, and decrypts a message Node
// wrote, byte for byte, for both suites, through the raw AES keyring and the KMS-shaped
// store (fetchKmsClient in the page, forwarded by the test server to local-kms; Node's
// side is the AWS SDK's KMS client on the same key).
import { randomBytes } from 'node:crypto';
import { CreateKeyCommand, KMS, KMSClient } from '@aws-sdk/client-kms';
import { createEngine, KmsKeyStore, RawAesKeyStore, type Engine, type KeyStore } from '@sealflow/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bundleBrowserEntry,
  bundlePage,
  startBrowserHarness,
  type BrowserHarness,
} from '../../bench/src/browser/harness.js';
import type { PageTask } from '../../bench/src/browser/page-task.js';
import { patternBytes, patternMismatch } from '../../bench/src/browser/pattern.js';
import { emulatorClientConfig } from '../keystore-aws-kms/support/kms-target.js';
import { KmsEmulatorEnv, LOCAL_KMS_REGION } from '../setup/kms-emulator-env.js';

const MiB = 1024 * 1024;
const PAGE_SIZE = 32 * MiB;
/** Node's message for the page: several frames and a short final one. */
const NODE_SIZE = 4 * MiB + 7;
const SUITES: readonly PageTask['suite'][] = [0x0478, 0x0578];
const STORES = ['raw-aes', 'kms'] as const;
/** `import ... from "node:x"`, `import("node:x")`, `require("node:x")`, `import "node:x"`, minified or not. */
const NODE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["']node:/;

const aesKey = randomBytes(32);
const context = { purpose: 'browser-build', 'aws:s3:arn': 'arn:aws:s3:::bucket/ключ' };

describe('the browser bundle', () => {
  it('resolves @sealflow/core to its browser entry and contains no node: import', async () => {
    for (const bundle of [await bundlePage(), await bundleBrowserEntry()]) {
      expect(bundle.inputs.some((input) => input.endsWith('packages/core/dist/browser.js'))).toBe(true);
      expect(
        bundle.inputs.filter((input) => /core\/dist\/(index|create-engine|crypto\/node-backend)\.js$/.test(input)),
      ).toEqual([]);
      expect(bundle.code).not.toMatch(NODE_IMPORT);
      expect(bundle.code).not.toContain('node:');
      expect(bundle.gzipBytes).toBeLessThan(bundle.bytes);
    }
  });

  it('the node: check sees an import when there is one', () => {
    expect('import{createHash as a}from"node:crypto";').toMatch(NODE_IMPORT);
    expect('const m=await import("node:stream")').toMatch(NODE_IMPORT);
    expect('import "node:fs"').toMatch(NODE_IMPORT);
  });
});

describe('the browser build in headless Chromium', () => {
  const kmsEndpoint = process.env[KmsEmulatorEnv.localKmsEndpoint];
  let harness: BrowserHarness;
  let kmsKeyArn: string;
  let kms: KMS;

  beforeAll(async () => {
    if (kmsEndpoint === undefined)
      throw new Error('local-kms did not start (test/setup): it backs the KMS-shaped store');
    const config = emulatorClientConfig(kmsEndpoint, LOCAL_KMS_REGION);
    const admin = new KMSClient(config);
    const created = await admin.send(new CreateKeyCommand({ Description: 'sealflow browser build' }));
    admin.destroy();
    kmsKeyArn = created.KeyMetadata?.Arn ?? '';
    kms = new KMS(config);
    harness = await startBrowserHarness({ kmsEndpoint });
  });

  afterAll(async () => {
    await harness?.close();
    kms?.destroy();
  });

  const nodeStore = (store: (typeof STORES)[number]): KeyStore =>
    store === 'raw-aes'
      ? new RawAesKeyStore({ namespace: 'sealflow-browser', name: 'page-key', key: aesKey })
      : new KmsKeyStore({ client: kms, keyId: kmsKeyArn, keyIds: [kmsKeyArn] });
  const pageStore = (store: (typeof STORES)[number]): Pick<PageTask, 'store' | 'aesKey' | 'kmsKeyId'> =>
    store === 'raw-aes' ? { store, aesKey: aesKey.toString('base64') } : { store, kmsKeyId: kmsKeyArn };

  for (const store of STORES) {
    for (const suite of SUITES) {
      const label = `${store}, suite 0x0${suite.toString(16)}`;

      it(`${label}: the page encrypts a 32 MiB Web Stream and Node decrypts it byte for byte`, async () => {
        const upload = `/blob/page-${store}-${suite}`;
        const result = await harness.run({
          op: 'encrypt',
          suite,
          ...pageStore(store),
          context,
          size: PAGE_SIZE,
          chunkSize: MiB + 13,
          upload,
        });
        expect(result.inputBytes).toBe(PAGE_SIZE);
        const sealed = harness.blobs.get(upload) as Uint8Array;
        expect(sealed.length).toBe(result.outputBytes);
        const engine: Engine = createEngine({ keyStore: nodeStore(store) });
        const opened = await engine.decrypt(sealed, { expectContext: context });
        expect(opened.header.suiteId).toBe(suite);
        expect(opened.header.signed).toBe(suite === 0x0578);
        expect(opened.header.encryptedDataKeys[0]?.providerId).toBe(
          store === 'raw-aes' ? 'sealflow-browser' : 'aws-kms',
        );
        expect(patternMismatch(opened.plaintext, PAGE_SIZE)).toBe(-1);
      });

      it(`${label}: the page decrypts a message Node wrote, byte for byte, and refuses it altered`, async () => {
        const source = `/blob/node-${store}-${suite}`;
        const engine = createEngine({ keyStore: nodeStore(store), suite, frameLength: 64 * 1024 });
        const sealed = await engine.encrypt(patternBytes(0, NODE_SIZE), { context });
        harness.blobs.set(source, sealed);
        const upload = `/blob/page-plain-${store}-${suite}`;
        const result = await harness.run({ op: 'decrypt', suite, ...pageStore(store), context, source, upload });
        expect(result.inputBytes).toBe(sealed.length);
        expect(patternMismatch(harness.blobs.get(upload) as Uint8Array, NODE_SIZE)).toBe(-1);

        // One flipped byte in the last frame: the page's decrypt rejects and uploads nothing.
        const altered = sealed.slice();
        const at = altered.length - (suite === 0x0578 ? 120 : 20);
        altered[at] = (altered[at] as number) ^ 1;
        harness.blobs.set(`${source}-altered`, altered);
        await expect(
          harness.run({
            op: 'decrypt',
            suite,
            ...pageStore(store),
            context,
            source: `${source}-altered`,
            upload: `${upload}-altered`,
          }),
        ).rejects.toThrow(/ERR_|authentic|signature/i);
        expect(harness.blobs.has(`${upload}-altered`)).toBe(false);
      });
    }
  }
});
