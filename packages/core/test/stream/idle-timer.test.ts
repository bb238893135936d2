// Issue 14 (also noticed): a decryptStream whose source never ends waited forever. The
// `idleTimeoutMs` stream option fails a stalled stream with ERR_TIMEOUT, for encrypt and
// decrypt, in the Node-stream, web-stream and iterable APIs; a slow consumer or a slow
// key-store call does not trip it; one-shot calls refuse it.
import diagnostics from 'node:diagnostics_channel';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  Channels,
  createEngine,
  ErrorCodes,
  SealflowError,
  type Engine,
  type FailureEvent,
  type GenerateRequest,
  type KeyStore,
} from '@sealflow/core';
import { caught, chunked, collect, patternBytes, rawAesStore, sealflowCode, throughWeb } from '../engine/fixtures.js';

const IDLE_MS = 150;
/** Generous: the stream must fail long before this (it takes IDLE_MS plus a timer turn). */
const GUARD_MS = 10_000;

let events: FailureEvent[] = [];
const listener = (message: unknown): void => void events.push(message as FailureEvent);
beforeEach(() => {
  events = [];
  diagnostics.subscribe(Channels.failure, listener);
});
afterEach(() => {
  diagnostics.unsubscribe(Channels.failure, listener);
});

/** Chunks of `first`, then a source that never sends again (a stalled peer). */
async function* stalled(first: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  yield* first;
  await new Promise<never>(() => {});
}

function guarded<T>(work: Promise<T>): Promise<T> {
  return Promise.race([
    work,
    sleep(GUARD_MS, undefined, { ref: false }).then(() =>
      Promise.reject(new Error(`no failure within ${GUARD_MS} ms`)),
    ),
  ]);
}

type Api = 'stream' | 'web' | 'iterable';
const APIS: readonly Api[] = ['stream', 'web', 'iterable'];

/** Runs `chunks` (then nothing more, if `stall`) through one encrypt or decrypt API with the option. */
function run(
  engine: Engine,
  op: 'encrypt' | 'decrypt',
  api: Api,
  source: AsyncIterable<Uint8Array>,
  idleTimeoutMs = IDLE_MS,
): Promise<Uint8Array> {
  const options = { idleTimeoutMs };
  if (api === 'iterable')
    return collect(
      op === 'encrypt' ? engine.encryptIterable(source, options) : engine.decryptIterable(source, options),
    );
  if (api === 'stream') {
    const parts: Uint8Array[] = [];
    const sink = new Writable({
      write(chunk: Uint8Array, _encoding, callback) {
        parts.push(chunk);
        callback();
      },
    });
    return pipeline(
      Readable.from(source),
      op === 'encrypt' ? engine.encryptStream(options) : engine.decryptStream(options),
      sink,
    ).then(() => Buffer.concat(parts));
  }
  const web = op === 'encrypt' ? engine.encryptWebStream(options) : engine.decryptWebStream(options);
  const readable = ReadableStream.from(source).pipeThrough(web);
  return (async () => {
    const parts: Uint8Array[] = [];
    for await (const piece of readable) parts.push(piece);
    return Buffer.concat(parts);
  })();
}

describe.each(APIS)('idleTimeoutMs (%s API)', (api) => {
  it('a decrypt whose source stalls after part of the header fails with ERR_TIMEOUT, and publishes the failure', async () => {
    const engine = createEngine({ keyStore: rawAesStore() });
    const sealed = await engine.encrypt(patternBytes(1000));
    const error = await caught(() => guarded(run(engine, 'decrypt', api, stalled([sealed.subarray(0, 20)]))));
    expect(error).toBeInstanceOf(SealflowError);
    expect((error as SealflowError).code).toBe(ErrorCodes.TIMEOUT);
    expect(events).toEqual([{ operation: 'decrypt', code: ErrorCodes.TIMEOUT }]);
    expect(engine.stats().failures.decrypt).toBe(1);
  });

  it('a decrypt whose source stalls mid-body fails with ERR_TIMEOUT', async () => {
    const engine = createEngine({ keyStore: rawAesStore(), frameLength: 100 });
    const sealed = await engine.encrypt(patternBytes(1000));
    expect(
      await sealflowCode(() => guarded(run(engine, 'decrypt', api, stalled([sealed.subarray(0, sealed.length - 50)])))),
    ).toBe(ErrorCodes.TIMEOUT);
  });

  it('an encrypt whose source stalls fails with ERR_TIMEOUT, and publishes the failure', async () => {
    const engine = createEngine({ keyStore: rawAesStore() });
    expect(await sealflowCode(() => guarded(run(engine, 'encrypt', api, stalled([patternBytes(100)]))))).toBe(
      ErrorCodes.TIMEOUT,
    );
    expect(events).toEqual([{ operation: 'encrypt', code: ErrorCodes.TIMEOUT }]);
  });

  it('a source that is slow but never idle that long round-trips', async () => {
    const engine = createEngine({ keyStore: rawAesStore(), frameLength: 100 });
    const plaintext = patternBytes(1000, 2);
    async function* slow(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
      for (const chunk of chunked(bytes, [300])) {
        await sleep(IDLE_MS / 3);
        yield chunk;
      }
    }
    const sealed = await run(engine, 'encrypt', api, slow(plaintext));
    expect(Buffer.from(await run(engine, 'decrypt', api, slow(sealed))).equals(plaintext)).toBe(true);
  });

  it('a key-store call longer than the timeout does not count', async () => {
    const inner = rawAesStore();
    const slowStore: KeyStore = {
      id: inner.id,
      canUnwrap: (edk) => inner.canUnwrap(edk),
      wrapDataKey: (key, request) => inner.wrapDataKey(key, request),
      unwrapDataKey: async (edk, request) => {
        await sleep(3 * IDLE_MS);
        return inner.unwrapDataKey(edk, request);
      },
      generateDataKey: async (request: GenerateRequest) => {
        await sleep(3 * IDLE_MS);
        return inner.generateDataKey(request);
      },
    };
    const engine = createEngine({ keyStore: slowStore });
    const plaintext = patternBytes(5000, 3);
    async function* at(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
      yield* chunked(bytes, [1000]);
    }
    const sealed = await run(engine, 'encrypt', api, at(plaintext));
    expect(Buffer.from(await run(engine, 'decrypt', api, at(sealed))).equals(plaintext)).toBe(true);
  });
});

describe('idleTimeoutMs and a slow consumer', () => {
  it('Node stream: a sink that takes 3x the timeout per chunk does not trip it', async () => {
    const engine = createEngine({ keyStore: rawAesStore(), frameLength: 1024 });
    const plaintext = patternBytes(64 * 1024, 4);
    const sealed = await engine.encrypt(plaintext);
    const parts: Uint8Array[] = [];
    let slowWrites = 3;
    const sink = new Writable({
      highWaterMark: 1,
      write(chunk: Uint8Array, _encoding, callback) {
        parts.push(chunk);
        if (slowWrites-- > 0) setTimeout(callback, 3 * IDLE_MS);
        else callback();
      },
    });
    await pipeline(Readable.from(chunked(sealed, [4096])), engine.decryptStream({ idleTimeoutMs: IDLE_MS }), sink);
    expect(Buffer.concat(parts).equals(plaintext)).toBe(true);
  });

  it('iterable: a consumer that holds each chunk 3x the timeout does not trip it', async () => {
    const engine = createEngine({ keyStore: rawAesStore(), frameLength: 100 });
    const plaintext = patternBytes(400, 5);
    const sealed = await engine.encrypt(plaintext);
    async function* source(): AsyncGenerator<Uint8Array> {
      yield* chunked(sealed, [150]);
    }
    const parts: Uint8Array[] = [];
    for await (const piece of engine.decryptIterable(source(), { idleTimeoutMs: IDLE_MS })) {
      parts.push(piece);
      await sleep(3 * IDLE_MS);
    }
    expect(Buffer.concat(parts).equals(plaintext)).toBe(true);
  });

  it('web stream: a reader that pauses 3x the timeout between reads does not trip it', async () => {
    const engine = createEngine({ keyStore: rawAesStore(), frameLength: 100 });
    const plaintext = patternBytes(400, 6);
    const sealed = await engine.encrypt(plaintext);
    const reader = ReadableStream.from(chunked(sealed, [150]))
      .pipeThrough(engine.decryptWebStream({ idleTimeoutMs: IDLE_MS }))
      .getReader();
    const parts: Uint8Array[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      await sleep(3 * IDLE_MS);
    }
    expect(Buffer.concat(parts).equals(plaintext)).toBe(true);
  });
});

describe('idleTimeoutMs validation', () => {
  it('an integer from 1 to 2^31 - 1 is accepted; anything else is ERR_INVALID_ARGUMENT', async () => {
    const engine = createEngine({ keyStore: rawAesStore() });
    for (const bad of [0, -1, 1.5, 2 ** 31, '100', Number.NaN]) {
      const options = { idleTimeoutMs: bad as number };
      expect(await sealflowCode(() => engine.encryptStream(options))).toBe(ErrorCodes.INVALID_ARGUMENT);
      expect(await sealflowCode(() => engine.decryptIterable([], options))).toBe(ErrorCodes.INVALID_ARGUMENT);
    }
    const sealed = await throughWeb(engine.encryptWebStream({ idleTimeoutMs: 2 ** 31 - 1 }), [patternBytes(10)]);
    expect(
      Buffer.from(await throughWeb(engine.decryptWebStream({ idleTimeoutMs: 1000 }), [sealed])).equals(
        patternBytes(10),
      ),
    ).toBe(true);
  });

  it('one-shot calls refuse it with ERR_INVALID_ARGUMENT', async () => {
    const engine = createEngine({ keyStore: rawAesStore() });
    const sealed = await engine.encrypt(patternBytes(10));
    expect(await sealflowCode(() => engine.encrypt(patternBytes(10), { idleTimeoutMs: 100 }))).toBe(
      ErrorCodes.INVALID_ARGUMENT,
    );
    expect(await sealflowCode(() => engine.decrypt(sealed, { idleTimeoutMs: 100 }))).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(await sealflowCode(() => engine.decryptRange(sealed, { start: 0, end: 1, idleTimeoutMs: 100 }))).toBe(
      ErrorCodes.INVALID_ARGUMENT,
    );
  });
});
