/**
 * Observability without a logger: every event is published on a channel named
 * `sealflow:<area>:<event>`, on `node:diagnostics_channel` where the runtime has it, and
 * to listeners added with {@link subscribe} everywhere (browsers included). Publishing
 * costs nothing when nobody listens. Payloads never contain key material or plaintext.
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

interface DiagnosticsChannels {
  channel(name: string): { readonly hasSubscribers: boolean; publish(message: unknown): void };
}

/**
 * `node:diagnostics_channel` through `process.getBuiltinModule` (Node >= 20.16, Bun, Deno,
 * workerd with nodejs_compat), not a static import: this module is shared with the browser
 * entry, which must load no `node:` module. `undefined` in a browser.
 */
const diagnostics: DiagnosticsChannels | undefined = (() => {
  const host = globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } };
  try {
    return host.process?.getBuiltinModule?.('diagnostics_channel') as DiagnosticsChannels | undefined;
  } catch {
    return undefined;
  }
})();

/** A listener added with {@link subscribe}. */
export type EventListener = (payload: object, channel: string) => void;

const listeners = new Map<string, Set<EventListener>>();

/**
 * Listens on one channel (a {@link Channels} value, or `KMS_AUDIT_CHANNEL`) without
 * `node:diagnostics_channel`: the portable way, and the only one in a browser. Returns the
 * function that stops listening. A listener that throws does not fail the operation: its
 * error is rethrown in a microtask (an uncaught error the runtime reports).
 * @throws {TypeError} when `listener` is not a function.
 */
export function subscribe(channel: string, listener: EventListener): () => void {
  if (typeof listener !== 'function') throw new TypeError('subscribe listener: expected a function');
  let set = listeners.get(channel);
  if (set === undefined) listeners.set(channel, (set = new Set()));
  set.add(listener);
  return () => {
    set.delete(listener);
    if (set.size === 0 && listeners.get(channel) === set) listeners.delete(channel);
  };
}

/** Publishes `payload` on `channel` when someone is subscribed (diagnostics_channel, then {@link subscribe} listeners). */
export function publish(channel: string, payload: object): void {
  if (diagnostics !== undefined) {
    const ch = diagnostics.channel(channel);
    if (ch.hasSubscribers) ch.publish(payload);
  }
  const set = listeners.get(channel);
  if (set === undefined) return;
  for (const listener of [...set]) {
    try {
      listener(payload, channel);
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}
