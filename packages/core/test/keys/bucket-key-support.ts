// Test doubles for the bucket-key suites: a KeyStore that counts and records every call,
// keeps every plaintext key it handed out (to prove wiping), can be taken down, made to
// fail, or held until the test releases it.
import { randomBytes } from 'node:crypto';
import {
  type DataKey,
  ErrorCodes,
  KeyStoreError,
  RawAesKeyStore,
  type EncryptedDataKey,
  type EncryptionContext,
  type GeneratedDataKey,
  type GenerateRequest,
  type KeyStore,
  type KeyStoreRequest,
} from '@sealflow/core';

export interface RecordedCall {
  readonly operation: 'generate' | 'wrap' | 'unwrap';
  readonly context: EncryptionContext;
  readonly principal: string;
  readonly keyId: string | undefined;
}

/** A plaintext key the store handed out, with the byte array behind it. */
export interface HandedOut {
  readonly key: DataKey;
  /** The very bytes `key` holds (captured at hand-out): all zero once the key is wiped. */
  readonly bytes: Uint8Array;
}

export interface RecordingStoreOptions {
  readonly namespace?: string;
  readonly name?: string;
  readonly key?: Uint8Array;
  /** A fixed principal, or a function read on every access (a store acting for the current request). */
  readonly principal?: string | (() => string | undefined);
  readonly id?: string;
}

/** Wraps a RawAesKeyStore: counts, records, keeps handed-out keys; can be down or held. */
export class RecordingStore implements KeyStore {
  readonly id: string;
  readonly inner: RawAesKeyStore;
  readonly calls: RecordedCall[] = [];
  readonly handedOut: HandedOut[] = [];
  /** When set, every call fails with this code (ERR_KEY_STORE_UNAVAILABLE: "the store is down"). */
  failWith: string | undefined;
  /** When false, a held call ignores its AbortSignal (a store that cannot cancel). */
  honorAbort = true;
  readonly #principal: string | (() => string | undefined) | undefined;
  #holds: (() => void)[] = [];
  #holding = false;

  constructor(options: RecordingStoreOptions = {}) {
    const namespace = options.namespace ?? 'test-ns';
    const name = options.name ?? 'bucket-wrapping-key';
    this.inner = new RawAesKeyStore({ namespace, name, key: options.key ?? new Uint8Array(randomBytes(32)) });
    this.id = options.id ?? this.inner.id;
    this.#principal = options.principal;
  }

  /** Read on every call, like a store acting for the current request's caller ('' = none). */
  get principal(): string {
    return (typeof this.#principal === 'function' ? this.#principal() : this.#principal) ?? '';
  }

  count(operation: RecordedCall['operation']): number {
    return this.calls.filter((c) => c.operation === operation).length;
  }

  /** Holds every call until `release()`; returns the release function. */
  hold(): () => void {
    this.#holding = true;
    return () => {
      this.#holding = false;
      const held = this.#holds;
      this.#holds = [];
      for (const go of held) go();
    };
  }

  canUnwrap(edk: EncryptedDataKey): boolean {
    return this.inner.canUnwrap(edk);
  }

  async generateDataKey(request: GenerateRequest): Promise<GeneratedDataKey> {
    this.#record('generate', request, request.keyId);
    await this.#gate(request.signal);
    const generated = await this.inner.generateDataKey(request);
    this.handedOut.push({ key: generated.dataKey, bytes: generated.dataKey.reveal() });
    return generated;
  }

  async wrapDataKey(dataKey: DataKey, request: KeyStoreRequest): Promise<EncryptedDataKey> {
    this.#record('wrap', request, undefined);
    await this.#gate(request.signal);
    return this.inner.wrapDataKey(dataKey, request);
  }

  async unwrapDataKey(edk: EncryptedDataKey, request: KeyStoreRequest): Promise<DataKey> {
    this.#record('unwrap', request, undefined);
    await this.#gate(request.signal);
    const key = await this.inner.unwrapDataKey(edk, request);
    this.handedOut.push({ key, bytes: key.reveal() });
    return key;
  }

  #record(operation: RecordedCall['operation'], request: KeyStoreRequest, keyId: string | undefined): void {
    this.calls.push({ operation, context: { ...request.context }, principal: this.principal, keyId });
  }

  async #gate(signal: AbortSignal | undefined): Promise<void> {
    if (this.#holding) {
      await new Promise<void>((resolve, reject) => {
        this.#holds.push(resolve);
        if (this.honorAbort)
          signal?.addEventListener(
            'abort',
            () => reject(new KeyStoreError(ErrorCodes.KEY_STORE_UNAVAILABLE, 'aborted')),
            { once: true },
          );
      });
    }
    if (this.failWith !== undefined) {
      throw new KeyStoreError(this.failWith as KeyStoreError['code'], `${this.id} is failing on purpose`, {
        store: this.id,
      });
    }
  }
}

/** Whether a handed-out key was wiped: the holder destroyed and its bytes zeroed. */
export function isWiped(handed: HandedOut): boolean {
  return handed.key.destroyed && handed.bytes.every((b) => b === 0);
}

/** A controllable clock for `bucketKeys.now`. */
export function testClock(start = 1_000_000): { now: () => number; advance(ms: number): void } {
  let t = start;
  return {
    now: () => t,
    advance(ms) {
      t += ms;
    },
  };
}

/** `count` distinct plaintexts of `size` bytes. */
export function plaintexts(count: number, size: number): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => {
    const bytes = new Uint8Array(size);
    bytes.fill(i % 251);
    if (size >= 4) new DataView(bytes.buffer).setUint32(0, i);
    return bytes;
  });
}

export const OBJECT_CONTEXT = Object.freeze({
  'aws:s3:arn': 'arn:aws:s3:::bucket/photos/cat.jpg',
  department: 'research',
});
export const BUCKET_CONTEXT = Object.freeze({ 'aws:s3:arn': 'arn:aws:s3:::bucket' });

/** The S3 context of object `key` in `bucket`. */
export function objectContext(key: string, bucket = 'bucket'): Record<string, string> {
  return { 'aws:s3:arn': `arn:aws:s3:::${bucket}/${key}` };
}
