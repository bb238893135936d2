import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createEngine, type DecryptedHeader } from '@sealflow/core';
import { rawAesStore } from '../engine/fixtures.js';

describe("decryptStream()'s 'header' event", () => {
  it('is typed: the listener receives a DecryptedHeader (checked by tsc), emitted before any data', async () => {
    const engine = createEngine({ keyStore: rawAesStore() });
    const sealed = await engine.encrypt(new Uint8Array(300), { context: { purpose: 'typing' }, frameLength: 64 });
    const order: string[] = [];
    let seen: DecryptedHeader | undefined;
    const transform = engine.decryptStream().once('header', (header) => {
      expectTypeOf(header).toEqualTypeOf<DecryptedHeader>();
      order.push('header');
      seen = header;
    });
    // The other events keep Transform's own typing.
    transform.on('error', (error) => expectTypeOf(error).toEqualTypeOf<Error>());
    await pipeline(
      Readable.from([sealed]),
      transform,
      new Writable({
        write(_chunk, _encoding, done) {
          order.push('data');
          done();
        },
      }),
    );
    expect(order[0]).toBe('header');
    expect(order.length).toBeGreaterThan(1);
    expect(seen?.context).toEqual({ purpose: 'typing' });
  });
});
