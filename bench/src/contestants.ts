import { randomBytes } from 'node:crypto';
import {
  AlgorithmSuiteIdentifier,
  buildClient,
  CommitmentPolicy,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
} from '@aws-crypto/client-node';
import { nodeBackend, RawAesKeyStore, type EncryptOptions, type Engine, type GeneratedDataKey } from '@sealflow/core';
import { nobleBackend } from '@sealflow/core/noble';
import { deriveMessageKeys, getSuite, type AlgorithmSuite } from '@sealflow/core/frames';
import { createTestEngine, FIXED_MATERIALS } from '@sealflow/core/testing';
import { createFramePool, type FramePool } from '@sealflow/parallel';
import { RawNodeFrames } from './raw-node.js';

/** One implementation under test, for one frame length. */
export interface Contestant {
  readonly name: string;
  /** `raw` and `sealflow` contestants write byte-identical messages under the fixed materials. */
  readonly family: 'raw' | 'sealflow' | 'peer';
  /** Encrypts as an application would (fresh data key per message). */
  encrypt(plaintext: Uint8Array): Promise<Uint8Array>;
  decrypt(ciphertext: Uint8Array): Promise<Uint8Array>;
  /** Encrypts under the fixed message ID and data key (cross-checks); peers use `encrypt`. */
  encryptFixed(plaintext: Uint8Array): Promise<Uint8Array>;
  /** Whether `decrypt` can open what `producer` wrote (raw opens only the fixed key's messages). */
  opens(producer: Contestant): boolean;
}

export const CONTEXT = { bench: 'sealflow', purpose: 'throughput' } as const;
const NAMESPACE = 'sealflow-bench';
const KEY_NAME = 'wrapping-key';

/** Keys and pools shared by every suite of one run. */
export interface Fixture {
  readonly wrappingKey: Uint8Array;
  readonly store: RawAesKeyStore;
  readonly fixed: { readonly messageId: Uint8Array; readonly dataKey: GeneratedDataKey };
  readonly suite: AlgorithmSuite;
  readonly pools: { readonly workers1: FramePool; readonly workers2: FramePool; readonly subtle: FramePool };
  readonly esdk: ReturnType<typeof buildClient>;
  readonly keyring: RawAesKeyringNode;
  close(): Promise<void>;
}

export async function createFixture(): Promise<Fixture> {
  const wrappingKey = new Uint8Array(randomBytes(32));
  const store = new RawAesKeyStore({ namespace: NAMESPACE, name: KEY_NAME, key: wrappingKey });
  const dataKey = await store.generateDataKey({ context: CONTEXT, length: 32 });
  const pools = {
    workers1: createFramePool({ mode: 'workers', threads: 1 }),
    workers2: createFramePool({ mode: 'workers', threads: 2 }),
    subtle: createFramePool({ mode: 'subtle' }),
  };
  return {
    wrappingKey,
    store,
    fixed: { messageId: new Uint8Array(randomBytes(32)), dataKey },
    suite: getSuite(0x0478) as AlgorithmSuite,
    pools,
    esdk: buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT),
    keyring: new RawAesKeyringNode({
      keyName: KEY_NAME,
      keyNamespace: NAMESPACE,
      unencryptedMasterKey: wrappingKey.slice(),
      wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
      utf8Sorting: true,
    }),
    close: async () => {
      await Promise.all(Object.values(pools).map((p) => p.close()));
      dataKey.dataKey.destroy();
    },
  };
}

/** Encrypt options that fix the message ID and data key (the core's test hook). */
export function fixedOptions(fixture: Fixture, options: EncryptOptions = {}): EncryptOptions {
  return {
    ...options,
    [FIXED_MATERIALS]: { messageId: fixture.fixed.messageId, dataKey: fixture.fixed.dataKey },
  } as EncryptOptions;
}

function sealflowContestant(name: string, engine: Engine, fixture: Fixture): Contestant {
  return {
    name,
    family: 'sealflow',
    encrypt: (plaintext) => engine.encrypt(plaintext, { context: CONTEXT }),
    decrypt: async (ciphertext) => (await engine.decrypt(ciphertext)).plaintext,
    encryptFixed: (plaintext) => engine.encrypt(plaintext, fixedOptions(fixture, { context: CONTEXT })),
    opens: () => true,
  };
}

/** The sealflow engines of the run, for `frameLength` (test engines: `encryptFixed` passes the fixed materials). */
export function sealflowEngines(fixture: Fixture, frameLength: number): Record<string, Engine> {
  // node:crypto explicitly: with @sealflow/native loaded, auto would be native (the native suite measures that).
  const base = { keyStore: fixture.store, frameLength, backend: 'node' as const };
  return {
    sealflow: createTestEngine(base),
    'sealflow-noble': createTestEngine({ ...base, backend: nobleBackend }),
    'sealflow-workers-1': createTestEngine({ ...base, offload: fixture.pools.workers1 }),
    'sealflow-workers-2': createTestEngine({ ...base, offload: fixture.pools.workers2 }),
    'sealflow-subtle': createTestEngine({ ...base, offload: fixture.pools.subtle }),
  };
}

/** Raw node:crypto frames under the fixed materials' derived key, with that message's header. */
export async function rawFrames(fixture: Fixture, frameLength: number): Promise<RawNodeFrames> {
  const engine = createTestEngine({ keyStore: fixture.store, frameLength });
  const sample = await engine.encrypt(new Uint8Array(0), fixedOptions(fixture, { context: CONTEXT }));
  const header = sample.slice(0, engine.inspect(sample).headerLength);
  const { derivedKey } = deriveMessageKeys(
    nodeBackend,
    fixture.suite,
    fixture.fixed.dataKey.dataKey.reveal(),
    fixture.fixed.messageId,
  );
  const raw = new RawNodeFrames(derivedKey, fixture.fixed.messageId, frameLength, header);
  derivedKey.fill(0);
  return raw;
}

/** Every contestant of the message suites for `frameLength`. */
export async function contestants(fixture: Fixture, frameLength: number): Promise<Contestant[]> {
  const raw = await rawFrames(fixture, frameLength);
  const rawContestant: Contestant = {
    name: 'raw-node',
    family: 'raw',
    encrypt: async (plaintext) => raw.seal(plaintext),
    decrypt: async (ciphertext) => raw.open(ciphertext),
    encryptFixed: async (plaintext) => raw.seal(plaintext),
    opens: (producer) => producer.family !== 'peer',
  };
  const engines = sealflowEngines(fixture, frameLength);
  const sealflow = Object.entries(engines).map(([name, engine]) => sealflowContestant(name, engine, fixture));
  const { esdk, keyring } = fixture;
  const encryptEsdk = async (plaintext: Uint8Array): Promise<Uint8Array> =>
    (
      await esdk.encrypt(keyring, plaintext, {
        encryptionContext: CONTEXT,
        frameLength,
        suiteId: AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY,
      })
    ).result;
  const clientNode: Contestant = {
    name: 'client-node',
    family: 'peer',
    encrypt: encryptEsdk,
    decrypt: async (ciphertext) => (await esdk.decrypt(keyring, ciphertext)).plaintext,
    encryptFixed: encryptEsdk,
    opens: () => true,
  };
  return [rawContestant, ...sealflow, clientNode];
}
