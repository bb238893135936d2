import type { CipherBackend } from '../crypto/backend.js';
import { ErrorCodes, SealflowError } from '../errors.js';
import type { DecryptLimits } from '../format/limits.js';
import type { CommitmentPolicy, SuiteId } from '../format/suites.js';
import type { DataKey } from '../keys/data-key.js';
import type { EncryptedDataKey, GeneratedDataKey, GenerateRequest, KeyStoreRequest } from '../keys/key-store.js';
import type { KeyStoreSet } from '../keys/key-store-set.js';
import type { StatsCounter } from '../stats.js';
import type { FrameOffload } from './frame-offload.js';

/** The data key of one message being encrypted, and what to do with it afterwards. */
export interface MessageDataKey {
  readonly dataKey: DataKey;
  readonly encryptedDataKeys: readonly EncryptedDataKey[];
  /** Called once when the message is finished (or failed): wipes what the message owned. */
  release(): void;
  /** Charges the finished message's plaintext bytes to the key's usage limits (bucket keys). */
  charge(bytes: number): void;
}

/** Per-call bucket-key request, resolved by the engine from the caller's option. */
export interface BucketKeyRequest {
  /** The context the key store sees (e.g. `{ 'aws:s3:arn': 'arn:aws:s3:::bucket' }`). */
  readonly context: Readonly<Record<string, string>>;
  /** The message's plaintext length when known (one-shot encrypt, declared stream): reserved against maxBytes up front. */
  readonly plaintextLength?: number | undefined;
}

/** Test-only knobs: a fixed message ID and data key make output reproducible. */
export interface FixedMaterials {
  readonly messageId?: Uint8Array;
  readonly dataKey?: GeneratedDataKey;
}

/** What every session of one engine shares. */
export interface EngineCore {
  readonly stores: KeyStoreSet;
  readonly backend: CipherBackend;
  readonly stats: StatsCounter;
  readonly limits: DecryptLimits;
  readonly commitmentPolicy: CommitmentPolicy;
  readonly suite: SuiteId;
  readonly frameLength: number;
  /** Where large message bodies are sealed and opened, when not on the calling thread. */
  readonly offload: FrameOffload | undefined;
  /** Gets the data key for a new message (fresh from the stores, or from the bucket-key cache). */
  acquireDataKey(
    request: GenerateRequest,
    messageId: Uint8Array,
    bucketKey: BucketKeyRequest | undefined,
  ): Promise<MessageDataKey>;
  /** Unwraps the message's data key from its EDKs (bucket-key EDKs included). */
  unwrapDataKey(edks: readonly EncryptedDataKey[], request: KeyStoreRequest, messageId: Uint8Array): Promise<DataKey>;
  isClosed(): boolean;
}

export function assertOpen(core: Pick<EngineCore, 'isClosed'>): void {
  if (core.isClosed()) throw new SealflowError(ErrorCodes.ENGINE_CLOSED, 'the engine was closed');
}
