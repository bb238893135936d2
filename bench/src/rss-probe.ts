// Child process of the memory suite: streams `bytes` through encrypt -> decrypt for one
// contestant and prints its peak resident memory above the baseline taken right before
// (after set-up and a warm-up, so threads already exist). A process of its own, so no
// other suite's garbage is counted. Run with --expose-gc.
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import {
  AlgorithmSuiteIdentifier,
  buildClient,
  CommitmentPolicy,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
} from '@aws-crypto/client-node';
import { createEngine, RawAesKeyStore } from '@sealflow/core';
import { createFramePool, type FramePool } from '@sealflow/parallel';
import '@sealflow/native';
import { countingSink, repeatingSource } from './streams-io.js';

const MiB = 1024 * 1024;
const FL = 64 * 1024;

export interface RssProbeResult {
  readonly contestant: string;
  readonly bytes: number;
  readonly baselineMiB: number;
  readonly peakMiB: number;
  readonly overBaselineMiB: number;
  readonly seconds: number;
}

type Chain = () => [NodeJS.ReadWriteStream, NodeJS.ReadWriteStream];

function chainFor(contestant: string, key: Uint8Array): { chain: Chain; pool: FramePool | undefined } {
  if (contestant === 'client-node') {
    const esdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
    const keyring = new RawAesKeyringNode({
      keyName: 'k',
      keyNamespace: 'rss',
      unencryptedMasterKey: key,
      wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
      utf8Sorting: true,
    });
    const suiteId = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;
    return {
      chain: () => [
        esdk.encryptStream(keyring, { frameLength: FL, suiteId }) as unknown as NodeJS.ReadWriteStream,
        esdk.decryptUnsignedMessageStream(keyring) as unknown as NodeJS.ReadWriteStream,
      ],
      pool: undefined,
    };
  }
  const pool =
    contestant === 'sealflow-workers-2'
      ? createFramePool({ threads: 2 })
      : contestant === 'sealflow-subtle'
        ? createFramePool({ mode: 'subtle' })
        : contestant === 'sealflow-native-2'
          ? createFramePool({ mode: 'native', threads: 2 })
          : undefined;
  if (contestant !== 'sealflow' && contestant !== 'sealflow-native' && pool === undefined)
    throw new Error(`rss-probe: unknown contestant ${contestant}`);
  const engine = createEngine({
    keyStore: new RawAesKeyStore({ namespace: 'rss', name: 'k', key }),
    frameLength: FL,
    // `sealflow` is the node:crypto engine (as in the other suites); the native ones name theirs.
    backend: contestant.startsWith('sealflow-native') ? 'native' : 'node',
    ...(pool === undefined ? {} : { offload: pool }),
  });
  return { chain: () => [engine.encryptStream(), engine.decryptStream()], pool };
}

async function main(): Promise<void> {
  const [contestant = 'sealflow', bytesArg = String(1024 * MiB)] = process.argv.slice(2);
  const bytes = Number(bytesArg);
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
  const chunk = new Uint8Array(randomBytes(FL));
  const { chain, pool } = chainFor(contestant, new Uint8Array(randomBytes(32)));
  const run = async (total: number): Promise<number> => {
    const sink = countingSink();
    const [encrypt, decrypt] = chain();
    await pipeline(repeatingSource(total, chunk), encrypt, decrypt, sink);
    return sink.bytes();
  };
  await run(32 * MiB);
  gc();
  gc();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  const start = performance.now();
  const received = await run(bytes);
  const seconds = (performance.now() - start) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  if (received !== bytes) throw new Error(`rss-probe: ${contestant} returned ${received} of ${bytes} bytes`);
  await pool?.close();
  const result: RssProbeResult = {
    contestant,
    bytes,
    baselineMiB: baseline / MiB,
    peakMiB: peak / MiB,
    overBaselineMiB: (peak - baseline) / MiB,
    seconds,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
