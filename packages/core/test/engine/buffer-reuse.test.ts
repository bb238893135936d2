// Callers may reuse a chunk's memory once it was consumed (Node streams do not promise
// fresh buffers). Whatever the engine keeps past a push, a Buffer included, must be a
// private copy: a Buffer's own `slice` is a view, the classic trap.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { reusedBuffer } from '../../../../test/support/reused-buffer.js';
import { createEngine, RawAesKeyStore } from '@sealflow/core';

const store = new RawAesKeyStore({ namespace: 'ns', name: 'k', key: new Uint8Array(32).fill(7) });

async function collect(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of source) parts.push(Uint8Array.from(part));
  return Buffer.concat(parts);
}

describe('buffers reused by the caller after a push', () => {
  for (const suite of [0x0478, 0x0578] as const) {
    it(`suite 0x0${suite.toString(16)}: decryptIterable over one reused Buffer gives the plaintext (header, frames and footer kept as copies)`, async () => {
      const engine = createEngine({ keyStore: store, suite, frameLength: 1000 });
      const plaintext = new Uint8Array(randomBytes(10_000));
      const message = await engine.encrypt(plaintext, { context: { purpose: 'reuse' } });
      // Pieces larger than the footer, so the whole footer arrives in one piece.
      expect(await collect(engine.decryptIterable(reusedBuffer(message, 4096)))).toEqual(Buffer.from(plaintext));
    });
  }

  it('frames split across tiny pieces of one reused Buffer (the buffered path) decrypt (non-framed bodies: test/vectors)', async () => {
    const engine = createEngine({ keyStore: store, frameLength: 64 });
    const plaintext = new Uint8Array(randomBytes(300));
    const message = await engine.encrypt(plaintext);
    expect(await collect(engine.decryptIterable(reusedBuffer(message, 5)))).toEqual(Buffer.from(plaintext));
  });

  it('inspect returns EDKs that do not follow later changes to the Buffer it parsed', async () => {
    const engine = createEngine({ keyStore: store });
    const message = Buffer.from(await engine.encrypt(new Uint8Array(10)));
    const info = engine.inspect(message);
    const before = Buffer.from(info.encryptedDataKeys[0]?.ciphertext ?? []);
    message.fill(0);
    expect(Buffer.from(info.encryptedDataKeys[0]?.ciphertext ?? [])).toEqual(before);
  });
});
