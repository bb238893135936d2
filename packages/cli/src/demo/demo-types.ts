import type { KmsAuditRecord } from '@sealflow/keystore-memory';

/** What `sealflow demo` does, from its flags. */
export interface DemoOptions {
  /** Small objects uploaded with SSE-KMS and a bucket key (default 100). */
  readonly objects: number;
  /** Bytes per small object (default 64 KiB). */
  readonly objectSize: number;
  /** Keep the demo folder (gateway data, key store, audit file) instead of removing it. */
  readonly keep: boolean;
}

/** An S3 error the demo provoked on purpose, as the SDK reported it. */
export interface DemoRefusal {
  readonly status: number | undefined;
  readonly code: string;
  readonly message: string;
}

/** Everything the demo measured and checked; `--json` prints it. */
export interface DemoResult {
  readonly folder: { readonly path: string; readonly kept: boolean };
  readonly gateway: {
    readonly url: string;
    /** `fs` storage directory, in-process KMS file store and its audit file (the embedded default). */
    readonly dataDir: string;
    readonly keyStore: string;
    readonly auditFile: string;
    readonly tls: 'a throwaway self-signed certificate (SSE-KMS requests need TLS)';
  };
  readonly bucket: string;
  readonly uploads: {
    readonly objects: number;
    readonly bytes: number;
    readonly ms: number;
    /** From the PUT responses: `aws:kms`, the full key ARN used, bucket key on. */
    readonly serverSideEncryption: string | undefined;
    readonly keyArn: string | undefined;
    readonly bucketKeyEnabled: boolean;
    /** KMS calls the gateway made for these PUTs, by operation (from its /metrics). */
    readonly kmsCalls: Readonly<Record<string, number>>;
    /** GenerateDataKey calls these PUTs would have made without bucket keys: one per object. */
    readonly kmsCallsWithoutBucketKeys: number;
    /** Every object read back through GET had the SHA-256 of what was PUT. */
    readonly verified: boolean;
  };
  readonly multipart: {
    readonly key: string;
    readonly parts: readonly number[];
    readonly bytes: number;
    readonly verified: boolean;
  };
  readonly range: {
    readonly key: string;
    /** Inclusive, as in the HTTP Range header. */
    readonly first: number;
    readonly last: number;
    readonly contentRange: string | undefined;
    /** The parts (1-based) the range spans. */
    readonly spansParts: readonly number[];
    readonly matches: boolean;
  };
  /** GET with an `x-amz-server-side-encryption` header: S3 answers 400. */
  readonly sseHeaderOnGet: DemoRefusal;
  readonly policy: {
    /** The key the bucket policy requires (the AWS-managed `aws/s3` key's ARN). */
    readonly requiredKeyArn: string;
    /** A PUT with SSE-S3 (AES256): refused by the policy. */
    readonly refused: DemoRefusal;
    /** A PUT naming the required key: accepted. */
    readonly allowedStatus: number | undefined;
  };
  readonly tamper: {
    readonly key: string;
    /** One flipped bit in the stored ciphertext: the GET fails instead of returning altered bytes. */
    readonly refused: boolean;
    readonly error: string;
  };
  readonly metrics: {
    /** The gateway's /metrics lines the demo prints (sealflow_gateway_*; no HELP/TYPE). */
    readonly lines: readonly string[];
    readonly kmsCallsTotal: number;
    readonly kmsCallsAvoided: number;
  };
  readonly audit: {
    readonly entries: number;
    readonly byOperation: Readonly<Record<string, number>>;
    readonly records: readonly KmsAuditRecord[];
  };
  readonly totalMs: number;
}
