import { randomBytes } from 'node:crypto';
import {
  getLocalCryptographicMaterialsCache,
  KmsKeyringNode,
  NodeCachingMaterialsManager,
  type KmsNodeClientSupplier,
} from '@aws-crypto/client-node';
import { createEngine, KmsKeyStore, type Engine, type KmsClientLike } from '@sealflow/core';
import { MemoryKms } from '@sealflow/keystore-memory';
import type { Fixture } from '../contestants.js';
import { log } from '../log.js';
import type { CrossCheckRecord, ResultRow } from '../results.js';
import { KiB } from '../units.js';
import type { SuiteOutput } from './messages.js';

export interface ObjectsConfig {
  /** Objects per sealflow run (10,000 in the issue). */
  readonly count: number;
  /** Objects per client-node run (the ESDK is slower per object; a quick run uses fewer). */
  readonly peerCount: number;
}

const OBJECT_BYTES = KiB;
const BUCKET = 'arn:aws:s3:::sealflow-bench';

/** MemoryKms behind a counter of the calls that reach it. */
function countingKms(kms: MemoryKms): { readonly client: KmsClientLike; calls: () => number } {
  let calls = 0;
  const counted = new Set(['generateDataKey', 'encrypt', 'decrypt']);
  const client = new Proxy(kms, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (typeof property === 'string' && counted.has(property)) calls++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { client: client as unknown as KmsClientLike, calls: () => calls };
}

interface ObjectContestant {
  readonly name: string;
  readonly count: number;
  encrypt(plaintext: Uint8Array, i: number): Promise<Uint8Array>;
  decrypt(ciphertext: Uint8Array): Promise<Uint8Array>;
}

/**
 * Many small objects through KMS (the in-process MemoryKms, so KMS costs microseconds and
 * the engines' own per-message work shows): sealflow with S3-style bucket keys (one bucket
 * key per bucket, a unique key per object: layout 2, the default, a random key wrapped under
 * the bucket key; layout 1, the earlier HKDF-derived key, side by side so `--check` can hold
 * layout 2 to >= 90% of it) and without; client-node with its caching CMM (best case: one
 * encryption context for every object, so every lookup hits) and without.
 */
export async function runObjects(fixture: Fixture, config: ObjectsConfig): Promise<SuiteOutput> {
  const kms = new MemoryKms();
  const { KeyMetadata } = await kms.createKey({ Description: 'sealflow bench' });
  const arn = KeyMetadata.Arn as string;
  const counter = countingKms(kms);
  const store = new KmsKeyStore({ client: counter.client, keyId: arn });
  const bucketEngine = createEngine({ keyStore: store, bucketKeys: { maxAgeMs: 10 * 60_000 } });
  const layout1Engine = createEngine({ keyStore: store, bucketKeys: { maxAgeMs: 10 * 60_000, layout: 1 } });
  const plainEngine = createEngine({ keyStore: store });
  const supplier = (() => counter.client) as unknown as KmsNodeClientSupplier;
  const keyring = new KmsKeyringNode({ generatorKeyId: arn, clientProvider: supplier });
  const cmm = new NodeCachingMaterialsManager({
    backingMaterials: keyring,
    cache: getLocalCryptographicMaterialsCache(1000),
    maxAge: 10 * 60_000,
    maxMessagesEncrypted: 2 ** 32,
    partition: 'sealflow-bench',
  });
  const { esdk } = fixture;
  const objectContext = (i: number): Record<string, string> => ({ 'aws:s3:arn': `${BUCKET}/object-${i}` });
  const decryptWith = (engine: Engine) => async (c: Uint8Array) => (await engine.decrypt(c)).plaintext;
  const list: ObjectContestant[] = [
    {
      name: 'sealflow-bucket-key',
      count: config.count,
      encrypt: (p, i) => bucketEngine.encrypt(p, { context: objectContext(i), bucketKey: true }),
      decrypt: decryptWith(bucketEngine),
    },
    {
      name: 'sealflow-bucket-key-layout-1',
      count: config.count,
      encrypt: (p, i) => layout1Engine.encrypt(p, { context: objectContext(i), bucketKey: true }),
      decrypt: decryptWith(layout1Engine),
    },
    {
      name: 'sealflow',
      count: config.count,
      encrypt: (p, i) => plainEngine.encrypt(p, { context: objectContext(i) }),
      decrypt: decryptWith(plainEngine),
    },
    {
      name: 'client-node-caching-cmm',
      count: config.peerCount,
      encrypt: async (p) =>
        (await esdk.encrypt(cmm, p, { encryptionContext: { 'aws:s3:arn': BUCKET }, plaintextLength: p.length })).result,
      decrypt: async (c) => (await esdk.decrypt(cmm, c)).plaintext,
    },
    {
      name: 'client-node',
      count: config.peerCount,
      encrypt: async (p, i) => (await esdk.encrypt(keyring, p, { encryptionContext: objectContext(i) })).result,
      decrypt: async (c) => (await esdk.decrypt(keyring, c)).plaintext,
    },
  ];
  const plaintext = new Uint8Array(randomBytes(OBJECT_BYTES));
  const check = await crossCheckObjects(
    list,
    plaintext,
    decryptWith(createEngine({ keyStore: store })),
    async (c) => (await esdk.decrypt(keyring, c)).plaintext,
  );
  log('objects: cross-checked');
  const rows: ResultRow[] = [];
  for (const contestant of list) {
    // Warm: the first object fills the caches (one KMS call each side); then time the rest.
    const warm = await contestant.encrypt(plaintext, -1);
    await contestant.decrypt(warm);
    const sealed: Uint8Array[] = new Array<Uint8Array>(contestant.count);
    let calls = counter.calls();
    let start = performance.now();
    for (let i = 0; i < contestant.count; i++) sealed[i] = await contestant.encrypt(plaintext, i);
    rows.push(objectRow('encrypt', contestant, performance.now() - start, counter.calls() - calls));
    calls = counter.calls();
    start = performance.now();
    for (const ciphertext of sealed) await contestant.decrypt(ciphertext);
    rows.push(objectRow('decrypt', contestant, performance.now() - start, counter.calls() - calls));
    log(
      `objects: ${contestant.name} ${Math.round(rows.at(-2)?.opsPerSecond ?? 0)} / ${Math.round(rows.at(-1)?.opsPerSecond ?? 0)} ops/s`,
    );
  }
  await bucketEngine.close();
  await layout1Engine.close();
  return { rows, checks: [check] };
}

function objectRow(
  operation: 'encrypt' | 'decrypt',
  contestant: ObjectContestant,
  ms: number,
  kmsCalls: number,
): ResultRow {
  return {
    suite: 'objects',
    workload: `${operation} 1 KiB objects through KMS (warm)`,
    operation,
    bytes: OBJECT_BYTES,
    frameLength: undefined,
    contestant: contestant.name,
    mibPerSecond: undefined,
    opsPerSecond: (contestant.count * 1000) / ms,
    kmsCalls,
    samples: contestant.count,
    note: `${contestant.count.toLocaleString('en-US')} objects, ${kmsCalls} KMS calls`,
  };
}

/**
 * Each contestant's object must open with sealflow, and, except bucket-key messages (their
 * data key is under the bucket key, not the KMS key: a KMS keyring alone cannot open them;
 * test/bucket-keys/esdk-raw-aes.test.ts opens them with the raw AES keyring), with
 * client-node's KMS keyring too.
 */
async function crossCheckObjects(
  list: readonly ObjectContestant[],
  plaintext: Uint8Array,
  sealflowOpen: (c: Uint8Array) => Promise<Uint8Array>,
  esdkOpen: (c: Uint8Array) => Promise<Uint8Array>,
): Promise<CrossCheckRecord> {
  let pairs = 0;
  for (const contestant of list) {
    const sealed = await contestant.encrypt(plaintext, 0);
    const openers = contestant.name.startsWith('sealflow-bucket-key')
      ? [sealflowOpen, contestant.decrypt]
      : [sealflowOpen, esdkOpen, contestant.decrypt];
    for (const open of openers) {
      pairs++;
      if (!Buffer.from(await open(sealed)).equals(Buffer.from(plaintext)))
        throw new Error(`objects cross-check: ${contestant.name}'s object did not round-trip`);
    }
  }
  return {
    workload: '1 KiB objects through KMS',
    contestants: list.map((c) => c.name),
    pairs,
    identicalToSealflow: [],
  };
}

/** A bucket-key encrypt loop of `count` objects, set up and warmed, for profiling. */
export async function bucketKeyWorkload(count: number): Promise<() => Promise<void>> {
  const kms = new MemoryKms();
  const { KeyMetadata } = await kms.createKey({ Description: 'sealflow bench profile' });
  const engine = createEngine({
    keyStore: new KmsKeyStore({ client: kms as unknown as KmsClientLike, keyId: KeyMetadata.Arn as string }),
    bucketKeys: { maxAgeMs: 10 * 60_000 },
  });
  const plaintext = new Uint8Array(randomBytes(OBJECT_BYTES));
  await engine.encrypt(plaintext, { context: { 'aws:s3:arn': `${BUCKET}/warm` }, bucketKey: true });
  return async () => {
    for (let i = 0; i < count; i++)
      await engine.encrypt(plaintext, { context: { 'aws:s3:arn': `${BUCKET}/object-${i}` }, bucketKey: true });
  };
}
