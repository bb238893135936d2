import type { CipherBackend } from '../crypto/backend.js';
import { ErrorCodes, SealflowError } from '../errors.js';
import type { BucketKeyEvent } from '../events.js';
import { utf8DecodeStrict, utf8Encode } from '../format/bytes.js';
import type { StatsCounter } from '../stats.js';
import type { BucketKeyEntry, BucketKeyRemoval } from './bucket-key-entries.js';
import type { BucketKeyFlight } from './bucket-key-flight.js';
import { DataKey } from './data-key.js';
import type { EncryptedDataKey } from './key-store.js';
import type { KeyStoreSet } from './key-store-set.js';

/** What the encrypt and decrypt sides of the bucket-key cache share. */
export interface BucketKeyShared {
  readonly stores: KeyStoreSet;
  readonly stats: StatsCounter;
  readonly now: () => number;
  readonly backend: CipherBackend;
  /** The message's data key from a bucket key (layout 1). */
  derive(bucketKey: DataKey, messageId: Uint8Array): DataKey;
  /** Destroys an entry's key; counts and reports it. */
  wipe(entry: BucketKeyEntry, reason: BucketKeyRemoval, side: BucketKeySide): void;
  event(event: BucketKeyEvent): void;
  /** An entry was cached: (re)arm the expiry timer. */
  cached(): void;
  isClosed(): boolean;
}

export type BucketKeySide = 'encrypt' | 'decrypt';

const OBJECT_KEY_INFO = utf8Encode('sealflow bucket-key object key v1');

/**
 * The per-message data key: HKDF-SHA512(IKM = bucket key, salt = message ID, info =
 * "sealflow bucket-key object key v1", L = bucket key length). Message IDs are 32 random
 * bytes, so two messages never share a data key, derived key or commitment.
 */
export function deriveObjectKey(backend: CipherBackend, bucketKey: DataKey, messageId: Uint8Array): DataKey {
  return new DataKey(backend.hkdf('sha512', bucketKey.reveal(), messageId, OBJECT_KEY_INFO, bucketKey.length));
}

export const closedError = (): SealflowError => new SealflowError(ErrorCodes.ENGINE_CLOSED, 'the engine was closed');

/** Whether `forget` was called, while `flight` ran, for a key `entry` answers to. */
export function isForgotten(flight: BucketKeyFlight<unknown, unknown>, entry: BucketKeyEntry): boolean {
  return flight.forgotten.some((keyId) => keyId === undefined || entry.names.includes(keyId));
}

/** Waiters served by one fetch: the first needed the call, the others avoided one (hits). */
export function countShared(shared: BucketKeyShared, served: number, side: BucketKeySide, store: string): void {
  for (let i = 1; i < served; i++) {
    shared.stats.bucketHits++;
    shared.event({ action: 'hit', side, store });
  }
}

/** Key names an EDK reveals: the provider info as text when it is text (a KMS key ARN). */
export function keyNames(edks: readonly EncryptedDataKey[]): string[] {
  const names: string[] = [];
  for (const edk of edks) {
    const text = utf8DecodeStrict(edk.providerInfo);
    if (text !== undefined && text.length > 0) names.push(text);
  }
  return names;
}
