// Events reach both listeners: node:diagnostics_channel subscribers (found through
// process.getBuiltinModule, as the shared module imports no node: module) and the portable
// `subscribe` listeners, the browser's only way.
import diagnostics from 'node:diagnostics_channel';
import { Channels, createEngine, publish, subscribe, type MessageEvent } from '@sealflow/core';
import { describe, expect, it } from 'vitest';
import { rawAesStore } from './engine/fixtures.js';

describe('events', () => {
  it('an encrypt is published to diagnostics_channel and to subscribe() listeners alike', async () => {
    const viaDiagnostics: unknown[] = [];
    const viaSubscribe: unknown[] = [];
    const onDiagnostics = (message: unknown): void => void viaDiagnostics.push(message);
    diagnostics.subscribe(Channels.encrypt, onDiagnostics);
    const stop = subscribe(Channels.encrypt, (payload, channel) => viaSubscribe.push({ payload, channel }));
    try {
      await createEngine({ keyStore: rawAesStore() }).encrypt(new Uint8Array(10));
    } finally {
      stop();
      diagnostics.unsubscribe(Channels.encrypt, onDiagnostics);
    }
    expect(viaDiagnostics).toHaveLength(1);
    expect((viaDiagnostics[0] as MessageEvent).bytes).toBe(10);
    expect(viaSubscribe).toEqual([{ payload: viaDiagnostics[0], channel: Channels.encrypt }]);
  });

  it('the function subscribe returns stops that listener only', () => {
    const a: object[] = [];
    const b: object[] = [];
    const stopA = subscribe('sealflow:test:x', (p) => a.push(p));
    const stopB = subscribe('sealflow:test:x', (p) => b.push(p));
    publish('sealflow:test:x', { n: 1 });
    stopA();
    publish('sealflow:test:x', { n: 2 });
    stopB();
    publish('sealflow:test:x', { n: 3 });
    expect(a).toEqual([{ n: 1 }]);
    expect(b).toEqual([{ n: 1 }, { n: 2 }]);
    expect(() => subscribe('sealflow:test:x', 'no' as never)).toThrow(TypeError);
  });
});
