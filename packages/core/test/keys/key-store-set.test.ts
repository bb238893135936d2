import diagnostics from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Channels,
  createEngine,
  DataKey,
  ErrorCodes,
  KeyStoreError,
  type EncryptedDataKey,
  type ErrorCode,
  type KeyStore,
  type KeyStoreCallEvent,
} from '@sealflow/core';
import { KeyStoreSet } from '../../src/keys/key-store-set.js';
import { StatsCounter } from '../../src/stats.js';
import { caught, patternBytes, rawAesStore } from '../engine/fixtures.js';

const request = { context: { purpose: 'test' }, length: 32 };
const edk = (providerId: string, n = 1): EncryptedDataKey => ({
  providerId,
  providerInfo: new Uint8Array([n]),
  ciphertext: new Uint8Array([n, n]),
});

type Behaviour = { readonly ok: Uint8Array } | { readonly fail: ErrorCode } | { readonly throws: unknown };

/** A scripted store: owns EDKs whose provider ID is in `owns`; logs every unwrap as `id:providerId`. */
function scripted(id: string, owns: readonly string[], behaviour: Behaviour, log: string[]): KeyStore {
  return {
    id,
    canUnwrap: (e) => owns.includes(e.providerId),
    async generateDataKey() {
      if ('ok' in behaviour) return { dataKey: DataKey.copyOf(behaviour.ok), encryptedDataKey: edk(id) };
      throw 'fail' in behaviour
        ? new KeyStoreError(behaviour.fail, `${id} generate failed`, { store: id })
        : behaviour.throws;
    },
    async wrapDataKey() {
      log.push(`${id}:wrap`);
      if ('ok' in behaviour) return edk(id, 2);
      throw 'fail' in behaviour
        ? new KeyStoreError(behaviour.fail, `${id} wrap failed`, { store: id })
        : behaviour.throws;
    },
    async unwrapDataKey(e) {
      log.push(`${id}:${e.providerId}`);
      if ('ok' in behaviour) return DataKey.copyOf(behaviour.ok);
      throw 'fail' in behaviour
        ? new KeyStoreError(behaviour.fail, `${id} unwrap failed`, { store: id })
        : behaviour.throws;
    },
  };
}

const key32 = new Uint8Array(32).fill(5);

let unsubscribe: (() => void) | undefined;
afterEach(() => {
  unsubscribe?.();
  unsubscribe = undefined;
});

describe('KeyStoreSet.unwrap', () => {
  it('tries each EDK in header order with each owning store in configured order, stopping at the first success', async () => {
    const log: string[] = [];
    const set = new KeyStoreSet(
      [
        scripted('a', ['p1', 'p2'], { fail: ErrorCodes.KEY_STORE_UNAVAILABLE }, log),
        scripted('b', ['p2'], { ok: key32 }, log),
        scripted('c', ['p1', 'p2'], { ok: key32 }, log),
      ],
      new StatsCounter(),
    );
    const key = await set.unwrap([edk('p1'), edk('p2')], request);
    expect(log).toStrictEqual(['a:p1', 'c:p1']);
    expect(key.reveal()).toStrictEqual(key32);
    log.length = 0;
    await set.unwrap([edk('p2'), edk('p1')], request);
    expect(log).toStrictEqual(['a:p2', 'b:p2']);
  });

  it('collects every failure, in order, into ERR_NO_DECRYPTABLE_KEY when any failure is not an outage', async () => {
    const log: string[] = [];
    const set = new KeyStoreSet(
      [
        scripted('a', ['p1'], { fail: ErrorCodes.KEY_STORE_UNAVAILABLE }, log),
        scripted('b', ['p1', 'p2'], { fail: ErrorCodes.ACCESS_DENIED }, log),
      ],
      new StatsCounter(),
    );
    const error = await caught(() => set.unwrap([edk('p1'), edk('p2')], request));
    expect(error).toBeInstanceOf(KeyStoreError);
    const e = error as KeyStoreError;
    expect(e.code).toBe('ERR_NO_DECRYPTABLE_KEY');
    expect(e.failures.map((f) => [f.store, f.code])).toStrictEqual([
      ['a', 'ERR_KEY_STORE_UNAVAILABLE'],
      ['b', 'ERR_ACCESS_DENIED'],
      ['b', 'ERR_ACCESS_DENIED'],
    ]);
    expect(log).toStrictEqual(['a:p1', 'b:p1', 'b:p2']);
  });

  it('reports ERR_KEY_STORE_UNAVAILABLE when every failure was an outage, so callers may retry', async () => {
    const set = new KeyStoreSet(
      [
        scripted('a', ['p1'], { fail: ErrorCodes.KEY_STORE_UNAVAILABLE }, []),
        scripted('b', ['p1'], { fail: ErrorCodes.KEY_STORE_UNAVAILABLE }, []),
      ],
      new StatsCounter(),
    );
    const error = (await caught(() => set.unwrap([edk('p1')], request))) as KeyStoreError;
    expect(error.code).toBe('ERR_KEY_STORE_UNAVAILABLE');
    expect(error.failures).toHaveLength(2);
  });

  it('gives ERR_NO_DECRYPTABLE_KEY with no failures when no configured store owns any EDK', async () => {
    const log: string[] = [];
    const set = new KeyStoreSet([scripted('a', ['mine'], { ok: key32 }, log)], new StatsCounter());
    const error = (await caught(() => set.unwrap([edk('theirs')], request))) as KeyStoreError;
    expect(error.code).toBe('ERR_NO_DECRYPTABLE_KEY');
    expect(error.failures).toStrictEqual([]);
    expect(log).toStrictEqual([]);
  });

  it('records a non-sealflow throw as ERR_KEY_STORE_FAILED and fails over past it', async () => {
    const set = new KeyStoreSet(
      [scripted('a', ['p'], { throws: new TypeError('boom') }, []), scripted('b', ['p'], { ok: key32 }, [])],
      new StatsCounter(),
    );
    expect((await set.unwrap([edk('p')], request)).length).toBe(32);
    const only = new KeyStoreSet([scripted('a', ['p'], { throws: 'a string' }, [])], new StatsCounter());
    const error = (await caught(() => only.unwrap([edk('p')], request))) as KeyStoreError;
    expect(error.failures.map((f) => f.code)).toStrictEqual(['ERR_KEY_STORE_FAILED']);
  });

  it('refuses a key of the wrong length as ERR_INVALID_KEY_CIPHERTEXT and wipes it', async () => {
    const short = new Uint8Array(16).fill(3);
    const handed: DataKey[] = [];
    const store: KeyStore = {
      ...scripted('a', ['p'], { ok: short }, []),
      async unwrapDataKey() {
        const k = DataKey.copyOf(short);
        handed.push(k);
        return k;
      },
    };
    const error = (await caught(() =>
      new KeyStoreSet([store], new StatsCounter()).unwrap([edk('p')], request),
    )) as KeyStoreError;
    expect(error.failures.map((f) => f.code)).toStrictEqual(['ERR_INVALID_KEY_CIPHERTEXT']);
    expect(handed[0]?.destroyed).toBe(true);
  });

  it('publishes one sealflow:keystore:call event per attempt, with outcome and code and no key bytes', async () => {
    const events: KeyStoreCallEvent[] = [];
    const listener = (message: unknown): void => void events.push(message as KeyStoreCallEvent);
    diagnostics.subscribe(Channels.keyStoreCall, listener);
    unsubscribe = () => diagnostics.unsubscribe(Channels.keyStoreCall, listener);
    const stats = new StatsCounter();
    const set = new KeyStoreSet(
      [scripted('a', ['p'], { fail: ErrorCodes.KEY_STORE_UNAVAILABLE }, []), scripted('b', ['p'], { ok: key32 }, [])],
      stats,
    );
    await set.unwrap([edk('p')], request);
    expect(events.map((e) => [e.store, e.operation, e.outcome, e.errorCode])).toStrictEqual([
      ['a', 'unwrap', 'failure', 'ERR_KEY_STORE_UNAVAILABLE'],
      ['b', 'unwrap', 'success', undefined],
    ]);
    expect(JSON.stringify(events)).not.toContain(Buffer.from(key32).toString('hex'));
    expect([stats.unwrap, stats.keyStoreFailures]).toStrictEqual([2, 1]);
  });
});

describe('KeyStoreSet.newDataKey', () => {
  it('generates with the first store and wraps with every other store, in order', async () => {
    const log: string[] = [];
    const set = new KeyStoreSet(
      [
        scripted('a', [], { ok: key32 }, log),
        scripted('b', [], { ok: key32 }, log),
        scripted('c', [], { ok: key32 }, log),
      ],
      new StatsCounter(),
    );
    const result = await set.newDataKey(request);
    expect(result.encryptedDataKeys.map((e) => e.providerId)).toStrictEqual(['a', 'b', 'c']);
    expect(log).toStrictEqual(['b:wrap', 'c:wrap']);
  });

  it('wipes the generated key when a wrapping store fails', async () => {
    const generated = DataKey.copyOf(key32);
    const primary: KeyStore = {
      ...scripted('a', [], { ok: key32 }, []),
      generateDataKey: async () => ({ dataKey: generated, encryptedDataKey: edk('a') }),
    };
    const set = new KeyStoreSet(
      [primary, scripted('b', [], { fail: ErrorCodes.ACCESS_DENIED }, [])],
      new StatsCounter(),
    );
    const error = (await caught(() => set.newDataKey(request))) as KeyStoreError;
    expect(error.code).toBe('ERR_ACCESS_DENIED');
    expect(generated.destroyed).toBe(true);
  });
});

describe('several stores on an engine', () => {
  it('decrypts through the second store when the first is down, and every store can decrypt alone', async () => {
    const one = rawAesStore(new Uint8Array(32).fill(1), 'one');
    const two = rawAesStore(new Uint8Array(32).fill(2), 'two');
    const ciphertext = await createEngine({ keyStore: [one, two] }).encrypt(patternBytes(100));
    const down: KeyStore = {
      id: 'down',
      canUnwrap: (e) => one.canUnwrap(e),
      generateDataKey: (r) => one.generateDataKey(r),
      wrapDataKey: (k, r) => one.wrapDataKey(k, r),
      unwrapDataKey: async () => {
        throw new KeyStoreError(ErrorCodes.KEY_STORE_UNAVAILABLE, 'down', { store: 'down' });
      },
    };
    const failover = createEngine({ keyStore: [down, two] });
    expect((await failover.decrypt(ciphertext)).plaintext).toStrictEqual(patternBytes(100));
    expect(failover.stats().keyStoreFailures).toBe(1);
    expect((await createEngine({ keyStore: one }).decrypt(ciphertext)).plaintext).toStrictEqual(patternBytes(100));
    expect((await createEngine({ keyStore: two }).decrypt(ciphertext)).plaintext).toStrictEqual(patternBytes(100));
  });

  it('fails with ERR_KEY_STORE_UNAVAILABLE and each failure when every owning store is down', async () => {
    const one = rawAesStore(new Uint8Array(32).fill(1), 'one');
    const ciphertext = await createEngine({ keyStore: one }).encrypt(patternBytes(10));
    const down = (id: string): KeyStore => ({
      id,
      canUnwrap: () => true,
      generateDataKey: (r) => one.generateDataKey(r),
      wrapDataKey: (k, r) => one.wrapDataKey(k, r),
      unwrapDataKey: async () => {
        throw new KeyStoreError(ErrorCodes.KEY_STORE_UNAVAILABLE, `${id} is down`, { store: id });
      },
    });
    const error = (await caught(() =>
      createEngine({ keyStore: [down('x'), down('y')] }).decrypt(ciphertext),
    )) as KeyStoreError;
    expect(error.code).toBe('ERR_KEY_STORE_UNAVAILABLE');
    expect(error.failures.map((f) => f.store)).toStrictEqual(['x', 'y']);
  });
});
