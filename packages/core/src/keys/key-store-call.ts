import { ErrorCodes, isSealflowError, KeyStoreError } from '../errors.js';
import { Channels, publish, type KeyStoreCallEvent, type KeyStoreOperation } from '../events.js';

/**
 * One key-store call as its `sealflow:keystore:call` event describes it. The engine
 * publishes one per call for stores that do not (see `KeyStore.publishesCallEvents`);
 * stores that know more (key ID, remote request ID) publish their own through the same
 * two functions, so every event has one shape.
 */
export interface KeyStoreCall {
  readonly store: string;
  readonly operation: KeyStoreOperation;
  readonly keyId?: string | undefined;
  /** The remote request ID, once the call learns it (a failure's `KeyStoreError.requestId` wins). */
  requestId?: string | undefined;
}

/**
 * Publishes the event of one finished call that began at `started` (`performance.now()`):
 * a success, or a failure with `error`'s code (`ERR_KEY_STORE_FAILED` for anything that is
 * not a SealflowError). The payload holds identifiers and codes only, never key material.
 */
export function publishKeyStoreCall(call: KeyStoreCall, started: number, failure?: { readonly error: unknown }): void {
  const error = failure?.error;
  const requestId = error instanceof KeyStoreError ? (error.requestId ?? call.requestId) : call.requestId;
  const event: KeyStoreCallEvent = {
    store: call.store,
    operation: call.operation,
    ...(call.keyId === undefined ? {} : { keyId: call.keyId }),
    outcome: failure === undefined ? 'success' : 'failure',
    ...(failure === undefined ? {} : { errorCode: isSealflowError(error) ? error.code : ErrorCodes.KEY_STORE_FAILED }),
    ...(requestId === undefined ? {} : { requestId }),
    durationMs: performance.now() - started,
  };
  publish(Channels.keyStoreCall, event);
}

/**
 * Runs one key-store call, timed, and publishes its event when it settles.
 * @throws whatever `run` throws, unchanged, after publishing the failure.
 */
export async function timeKeyStoreCall<T>(call: KeyStoreCall, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    const result = await run();
    publishKeyStoreCall(call, started);
    return result;
  } catch (error) {
    publishKeyStoreCall(call, started, { error });
    throw error;
  }
}
