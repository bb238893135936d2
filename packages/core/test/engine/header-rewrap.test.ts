import { describe, expect, it } from 'vitest';
import { createEngine, SealflowError, type KeyStore } from '@sealflow/core';
import { caught, patternBytes, rawAesStore } from './fixtures.js';

const keyA = new Uint8Array(32).fill(1);
const keyB = new Uint8Array(32).fill(2);
const storeA = (): KeyStore => rawAesStore(keyA, 'a');
const storeB = (): KeyStore => rawAesStore(keyB, 'b');

function splice(sealed: Uint8Array, header: Uint8Array, replaced: number): Uint8Array {
  return Buffer.concat([header, sealed.subarray(replaced)]);
}

const code = (error: unknown): string | undefined => (error instanceof SealflowError ? error.code : undefined);

describe('engine.rewrapHeader re-keys a message without touching its body', () => {
  it('moves the data key from store A to store B: B decrypts, A no longer does, body bytes unchanged', async () => {
    const plaintext = patternBytes(3 * 4096 + 17, 3);
    const a = createEngine({ keyStore: storeA() });
    const sealed = await a.encrypt(plaintext, {
      frameLength: 4096,
      context: { 'aws:s3:arn': 'arn:aws:s3:::b/k', team: 'x' },
    });
    const { header, replacedLength } = await a.rewrapHeader(sealed.subarray(0, 4096), { keyStore: storeB() });
    expect(replacedLength).toBe(a.inspect(sealed).headerLength);
    const rekeyed = splice(sealed, header, replacedLength);
    expect(Buffer.from(rekeyed.subarray(header.length)).equals(Buffer.from(sealed.subarray(replacedLength)))).toBe(
      true,
    );
    const b = createEngine({ keyStore: storeB() });
    const out = await b.decrypt(rekeyed);
    expect(Buffer.from(out.plaintext).equals(Buffer.from(plaintext))).toBe(true);
    expect(out.context).toEqual({ 'aws:s3:arn': 'arn:aws:s3:::b/k', team: 'x' });
    expect(b.inspect(rekeyed).messageId).toBe(a.inspect(sealed).messageId);
    expect(code(await caught(() => createEngine({ keyStore: storeA() }).decrypt(rekeyed)))).toBe(
      'ERR_NO_DECRYPTABLE_KEY',
    );
    // and the range reader trusts the new header too
    const slice = await b.decryptRange(rekeyed, { start: 4000, end: 9000 });
    expect(Buffer.from(slice).equals(Buffer.from(plaintext.subarray(4000, 9000)))).toBe(true);
  });

  it('writes one EDK per given store, in order', async () => {
    const a = createEngine({ keyStore: storeA() });
    const sealed = await a.encrypt(patternBytes(10), {});
    const { header } = await a.rewrapHeader(sealed, { keyStore: [storeB(), storeA()] });
    expect(a.inspect(header).encryptedDataKeys.map((e) => e.providerInfo)).toHaveLength(2);
    expect(
      (await createEngine({ keyStore: storeA() }).decrypt(splice(sealed, header, a.inspect(sealed).headerLength)))
        .plaintext,
    ).toEqual(patternBytes(10));
  });

  it('refuses a header whose tag does not verify (altered context), and a key that cannot unwrap', async () => {
    const a = createEngine({ keyStore: storeA() });
    const sealed = await a.encrypt(patternBytes(100), { context: { purpose: 'test' } });
    const altered = Uint8Array.from(sealed);
    const at = Buffer.from(altered).indexOf(Buffer.from('test'));
    altered[at] = 'T'.charCodeAt(0);
    const error = await caught(() => a.rewrapHeader(altered, { keyStore: storeB() }));
    expect(['ERR_AUTHENTICATION_FAILED', 'ERR_NO_DECRYPTABLE_KEY']).toContain(code(error));
    expect(
      code(await caught(() => createEngine({ keyStore: storeB() }).rewrapHeader(sealed, { keyStore: storeB() }))),
    ).toBe('ERR_NO_DECRYPTABLE_KEY');
  });

  it('refuses a truncated header, a signing suite and unknown options', async () => {
    const a = createEngine({ keyStore: storeA() });
    const sealed = await a.encrypt(patternBytes(100), {});
    expect(code(await caught(() => a.rewrapHeader(sealed.subarray(0, 40), { keyStore: storeB() })))).toBe(
      'ERR_TRUNCATED',
    );
    const signed = await a.encrypt(patternBytes(100), { suite: 0x0578 });
    expect(code(await caught(() => a.rewrapHeader(signed, { keyStore: storeB() })))).toBe('ERR_INVALID_ARGUMENT');
    expect(code(await caught(() => a.rewrapHeader(sealed, { keyStore: storeB(), extra: 1 } as never)))).toBe(
      'ERR_INVALID_ARGUMENT',
    );
    expect(code(await caught(() => a.rewrapHeader(sealed, {} as never)))).toBe('ERR_INVALID_ARGUMENT');
  });

  it('rewraps a bucket-key message into a directly wrapped one that a plain engine reads', async () => {
    const a = createEngine({ keyStore: storeA(), bucketKeys: { maxAgeMs: 60_000 } });
    const context = { 'aws:s3:arn': 'arn:aws:s3:::bucket/key' };
    const sealed = await a.encrypt(patternBytes(5000), {
      context,
      bucketKey: { context: { 'aws:s3:arn': 'arn:aws:s3:::bucket' } },
    });
    const { header, replacedLength } = await a.rewrapHeader(sealed, { keyStore: storeB(), expectContext: context });
    const out = await createEngine({ keyStore: storeB() }).decrypt(splice(sealed, header, replacedLength));
    expect(out.plaintext).toEqual(patternBytes(5000));
    expect(
      code(
        await caught(() => a.rewrapHeader(sealed, { keyStore: storeB(), expectContext: { 'aws:s3:arn': 'other' } })),
      ),
    ).toBe('ERR_CONTEXT_MISMATCH');
  });

  it('keeps authenticate-only (required) context pairs authenticated under the new header', async () => {
    const a = createEngine({ keyStore: storeA() });
    const sealed = await a.encrypt(patternBytes(50), {
      context: { stored: '1', hidden: 'h' },
      requiredContextKeys: ['hidden'],
    });
    const { header, replacedLength } = await a.rewrapHeader(sealed, {
      keyStore: storeB(),
      reproducedContext: { hidden: 'h' },
    });
    const rekeyed = splice(sealed, header, replacedLength);
    const b = createEngine({ keyStore: storeB() });
    expect((await b.decrypt(rekeyed, { reproducedContext: { hidden: 'h' } })).plaintext).toEqual(patternBytes(50));
    // the key store binds the full context, so a wrong reproduced pair fails at unwrap
    expect(code(await caught(() => b.decrypt(rekeyed, { reproducedContext: { hidden: 'x' } })))).toBe(
      'ERR_NO_DECRYPTABLE_KEY',
    );
  });
});

async function collect(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const out: Uint8Array[] = [];
  for await (const chunk of source) out.push(chunk);
  return Buffer.concat(out);
}

function pieces(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
  return out;
}

describe('engine.rewrapIterable re-keys in one streaming pass, re-signing signed messages', () => {
  it('re-signs a 0x0578 message under store B with a fresh key: B decrypts, frames are byte-identical, A no longer decrypts (any chunking)', async () => {
    const plaintext = patternBytes(5 * 1000 + 3, 9);
    const a = createEngine({ keyStore: storeA() });
    const sealed = await a.encrypt(plaintext, { suite: 0x0578, frameLength: 1000, context: { purpose: 'resign' } });
    const oldHeader = a.inspect(sealed).headerLength;
    for (const size of [1, 7, 1000, sealed.length]) {
      const rekeyed = await collect(a.rewrapIterable(pieces(sealed, size), { keyStore: storeB() }));
      const b = createEngine({ keyStore: storeB() });
      const out = await b.decrypt(rekeyed);
      expect(Buffer.from(out.plaintext).equals(Buffer.from(plaintext))).toBe(true);
      expect(out.context['purpose']).toBe('resign');
      const newHeader = b.inspect(rekeyed).headerLength;
      const bodyLength = 5 * (1000 + 32) + 40 + 3;
      const oldFooter = sealed.length - oldHeader - bodyLength;
      expect(
        Buffer.from(rekeyed.subarray(newHeader, newHeader + bodyLength)).equals(
          Buffer.from(sealed.subarray(oldHeader, oldHeader + bodyLength)),
        ),
      ).toBe(true);
      expect(oldFooter).toBeGreaterThan(2);
      expect(code(await caught(() => createEngine({ keyStore: storeA() }).decrypt(rekeyed)))).toBe(
        'ERR_NO_DECRYPTABLE_KEY',
      );
    }
  });

  it('refuses an altered frame (old signature), a truncated message and trailing bytes', async () => {
    const a = createEngine({ keyStore: storeA() });
    const sealed = await a.encrypt(patternBytes(3000), { suite: 0x0578, frameLength: 1000 });
    const altered = Uint8Array.from(sealed);
    const at = a.inspect(sealed).headerLength + 100;
    altered[at] = (altered[at] as number) ^ 1;
    expect(code(await caught(() => collect(a.rewrapIterable([altered], { keyStore: storeB() }))))).toBe(
      'ERR_SIGNATURE_INVALID',
    );
    expect(
      code(
        await caught(() => collect(a.rewrapIterable([sealed.subarray(0, sealed.length - 10)], { keyStore: storeB() }))),
      ),
    ).toBe('ERR_TRUNCATED');
    expect(
      code(await caught(() => collect(a.rewrapIterable([sealed, new Uint8Array(1)], { keyStore: storeB() })))),
    ).toBe('ERR_TRAILING_BYTES');
  });

  it('passes an unsigned body through unchanged after the new header', async () => {
    const a = createEngine({ keyStore: storeA() });
    const sealed = await a.encrypt(patternBytes(2500), { frameLength: 1000 });
    const rekeyed = await collect(a.rewrapIterable(pieces(sealed, 333), { keyStore: storeB() }));
    expect((await createEngine({ keyStore: storeB() }).decrypt(rekeyed)).plaintext).toEqual(patternBytes(2500));
    expect(
      Buffer.from(rekeyed.subarray(rekeyed.length - 100)).equals(Buffer.from(sealed.subarray(sealed.length - 100))),
    ).toBe(true);
  });
});
