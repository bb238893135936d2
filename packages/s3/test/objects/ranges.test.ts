import { describe, expect, it } from 'vitest';
import { parseRange } from '@sealflow/s3';
import { chunks, collect, ctx, harness, pattern, s3CodeOf } from './fixtures.js';

const FRAME = 1024; // fixtures: frameLength 1024

describe('parseRange', () => {
  it('reads bytes=a-b (inclusive, end clipped), a-, -n; refuses a start at or past the size with 416; ignores other forms', () => {
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 10, contentRange: 'bytes 0-9/100' });
    expect(parseRange('bytes=90-500', 100)).toEqual({ start: 90, end: 100, contentRange: 'bytes 90-99/100' });
    expect(parseRange('bytes=95-', 100)).toEqual({ start: 95, end: 100, contentRange: 'bytes 95-99/100' });
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 100, contentRange: 'bytes 90-99/100' });
    expect(parseRange('bytes=-500', 100)).toEqual({ start: 0, end: 100, contentRange: 'bytes 0-99/100' });
    expect(parseRange('bytes=5-2', 100)).toBeUndefined();
    expect(parseRange('bytes=0-1,5-6', 100)).toBeUndefined();
    expect(parseRange('items=0-1', 100)).toBeUndefined();
    for (const bad of ['bytes=100-', 'bytes=100-200', 'bytes=-0']) {
      expect(() => parseRange(bad, 100)).toThrowError(expect.objectContaining({ s3Code: 'InvalidRange', status: 416 }));
    }
    expect(() => parseRange('bytes=0-', 0)).toThrowError(expect.objectContaining({ s3Code: 'InvalidRange' }));
  });
});

describe('range GET', () => {
  it('answers 206 with Content-Range and the plaintext slice, for every form and both encryptions', async () => {
    const { service } = await harness();
    const body = pattern(10 * FRAME + 17);
    await service.putObject(ctx(), { bucket: 'bkt', key: 's3', headers: {}, body: chunks(body) });
    await service.putObject(ctx(), {
      bucket: 'bkt',
      key: 'kms',
      headers: { 'x-amz-server-side-encryption': 'aws:kms' },
      body: chunks(body),
    });
    for (const key of ['s3', 'kms']) {
      for (const [range, from, to] of [
        ['bytes=0-0', 0, 1],
        ['bytes=1000-3000', 1000, 3001],
        ['bytes=10000-', 10000, body.length],
        ['bytes=-17', body.length - 17, body.length],
        ['bytes=5-999999', 5, body.length],
      ] as const) {
        const got = await service.getObject(ctx(), { bucket: 'bkt', key, headers: { range } });
        expect(got.status).toBe(206);
        expect(got.headers['content-range']).toBe(`bytes ${from}-${to - 1}/${body.length}`);
        expect(got.contentLength).toBe(to - from);
        expect((await collect(got.body)).equals(body.subarray(from, to))).toBe(true);
      }
      expect(
        await s3CodeOf(service.getObject(ctx(), { bucket: 'bkt', key, headers: { range: `bytes=${body.length}-` } })),
      ).toBe('InvalidRange');
    }
  });

  it('a range across part boundaries reads only the covering parts, and in them only the covering frames (plus each final frame)', async () => {
    const { service, store } = await harness({ minPartSize: 1 });
    const { uploadId } = await service.createMultipartUpload(ctx(), {
      bucket: 'bkt',
      key: 'mp',
      headers: { 'x-amz-server-side-encryption': 'aws:kms' },
    });
    const sizes = [20 * FRAME, 20 * FRAME, 20 * FRAME, 5 * FRAME];
    const data = sizes.map((n, i) => pattern(n, i + 1));
    const etags = [];
    for (const [i, part] of data.entries())
      etags.push(
        (
          await service.uploadPart(ctx(), {
            bucket: 'bkt',
            key: 'mp',
            uploadId,
            partNumber: i + 1,
            headers: {},
            body: chunks(part),
          })
        ).etag,
      );
    await service.completeMultipartUpload(ctx(), {
      bucket: 'bkt',
      key: 'mp',
      uploadId,
      parts: etags.map((etag, i) => ({ partNumber: i + 1, etag })),
    });
    const whole = Buffer.concat(data);
    // From the last 2 frames of part 1 to the first 3 frames of part 2: parts 0 and 3 are never touched.
    const start = 20 * FRAME - 2 * FRAME + 5;
    const end = 20 * FRAME + 3 * FRAME - 7; // exclusive
    store.resetReads();
    const got = await service.getObject(ctx(), {
      bucket: 'bkt',
      key: 'mp',
      headers: { range: `bytes=${start}-${end - 1}` },
    });
    expect((await collect(got.body)).equals(whole.subarray(start, end))).toBe(true);
    const bodies = new Set(store.reads.filter((r) => r.name.startsWith('d/')).map((r) => r.name));
    expect(bodies.size).toBe(2);
    const bodyBytes = store.reads.filter((r) => r.name.startsWith('d/')).reduce((n, r) => n + r.length, 0);
    // 2 + 3 covering frames and 2 final frames, each with its 32-40 bytes of overhead: far below one part.
    const overhead = 40;
    expect(bodyBytes).toBeLessThanOrEqual((2 + 3) * (FRAME + overhead) + 2 * (FRAME + overhead));
    expect(bodyBytes).toBeGreaterThanOrEqual((2 + 3) * FRAME);
  });
});
