import type { KmsAuditRecord } from '@sealflow/keystore-memory';

/** What `sealflow demo` does, from its flags. */
export interface DemoOptions {
  /** Plaintext bytes in total (default 256 MiB). */
  readonly size: number;
  /** How many objects the bytes are split into (default 512). */
  readonly objects: number;
  readonly frameLength: number;
  /** Keep the demo folder (key store, audit file, ciphertexts) instead of removing it. */
  readonly keep: boolean;
}

/** One measured phase. */
export interface DemoPhase {
  readonly objects: number;
  readonly bytes: number;
  readonly ms: number;
  /** Plaintext MiB per second, end to end (generate or hash, seal or open, write or read). */
  readonly mibPerSecond: number;
}

/** Everything the demo measured and checked; `--json` prints it. */
export interface DemoResult {
  readonly folder: { readonly path: string; readonly kept: boolean };
  readonly keyStore: { readonly path: string; readonly passphrase: 'the fixed demo passphrase (demo only)'; readonly auditFile: string };
  readonly key: { readonly keyId: string; readonly arn: string; readonly alias: string };
  readonly encrypt: DemoPhase & {
    readonly frameLength: number;
    readonly suite: string;
    /** KMS GenerateDataKey calls the engine made. */
    readonly kmsCalls: number;
    /** Data keys served from the bucket key instead (engine.stats().bucketKeys.hits). */
    readonly kmsCallsAvoided: number;
  };
  readonly decrypt: DemoPhase & {
    readonly kmsCalls: number;
    readonly kmsCallsAvoided: number;
    /** Every object's plaintext SHA-256 matched the one taken while encrypting. */
    readonly verified: boolean;
  };
  readonly range: {
    readonly object: string;
    /** First plaintext byte read. */
    readonly start: number;
    /** Last plaintext byte read, inclusive, as the text and `sealflow decrypt --range START-LAST` say it. */
    readonly last: number;
    /** Exclusive (last + 1), as `engine.decryptRange({ start, end })` takes it. */
    readonly end: number;
    readonly objectBytes: number;
    readonly reads: number;
    readonly bytesRead: number;
    readonly matches: boolean;
  };
  readonly tamper: { readonly object: string; readonly code: string; readonly outputLeftBehind: boolean };
  readonly audit: { readonly entries: number; readonly byOperation: Readonly<Record<string, number>>; readonly records: readonly KmsAuditRecord[] };
  readonly totalMs: number;
}
