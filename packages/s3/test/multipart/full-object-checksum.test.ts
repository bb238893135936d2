import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checksumOf } from '../../src/checksums/checksum.js';
import { BlobNames } from '../../src/objects/blob-names.js';
import { chunks, collect, ctx, harness, s3CodeOf } from '../objects/fixtures.js';

type Service = Awaited<ReturnType<typeof harness>>['service'];

async function upload(
  service: Service,
  key: string,
  createHeaders: Record<string, string>,
  parts: readonly Buffer[],
  completeHeaders: Record<string, string> = {},
) {
  const { uploadId, headers } = await service.createMultipartUpload(ctx(), {
    bucket: 'bkt',
    key,
    headers: createHeaders,
  });
  // Parts sent out of order, as concurrent clients do.
  const done: { partNumber: number; etag: string }[] = [];
  for (const i of [...parts.keys()].reverse()) {
    const p = await service.uploadPart(ctx(), {
      bucket: 'bkt',
      key,
      uploadId,
      partNumber: i + 1,
      headers: {},
      body: chunks(parts[i] as Buffer),
    });
    done.unshift({ partNumber: i + 1, etag: p.etag });
  }
  const complete = service.completeMultipartUpload(ctx(), {
    bucket: 'bkt',
    key,
    uploadId,
    parts: done,
    headers: completeHeaders,
  });
  return { created: headers, complete };
}

describe('multipart FULL_OBJECT checksums', () => {
  for (const [algorithm, name] of [
    ['crc32', 'CRC32'],
    ['crc32c', 'CRC32C'],
    ['crc64nvme', 'CRC64NVME'],
  ] as const) {
    it(`${name}: the CRC of the whole plaintext, verified on Complete, sealed, returned with checksum mode`, async () => {
      const { service, store } = await harness();
      const parts = [randomBytes(3000), randomBytes(4097), randomBytes(11)];
      const whole = await checksumOf(algorithm, Buffer.concat(parts));
      const header = `x-amz-checksum-${algorithm}`;
      const create = {
        'x-amz-checksum-algorithm': name,
        'x-amz-checksum-type': 'FULL_OBJECT',
        'x-amz-server-side-encryption': 'aws:kms',
      };
      // A wrong full-object value on Complete: BadDigest, nothing committed.
      const bad = await upload(service, 'k', create, parts, {
        [header]: await checksumOf(algorithm, parts[0] as Buffer),
      });
      expect(bad.created['x-amz-checksum-type']).toBe('FULL_OBJECT');
      expect(await s3CodeOf(bad.complete)).toBe('BadDigest');
      expect(await s3CodeOf(service.headObject(ctx(), { bucket: 'bkt', key: 'k', headers: {} }))).toBe('NoSuchKey');
      // The right one.
      const good = await upload(service, 'k', create, parts, { [header]: whole, 'x-amz-checksum-type': 'FULL_OBJECT' });
      const result = await good.complete;
      expect(result.headers[header]).toBe(whole);
      expect(result.headers['x-amz-checksum-type']).toBe('FULL_OBJECT');
      for (const read of [service.headObject.bind(service), service.getObject.bind(service)]) {
        const got = await read(ctx(), { bucket: 'bkt', key: 'k', headers: { 'x-amz-checksum-mode': 'ENABLED' } });
        expect(got.headers[header]).toBe(whole);
        expect(got.headers['x-amz-checksum-type']).toBe('FULL_OBJECT');
      }
      const body = await service.getObject(ctx(), { bucket: 'bkt', key: 'k', headers: {} });
      expect((await collect(body.body)).equals(Buffer.concat(parts))).toBe(true);
      // Stored encrypted: neither the full value nor any part CRC is in the record in clear.
      const record = Buffer.from(store.peek(BlobNames.object('bkt', 'k')) as Uint8Array);
      expect(record.includes(Buffer.from(whole, 'base64'))).toBe(false);
      for (const p of parts) expect(record.includes(Buffer.from(await checksumOf(algorithm, p), 'base64'))).toBe(false);
    });
  }

  it('CRC64NVME defaults to FULL_OBJECT, CRC32 to COMPOSITE; refused combinations are 400 InvalidRequest', async () => {
    const { service } = await harness();
    const parts = [randomBytes(100), randomBytes(50)];
    const nvme = await (await upload(service, 'n', { 'x-amz-checksum-algorithm': 'CRC64NVME' }, parts)).complete;
    expect(nvme.headers['x-amz-checksum-type']).toBe('FULL_OBJECT');
    expect(nvme.headers['x-amz-checksum-crc64nvme']).toBe(await checksumOf('crc64nvme', Buffer.concat(parts)));
    const crc = await (await upload(service, 'c', { 'x-amz-checksum-algorithm': 'CRC32' }, parts)).complete;
    expect(crc.headers['x-amz-checksum-type']).toBe('COMPOSITE');
    expect(crc.headers['x-amz-checksum-crc32']).toMatch(/-2$/);
    for (const headers of [
      { 'x-amz-checksum-algorithm': 'SHA256', 'x-amz-checksum-type': 'FULL_OBJECT' },
      { 'x-amz-checksum-algorithm': 'SHA1', 'x-amz-checksum-type': 'FULL_OBJECT' },
      { 'x-amz-checksum-algorithm': 'CRC64NVME', 'x-amz-checksum-type': 'COMPOSITE' },
      { 'x-amz-checksum-type': 'FULL_OBJECT' },
      { 'x-amz-checksum-algorithm': 'CRC32', 'x-amz-checksum-type': 'WHOLE' },
    ])
      expect(
        await s3CodeOf(service.createMultipartUpload(ctx(), { bucket: 'bkt', key: 'x', headers })),
        JSON.stringify(headers),
      ).toBe('InvalidRequest');
    // Complete with another checksum mode than the upload's.
    const mismatch = await upload(
      service,
      'm',
      { 'x-amz-checksum-algorithm': 'CRC32C', 'x-amz-checksum-type': 'FULL_OBJECT' },
      parts,
      { 'x-amz-checksum-type': 'COMPOSITE' },
    );
    expect(await s3CodeOf(mismatch.complete)).toBe('InvalidRequest');
  });
});
