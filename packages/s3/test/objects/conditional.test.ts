import { describe, expect, it } from 'vitest';
import { MemoryBlobStore } from '@sealflow/s3';
import {
  checkCopySourceConditions,
  checkReadConditions,
  etagListMatches,
} from '../../src/objects/conditional-request.js';
import { chunks, ctx, harness, s3CodeOf, storeOver } from './fixtures.js';

const TARGET = { etag: '"abc"', lastModified: Date.parse('2026-01-01T00:00:10.900Z') };
const codeOf = (fn: () => void): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (error) {
    return (error as { s3Code?: string }).s3Code;
  }
};

describe('etagListMatches', () => {
  it('takes quoted and unquoted tags, lists and *; W/ tags match only under the weak comparison', () => {
    expect(etagListMatches('"abc"', '"abc"', false)).toBe(true);
    expect(etagListMatches('abc', '"abc"', false)).toBe(true);
    expect(etagListMatches('"x", "abc"', '"abc"', false)).toBe(true);
    expect(etagListMatches('*', '"abc"', false)).toBe(true);
    expect(etagListMatches('"abd"', '"abc"', false)).toBe(false);
    expect(etagListMatches('W/"abc"', '"abc"', false)).toBe(false);
    expect(etagListMatches('W/"abc"', '"abc"', true)).toBe(true);
    expect(etagListMatches('', '"abc"', true)).toBe(false);
  });
});

describe('checkReadConditions', () => {
  it('evaluates in RFC 7232 order: If-Match, If-Unmodified-Since (412), If-None-Match, If-Modified-Since (304)', () => {
    const check = (headers: Record<string, string>) => codeOf(() => checkReadConditions(headers, TARGET));
    expect(check({})).toBeUndefined();
    expect(check({ 'if-match': '"no"' })).toBe('PreconditionFailed');
    expect(check({ 'if-match': '"abc"', 'if-unmodified-since': 'Thu, 01 Jan 2026 00:00:00 GMT' })).toBeUndefined();
    expect(check({ 'if-unmodified-since': 'Thu, 01 Jan 2026 00:00:09 GMT' })).toBe('PreconditionFailed');
    // Whole seconds: 00:00:10.900 is not modified since 00:00:10.
    expect(check({ 'if-unmodified-since': 'Thu, 01 Jan 2026 00:00:10 GMT' })).toBeUndefined();
    expect(check({ 'if-modified-since': 'Thu, 01 Jan 2026 00:00:10 GMT' })).toBe('NotModified');
    expect(check({ 'if-modified-since': 'Thu, 01 Jan 2026 00:00:09 GMT' })).toBeUndefined();
    expect(check({ 'if-none-match': '"abc"', 'if-modified-since': 'Thu, 01 Jan 2026 00:00:00 GMT' })).toBe(
      'NotModified',
    );
    expect(check({ 'if-none-match': '"x"', 'if-modified-since': 'Thu, 01 Jan 2099 00:00:00 GMT' })).toBeUndefined();
    expect(check({ 'if-match': '"no"', 'if-none-match': '"abc"' })).toBe('PreconditionFailed');
    // An unparsable date is ignored, as RFC 7232 says.
    expect(check({ 'if-modified-since': 'yesterday-ish' })).toBeUndefined();
  });

  it('a 304 carries the ETag and Last-Modified as extra headers', () => {
    try {
      checkReadConditions({ 'if-none-match': '*' }, TARGET);
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({
        status: 304,
        extra: { etag: '"abc"', 'last-modified': 'Thu, 01 Jan 2026 00:00:10 GMT' },
      });
    }
  });
});

describe('checkCopySourceConditions', () => {
  it('answers every failed x-amz-copy-source-if-* with 412; if-match true wins over if-unmodified-since false', () => {
    const check = (headers: Record<string, string>) => codeOf(() => checkCopySourceConditions(headers, TARGET));
    const p = 'x-amz-copy-source-';
    expect(check({ [`${p}if-match`]: '"abc"', [`${p}if-unmodified-since`]: 'Thu, 01 Jan 1998 00:00:00 GMT' })).toBe(
      undefined,
    );
    expect(check({ [`${p}if-match`]: '"x"' })).toBe('PreconditionFailed');
    expect(check({ [`${p}if-none-match`]: '"abc"' })).toBe('PreconditionFailed');
    expect(check({ [`${p}if-modified-since`]: 'Thu, 01 Jan 2099 00:00:00 GMT' })).toBe('PreconditionFailed');
    expect(check({ [`${p}if-unmodified-since`]: 'Thu, 01 Jan 1998 00:00:00 GMT' })).toBe('PreconditionFailed');
    // The plain If-* headers are not the copy's conditions.
    expect(check({ 'if-match': '"x"' })).toBeUndefined();
  });
});

describe('conditional writes', () => {
  it('an If-Match PUT whose object is deleted while its body streams answers 409 ConditionalRequestConflict and stores nothing', async () => {
    const { service, store } = await harness();
    const first = await service.putObject(ctx(), {
      bucket: 'bkt',
      key: 'k',
      headers: {},
      body: chunks(Buffer.from('v1')),
    });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    async function* slow(): AsyncIterable<Uint8Array> {
      yield Buffer.from('v2-');
      await gate;
      yield Buffer.from('tail');
    }
    const before = store.size;
    const put = service.putObject(ctx(), {
      bucket: 'bkt',
      key: 'k',
      headers: { 'if-match': first.etag },
      body: slow(),
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await service.deleteObject(ctx(), { bucket: 'bkt', key: 'k' });
    release();
    expect(await s3CodeOf(put)).toBe('ConditionalRequestConflict');
    expect(await s3CodeOf(service.headObject(ctx(), { bucket: 'bkt', key: 'k', headers: {} }))).toBe('NoSuchKey');
    // The refused write's data blob is gone too (the deleted object's blob went with the delete).
    expect(store.size).toBe(before - 2);
  });

  it('an If-None-Match: * PUT that loses to a write committed while its body streamed answers 412', async () => {
    const { service } = await harness();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    async function* slow(): AsyncIterable<Uint8Array> {
      await gate;
      yield Buffer.from('late');
    }
    const put = service.putObject(ctx(), { bucket: 'bkt', key: 'n', headers: { 'if-none-match': '*' }, body: slow() });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await service.putObject(ctx(), { bucket: 'bkt', key: 'n', headers: {}, body: chunks(Buffer.from('early')) });
    release();
    expect(await s3CodeOf(put)).toBe('PreconditionFailed');
  });

  it('a store without putConditionally answers 501 NotImplemented before reading the body', async () => {
    const inner = new MemoryBlobStore();
    // The BlobStore contract without the optional conditional put (as the s3 backend is).
    const store = storeOver(inner);
    const { service } = await harness({ store });
    let read = false;
    async function* body(): AsyncIterable<Uint8Array> {
      read = true;
      yield Buffer.from('x');
    }
    expect(
      await s3CodeOf(
        service.putObject(ctx(), { bucket: 'bkt', key: 'z', headers: { 'if-none-match': '*' }, body: body() }),
      ),
    ).toBe('NotImplemented');
    expect(read).toBe(false);
  });
});
