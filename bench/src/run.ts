// `pnpm bench [--quick] [--check]`: cross-checks, then times every contestant; writes
// bench/results/latest.json, bench/results/throughput.svg and the table in bench/README.md.
// With --check, compares the issue's targets and exits 1 when one is missed, saying by how
// much and why (with a calling-thread CPU profile of the workload behind each miss).
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createEngine, type Engine } from '@sealflow/core';
// Registers the native backend when its binary loads (the native suite needs it); nothing otherwise.
import '@sealflow/native';
import { throughputChart } from './chart.js';
import { createFixture, type Fixture } from './contestants.js';
import { log } from './log.js';
import { cpuModel, effectiveCores, loadAverage } from './machine.js';
import { markdownReport, replaceBetweenMarkers } from './markdown.js';
import { profile } from './profile.js';
import { fillRatios } from './ratios.js';
import type { BenchReport, CrossCheckRecord, ResultRow } from './results.js';
import { runMemory } from './suites/memory.js';
import { runMessages, type MessagesConfig } from './suites/messages.js';
import { bucketKeyWorkload, runObjects, type ObjectsConfig } from './suites/objects.js';
import { fastestCeilings, nodeCeilings } from './suites/node-ceilings.js';
import { opensslCeiling } from './suites/openssl.js';
import { runRanges } from './suites/ranges.js';
import { GATEWAY_RSS_PROBE, gatewaySizes, runGateway, type GatewaySuiteConfig } from './suites/gateway.js';
import { writeGatewayReport } from './gateway/gateway-report.js';
import { runStreams, streamChunk, writeMessageFile, type StreamsConfig } from './suites/streams.js';
import { NATIVE_CHECK, nativeNotice, nativeTargets, runNative, type NativeConfig } from './suites/native.js';
import { writeNativeReport } from './native-report.js';
import { evaluateTargets, type ProfileId } from './targets.js';
import type { Budget } from './timer.js';
import { GiB, KiB, MiB, sizeLabel } from './units.js';

interface RunConfig {
  readonly messages: MessagesConfig;
  readonly streams: StreamsConfig;
  readonly objects: ObjectsConfig;
  readonly rangeBudget: Budget;
  readonly memoryBytes: number;
  readonly opensslSeconds: number;
}

const QUICK: RunConfig = {
  messages: {
    sizes: [KiB, MiB, 64 * MiB],
    frameLengths: [4 * KiB, 64 * KiB],
    // Large messages get more runs (with two or three, one noisy neighbour moment decides a
    // ratio) and no forced collection first (see Budget.collect).
    budget: (bytes) => ({ timeMs: 150, minIterations: bytes >= 64 * MiB ? 3 : 2, collect: bytes < 64 * MiB }),
    // Above the pools' 4 MiB threshold, so the worker and subtle paths are what is checked.
    crossCheckBytes: (bytes) => Math.min(bytes, 5 * MiB),
    skip: (name, bytes) => (name === 'sealflow-noble' && bytes >= 64 * MiB ? 'too slow for --quick' : undefined),
  },
  streams: { total: GiB, noble: false, peerTotal: 256 * MiB },
  objects: { count: 10_000, peerCount: 1_000 },
  rangeBudget: { timeMs: 150, minIterations: 3 },
  memoryBytes: GiB,
  opensslSeconds: 1,
};

const FULL: RunConfig = {
  messages: {
    sizes: [KiB, 64 * KiB, MiB, 64 * MiB],
    frameLengths: [4 * KiB, 64 * KiB, MiB],
    budget: (bytes) => ({ timeMs: 500, minIterations: bytes >= 64 * MiB ? 10 : 5, collect: bytes < 64 * MiB }),
    crossCheckBytes: (bytes) => bytes,
    skip: () => undefined,
  },
  streams: { total: GiB, noble: true, peerTotal: GiB },
  objects: { count: 10_000, peerCount: 10_000 },
  rangeBudget: { timeMs: 1000, minIterations: 5 },
  memoryBytes: GiB,
  opensslSeconds: 3,
};

const here = fileURLToPath(new URL('.', import.meta.url));
const benchDir = join(here, '..');
const resultsDir = join(benchDir, 'results');

async function profiles(fixture: Fixture, wanted: ReadonlySet<ProfileId>): Promise<Map<ProfileId, readonly string[]>> {
  const out = new Map<ProfileId, readonly string[]>();
  const big = new Uint8Array(randomBytes(64 * MiB));
  /** A one-shot engine call on `plaintext`: encrypt it, or decrypt what it encrypts to. */
  const call = async (
    engine: Engine,
    op: 'encrypt' | 'decrypt',
    plaintext: Uint8Array,
  ): Promise<() => Promise<unknown>> => {
    if (op === 'encrypt') return () => engine.encrypt(plaintext);
    const sealed = await engine.encrypt(plaintext);
    return () => engine.decrypt(sealed);
  };
  const single = createEngine({ keyStore: fixture.store });
  const single4k = createEngine({ keyStore: fixture.store, frameLength: 4 * KiB });
  const workers = createEngine({ keyStore: fixture.store, offload: fixture.pools.workers2 });
  const small = big.subarray(0, 16 * MiB);
  const jobs: Record<ProfileId, () => Promise<() => Promise<unknown>>> = {
    'single-64k-encrypt': () => call(single, 'encrypt', big),
    'single-64k-decrypt': () => call(single, 'decrypt', big),
    'single-4k-encrypt': () => call(single4k, 'encrypt', small),
    'single-4k-decrypt': () => call(single4k, 'decrypt', small),
    'workers-2-encrypt': () => call(workers, 'encrypt', big),
    'workers-2-decrypt': () => call(workers, 'decrypt', big),
    'bucket-key': () => bucketKeyWorkload(2_000),
  };
  for (const id of wanted) {
    log(`profile ${id}: running`);
    const fn = await jobs[id]();
    await fn();
    const summary = await profile(fn, 3, join(resultsDir, `${id}.cpuprofile`));
    out.set(id, summary.top);
    log(`profile ${id}: ${summary.top.slice(0, 3).join('; ')}`);
  }
  return out;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      check: { type: 'boolean', default: false },
      only: { type: 'string' },
    },
  });
  const config = values.quick ? QUICK : FULL;
  if (values.only !== undefined && values.only !== 'gateway' && values.only !== 'native')
    throw new Error(`--only: unknown suite ${values.only} ("gateway" or "native")`);
  const notice = nativeNotice();
  if (notice !== undefined) process.stdout.write(`${notice}\n`);
  if (values.only === 'native') return (await runNativeSuite(values.check === true)) || !values.check ? 0 : 1;
  // The SDK's notice about future Node versions says nothing about the bench.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const gateway = (): Promise<boolean> =>
    runGatewaySuite(
      gatewayConfig(values.quick === true, values.check === true),
      values.quick === true,
      values.check === true,
      values.only === 'gateway',
    );
  if (values.only === 'gateway') return (await gateway()) || !values.check ? 0 : 1;
  const started = performance.now();
  await mkdir(resultsDir, { recursive: true });
  const loadBefore = loadAverage();
  log(
    `sealflow bench (${values.quick ? 'quick' : 'full'}): ${availableParallelism()} CPUs, load ${loadBefore.join(' ')}`,
  );
  const cores = await effectiveCores();
  log(`effective cores for a CPU-bound job: ${cores}`);
  const fixture = await createFixture();
  const path = join(tmpdir(), `sealflow-bench-${process.pid}.msg`);
  const rows: ResultRow[] = [];
  const checks: CrossCheckRecord[] = [];
  let openssl: string | undefined;
  try {
    // The node:crypto bounds are taken at the start and at the end of the run (the fastest counts).
    const ceilingBudget = config.messages.budget(64 * MiB);
    const ceilings = [await nodeCeilings(ceilingBudget)];
    const messages = await runMessages(fixture, config.messages);
    rows.push(...messages.rows);
    checks.push(...messages.checks);
    const chunk = streamChunk();
    await writeMessageFile(fixture, path, config.streams.total, chunk);
    log(`streams: wrote the ${sizeLabel(config.streams.total)} message`);
    const streams = await runStreams(fixture, config.streams, path, chunk);
    rows.push(...streams.rows);
    checks.push(...streams.checks);
    const wholeDecrypt = streams.rows.find((r) => r.contestant === 'client-node' && r.operation === 'decrypt');
    rows.push(...(await runRanges(fixture, path, config.streams.total, chunk, config.rangeBudget, wholeDecrypt)));
    const objects = await runObjects(fixture, config.objects);
    rows.push(...objects.rows);
    checks.push(...objects.checks);
    rows.push(...(await runMemory(config.memoryBytes)));
    const native = await runNative(fixture, NATIVE_CHECK);
    rows.push(...native);
    log('ceiling: node:crypto and fresh memory, one thread');
    ceilings.push(await nodeCeilings(ceilingBudget));
    rows.push(...fastestCeilings(ceilings));
    log('ceiling: openssl speed');
    const ceiling = await withTimeout(opensslCeiling(config.opensslSeconds), 120_000, { version: undefined, rows: [] });
    openssl = ceiling.version;
    rows.push(...ceiling.rows);
    fillRatios(rows);
    const machine = {
      node: process.versions.node,
      platform: `${process.platform} ${process.arch}`,
      cpus: availableParallelism(),
      cpuModel: cpuModel(),
      loadAverageBefore: loadBefore,
      loadAverageAfter: loadAverage(),
      effectiveCores: cores,
      openssl,
    };
    const largest = sizeLabel(Math.max(...config.messages.sizes));
    const stream = sizeLabel(config.streams.total);
    let targets = evaluateTargets(rows, machine, largest, stream, new Map());
    if (values.check && targets.some((t) => !t.pass)) {
      const wanted = new Set(
        targets.flatMap((t) => (t.pass || t.profile === undefined ? [] : [t.profile as ProfileId])),
      );
      targets = evaluateTargets(rows, machine, largest, stream, await profiles(fixture, wanted));
    }
    if (native.length > 0) targets = [...targets, ...nativeTargets(native)];
    const defaults = chooseDefault(rows);
    const report: BenchReport = {
      generatedAt: new Date().toISOString(),
      mode: values.quick ? 'quick' : 'full',
      durationSeconds: Math.round((performance.now() - started) / 1000),
      machine,
      crossChecks: checks,
      rows,
      targets,
      defaults,
    };
    await writeFile(join(resultsDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(
      join(resultsDir, 'throughput.svg'),
      throughputChart(
        rows,
        Math.max(...config.messages.sizes),
        `sealflow bench: one-shot ${largest} messages by frame length (${values.quick ? 'quick' : 'full'} run)`,
      ),
    );
    const readmePath = join(benchDir, 'README.md');
    const readme = await readFile(readmePath, 'utf8').catch(() => '# @sealflow/bench\n');
    await writeFile(readmePath, replaceBetweenMarkers(readme, markdownReport(report)));
    printTargets(report);
    log(
      `done in ${report.durationSeconds} s: bench/results/latest.json, bench/results/throughput.svg, bench/README.md`,
    );
    const gatewayMet = await gateway();
    return values.check && (targets.some((t) => !t.pass) || !gatewayMet) ? 1 : 0;
  } finally {
    await rm(path, { force: true });
    await fixture.close();
  }
}

/**
 * The gateway suite's sizes: 1 KiB and 1 MiB always; the 64 MiB rows, the 1,000-PUT KMS
 * count and the 8 x 1 GiB peak-RSS probe only with `--check` or in a full run (they take
 * minutes on a loaded 2-core machine); `--quick` alone counts 100 PUTs.
 */
function gatewayConfig(quick: boolean, check: boolean): GatewaySuiteConfig {
  const heavy = check || !quick;
  return {
    sizes: gatewaySizes(heavy, quick ? 50 : 200),
    kmsPuts: heavy ? 1_000 : 100,
    rss: heavy ? GATEWAY_RSS_PROBE : undefined,
  };
}

/** Runs the gateway suite and writes its report; whether every target it checked was met. */
async function runGatewaySuite(
  config: GatewaySuiteConfig,
  quick: boolean,
  check: boolean,
  only: boolean,
): Promise<boolean> {
  const started = performance.now();
  const loadBefore = loadAverage();
  log('gateway suite: sealflow gateway, the node:https stand-in and moto, through @aws-sdk/client-s3');
  const output = await runGateway(config);
  await writeGatewayReport(benchDir, {
    generatedAt: new Date().toISOString(),
    mode: quick ? 'quick' : 'full',
    check,
    only,
    durationSeconds: Math.round((performance.now() - started) / 1000),
    machine: {
      node: process.versions.node,
      platform: `${process.platform} ${process.arch}`,
      cpus: availableParallelism(),
      cpuModel: cpuModel(),
      loadAverageBefore: loadBefore,
      loadAverageAfter: loadAverage(),
    },
    ...output,
  });
  const lines = output.targets.map(
    (t) =>
      `${t.pass ? 'PASS' : 'MISS'}  ${t.description}: ${t.measured} (required ${t.required})${t.pass ? '' : `; ${t.shortfall ?? ''}${t.why === undefined ? '' : `\n      why: ${t.why}`}`}`,
  );
  process.stdout.write(`gateway targets:\n${lines.join('\n')}\n`);
  log(
    `gateway suite done in ${Math.round((performance.now() - started) / 1000)} s: bench/results/gateway.json, bench/README.md`,
  );
  return output.targets.every((t) => t.pass);
}

/**
 * `--only native`: the native suite alone (issue 17's targets), sizes from $SEALFLOW_BENCH_NATIVE_MIB
 * (one-shot MiB, stream MiB, RSS MiB; default 64,1024,1024) for quicker runs while developing.
 * Writes bench/results/native.json, native.svg and the README's native section.
 */
async function runNativeSuite(check: boolean): Promise<boolean> {
  const started = performance.now();
  const loadBefore = loadAverage();
  const sizes = (process.env['SEALFLOW_BENCH_NATIVE_MIB'] ?? '').split(',').map(Number);
  const [oneShot, stream, rss] = [0, 1, 2].map((i) =>
    Number.isFinite(sizes[i]) && (sizes[i] as number) > 0 ? (sizes[i] as number) * MiB : undefined,
  );
  const config: NativeConfig = {
    ...NATIVE_CHECK,
    oneShotBytes: oneShot ?? NATIVE_CHECK.oneShotBytes,
    streamBytes: stream ?? NATIVE_CHECK.streamBytes,
    rssBytes: rss ?? NATIVE_CHECK.rssBytes,
  };
  log(
    `native suite: one-shot ${sizeLabel(config.oneShotBytes)}, stream ${sizeLabel(config.streamBytes)}, load ${loadBefore.join(' ')}`,
  );
  const fixture = await createFixture();
  try {
    const rows = await runNative(fixture, config);
    const targets = nativeTargets(rows);
    await writeNativeReport(benchDir, {
      generatedAt: new Date().toISOString(),
      check,
      durationSeconds: Math.round((performance.now() - started) / 1000),
      machine: {
        node: process.versions.node,
        cpus: availableParallelism(),
        cpuModel: cpuModel(),
        loadAverageBefore: loadBefore,
        loadAverageAfter: loadAverage(),
      },
      rows,
      targets,
    });
    const lines = targets.map(
      (t) =>
        `${t.pass ? 'PASS' : 'MISS'}  ${t.description}: ${t.measured} (required ${t.required})${t.pass ? '' : `; ${t.shortfall ?? ''}`}`,
    );
    process.stdout.write(`native targets:\n${lines.join('\n')}\n`);
    return rows.length > 0 && targets.every((t) => t.pass);
  } finally {
    await fixture.close();
  }
}

/** `promise`, or `fallback` when it has not settled after `ms` (a stuck helper process must not stop the run). */
async function withTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => {
      log(`gave up waiting after ${ms / 1000} s`);
      resolve(fallback);
    }, ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** How the two ways of running batches did against one thread on large messages, and what the code defaults to. */
function chooseDefault(rows: readonly ResultRow[]): BenchReport['defaults'] {
  const big = rows.filter((r) => (r.suite === 'messages' && r.bytes >= 64 * MiB) || r.suite === 'streams');
  const stats = (name: string): { mean: number; best: ResultRow | undefined } => {
    const mine = big.filter((r) => r.contestant === name && r.ratioToSingleThread !== undefined);
    const mean =
      mine.length === 0 ? Number.NaN : mine.reduce((a, r) => a + (r.ratioToSingleThread as number), 0) / mine.length;
    const best = [...mine].sort((a, b) => (b.ratioToSingleThread as number) - (a.ratioToSingleThread as number))[0];
    return { mean, best };
  };
  const workers = stats('sealflow-workers-2');
  const subtle = stats('sealflow-subtle');
  const f = (n: number | undefined): string => (n === undefined || Number.isNaN(n) ? 'n/a' : `${n.toFixed(2)}x`);
  const best = (s: { best: ResultRow | undefined }): string =>
    s.best === undefined ? 'n/a' : `${f(s.best.ratioToSingleThread)} on ${s.best.workload}`;
  const agrees = Number.isNaN(subtle.mean) || workers.mean >= subtle.mean;
  const pays = Math.max(workers.best?.ratioToSingleThread ?? 0, subtle.best?.ratioToSingleThread ?? 0) >= 1.05;
  const reason =
    `Large messages (64 MiB one-shot, every frame length, and the 1 GiB streams), against one thread: piscina workers (2 threads) averaged ${f(workers.mean)} (best ${best(workers)}), crypto.subtle ${f(subtle.mean)} (best ${best(subtle)}). ` +
    `\`createFramePool()\` defaults to mode 'workers': it is the mode that pays where offloading pays at all (small frames, where node:crypto's per-frame cost dominates the copy to the worker), and crypto.subtle also holds more memory per stream (every frame is a separate job with its own input copy)${agrees ? '' : "; in this run crypto.subtle averaged higher, within this shared machine's run-to-run noise"}. ` +
    (pays
      ? `The engine's default stays synchronous (no offload): the pool helps only some workloads here (see the tables), so it is opt-in, \`createEngine({ offload: createFramePool() })\`, and small messages stay on the calling thread either way (\`minMessageBytes\`, default 4 MiB).`
      : `Neither beat the synchronous path in this run, so the engine's default stays synchronous (no offload): a pool is opt-in, \`createEngine({ offload: createFramePool() })\`, and small messages stay on the calling thread either way (\`minMessageBytes\`, default 4 MiB).`);
  return { parallelMode: 'workers', reason };
}

function printTargets(report: BenchReport): void {
  const lines = report.targets.map(
    (t) =>
      `${t.pass ? 'PASS' : 'MISS'}  ${t.description}: ${t.measured} (required ${t.required})${t.pass ? '' : `; ${t.shortfall}${t.why === undefined ? '' : `\n      why: ${t.why}`}`}`,
  );
  process.stdout.write(
    `targets (${report.mode} run, ${report.machine.effectiveCores} effective cores):\n${lines.join('\n')}\n`,
  );
}

// Exit explicitly: a helper process that kept a pipe open (openssl -multi forks) must not keep the run alive.
process.exit(await main());
