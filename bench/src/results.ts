/** The machine-readable report (`bench/results/latest.json`). */

export type Suite = 'messages' | 'streams' | 'objects' | 'ranges' | 'memory' | 'ceiling' | 'gateway' | 'native';
export type Operation = 'encrypt' | 'decrypt' | 'range' | 'put' | 'get';

/** One measured (workload, contestant) pair. */
export interface ResultRow {
  readonly suite: Suite;
  /** Human label, e.g. `encrypt 64 MiB, 64 KiB frames`. */
  readonly workload: string;
  readonly operation: Operation;
  /** Bytes per operation (plaintext). */
  readonly bytes: number;
  readonly frameLength: number | undefined;
  readonly contestant: string;
  readonly mibPerSecond: number | undefined;
  readonly opsPerSecond: number | undefined;
  /** Throughput over raw node:crypto sealing the same frames, when measured in the same workload. */
  ratioToRaw?: number | undefined;
  /** Throughput over @aws-crypto/client-node in the same workload. */
  ratioToClientNode?: number | undefined;
  /** Throughput over the single-thread sealflow engine (parallel contestants). */
  ratioToSingleThread?: number | undefined;
  /** Throughput over the gateway suite's non-encrypting node:https stand-in in the same workload. */
  ratioToStandIn?: number | undefined;
  /** Peak resident memory above the baseline taken right before the workload. */
  readonly peakRssOverBaselineMiB?: number | undefined;
  /** Process CPU time (all threads) per MiB processed, milliseconds: what the throughput cost in cores. */
  readonly cpuMsPerMiB?: number | undefined;
  /** Key-store (KMS) calls the workload made. */
  readonly kmsCalls?: number | undefined;
  /** Timed iterations. */
  readonly samples: number;
  readonly note?: string | undefined;
}

/** One cross-check: every contestant's bytes were opened by every other that can open them. */
export interface CrossCheckRecord {
  readonly workload: string;
  readonly contestants: readonly string[];
  /** Producer/consumer pairs checked. */
  readonly pairs: number;
  /** Contestants whose fixed-material output was byte-identical to sealflow's. */
  readonly identicalToSealflow: readonly string[];
}

/** A target of issue 7, checked by `--check`. */
export interface TargetResult {
  readonly id: string;
  readonly description: string;
  /** e.g. `>= 0.85x raw node:crypto` or `<= 64 MiB`. */
  readonly required: string;
  readonly measured: string;
  readonly pass: boolean;
  /** When missed: by how much (e.g. `needs 2.5x more`, `12 MiB over`). */
  readonly shortfall: string | undefined;
  /** When missed: why, from the numbers of this run (and the profile when taken). */
  readonly why: string | undefined;
  /** When missed: the calling-thread profile that explains it (`bench/results/<profile>.cpuprofile`). */
  readonly profile: string | undefined;
}

export interface MachineInfo {
  readonly node: string;
  readonly platform: string;
  readonly cpus: number;
  readonly cpuModel: string;
  readonly loadAverageBefore: readonly number[];
  readonly loadAverageAfter: readonly number[];
  /** Measured: how many cores a CPU-bound job really got (2 workers vs 1). */
  readonly effectiveCores: number;
  readonly openssl: string | undefined;
}

export interface BenchReport {
  readonly generatedAt: string;
  readonly mode: 'quick' | 'full';
  readonly durationSeconds: number;
  readonly machine: MachineInfo;
  readonly crossChecks: readonly CrossCheckRecord[];
  readonly rows: readonly ResultRow[];
  readonly targets: readonly TargetResult[];
  readonly defaults: { readonly parallelMode: string; readonly reason: string };
}
