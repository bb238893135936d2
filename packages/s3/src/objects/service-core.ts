import { randomBytes } from 'node:crypto';
import {
  createEngine,
  ErrorCodes,
  isSealflowError,
  KeyStoreError,
  LimitExceededError,
  parseKmsKeyArn,
  RawAesKeyStore,
  type BucketKeyOptions,
  type EngineStats,
  type EncryptionContext,
  type Engine,
  type KeyStore,
} from '@sealflow/core';
import { mapKeyStoreError } from '../errors/map-key-store-error.js';
import { isS3Error, s3Error } from '../errors/s3-error.js';
import type { BucketEncryption } from '../rules/bucket-encryption.js';
import { resolveEncryption, type EncryptingOperation, type EncryptionDecision } from '../rules/resolve-encryption.js';
import { header, SseHeaders, type RequestHeaders } from '../rules/sse-headers.js';
import type { BlobStore } from '../store/blob-store.js';
import { parseBucketEncryptionXml } from '../xml/bucket-encryption-xml.js';
import { parseBucketPolicy, type BucketPolicy } from '../policy/bucket-policy.js';
import { conditionKeysFor } from '../policy/condition-keys.js';
import { evaluateBucketPolicy } from '../policy/evaluate-bucket-policy.js';
import { BlobNames } from './blob-names.js';
import type { S3KeyProvider } from './key-provider.js';
import { decodeObjectRecord, RecordLimits, type ObjectEncryption, type ObjectRecord } from './object-record.js';
import { ObjectReaders } from './object-readers.js';
import { currentRequest, type RequestContext } from './request-context.js';
import { dualLayerEngine, type MessageEngine } from './dual-layer-engine.js';
import { VERIFY_WRITES_MODES, WriteKeyMemo, type VerifyWrites } from './write-key-memo.js';
import { readWholeBlob } from '../store/read-whole-blob.js';
import { trackingStore, WriteTracker } from '../store/write-tracker.js';
import { customerWritePlan, customerSessionOf } from './sse-c.js';

/** Options of `new S3Service(...)`. */
export interface S3ServiceOptions {
  /** Where objects, buckets and their settings live (several services over one store agree). */
  readonly store: BlobStore;
  /** Key stores per principal, key resolution, the AWS-managed key (`kmsKeyProvider(...)`). */
  readonly keys: S3KeyProvider;
  /** The region buckets and KMS keys live in (e.g. `us-east-1`). */
  readonly region: string;
  /** The store-owned 32-byte key that SSE-S3 (AES256) objects are wrapped with. Keep it secret and stable. */
  readonly sseS3Key: Uint8Array;
  /** Bucket-key cache settings of each principal's engine (default: 5 minutes). */
  readonly bucketKeyCache?: BucketKeyOptions;
  /** Use bucket keys for SSE-KMS writes that neither the request nor the bucket default decides (default false). */
  readonly bucketKeysByDefault?: boolean;
  /** Frame length of new messages (default 64 KiB). */
  readonly frameLength?: number;
  /** ARN partition (default `aws`). */
  readonly partition?: string;
  /** Largest single PUT or part, in bytes (default 5 GiB). */
  readonly maxObjectSize?: number;
  /** Smallest part but the last at CompleteMultipartUpload (default 5 MiB). */
  readonly minPartSize?: number;
  /** Clock (ms since the epoch), for tests. */
  readonly now?: () => number;
  /**
   * How a write is verified before it is acknowledged (default `local`: with the data key
   * just generated, no second KMS call; `kms`: a full KMS Decrypt round trip). See `VerifyWrites`.
   */
  readonly verifyWrites?: VerifyWrites;
}

/** What `S3Service.stats()` reports (for metrics): KMS calls made, bucket-key hits (calls avoided), messages and bytes. */
export interface S3ServiceStats {
  /** Principals with an engine (each has its own bucket-key cache). */
  readonly principals: number;
  readonly kms: {
    readonly generate: number;
    readonly wrap: number;
    readonly unwrap: number;
    readonly failures: number;
    readonly bucketKeyHits: number;
    readonly bucketKeyMisses: number;
  };
  readonly sseKms: {
    readonly messagesEncrypted: number;
    readonly messagesDecrypted: number;
    readonly bytesEncrypted: number;
    readonly bytesDecrypted: number;
  };
  readonly sseS3: EngineStats;
}

/** A decided encryption for a new object: engine, options and what the record stores. */
export interface WritePlan {
  readonly engine: MessageEngine;
  readonly encryption: ObjectEncryption;
  /** The full context the header authenticates (object ARN plus the request's pairs). */
  readonly headerContext: EncryptionContext;
  readonly keyId: string | undefined;
  readonly bucketKey: { readonly context: EncryptionContext } | undefined;
  /** The request rules' decision (for bucket-policy condition keys). */
  readonly decision: EncryptionDecision;
}

export interface BucketRecord {
  readonly name: string;
  readonly created: number;
  readonly owner: string;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IP_LIKE = /^\d+\.\d+\.\d+\.\d+$/;

/** Shared state and helpers of the S3 operations (internal to @sealflow/s3). */
export class ServiceCore {
  readonly store: BlobStore;
  /** Names this process is writing now (see `WriteTracker`). */
  readonly tracker: WriteTracker = new WriteTracker();
  /** Objects this process is reading now: their replaced bodies wait (see `ObjectReaders`). */
  readonly readers: ObjectReaders = new ObjectReaders();
  readonly keys: S3KeyProvider;
  readonly region: string;
  readonly partition: string;
  readonly frameLength: number;
  readonly maxObjectSize: number;
  readonly minPartSize: number;
  readonly now: () => number;
  readonly #bucketKeysByDefault: boolean;
  readonly #verifyWrites: VerifyWrites;
  readonly #memos: WriteKeyMemo[] = [];
  readonly #bucketKeyCache: BucketKeyOptions;
  readonly #engines = new Map<string, Engine>();
  readonly #sseS3Store: KeyStore;
  readonly sseS3Engine: Engine;

  constructor(options: S3ServiceOptions) {
    if (options === null || typeof options !== 'object') throw new TypeError('S3Service: expected an options object');
    if (typeof options.store?.put !== 'function') throw new TypeError('S3Service: store must be a BlobStore');
    if (typeof options.keys?.keyStoreFor !== 'function')
      throw new TypeError('S3Service: keys must be an S3KeyProvider');
    if (typeof options.region !== 'string' || !/^[a-z0-9-]{1,32}$/.test(options.region))
      throw new TypeError('S3Service: region must be a region name');
    if (!(options.sseS3Key instanceof Uint8Array) || options.sseS3Key.length !== 32)
      throw new TypeError('S3Service: sseS3Key must be 32 bytes');
    // Every put is held for the S3 call making it, so the orphan sweeper never takes a body
    // whose record is still to be committed.
    this.store = trackingStore(options.store, this.tracker, currentRequest);
    this.keys = options.keys;
    this.region = options.region;
    this.partition = options.partition ?? 'aws';
    this.frameLength = options.frameLength ?? 64 * 1024;
    this.maxObjectSize = options.maxObjectSize ?? 5 * 1024 ** 3;
    this.minPartSize = options.minPartSize ?? 5 * 1024 ** 2;
    this.now = options.now ?? Date.now;
    if (options.verifyWrites !== undefined && !VERIFY_WRITES_MODES.includes(options.verifyWrites))
      throw new TypeError("S3Service: verifyWrites must be 'local' or 'kms'");
    this.#verifyWrites = options.verifyWrites ?? 'local';
    this.#bucketKeysByDefault = options.bucketKeysByDefault ?? false;
    this.#bucketKeyCache = options.bucketKeyCache ?? { maxAgeMs: 5 * 60_000 };
    this.#sseS3Store = new RawAesKeyStore({ namespace: 'sealflow-s3', name: 'sse-s3', key: options.sseS3Key });
    this.sseS3Engine = createEngine({ keyStore: this.#sseS3Store, frameLength: this.frameLength });
  }

  /** The SSE-KMS engine of one principal: its own key store view and bucket-key cache. */
  engineFor(principal: string): Engine {
    let engine = this.#engines.get(principal);
    if (engine === undefined) {
      const keyStore = this.keys.keyStoreFor(principal);
      engine = createEngine({
        keyStore: this.#verifyWrites === 'local' ? this.#memo(keyStore) : keyStore,
        bucketKeys: this.#bucketKeyCache,
        frameLength: this.frameLength,
      });
      this.#engines.set(principal, engine);
    }
    return engine;
  }

  #memo(keyStore: KeyStore): KeyStore {
    const memo = new WriteKeyMemo(keyStore);
    this.#memos.push(memo);
    return memo;
  }

  /** Counters of the SSE-KMS engines (every principal's) and of the SSE-S3 engine. */
  stats(): S3ServiceStats {
    const kms = [...this.#engines.values()].map((e) => e.stats());
    const sum = (pick: (s: EngineStats) => number): number => kms.reduce((n, s) => n + pick(s), 0);
    return {
      principals: kms.length,
      kms: {
        generate: sum((s) => s.keyStoreCalls.generate),
        wrap: sum((s) => s.keyStoreCalls.wrap),
        unwrap: sum((s) => s.keyStoreCalls.unwrap),
        failures: sum((s) => s.keyStoreFailures),
        bucketKeyHits: sum((s) => s.bucketKeys.hits),
        bucketKeyMisses: sum((s) => s.bucketKeys.misses),
      },
      sseKms: {
        messagesEncrypted: sum((s) => s.messagesEncrypted),
        messagesDecrypted: sum((s) => s.messagesDecrypted),
        bytesEncrypted: sum((s) => s.bytesEncrypted),
        bytesDecrypted: sum((s) => s.bytesDecrypted),
      },
      sseS3: this.sseS3Engine.stats(),
    };
  }

  /** Wipes every cached key of every engine. */
  async close(): Promise<void> {
    await Promise.all([...this.#engines.values(), this.sseS3Engine].map((e) => e.close()));
    this.#engines.clear();
    for (const memo of this.#memos.splice(0)) memo.clear();
  }

  /** What writes and reads the messages of an object encrypted with `encryption` (two layers for DSSE-KMS). */
  messageEngine(ctx: RequestContext, encryption: ObjectEncryption): MessageEngine {
    if (encryption.algorithm === 'aws:kms:dsse') return dualLayerEngine(this.engineFor(ctx.principal));
    return this.readEngine(ctx, encryption);
  }

  /**
   * The single-layer engine of an object written with `encryption` (SSE-C: the request's
   * customer session; also re-key; never for DSSE-KMS messages).
   */
  readEngine(ctx: RequestContext, encryption: ObjectEncryption): Engine {
    if (encryption.customerKey !== undefined) {
      const session = customerSessionOf(encryption);
      if (session === undefined)
        throw s3Error(
          'InvalidRequest',
          'The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.',
        );
      return session.engine;
    }
    return encryption.algorithm === 'AES256' ? this.sseS3Engine : this.engineFor(ctx.principal);
  }

  /** The store re-keyed headers are wrapped with. */
  wrappingStore(ctx: RequestContext, algorithm: 'AES256' | 'aws:kms', keyArn: string | undefined): KeyStore {
    return algorithm === 'AES256' ? this.#sseS3Store : this.keys.wrappingStoreFor(ctx.principal, keyArn as string);
  }

  objectArn(bucket: string, key: string): string {
    return `arn:${this.partition}:s3:::${bucket}/${key}`;
  }

  bucketArn(bucket: string): string {
    return `arn:${this.partition}:s3:::${bucket}`;
  }

  /** The context an object's messages authenticate, from its stored (reported) context. */
  headerContext(bucket: string, key: string, stored: EncryptionContext): EncryptionContext {
    return { ...stored, 'aws:s3:arn': this.objectArn(bucket, key) };
  }

  /** @throws {S3Error} InvalidBucketName */
  assertBucketName(bucket: string): void {
    if (
      typeof bucket !== 'string' ||
      !BUCKET_NAME.test(bucket) ||
      bucket.includes('..') ||
      IP_LIKE.test(bucket) ||
      bucket.includes('.-') ||
      bucket.includes('-.')
    ) {
      throw s3Error('InvalidBucketName', 'The specified bucket is not valid.', {
        resource: `/${String(bucket).slice(0, 64)}`,
      });
    }
  }

  /** @throws {S3Error} KeyTooLongError / InvalidArgument */
  assertKey(key: string): void {
    if (typeof key !== 'string' || key.length === 0)
      throw s3Error('InvalidArgument', 'The object key must not be empty.');
    if (Buffer.byteLength(key, 'utf8') > 1024) throw s3Error('KeyTooLongError', 'Your key is too long');
    if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(key))
      throw s3Error('InvalidArgument', 'The object key is not valid UTF-8.');
  }

  /** The bucket's record. @throws {S3Error} NoSuchBucket, InvalidBucketName */
  async bucket(bucket: string): Promise<BucketRecord> {
    this.assertBucketName(bucket);
    const bytes = await this.store.read(BlobNames.bucket(bucket), 0, 4096);
    if (bytes === undefined)
      throw s3Error('NoSuchBucket', 'The specified bucket does not exist', { resource: `/${bucket}` });
    try {
      const parsed = JSON.parse(Buffer.from(bytes).toString('utf8')) as BucketRecord;
      if (parsed.name !== bucket || typeof parsed.created !== 'number' || typeof parsed.owner !== 'string')
        throw new Error('bad bucket record');
      return parsed;
    } catch (error) {
      throw s3Error('InternalError', 'We encountered an internal error. Please try again.', { cause: error });
    }
  }

  /** The bucket's default encryption, or undefined (SSE-S3). */
  async bucketEncryption(bucket: string): Promise<BucketEncryption | undefined> {
    const bytes = await this.store.read(BlobNames.encryption(bucket), 0, 64 * 1024);
    return bytes === undefined ? undefined : parseBucketEncryptionXml(bytes);
  }

  /** An object's record, or undefined. @throws {S3Error} InternalError for a corrupt record */
  async record(bucket: string, key: string): Promise<ObjectRecord | undefined> {
    return this.recordAt(BlobNames.object(bucket, key));
  }

  /** The record at `name`, read whole in one consistent view (a commit may replace it meanwhile). @throws {S3Error} InternalError for a corrupt or oversized record */
  async recordAt(name: string): Promise<ObjectRecord | undefined> {
    const internal = (cause: unknown): Error =>
      s3Error('InternalError', 'We encountered an internal error. Please try again.', { cause });
    const bytes = await readWholeBlob(this.store, name, 'maxRecordBytes', RecordLimits.maxRecordBytes).catch(
      (error: unknown) => {
        throw error instanceof LimitExceededError ? internal(error) : error;
      },
    );
    if (bytes === undefined) return undefined;
    try {
      return decodeObjectRecord(bytes);
    } catch (error) {
      throw internal(error);
    }
  }

  /**
   * Decides how a new object is encrypted: the request rules (headers, bucket default), the
   * key resolved to its full ARN as the caller (alias/aws/s3 created on first use), the
   * context (`aws:s3:arn` plus the header's pairs) and the bucket key.
   * @throws {S3Error}
   */
  async writePlan(
    ctx: RequestContext,
    operation: EncryptingOperation,
    bucket: string,
    key: string,
    headers: RequestHeaders,
  ): Promise<WritePlan> {
    const bucketEncryption = await this.bucketEncryption(bucket);
    const decision = resolveEncryption({
      operation,
      headers,
      bucket,
      key,
      bucketEncryption,
      region: this.region,
      accountId: ctx.accountId,
      secureTransport: ctx.secureTransport,
      anonymous: ctx.anonymous,
    });
    const headerContext = { ...decision.context, 'aws:s3:arn': this.objectArn(bucket, key) };
    if (decision.customerKey === true) return customerWritePlan(headers, decision, headerContext, this.frameLength);
    if (decision.algorithm === 'AES256') {
      return {
        engine: this.sseS3Engine,
        encryption: { algorithm: 'AES256', keyArn: undefined, bucketKey: false, context: {} },
        headerContext,
        keyId: undefined,
        bucketKey: undefined,
        decision,
      };
    }
    const keyArn = await this.resolveKeyArn(ctx, decision.keyId ?? 'alias/aws/s3');
    if (decision.algorithm === 'aws:kms:dsse') {
      // Two layers, each with its own data key from KMS; S3 Bucket Keys do not apply to DSSE-KMS.
      return {
        engine: dualLayerEngine(this.engineFor(ctx.principal)),
        encryption: { algorithm: 'aws:kms:dsse', keyArn, bucketKey: false, context: headerContext },
        headerContext,
        keyId: keyArn,
        bucketKey: undefined,
        decision,
      };
    }
    const explicit = header(headers, SseHeaders.bucketKeyEnabled) !== undefined || bucketEncryption !== undefined;
    const useBucketKey = decision.bucketKey || (!explicit && this.#bucketKeysByDefault);
    const kmsContext = useBucketKey ? { ...decision.context, 'aws:s3:arn': this.bucketArn(bucket) } : headerContext;
    return {
      engine: this.engineFor(ctx.principal),
      encryption: { algorithm: 'aws:kms', keyArn, bucketKey: useBucketKey, context: kmsContext },
      headerContext,
      keyId: keyArn,
      bucketKey: useBucketKey ? { context: kmsContext } : undefined,
      decision,
    };
  }

  /**
   * A key as its full ARN, resolved as the caller; it must live in the service's region.
   * @throws {S3Error} KMS.NotFoundException, KMS.KMSInvalidStateException (another region), InvalidArgument (not symmetric), ...
   */
  async resolveKeyArn(ctx: RequestContext, keyId: string): Promise<string> {
    const arn = await this.kms(() => this.keys.resolveKey(ctx.principal, ctx.accountId, keyId));
    if (parseKmsKeyArn(arn)?.region !== this.region) {
      throw toS3Error(
        new KeyStoreError(ErrorCodes.KEY_INVALID_STATE, `KMS key ${arn} is not in the bucket's region ${this.region}`, {
          keyId: arn,
        }),
      );
    }
    return arn;
  }

  /** Runs a key-store call and maps its failure to the S3 error S3 answers. */
  async kms<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw toS3Error(error);
    }
  }

  /**
   * Bucket policy and ownership: an explicit Deny refuses; an anonymous caller needs an
   * Allow; another account's caller needs an Allow; the owner's callers are allowed.
   * @throws {S3Error} AccessDenied
   */
  async authorize(
    ctx: RequestContext,
    bucket: BucketRecord,
    action: string,
    key: string | undefined,
    plan?: Pick<WritePlan, 'decision'> & { readonly encryption: Pick<ObjectEncryption, 'keyArn'> },
    headers: RequestHeaders = {},
  ): Promise<void> {
    const policy = await this.bucketPolicy(bucket.name);
    let verdict: 'allow' | 'deny' | 'default' = 'default';
    if (policy !== undefined) {
      const conditionKeys = conditionKeysFor(plan?.decision, plan?.encryption.keyArn, {
        headers,
        secureTransport: ctx.secureTransport,
        principal: ctx.anonymous ? undefined : ctx.principal,
        region: this.region,
        accountId: ctx.accountId,
      });
      verdict = evaluateBucketPolicy(policy, {
        action,
        principal: ctx.anonymous ? undefined : ctx.principal,
        resource: key === undefined ? this.bucketArn(bucket.name) : this.objectArn(bucket.name, key),
        conditionKeys,
      });
    }
    const owner = !ctx.anonymous && ctx.accountId === bucket.owner;
    if (verdict === 'deny' || (verdict === 'default' && !owner))
      throw s3Error('AccessDenied', 'Access Denied', {
        resource: key === undefined ? `/${bucket.name}` : `/${bucket.name}/${key}`,
      });
  }

  async bucketPolicy(bucket: string): Promise<BucketPolicy | undefined> {
    const bytes = await this.store.read(BlobNames.policy(bucket), 0, 64 * 1024);
    return bytes === undefined ? undefined : parseBucketPolicy(bytes, { bucket });
  }

  newEtag(): string {
    return randomBytes(16).toString('hex');
  }
}

/** Any failure as the S3 error to answer (S3Errors pass through; key-store failures mapped; the rest 500). */
export function toS3Error(error: unknown): Error {
  if (isS3Error(error)) return error;
  if (isSealflowError(error) && error.name === 'KeyStoreError') return mapKeyStoreError(error);
  return mapKeyStoreError(error);
}
