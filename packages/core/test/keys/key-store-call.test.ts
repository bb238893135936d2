// The one place sealflow:keystore:call events are built: the engine's KeyStoreSet,
// KmsKeyStore, and the AWS KMS and XKS stores all publish through it.
import diagnostics from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import { Channels, ErrorCodes, InvalidArgumentError, KeyStoreError, type KeyStoreCallEvent } from '@sealflow/core';
import { publishKeyStoreCall, timeKeyStoreCall, type KeyStoreCall } from '@sealflow/core/keystore-kit';

const events: KeyStoreCallEvent[] = [];
const listener = (message: unknown): void => void events.push(message as KeyStoreCallEvent);
diagnostics.subscribe(Channels.keyStoreCall, listener);
afterEach(() => {
  events.length = 0;
});

/** Every field but the duration, which is only checked to be a non-negative number. */
function withoutDuration(event: KeyStoreCallEvent | undefined): Omit<KeyStoreCallEvent, 'durationMs'> {
  expect(event?.durationMs).toBeGreaterThanOrEqual(0);
  const { durationMs: _, ...rest } = event as KeyStoreCallEvent;
  return rest;
}

describe('timeKeyStoreCall', () => {
  it('publishes a success with the key ID and the request ID the call learned, and returns the result', async () => {
    const call: KeyStoreCall = { store: 's', operation: 'generate', keyId: 'k' };
    const result = await timeKeyStoreCall(call, async () => {
      call.requestId = 'req-1';
      return 42;
    });
    expect(result).toBe(42);
    expect(events.map(withoutDuration)).toStrictEqual([
      { store: 's', operation: 'generate', keyId: 'k', outcome: 'success', requestId: 'req-1' },
    ]);
  });

  it('leaves out the key ID and request ID when there are none', async () => {
    await timeKeyStoreCall({ store: 's', operation: 'wrap' }, async () => undefined);
    expect(events.map(withoutDuration)).toStrictEqual([{ store: 's', operation: 'wrap', outcome: 'success' }]);
  });

  it('publishes a failure with the error code and rethrows the same error', async () => {
    const thrown = new KeyStoreError(ErrorCodes.KEY_DISABLED, 'disabled', { store: 's', requestId: 'from-error' });
    const call: KeyStoreCall = { store: 's', operation: 'unwrap', keyId: 'k', requestId: 'from-call' };
    await expect(timeKeyStoreCall(call, () => Promise.reject(thrown))).rejects.toBe(thrown);
    // The KeyStoreError's request ID is the one the remote side logged for this failure.
    expect(events.map(withoutDuration)).toStrictEqual([
      {
        store: 's',
        operation: 'unwrap',
        keyId: 'k',
        outcome: 'failure',
        errorCode: 'ERR_KEY_DISABLED',
        requestId: 'from-error',
      },
    ]);
  });

  it('reports ERR_KEY_STORE_FAILED for an error that is not a SealflowError, and a SealflowError by its own code', async () => {
    await expect(
      timeKeyStoreCall({ store: 's', operation: 'wrap' }, () => Promise.reject(new TypeError('boom'))),
    ).rejects.toThrow(TypeError);
    const invalid = new InvalidArgumentError(ErrorCodes.INVALID_ARGUMENT, 'bad');
    await expect(timeKeyStoreCall({ store: 's', operation: 'wrap' }, () => Promise.reject(invalid))).rejects.toBe(
      invalid,
    );
    expect(events.map((e) => e.errorCode)).toStrictEqual([ErrorCodes.KEY_STORE_FAILED, ErrorCodes.INVALID_ARGUMENT]);
  });
});

describe('publishKeyStoreCall', () => {
  it('publishes a failure found before any remote call (no request ID)', () => {
    publishKeyStoreCall({ store: 's', operation: 'generate', keyId: undefined }, performance.now(), {
      error: new InvalidArgumentError(ErrorCodes.INVALID_ARGUMENT, 'x'),
    });
    expect(events.map(withoutDuration)).toStrictEqual([
      { store: 's', operation: 'generate', outcome: 'failure', errorCode: 'ERR_INVALID_ARGUMENT' },
    ]);
  });
});
