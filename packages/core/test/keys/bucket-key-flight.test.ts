import { describe, expect, it } from 'vitest';
import { ErrorCodes, KeyStoreError } from '@sealflow/core';
import { BucketKeyFlight } from '../../src/keys/bucket-key-flight.js';

describe('BucketKeyFlight', () => {
  it('hands every waiter to the caller that settles the flight, in arrival order', async () => {
    const flight = new BucketKeyFlight<number, string>(() => {});
    const results = [1, 2, 3].map((n) => flight.join(n, undefined));
    const waiters = flight.drain();
    expect(waiters.map((w) => w.ticket)).toEqual([1, 2, 3]);
    for (const w of waiters) w.resolve(`got ${w.ticket}`);
    expect(await Promise.all(results)).toEqual(['got 1', 'got 2', 'got 3']);
    expect(flight.drain()).toEqual([]);
  });

  it('an aborting waiter leaves alone: the call stays alive for the others', async () => {
    let abandoned = 0;
    const flight = new BucketKeyFlight<number, string>(() => abandoned++);
    const controller = new AbortController();
    const leaving = flight.join(1, controller.signal);
    const staying = flight.join(2, undefined);
    controller.abort();
    await expect(leaving).rejects.toMatchObject({ code: ErrorCodes.KEY_STORE_UNAVAILABLE });
    expect(flight.signal.aborted).toBe(false);
    expect(abandoned).toBe(0);
    const waiters = flight.drain();
    expect(waiters.map((w) => w.ticket)).toEqual([2]);
    waiters[0]?.resolve('ok');
    expect(await staying).toBe('ok');
  });

  it('aborts the call and reports abandonment once the last waiter aborted', async () => {
    let abandoned = 0;
    const flight = new BucketKeyFlight<number, string>(() => abandoned++);
    const a = new AbortController();
    const b = new AbortController();
    const pa = flight.join(1, a.signal);
    const pb = flight.join(2, b.signal);
    a.abort();
    expect(flight.signal.aborted).toBe(false);
    b.abort(new Error('caller gave up'));
    await expect(pa).rejects.toBeInstanceOf(KeyStoreError);
    await expect(pb).rejects.toMatchObject({ cause: new Error('caller gave up') });
    expect(flight.signal.aborted).toBe(true);
    expect(abandoned).toBe(1);
  });

  it('a waiter joining with an already aborted signal is rejected at once', async () => {
    const flight = new BucketKeyFlight<number, string>(() => {});
    const controller = new AbortController();
    controller.abort();
    await expect(flight.join(1, controller.signal)).rejects.toBeInstanceOf(KeyStoreError);
    expect(flight.signal.aborted).toBe(true);
  });

  it('an adopted waiter aborts against its new flight, not the one it came from', async () => {
    let oldAbandoned = 0;
    let newAbandoned = 0;
    const old = new BucketKeyFlight<number, string>(() => oldAbandoned++);
    const next = new BucketKeyFlight<number, string>(() => newAbandoned++);
    const controller = new AbortController();
    const moving = old.join(1, controller.signal);
    for (const w of old.drain()) next.adopt(w);
    controller.abort();
    await expect(moving).rejects.toBeInstanceOf(KeyStoreError);
    expect([oldAbandoned, newAbandoned]).toEqual([0, 1]);
  });

  it('cancel rejects every waiter with the given error and aborts the call', async () => {
    const flight = new BucketKeyFlight<number, string>(() => {});
    const waiting = [flight.join(1, undefined), flight.join(2, undefined)];
    const error = new Error('closed');
    flight.cancel(error);
    for (const p of waiting) await expect(p).rejects.toBe(error);
    expect(flight.signal.aborted).toBe(true);
  });
});
