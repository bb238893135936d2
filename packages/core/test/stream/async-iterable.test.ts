import { describe, expect, it } from 'vitest';
import { createEngine, SealflowError } from '@sealflow/core';
import { caught, chunked, collect, patternBytes, rawAesStore, recordingOffload } from '../engine/fixtures.js';

const engine = () => createEngine({ keyStore: rawAesStore(), frameLength: 32 });

describe('encryptIterable / decryptIterable', () => {
  it('take sync and async iterables alike', async () => {
    const e = engine();
    const plaintext = patternBytes(500);
    const sealed = await collect(e.encryptIterable(chunked(plaintext, [13])));
    async function* slowly(): AsyncGenerator<Uint8Array> {
      for (const chunk of chunked(sealed, [40])) {
        await new Promise((resolve) => setImmediate(resolve));
        yield chunk;
      }
    }
    expect(Buffer.from(await collect(e.decryptIterable(slowly())))).toStrictEqual(Buffer.from(plaintext));
  });

  it('a consumer that stops early closes the source iterator', async () => {
    const e = engine();
    const sealed = await e.encrypt(patternBytes(10_000));
    let closed = false;
    let pulled = 0;
    const source = {
      [Symbol.asyncIterator]() {
        const chunks = chunked(sealed, [100]);
        return {
          next: async () => ({ done: pulled >= chunks.length, value: chunks[pulled++] as Uint8Array }),
          return: async () => {
            closed = true;
            return { done: true as const, value: undefined };
          },
        };
      },
    };
    for await (const piece of e.decryptIterable(source)) {
      expect(piece.length).toBeGreaterThan(0);
      break;
    }
    expect(closed).toBe(true);
    expect(pulled).toBeLessThan(chunked(sealed, [100]).length);
  });

  it('a consumer that stops early makes an offloaded decrypt body drop its work and wipe its key copy', async () => {
    const record = recordingOffload();
    const e = createEngine({ keyStore: rawAesStore(), frameLength: 32, offload: record.offload });
    const sealed = await e.encrypt(patternBytes(1_000));
    for await (const piece of e.decryptIterable(chunked(sealed, [100]))) {
      expect(piece.length).toBeGreaterThan(0);
      break;
    }
    expect(record.keys).toHaveLength(1);
    expect(record.aborted).toBe(1);
    expect(record.keys[0]?.every((b) => b === 0)).toBe(true);
    expect(e.stats().failures.decrypt).toBe(0);
  });

  it('refuses a non-byte chunk with ERR_INVALID_ARGUMENT, counted as a failure', async () => {
    const e = engine();
    const error = await caught(() => collect(e.encryptIterable([patternBytes(3), 'text' as unknown as Uint8Array])));
    expect(error).toBeInstanceOf(SealflowError);
    expect((error as SealflowError).code).toBe('ERR_INVALID_ARGUMENT');
    expect(e.stats().failures.encrypt).toBe(1);
  });
});
