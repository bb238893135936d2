// The headline guarantee: with a fixed message ID and data key (the FIXED_MATERIALS test
// hook), an engine with a frame pool writes exactly the bytes of the single-thread engine,
// whichever way batches run (worker threads or crypto.subtle), and each decrypts the other.
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildClient,
  CommitmentPolicy,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
} from '@aws-crypto/client-node';
import { createEngine, type EncryptOptions } from '@sealflow/core';
import { createTestEngine } from '@sealflow/core/testing';
import type { FramePool } from '@sealflow/parallel';
import {
  DECRYPT_APIS,
  decryptVia,
  ENCRYPT_APIS,
  encryptVia,
  fixedMaterials,
  patternBytes,
  rawAesStore,
  WRAPPING_KEY,
} from '../../packages/core/test/engine/fixtures.js';
import { expectSameBytes, KiB, MiB, MODES, pool } from './support/pools.js';

const pools: FramePool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

describe.each(MODES)('frame pool (%s): the same bytes as one thread', (mode) => {
  it('writes byte-identical messages around frame and batch boundaries, for every API and write size', async () => {
    const FL = 1024;
    const BATCH = 4 * FL;
    const p = pool({ mode, threads: 2, batchBytes: BATCH, maxInFlightBytes: 3 * BATCH, minMessageBytes: 0 });
    pools.push(p);
    const store = rawAesStore();
    const single = createTestEngine({ keyStore: store, frameLength: FL });
    const parallel = createTestEngine({ keyStore: store, frameLength: FL, offload: p });
    const fixed = await fixedMaterials(store, { bucket: 'b' });
    for (const size of [0, 1, FL - 1, FL, FL + 1, BATCH - 1, BATCH, BATCH + 1, 2 * BATCH + 7, 9 * BATCH]) {
      const plaintext = patternBytes(size, 5);
      for (const api of ENCRYPT_APIS) {
        for (const writes of [[4093], [1, BATCH + 1, 2 * FL]]) {
          const options: EncryptOptions = { ...fixed, context: { bucket: 'b' } };
          const want = await encryptVia(api, single, plaintext, options, writes);
          const got = await encryptVia(api, parallel, plaintext, options, writes);
          expect(Buffer.from(got), `${size} bytes via ${api}, writes ${writes.join('/')}`).toStrictEqual(
            Buffer.from(want),
          );
          for (const decryptApi of DECRYPT_APIS) {
            expect(
              Buffer.from(await decryptVia(decryptApi, parallel, want, {}, writes)),
              `${size} bytes ${decryptApi}`,
            ).toStrictEqual(Buffer.from(plaintext));
          }
        }
      }
    }
    expect(p.stats().batches).toBeGreaterThan(100);
  });

  it('writes a byte-identical 12 MiB message with the default 64 KiB frames and batches, one-shot and streamed', async () => {
    const p = pool({ mode, threads: 2, minMessageBytes: MiB });
    pools.push(p);
    const store = rawAesStore();
    const single = createTestEngine({ keyStore: store });
    const parallel = createTestEngine({ keyStore: store, offload: p });
    const fixed = await fixedMaterials(store);
    const plaintext = patternBytes(12 * MiB + 333);
    const want = await single.encrypt(plaintext, fixed);
    expectSameBytes(await parallel.encrypt(plaintext, fixed), want, 'one-shot');
    expectSameBytes(await encryptVia('encryptStream', parallel, plaintext, fixed, [64 * KiB]), want, 'encryptStream');
    expectSameBytes((await parallel.decrypt(want)).plaintext, plaintext, 'decrypt');
    // One-shot calls: at least two batches per thread (4 with 2 threads, each way); the stream: 4 MiB batches (3).
    expect(p.stats().batches).toBeGreaterThanOrEqual(4 + 3 + 4);
  });

  it('signs with suite 0x0578 over frames sealed off-thread: both engines verify each other, and tampering fails', async () => {
    const p = pool({ mode, threads: 2, batchBytes: 8 * KiB, minMessageBytes: 0 });
    pools.push(p);
    const store = rawAesStore();
    const single = createEngine({ keyStore: store, frameLength: KiB, suite: 0x0578 });
    const parallel = createEngine({ keyStore: store, frameLength: KiB, suite: 0x0578, offload: p });
    const plaintext = patternBytes(100 * KiB + 3);
    const mine = await parallel.encrypt(plaintext);
    const theirs = await single.encrypt(plaintext);
    expect(Buffer.from((await single.decrypt(mine)).plaintext)).toStrictEqual(Buffer.from(plaintext));
    expect(Buffer.from((await parallel.decrypt(theirs)).plaintext)).toStrictEqual(Buffer.from(plaintext));
    const tampered = mine.slice();
    tampered[tampered.length - 200] = (tampered[tampered.length - 200] as number) ^ 1;
    await expect(parallel.decrypt(tampered)).rejects.toMatchObject({ name: 'AuthenticationError' });
  });

  it('writes messages the AWS Encryption SDK (client-node) decrypts, and reads what it writes', async () => {
    const p = pool({ mode, threads: 2, batchBytes: 16 * KiB, minMessageBytes: 0 });
    pools.push(p);
    const parallel = createEngine({ keyStore: rawAesStore(), frameLength: 4 * KiB, offload: p });
    const keyring = new RawAesKeyringNode({
      keyName: 'k',
      keyNamespace: 'sealflow-test',
      unencryptedMasterKey: new Uint8Array(WRAPPING_KEY),
      wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
      utf8Sorting: true,
    });
    const client = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
    const plaintext = patternBytes(300 * KiB + 11);
    const sealed = await parallel.encrypt(plaintext, { context: { who: 'esdk' } });
    const opened = await client.decrypt(keyring, sealed);
    expect(Buffer.from(opened.plaintext)).toStrictEqual(Buffer.from(plaintext));
    const theirs = await client.encrypt(keyring, plaintext, {
      encryptionContext: { who: 'esdk' },
      frameLength: 4 * KiB,
    });
    expect(Buffer.from((await parallel.decrypt(theirs.result)).plaintext)).toStrictEqual(Buffer.from(plaintext));
  });
});
