// The gateway suite: `sealflow gateway` (SSE-KMS, fs storage, in-process KMS) driven by
// @aws-sdk/client-s3, side by side with the same client against a non-encrypting
// node:https stand-in that streams bodies to the same disk, and moto's S3 server
// (reported, no target). Every server runs as a child process of its own.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildServer } from '../gateway/child-server.js';
import {
  createBucket,
  crossCheckS3,
  deleteObject,
  fetchMetrics,
  getObject,
  headSize,
  kmsCallsByOperation,
  kmsCallsDelta,
  kmsCallsFromMetrics,
  putObject,
  type Body,
  type S3Contestant,
} from '../gateway/s3-contestant.js';
import {
  benchClient,
  selfSignedCert,
  startGatewayProcess,
  startMoto,
  startStandIn,
  type Pem,
} from '../gateway/servers.js';
import { repeatingSource } from '../streams-io.js';
import { log } from '../log.js';
import type { CrossCheckRecord, ResultRow, TargetResult } from '../results.js';
import { GiB, KiB, MiB, round, sizeLabel } from '../units.js';

export interface GatewaySuiteConfig {
  /** Object sizes, how many PUTs (then GETs) of each per contestant and round, and how many rounds. */
  readonly sizes: readonly { readonly bytes: number; readonly count: number; readonly rounds: number }[];
  /** 1 KiB PUTs for the KMS-call count, with and without bucket keys (1,000 in the issue). */
  readonly kmsPuts: number;
  /** Concurrent PUTs and their size for the gateway's peak-RSS probe, or none. */
  readonly rss: { readonly puts: number; readonly bytes: number } | undefined;
}

export interface GatewaySuiteOutput {
  readonly rows: ResultRow[];
  readonly checks: CrossCheckRecord[];
  readonly targets: TargetResult[];
  readonly notes: string[];
}

const KMS_PUT_BYTES = KiB;
const RSS_LIMIT_MiB = 256;
const THROUGHPUT_RATIO = 0.7;

/** What the gateway's SSE-KMS PUTs ask for: the AWS-managed key, with or without a bucket key. */
const sseKms = (bucketKey: boolean): S3Contestant['putExtras'] => ({
  ServerSideEncryption: 'aws:kms',
  BucketKeyEnabled: bucketKey,
});

/** Runs the suite; the servers are stopped and their directory removed whatever happens. */
export async function runGateway(config: GatewaySuiteConfig): Promise<GatewaySuiteOutput> {
  const dir = await mkdtemp(join(tmpdir(), 'sealflow-bench-gw-'));
  const servers: ChildServer[] = [];
  try {
    const pem = selfSignedCert(dir);
    const gateway = await startGatewayProcess(join(dir, 'gateway'), pem);
    servers.push(gateway);
    const standIn = await startStandIn(join(dir, 'stand-in'), pem);
    servers.push(standIn);
    const moto = await startMoto();
    const notes: string[] = [];
    if (typeof moto === 'string') notes.push(`moto not run: ${moto}`);
    else servers.push(moto);
    log(
      `gateway: gateway ${gateway.url}, stand-in ${standIn.url}${typeof moto === 'string' ? '' : `, moto ${moto.url}`}`,
    );
    const contestants: S3Contestant[] = [
      { name: 'gateway', client: benchClient(gateway.url, pem), bucket: 'bench-gateway', putExtras: sseKms(true) },
      { name: 'stand-in', client: benchClient(standIn.url, pem), bucket: 'bench-stand-in', putExtras: {} },
      ...(typeof moto === 'string'
        ? []
        : [{ name: 'moto', client: benchClient(moto.url, undefined), bucket: 'bench-moto', putExtras: {} }]),
    ];
    for (const c of contestants) await createBucket(c);
    const kms = (): Promise<number> => fetchMetrics(gateway.url, pem.cert).then(kmsCallsFromMetrics);
    const checks: CrossCheckRecord[] = [];
    const rows: ResultRow[] = [];
    for (const { bytes, count, rounds } of config.sizes) {
      const plaintext = new Uint8Array(randomBytes(bytes));
      checks.push(await crossCheckS3(`PUT and GET ${sizeLabel(bytes)}`, contestants, plaintext));
      rows.push(...(await timeInterleaved(contestants, plaintext, count, rounds, kms)));
      log(
        `gateway: ${sizeLabel(bytes)} ${rows
          .slice(-2 * contestants.length)
          .map((r) => `${r.contestant} ${r.operation} ${Math.round(r.opsPerSecond ?? 0)}/s`)
          .join(', ')}`,
      );
    }
    fillStandInRatios(rows);
    const kmsCalls = await countKmsCalls(gateway, pem, config.kmsPuts);
    log(
      `gateway: ${config.kmsPuts} PUTs made ${describeCount(kmsCalls.withBucketKey)} with bucket keys, ${describeCount(kmsCalls.without)} without`,
    );
    const rss = config.rss === undefined ? undefined : await rssProbe(gateway, pem, config.rss);
    if (rss !== undefined) {
      log(
        `gateway: peak RSS ${round(rss.overBaselineMiB, 1)} MiB over baseline during ${config.rss?.puts} concurrent ${sizeLabel(config.rss?.bytes ?? 0)} PUTs`,
      );
      rows.push({
        suite: 'gateway',
        workload: `peak RSS, ${rss.puts} concurrent ${sizeLabel(rss.bytes)} PUTs`,
        operation: 'put',
        bytes: rss.bytes,
        frameLength: undefined,
        contestant: 'gateway',
        mibPerSecond: (rss.puts * rss.bytes) / MiB / rss.seconds,
        opsPerSecond: undefined,
        peakRssOverBaselineMiB: rss.overBaselineMiB,
        samples: rss.puts,
        note: `baseline ${round(rss.baselineMiB, 1)} MiB, peak ${round(rss.peakMiB, 1)} MiB`,
      });
    }
    contestants.forEach((c) => c.client.destroy());
    return { rows, checks, targets: gatewayTargets(rows, kmsCalls, config.kmsPuts, rss), notes };
  } finally {
    for (const server of servers) await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Milliseconds of one round: `count` PUTs, then `count` GETs, and the KMS calls of the PUTs. */
interface Round {
  readonly putMs: number;
  readonly getMs: number;
  readonly kmsCalls: number | undefined;
}

/**
 * `rounds` rounds of `count` PUTs then `count` GETs per contestant, the contestants
 * interleaved round by round (their order rotated each round), so a burst of load from
 * elsewhere on a shared machine lands on every contestant alike rather than on whichever
 * ran during it. Each row is the median round. The gateway's KMS calls are summed.
 */
async function timeInterleaved(
  contestants: readonly S3Contestant[],
  plaintext: Uint8Array,
  count: number,
  rounds: number,
  kms: () => Promise<number>,
): Promise<ResultRow[]> {
  const measured = new Map<string, Round[]>(contestants.map((c) => [c.name, []]));
  for (const c of contestants) {
    await putObject(c, 'warm-up', plaintext);
    await getObject(c, 'warm-up');
  }
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < contestants.length; i++) {
      const c = contestants[(i + round) % contestants.length] as S3Contestant;
      measured.get(c.name)?.push(await timeRound(c, plaintext, count, c.name === 'gateway' ? kms : undefined));
    }
  }
  for (const c of contestants) await deleteObject(c, 'warm-up');
  return contestants.flatMap((c) => roundRows(c.name, plaintext.length, count, measured.get(c.name) ?? []));
}

/** `count` PUTs of `plaintext` (distinct keys), then `count` GETs of them, then deletes. */
async function timeRound(
  c: S3Contestant,
  plaintext: Uint8Array,
  count: number,
  kms: (() => Promise<number>) | undefined,
): Promise<Round> {
  const callsBefore = await kms?.();
  let start = performance.now();
  for (let i = 0; i < count; i++) await putObject(c, `object-${i}`, plaintext);
  const putMs = performance.now() - start;
  const kmsCalls = callsBefore === undefined || kms === undefined ? undefined : (await kms()) - callsBefore;
  start = performance.now();
  for (let i = 0; i < count; i++) {
    const got = await getObject(c, `object-${i}`);
    if (got.bytes !== plaintext.length)
      throw new Error(`${c.name}: GET object-${i} returned ${got.bytes} of ${plaintext.length} bytes`);
  }
  const getMs = performance.now() - start;
  for (let i = 0; i < count; i++) await deleteObject(c, `object-${i}`);
  return { putMs, getMs, kmsCalls };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/** A PUT row and a GET row: the median round's rate; KMS calls summed over the rounds. */
function roundRows(contestant: string, bytes: number, count: number, rounds: readonly Round[]): ResultRow[] {
  const label = sizeLabel(bytes);
  const calls = rounds.map((r) => r.kmsCalls);
  const kmsCalls = calls.some((n) => n === undefined) ? undefined : calls.reduce((a = 0, b = 0) => a + b, 0);
  const row = (operation: 'put' | 'get', ms: number, kms: number | undefined): ResultRow => ({
    suite: 'gateway',
    workload: `${operation.toUpperCase()} ${label}`,
    operation,
    bytes,
    frameLength: undefined,
    contestant,
    mibPerSecond: (bytes * count) / MiB / (ms / 1000),
    opsPerSecond: (count * 1000) / ms,
    kmsCalls: kms,
    samples: count * rounds.length,
    note: `median of ${rounds.length} interleaved rounds of ${count} sequential ${operation.toUpperCase()}s`,
  });
  return [
    row('put', median(rounds.map((r) => r.putMs)), kmsCalls),
    row('get', median(rounds.map((r) => r.getMs)), undefined),
  ];
}

function fillStandInRatios(rows: ResultRow[]): void {
  for (const r of rows) {
    const base = rows.find((x) => x.suite === 'gateway' && x.contestant === 'stand-in' && x.workload === r.workload);
    if (base?.mibPerSecond !== undefined && r.mibPerSecond !== undefined)
      r.ratioToStandIn = r.mibPerSecond / base.mibPerSecond;
  }
}

/** KMS calls of one counted run, by KMS operation, and their sum. */
export interface KmsCount {
  readonly total: number;
  readonly byOperation: Record<string, number>;
}

/**
 * `puts` 1 KiB SSE-KMS PUTs into a fresh bucket with bucket keys, then into another
 * without, each counted from the gateway's `/metrics` (`sealflow_gateway_kms_calls_total`,
 * every KMS operation). The AWS-managed key already exists (the timed runs made it).
 */
async function countKmsCalls(
  gateway: ChildServer,
  pem: Pem,
  puts: number,
): Promise<{ withBucketKey: KmsCount; without: KmsCount }> {
  const client = benchClient(gateway.url, pem);
  const body = new Uint8Array(randomBytes(KMS_PUT_BYTES));
  const scrape = async (): Promise<Record<string, number>> =>
    kmsCallsByOperation(await fetchMetrics(gateway.url, pem.cert));
  const run = async (bucket: string, bucketKey: boolean): Promise<KmsCount> => {
    const c: S3Contestant = { name: bucket, client, bucket, putExtras: sseKms(bucketKey) };
    await createBucket(c);
    const before = await scrape();
    for (let i = 0; i < puts; i++) await putObject(c, `kms-${i}`, body);
    const byOperation = kmsCallsDelta(before, await scrape());
    return { total: Object.values(byOperation).reduce((a, b) => a + b, 0), byOperation };
  };
  try {
    return {
      withBucketKey: await run('bench-kms-bucket-key', true),
      without: await run('bench-kms-no-bucket-key', false),
    };
  } finally {
    client.destroy();
  }
}

interface RssResult {
  readonly puts: number;
  readonly bytes: number;
  readonly baselineMiB: number;
  readonly peakMiB: number;
  readonly overBaselineMiB: number;
  readonly seconds: number;
}

/**
 * `puts` concurrent PUTs of `bytes` each (generated streams: the client never holds a
 * body) through the gateway with SSE-KMS and bucket keys, sampling the gateway process's
 * resident memory every 10 ms against a baseline taken right before.
 */
async function rssProbe(gateway: ChildServer, pem: Pem, probe: { puts: number; bytes: number }): Promise<RssResult> {
  const client = benchClient(gateway.url, pem);
  const c: S3Contestant = { name: 'gateway', client, bucket: 'bench-rss', putExtras: sseKms(true) };
  const chunk = new Uint8Array(randomBytes(MiB));
  const body: Body = { length: probe.bytes, stream: () => repeatingSource(probe.bytes, chunk) };
  try {
    await createBucket(c);
    await putObject(c, 'warm-up', { length: 8 * MiB, stream: () => repeatingSource(8 * MiB, chunk) });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const baseline = await gateway.rss();
    let peak = baseline;
    const sampler = setInterval(() => {
      gateway.rss().then(
        (rss) => (peak = Math.max(peak, rss)),
        () => undefined,
      );
    }, 10);
    const start = performance.now();
    try {
      await Promise.all(Array.from({ length: probe.puts }, (_, i) => putObject(c, `big-${i}`, body)));
    } finally {
      clearInterval(sampler);
    }
    const seconds = (performance.now() - start) / 1000;
    peak = Math.max(peak, await gateway.rss());
    for (let i = 0; i < probe.puts; i++) {
      // HEAD, not GET: the plaintext size is in the record, no 8 GiB read back.
      const size = await headSize(c, `big-${i}`);
      if (size !== probe.bytes) throw new Error(`rss probe: big-${i} stored ${size} of ${probe.bytes} bytes`);
      await deleteObject(c, `big-${i}`);
    }
    return {
      puts: probe.puts,
      bytes: probe.bytes,
      baselineMiB: baseline / MiB,
      peakMiB: peak / MiB,
      overBaselineMiB: (peak - baseline) / MiB,
      seconds,
    };
  } finally {
    client.destroy();
  }
}

/** `2 KMS calls (GenerateDataKey 1, Decrypt 1)` */
export function describeCount(count: KmsCount): string {
  const parts = Object.entries(count.byOperation).map(([op, n]) => `${op} ${n}`);
  return `${count.total} KMS call${count.total === 1 ? '' : 's'}${parts.length === 0 ? '' : ` (${parts.join(', ')})`}`;
}

function target(
  id: string,
  description: string,
  required: string,
  measured: string,
  pass: boolean,
  shortfall: string | undefined,
): TargetResult {
  return {
    id,
    description,
    required,
    measured,
    pass,
    shortfall: pass ? undefined : shortfall,
    why: undefined,
    profile: undefined,
  };
}

/** The issue's gateway targets, for the workloads this run measured. */
export function gatewayTargets(
  rows: readonly ResultRow[],
  kms: { withBucketKey: KmsCount; without: KmsCount },
  puts: number,
  rss: RssResult | undefined,
): TargetResult[] {
  const out: TargetResult[] = [];
  for (const operation of ['put', 'get'] as const) {
    const row = rows.find(
      (r) =>
        r.suite === 'gateway' &&
        r.contestant === 'gateway' &&
        r.operation === operation &&
        r.bytes === 64 * MiB &&
        r.ratioToStandIn !== undefined,
    );
    if (row?.ratioToStandIn === undefined) continue;
    const ratio = row.ratioToStandIn;
    out.push(
      target(
        `gateway-${operation}-64m`,
        `gateway ${operation.toUpperCase()} 64 MiB (SSE-KMS, bucket key, TLS) vs the non-encrypting node:https stand-in`,
        `>= ${THROUGHPUT_RATIO}x`,
        `${round(ratio, 2)}x`,
        ratio >= THROUGHPUT_RATIO,
        `needs ${round(THROUGHPUT_RATIO / ratio, 2)}x more`,
      ),
    );
  }
  const kmsPass = kms.withBucketKey.total === 1 && kms.without.total === puts;
  const n = puts.toLocaleString('en-US');
  const why = kmsPass
    ? undefined
    : `with bucket keys ${describeCount(kms.withBucketKey)}, without ${describeCount(kms.without)}. ${kms.without.byOperation['Decrypt'] === puts ? 'Decrypt calls come from write-path verification in verifyWrites "kms" mode (one full KMS round trip per object key); the default "local" mode opens the stored header with the data key just generated.' : ''}`.trim();
  out.push({
    ...target(
      'gateway-kms-calls',
      `KMS calls for ${n} 1 KiB SSE-KMS PUTs with bucket keys (without)`,
      `1 (${n})`,
      `${kms.withBucketKey.total} (${kms.without.total})`,
      kmsPass,
      `${kms.withBucketKey.total - 1} more with, ${kms.without.total - puts} more without`,
    ),
    why,
  });
  if (rss !== undefined) {
    out.push(
      target(
        'gateway-rss',
        `gateway peak RSS over baseline, ${rss.puts} concurrent ${sizeLabel(rss.bytes)} PUTs`,
        `<= ${RSS_LIMIT_MiB} MiB`,
        `${round(rss.overBaselineMiB, 1)} MiB`,
        rss.overBaselineMiB <= RSS_LIMIT_MiB,
        `${round(rss.overBaselineMiB - RSS_LIMIT_MiB, 1)} MiB over`,
      ),
    );
  }
  return out;
}

/**
 * The default sizes: 1 KiB and 1 MiB always, 64 MiB when asked (`--check` or a full run);
 * each in 3 (64 MiB: 5) interleaved rounds.
 */
export function gatewaySizes(big: boolean, count1k: number): GatewaySuiteConfig['sizes'] {
  return [
    { bytes: KiB, count: Math.ceil(count1k / 3), rounds: 3 },
    { bytes: MiB, count: 8, rounds: 3 },
    ...(big ? [{ bytes: 64 * MiB, count: 2, rounds: 5 }] : []),
  ];
}

export const GATEWAY_RSS_PROBE: { readonly puts: 8; readonly bytes: number } = { puts: 8, bytes: GiB };
