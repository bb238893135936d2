import diagnostics from 'node:diagnostics_channel';

/**
 * Observability without a logger: every event is published on a
 * `node:diagnostics_channel` channel named `sealflow:<area>:<event>`. Subscribing costs
 * nothing when nobody listens. Payloads never contain key material or plaintext.
 */
export const Channels = {
  /** A key-store call finished: {@link KeyStoreCallEvent}. */
  keyStoreCall: 'sealflow:keystore:call',
  /** A message was fully encrypted: {@link MessageEvent}. */
  encrypt: 'sealflow:engine:encrypt',
  /** A message was fully decrypted and verified: {@link MessageEvent}. */
  decrypt: 'sealflow:engine:decrypt',
  /** Encryption or decryption failed: {@link FailureEvent}. */
  failure: 'sealflow:engine:failure',
  /** A bucket key was cached, reused, evicted or wiped: {@link BucketKeyEvent}. */
  bucketKey: 'sealflow:cache:bucket-key',
} as const;

export type KeyStoreOperation = 'generate' | 'wrap' | 'unwrap';

export interface KeyStoreCallEvent {
  readonly store: string;
  readonly operation: KeyStoreOperation;
  readonly keyId?: string;
  readonly outcome: 'success' | 'failure';
  readonly errorCode?: string;
  readonly requestId?: string;
  readonly durationMs: number;
}

export interface MessageEvent {
  readonly messageId: string;
  readonly suite: number;
  readonly bytes: number;
  readonly frames: number;
}

export interface FailureEvent {
  readonly operation: 'encrypt' | 'decrypt';
  readonly code: string;
}

export interface BucketKeyEvent {
  /** `miss`: a key-store call was made; `hit`: one was avoided; `evict`/`wipe`: a key was removed and zeroed. */
  readonly action: 'miss' | 'hit' | 'evict' | 'wipe';
  readonly store: string;
  readonly reason?: 'age' | 'messages' | 'bytes' | 'capacity' | 'forget' | 'close';
  /** Which cache: bucket keys serving new messages, or unwrapped ones serving decrypts. */
  readonly side?: 'encrypt' | 'decrypt';
  /** On evict/wipe of an encrypt entry: messages it served. */
  readonly messages?: number;
  /** On evict/wipe of an encrypt entry: plaintext bytes charged to it. */
  readonly bytes?: number;
}

/** Publishes `payload` on `channel` when someone is subscribed. */
export function publish(channel: string, payload: object): void {
  const ch = diagnostics.channel(channel);
  if (ch.hasSubscribers) ch.publish(payload);
}
