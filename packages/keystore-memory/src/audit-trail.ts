import { appendFile } from 'node:fs/promises';
import { KMS_AUDIT_CHANNEL, publish } from '@sealflow/core';
import type { KmsAuditRecord } from './audit-record.js';

/** Diagnostics channel every audit record is published on (core's, shared with @sealflow/keystore-aws-kms). */
export { KMS_AUDIT_CHANNEL };

/** Where audit records go, besides the diagnostics channel. */
export interface KmsAuditOptions {
  /** Records kept in memory, newest last (default 1000; 0 keeps none). */
  readonly ringSize?: number;
  /** A JSON-lines file records are appended to (created with mode 0600). */
  readonly file?: string;
  /** Called with every record; a throwing callback does not fail the KMS call. */
  readonly onRecord?: (record: KmsAuditRecord) => void;
}

export interface KmsCallCounter {
  readonly calls: number;
  readonly failures: number;
  /** Failures by exception name. */
  readonly errors: Readonly<Record<string, number>>;
}

/** Counters since the instance started: per operation and per key ARN. */
export interface KmsMetrics {
  readonly operations: Readonly<Record<string, KmsCallCounter>>;
  readonly keys: Readonly<Record<string, KmsCallCounter & { readonly operations: Readonly<Record<string, number>> }>>;
  /** Records a sink (callback or file) failed to take. */
  readonly sinkFailures: number;
}

interface MutableCounter {
  calls: number;
  failures: number;
  errors: Record<string, number>;
}

function bump(counter: MutableCounter, errorCode: string | undefined): void {
  counter.calls += 1;
  if (errorCode !== undefined) {
    counter.failures += 1;
    counter.errors[errorCode] = (counter.errors[errorCode] ?? 0) + 1;
  }
}

const newCounter = (): MutableCounter => ({
  calls: 0,
  failures: 0,
  errors: Object.create(null) as Record<string, number>,
});

/** The audit sinks and counters of one `MemoryKms` instance (shared by its `as()` views). */
export class AuditTrail {
  readonly #ringSize: number;
  readonly #file: string | undefined;
  readonly #onRecord: ((record: KmsAuditRecord) => void) | undefined;
  readonly #ring: KmsAuditRecord[] = [];
  readonly #operations = new Map<string, MutableCounter>();
  readonly #keys = new Map<string, MutableCounter & { operations: Record<string, number> }>();
  #sinkFailures = 0;
  #lines: string[] = [];
  #draining: Promise<void> | undefined;
  #fileError: unknown;

  constructor(options: KmsAuditOptions) {
    this.#ringSize = options.ringSize ?? 1000;
    this.#file = options.file;
    this.#onRecord = options.onRecord;
  }

  /** Delivers one record to every sink and counts it. */
  record(record: KmsAuditRecord): void {
    const operation = this.#operations.get(record.eventName) ?? newCounter();
    this.#operations.set(record.eventName, operation);
    bump(operation, record.errorCode);
    for (const { ARN } of record.resources) {
      const key = this.#keys.get(ARN) ?? { ...newCounter(), operations: Object.create(null) as Record<string, number> };
      this.#keys.set(ARN, key);
      bump(key, record.errorCode);
      key.operations[record.eventName] = (key.operations[record.eventName] ?? 0) + 1;
    }
    if (this.#ringSize > 0) {
      this.#ring.push(record);
      if (this.#ring.length > this.#ringSize) this.#ring.splice(0, this.#ring.length - this.#ringSize);
    }
    publish(KMS_AUDIT_CHANNEL, record);
    if (this.#onRecord !== undefined) {
      try {
        this.#onRecord(record);
      } catch {
        this.#sinkFailures += 1;
      }
    }
    if (this.#file !== undefined) {
      this.#lines.push(`${JSON.stringify(record)}\n`);
      this.#draining ??= this.#drain(this.#file);
    }
  }

  /** The records in the ring, oldest first. */
  records(): readonly KmsAuditRecord[] {
    return [...this.#ring];
  }

  metrics(): KmsMetrics {
    const operations: Record<string, KmsCallCounter> = {};
    for (const [name, c] of this.#operations)
      operations[name] = { calls: c.calls, failures: c.failures, errors: { ...c.errors } };
    const keys: Record<string, KmsCallCounter & { operations: Record<string, number> }> = {};
    for (const [arn, c] of this.#keys) {
      keys[arn] = { calls: c.calls, failures: c.failures, errors: { ...c.errors }, operations: { ...c.operations } };
    }
    return { operations, keys, sinkFailures: this.#sinkFailures };
  }

  /**
   * Resolves once every record so far is in the file.
   * @throws {Error} the first error the file sink met (records after it were dropped).
   */
  async flush(): Promise<void> {
    while (this.#draining !== undefined) await this.#draining;
    if (this.#fileError !== undefined) throw this.#fileError;
  }

  async #drain(file: string): Promise<void> {
    try {
      while (this.#lines.length > 0) {
        const batch = this.#lines.join('');
        const count = this.#lines.length;
        this.#lines = [];
        if (this.#fileError !== undefined) {
          this.#sinkFailures += count;
          continue;
        }
        try {
          await appendFile(file, batch, { mode: 0o600 });
        } catch (error) {
          this.#fileError = error;
          this.#sinkFailures += count;
        }
      }
    } finally {
      this.#draining = undefined;
    }
  }
}
