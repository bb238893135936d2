// Issue 14 (also noticed): an encrypt stream that failed before its key-store call
// finished counted the failure but published no `sealflow:engine:failure` event; one
// that failed later did. Every encrypt stream API now publishes exactly one.
import diagnostics from 'node:diagnostics_channel';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  Channels,
  createEngine,
  ErrorCodes,
  KeyStoreError,
  type Engine,
  type FailureEvent,
  type GenerateRequest,
  type KeyStore,
} from '@sealflow/core';
import { caught, collect, patternBytes, rawAesStore, throughNode, throughWeb } from './fixtures.js';

const STREAM_APIS = ['encryptStream', 'encryptWebStream', 'encryptIterable'] as const;

let events: FailureEvent[] = [];
const listener = (message: unknown): void => void events.push(message as FailureEvent);
beforeEach(() => {
  events = [];
  diagnostics.subscribe(Channels.failure, listener);
});
afterEach(() => {
  diagnostics.unsubscribe(Channels.failure, listener);
});

/** A raw AES store whose generateDataKey waits for `release()` and then does as told (a fake for the error path). */
function gatedStore(outcome: 'fail' | 'succeed'): KeyStore & { release(): void; readonly called: Promise<void> } {
  const inner = rawAesStore();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let called!: () => void;
  const calledPromise = new Promise<void>((resolve) => (called = resolve));
  return {
    id: inner.id,
    canUnwrap: (edk) => inner.canUnwrap(edk),
    wrapDataKey: (key, request) => inner.wrapDataKey(key, request),
    unwrapDataKey: (edk, request) => inner.unwrapDataKey(edk, request),
    async generateDataKey(request: GenerateRequest) {
      called();
      await gate;
      if (outcome === 'fail') throw new KeyStoreError(ErrorCodes.KEY_STORE_FAILED, 'the test store refused');
      return inner.generateDataKey(request);
    },
    release,
    called: calledPromise,
  };
}

async function encryptVia(api: (typeof STREAM_APIS)[number], engine: Engine): Promise<Uint8Array> {
  const chunks = [patternBytes(1000), patternBytes(1000, 1)];
  if (api === 'encryptStream') return throughNode(engine.encryptStream(), chunks);
  if (api === 'encryptWebStream') return throughWeb(engine.encryptWebStream(), chunks);
  return collect(engine.encryptIterable(chunks));
}

describe.each(STREAM_APIS)('%s: a failure before the key-store call finished', (api) => {
  it('a key store that fails its call: one failure event with its code, one failure counted', async () => {
    const store = gatedStore('fail');
    store.release();
    const engine = createEngine({ keyStore: store });
    const error = await caught(() => encryptVia(api, engine));
    expect(error).toMatchObject({ code: ErrorCodes.KEY_STORE_FAILED });
    expect(events).toEqual([{ operation: 'encrypt', code: ErrorCodes.KEY_STORE_FAILED }]);
    expect(engine.stats().failures.encrypt).toBe(1);
  });
});

describe('encryptStream: a failure while the key-store call is pending', () => {
  // Only a Node stream can fail then: it is destroyed from outside. An iterable's source is
  // read after the pending push, and a web stream's abort waits for the pending write.
  it('a stream destroyed with an error: one failure event and one failure counted, none more once the call finishes', async () => {
    const store = gatedStore('succeed');
    const engine = createEngine({ keyStore: store });
    const stream = engine.encryptStream();
    stream.on('error', () => {});
    const closed = new Promise((resolve) => stream.on('close', resolve));
    stream.write(patternBytes(100));
    await store.called;
    stream.destroy(new Error('the source failed'));
    await closed;
    expect(events).toEqual([{ operation: 'encrypt', code: 'ERR_UNKNOWN' }]);
    store.release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toHaveLength(1);
    expect(engine.stats().failures.encrypt).toBe(1);
  });
});
