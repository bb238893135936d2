import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createReadStream, createWriteStream } from 'node:fs';
import { createEngine, isSealflowError, KmsKeyStore, type Engine } from '@sealflow/core';
import { MemoryKms } from '@sealflow/keystore-memory';
import { AtomicFile } from '../io/atomic-file.js';
import { FileSource } from '../io/file-source.js';
import { ProgressBar, ProgressMeter, type ProgressTarget } from '../io/progress.js';
import { auditPath } from '../keystore/local-kms.js';
import { CountingSource } from './counting-source.js';
import { DemoReport } from './demo-report.js';
import { DemoData } from './demo-data.js';
import { HashSink, HashTap } from './hash-stream.js';
import type { DemoOptions, DemoPhase, DemoResult } from './demo-types.js';

/** The demo store's passphrase: fixed and printed, because the store is thrown away. */
const DEMO_PASSPHRASE = 'sealflow-demo-passphrase';
const BUCKET = 'sealflow-demo-bucket';
const ALIAS = 'alias/sealflow-demo';
/** A bucket key serves new objects for this long (S3 Bucket Keys use a short window too). */
const BUCKET_KEY_WINDOW_MS = 5 * 60_000;

interface DemoObject {
  readonly name: string;
  readonly size: number;
  readonly path: string;
  readonly context: Readonly<Record<string, string>>;
  sha256: string;
}

/** Hooks for the caller: a line per step, and where progress bars go. */
export interface DemoHooks {
  readonly step: (line: string) => void;
  readonly progress: ProgressTarget;
  readonly signal: AbortSignal;
}

const mibPerSecond = (bytes: number, ms: number): number => Math.round((bytes / (1024 * 1024) / Math.max(ms, 1)) * 1000 * 10) / 10;

/**
 * The README's demo on the embedded store: a throwaway key store (fixed demo
 * passphrase), one key, many objects streamed through encrypt with bucket keys,
 * everything decrypted and verified by SHA-256, one range read, one tampered object,
 * and the audit trail. Ciphertexts go to a temp folder, removed at the end.
 * @throws {SealflowError} (rejects) when a step fails unexpectedly (the folder is still removed).
 * @throws {NodeJS.ErrnoException} (rejects) when the temp folder cannot be written.
 */
export async function runDemo(options: DemoOptions, hooks: DemoHooks): Promise<DemoResult> {
  const started = performance.now();
  const folder = await mkdtemp(join(tmpdir(), 'sealflow-demo-'));
  const storePath = join(folder, 'keys.sealed');
  let kms: MemoryKms | undefined;
  try {
    kms = await MemoryKms.open({ path: storePath, passphrase: DEMO_PASSPHRASE, audit: { ringSize: 100_000, file: auditPath(storePath) } });
    const created = await kms.createKey({ Description: 'sealflow demo key (throwaway store)' });
    const key = { keyId: created.KeyMetadata.KeyId, arn: created.KeyMetadata.Arn, alias: ALIAS };
    await kms.createAlias({ AliasName: ALIAS, TargetKeyId: key.keyId });
    hooks.step(DemoReport.intro(folder, storePath));
    hooks.step(DemoReport.key({ key }));

    const data = new DemoData();
    const objects = plan(folder, options);
    const writer = createEngine({
      keyStore: new KmsKeyStore({ client: kms, keyId: ALIAS, id: 'embedded-kms:demo-writer' }),
      frameLength: options.frameLength,
      bucketKeys: { maxAgeMs: BUCKET_KEY_WINDOW_MS },
    });
    const encrypt = await encryptAll(writer, kms, data, objects, hooks);
    hooks.step(DemoReport.encrypt({ encrypt: { ...encrypt, frameLength: options.frameLength, suite: '0x0478' } }));

    // A separate engine, as a reader process would have: its own (decrypt-side) bucket-key cache.
    const reader = createEngine({ keyStore: new KmsKeyStore({ client: kms, keyIds: [key.arn], id: 'embedded-kms:demo-reader' }) });
    const decrypt = await decryptAll(reader, kms, objects, hooks);
    hooks.step(DemoReport.decrypt({ decrypt }));

    const range = await rangeRead(reader, data, objects);
    hooks.step(DemoReport.range({ range }));
    const tamper = await tamperOne(reader, objects);
    hooks.step(DemoReport.tamper({ tamper }));
    await writer.close();
    await reader.close();

    await kms.flush();
    const records = kms.auditLog();
    const byOperation: Record<string, number> = {};
    for (const record of records) byOperation[record.eventName] = (byOperation[record.eventName] ?? 0) + 1;
    return {
      folder: { path: folder, kept: options.keep },
      keyStore: { path: storePath, passphrase: 'the fixed demo passphrase (demo only)', auditFile: auditPath(storePath) },
      key,
      encrypt: { ...encrypt, frameLength: options.frameLength, suite: '0x0478' },
      decrypt,
      range,
      tamper,
      audit: { entries: records.length, byOperation, records },
      totalMs: Math.round(performance.now() - started),
    };
  } finally {
    await kms?.close();
    if (!options.keep) await rm(folder, { recursive: true, force: true });
  }
}

function plan(folder: string, options: DemoOptions): DemoObject[] {
  const each = Math.floor(options.size / options.objects);
  return Array.from({ length: options.objects }, (_, i) => {
    const name = `objects/${String(i).padStart(5, '0')}.bin`;
    const size = i === options.objects - 1 ? options.size - each * (options.objects - 1) : each;
    return { name, size, path: join(folder, `${String(i).padStart(5, '0')}.sealed`), context: { 'aws:s3:arn': `arn:aws:s3:::${BUCKET}/${name}`, purpose: 'sealflow demo' }, sha256: '' };
  });
}

/** Objects in flight at once, as a gateway serves several requests at a time. */
const CONCURRENCY = 4;

/** Runs `work` over `items`, at most {@link CONCURRENCY} at once; the first failure wins. */
async function eachLimited<T>(items: readonly T[], work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, lane));
}

const calls = (kms: MemoryKms, operation: string): number => kms.metrics().operations[operation]?.calls ?? 0;

type PassResult = DemoPhase & { kmsCalls: number; kmsCallsAvoided: number };

/**
 * One timed pass over every object under one progress bar: its throughput, the KMS
 * `kmsOperation` calls made during it, and the calls the bucket-key cache avoided.
 */
async function timedPass(
  engine: Engine,
  kms: MemoryKms,
  objects: DemoObject[],
  hooks: DemoHooks,
  label: 'encrypt' | 'decrypt',
  kmsOperation: string,
  work: (object: DemoObject, index: number, bar: ProgressBar) => Promise<void>,
): Promise<PassResult> {
  const before = calls(kms, kmsOperation);
  const total = objects.reduce((sum, o) => sum + o.size, 0);
  const bar = new ProgressBar(hooks.progress, label, total);
  const started = performance.now();
  try {
    await eachLimited(objects, (object, i) => work(object, i, bar));
  } finally {
    bar.stop();
  }
  const ms = performance.now() - started;
  return {
    objects: objects.length,
    bytes: total,
    ms: Math.round(ms),
    mibPerSecond: mibPerSecond(total, ms),
    kmsCalls: calls(kms, kmsOperation) - before,
    kmsCallsAvoided: engine.stats().bucketKeys.hits,
  };
}

function encryptAll(engine: Engine, kms: MemoryKms, data: DemoData, objects: DemoObject[], hooks: DemoHooks): Promise<PassResult> {
  return timedPass(engine, kms, objects, hooks, 'encrypt', 'GenerateDataKey', async (object, i, bar) => {
    const tap = new HashTap();
    const sealed = engine.encryptStream({ context: object.context, bucketKey: true, plaintextLength: object.size });
    // Throwaway ciphertexts: a plain write, no fsync per object (the CLI's own outputs
    // are fsynced; 512 fsyncs would measure the disk, not the engine).
    await pipeline(data.object(i, object.size), tap, new ProgressMeter(bar), sealed, createWriteStream(object.path), { signal: hooks.signal });
    object.sha256 = tap.digest();
  });
}

async function decryptAll(engine: Engine, kms: MemoryKms, objects: DemoObject[], hooks: DemoHooks): Promise<PassResult & { verified: boolean }> {
  let verified = true;
  const pass = await timedPass(engine, kms, objects, hooks, 'decrypt', 'Decrypt', async (object, _, bar) => {
    const sink = new HashSink();
    // expectContext: the reader checks it got the object it asked for, not another one.
    const opened = engine.decryptStream({ expectContext: object.context });
    await pipeline(createReadStream(object.path, { highWaterMark: 1024 * 1024 }), opened, new ProgressMeter(bar), sink, { signal: hooks.signal });
    if (sink.digest() !== object.sha256 || sink.bytes !== object.size) verified = false;
  });
  return { ...pass, verified };
}

async function rangeRead(engine: Engine, data: DemoData, objects: readonly DemoObject[]): Promise<DemoResult['range']> {
  const index = Math.floor(objects.length / 2);
  const object = objects[index] as DemoObject;
  // A range that straddles a frame boundary when the object is big enough to have one.
  const start = Math.floor(object.size / 3);
  const end = Math.min(object.size, start + 100_000);
  const file = await FileSource.open(object.path);
  const source = new CountingSource(file);
  try {
    const bytes = await engine.decryptRange(source, { start, end, expectContext: object.context });
    const expected = data.slice(index, start, end);
    return {
      object: object.name,
      start,
      last: end - 1,
      end,
      objectBytes: file.size,
      reads: source.reads,
      bytesRead: source.bytesRead,
      matches: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).equals(expected),
    };
  } finally {
    await file.close();
  }
}

async function tamperOne(engine: Engine, objects: readonly DemoObject[]): Promise<DemoResult['tamper']> {
  const object = objects[0] as DemoObject;
  const bytes = await readFile(object.path);
  // One flipped bit in the last byte: a frame's tag.
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0x01;
  const tampered = `${object.path}.tampered`;
  await writeFile(tampered, bytes);
  const target = `${object.path}.tampered.out`;
  const out = await AtomicFile.create(target, false);
  let code = 'none';
  try {
    await pipeline(createReadStream(tampered), engine.decryptStream({ expectContext: object.context }), out.stream);
    await out.commit();
  } catch (error) {
    await out.abort();
    code = isSealflowError(error) ? error.code : 'ERR_INTERNAL';
  }
  const leftBehind = await stat(target).then(
    () => true,
    () => false,
  );
  return { object: object.name, code, outputLeftBehind: leftBehind };
}
