import { describe, expect, it } from 'vitest';
import { chunks, ctx, harness, pattern } from './fixtures.js';

describe('ListObjects / ListObjectsV2', () => {
  it('lists plaintext sizes in byte order, with prefix, delimiter, markers and continuation tokens', async () => {
    const { service, kms } = await harness();
    const keys = ['a.txt', 'dir/x', 'dir/y', 'dir/sub/z', 'é', 'b', 'dir2/q', 'long/' + 'k'.repeat(300)];
    for (const [i, key] of keys.entries())
      await service.putObject(ctx(), {
        bucket: 'bkt',
        key,
        headers: i % 2 === 0 ? {} : { 'x-amz-server-side-encryption': 'aws:kms' },
        body: chunks(pattern(i * 10)),
      });
    const callsBefore = kms.auditLog().length;
    const all = await service.listObjects(ctx(), { bucket: 'bkt' });
    expect(all.contents.map((c) => c.key)).toEqual([
      'a.txt',
      'b',
      'dir/sub/z',
      'dir/x',
      'dir/y',
      'dir2/q',
      'long/' + 'k'.repeat(300),
      'é',
    ]);
    expect(all.contents.find((c) => c.key === 'dir/y')?.size).toBe(20);
    expect(kms.auditLog().length).toBe(callsBefore); // listing needs no KMS call
    const grouped = await service.listObjects(ctx(), { bucket: 'bkt', delimiter: '/' });
    expect(grouped.contents.map((c) => c.key)).toEqual(['a.txt', 'b', 'é']);
    expect(grouped.commonPrefixes).toEqual(['dir/', 'dir2/', 'long/']);
    const dir = await service.listObjects(ctx(), { bucket: 'bkt', prefix: 'dir/', delimiter: '/' });
    expect(dir.contents.map((c) => c.key)).toEqual(['dir/x', 'dir/y']);
    expect(dir.commonPrefixes).toEqual(['dir/sub/']);
    const page1 = await service.listObjects(ctx(), { bucket: 'bkt', maxKeys: 3, delimiter: '/' });
    expect([...page1.contents.map((c) => c.key), ...page1.commonPrefixes]).toEqual(['a.txt', 'b', 'dir/']);
    expect(page1.isTruncated).toBe(true);
    const page2 = await service.listObjects(ctx(), {
      bucket: 'bkt',
      maxKeys: 3,
      delimiter: '/',
      continuationToken: page1.nextContinuationToken as string,
    });
    expect(page2.contents.map((c) => c.key)).toEqual(['é']);
    expect(page2.commonPrefixes).toEqual(['dir2/', 'long/']);
    expect(page2.isTruncated).toBe(false);
    const v1 = await service.listObjects(ctx(), { bucket: 'bkt', marker: 'dir/x' });
    expect(v1.contents.map((c) => c.key)).toEqual(['dir/y', 'dir2/q', 'long/' + 'k'.repeat(300), 'é']);
    const after = await service.listObjects(ctx(), { bucket: 'bkt', startAfter: 'dir2/q', maxKeys: 1 });
    expect(after.contents.map((c) => c.key)).toEqual(['long/' + 'k'.repeat(300)]);
    expect(after.isTruncated).toBe(true);
  });

  it('an object being written is not listed until committed, and deleted objects leave nothing behind', async () => {
    const { service, store } = await harness();
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    async function* slow(): AsyncIterable<Uint8Array> {
      yield pattern(100);
      await gate;
      yield pattern(100);
    }
    const pending = service.putObject(ctx(), { bucket: 'bkt', key: 'pending', headers: {}, body: slow() });
    await new Promise((r) => setTimeout(r, 20));
    expect((await service.listObjects(ctx(), { bucket: 'bkt' })).contents).toEqual([]);
    release();
    await pending;
    expect((await service.listObjects(ctx(), { bucket: 'bkt' })).contents.map((c) => c.size)).toEqual([200]);
    const before = store.size;
    await service.deleteObject(ctx(), { bucket: 'bkt', key: 'pending' });
    expect(store.size).toBe(before - 2);
    const result = await service.deleteObjects(ctx(), { bucket: 'bkt', keys: ['pending', 'never'] });
    expect(result.deleted).toEqual(['pending', 'never']);
  });
});
