import { describe, expect, it } from 'vitest';
import { createEngine, SealflowError } from '@sealflow/core';
import { caught, chunked, patternBytes, rawAesStore, throughWeb, recordingOffload } from '../engine/fixtures.js';

const engine = () => createEngine({ keyStore: rawAesStore(), frameLength: 32 });

describe('encryptWebStream / decryptWebStream', () => {
  it('round-trip through pipeThrough with uneven chunks', async () => {
    const e = engine();
    const plaintext = patternBytes(1000);
    const sealed = await throughWeb(e.encryptWebStream(), chunked(plaintext, [1, 31, 32, 33, 200]));
    expect(Buffer.from(await throughWeb(e.decryptWebStream(), chunked(sealed, [7, 300])))).toStrictEqual(
      Buffer.from(plaintext),
    );
  });

  it('a reader that cancels mid-message makes an offloaded decrypt body wipe its key copy, not counted as a failure', async () => {
    const record = recordingOffload();
    const e = createEngine({ keyStore: rawAesStore(), frameLength: 32, offload: record.offload });
    const sealed = await e.encrypt(patternBytes(1_000));
    const transform = e.decryptWebStream();
    const writer = transform.writable.getWriter();
    const reader = transform.readable.getReader();
    void writer.write(sealed.subarray(0, 300)).catch(() => {});
    expect((await reader.read()).done).toBe(false);
    await reader.cancel('enough');
    expect(record.keys).toHaveLength(1);
    expect(record.aborted).toBe(1);
    expect(record.keys[0]?.every((b) => b === 0)).toBe(true);
    expect(e.stats().failures.decrypt).toBe(0);
  });

  it('a decrypt failure reaches the reader as the SealflowError itself', async () => {
    const e = engine();
    const sealed = (await e.encrypt(patternBytes(100))).slice();
    sealed[sealed.length - 1] = (sealed[sealed.length - 1] as number) ^ 1;
    const error = await caught(() => throughWeb(e.decryptWebStream(), [sealed]));
    expect(error).toBeInstanceOf(SealflowError);
    expect((error as SealflowError).code).toBe('ERR_AUTHENTICATION_FAILED');
    expect(e.stats().failures.decrypt).toBe(1);
  });

  it('refuses a non-byte chunk with ERR_INVALID_ARGUMENT, counted as a failure', async () => {
    const e = engine();
    const error = await caught(() =>
      throughWeb(e.encryptWebStream(), [patternBytes(3), 'text' as unknown as Uint8Array]),
    );
    expect((error as SealflowError).code).toBe('ERR_INVALID_ARGUMENT');
    expect(e.stats().failures.encrypt).toBe(1);
  });
});
