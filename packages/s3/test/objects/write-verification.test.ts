import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryKms } from '@sealflow/keystore-memory';
import { BlobNames } from '../../src/objects/blob-names.js';
import { kmsKeyProvider, MemoryBlobStore, S3Service, type S3KmsClient } from '@sealflow/s3';
import { ACCOUNT, ALICE, chunks, collect, ctx, harness, pattern, s3CodeOf } from './fixtures.js';

describe('write-path verification and stored-record integrity', () => {
  it("verifyWrites 'kms': a PUT whose stored header does not unwrap (KMS Decrypt fails) answers an error and leaves no object, no blob", async () => {
    const kms = new MemoryKms({ principal: `arn:aws:iam::${ACCOUNT}:root` });
    const store = new MemoryBlobStore();
    // A KMS whose Decrypt fails: the data key was generated, but cannot be read back.
    const broken = (principal: string): S3KmsClient => {
      const real = kms.as(principal);
      return {
        generateDataKey: (i, o) => real.generateDataKey(i, o),
        encrypt: (i, o) => real.encrypt(i, o),
        decrypt: async () => {
          throw Object.assign(new Error('internal'), { name: 'KMSInternalException', $fault: 'server' });
        },
        describeKey: (i, o) => real.describeKey(i, o),
        createKey: (i, o) => real.createKey(i, o),
        createAlias: (i, o) => real.createAlias(i, o),
      };
    };
    const service = new S3Service({
      store,
      keys: kmsKeyProvider({ clientFor: broken }),
      region: 'us-east-1',
      sseS3Key: randomBytes(32),
      frameLength: 1024,
      verifyWrites: 'kms',
    });
    await service.createBucket(ctx(), { bucket: 'bkt' });
    const before = store.size;
    const code = await s3CodeOf(
      service.putObject(ctx(), {
        bucket: 'bkt',
        key: 'k',
        headers: { 'x-amz-server-side-encryption': 'aws:kms' },
        body: chunks(pattern(5000)),
      }),
    );
    expect(['ServiceUnavailable', 'InternalError']).toContain(code);
    expect(store.size).toBe(before);
    expect(await s3CodeOf(service.headObject(ctx(), { bucket: 'bkt', key: 'k', headers: {} }))).toBe('NoSuchKey');
  });

  it('a client whose body fails mid-stream leaves nothing behind', async () => {
    const { service, store } = await harness();
    const before = store.size;
    async function* failing(): AsyncIterable<Uint8Array> {
      yield pattern(3000);
      throw new Error('client disconnected');
    }
    await expect(service.putObject(ctx(), { bucket: 'bkt', key: 'k', headers: {}, body: failing() })).rejects.toThrow();
    expect(store.size).toBe(before);
  });

  it('BadDigest on a wrong checksum or Content-MD5, IncompleteBody on a short body: nothing stored', async () => {
    const { service, store } = await harness();
    const before = store.size;
    expect(
      await s3CodeOf(
        service.putObject(ctx(), {
          bucket: 'bkt',
          key: 'k',
          headers: { 'x-amz-checksum-crc32': 'AAAAAA==' },
          body: chunks(pattern(100)),
        }),
      ),
    ).toBe('BadDigest');
    expect(
      await s3CodeOf(
        service.putObject(ctx(), {
          bucket: 'bkt',
          key: 'k',
          headers: { 'content-md5': '1B2M2Y8AsgTpgAmY7PhCfg==' },
          body: chunks(pattern(100)),
        }),
      ),
    ).toBe('BadDigest');
    expect(
      await s3CodeOf(
        service.putObject(ctx(), {
          bucket: 'bkt',
          key: 'k',
          headers: {},
          contentLength: 101,
          body: chunks(pattern(100)),
        }),
      ),
    ).toBe('IncompleteBody');
    expect(
      await s3CodeOf(
        service.putObject(ctx(), {
          bucket: 'bkt',
          key: 'k',
          headers: { 'x-amz-trailer': 'x-amz-checksum-sha256' },
          body: chunks(pattern(100)),
          trailers: Promise.resolve({ 'x-amz-checksum-sha256': Buffer.alloc(32).toString('base64') }),
        }),
      ),
    ).toBe('BadDigest');
    expect(store.size).toBe(before);
  });

  it('Content-MD5 is checked under SSE-KMS too, where the ETag is not the MD5; SSE-S3 ETags are the MD5', async () => {
    const { service } = await harness();
    const body = pattern(70_000);
    const md5 = createHash('md5').update(body);
    const digest = md5.digest();
    const kms = { 'x-amz-server-side-encryption': 'aws:kms' };
    const wrong = { ...kms, 'content-md5': Buffer.alloc(16, 7).toString('base64') };
    expect(
      await s3CodeOf(service.putObject(ctx(), { bucket: 'bkt', key: 'k', headers: wrong, body: chunks(body) })),
    ).toBe('BadDigest');
    const right = { ...kms, 'content-md5': digest.toString('base64') };
    const sealed = await service.putObject(ctx(), { bucket: 'bkt', key: 'k', headers: right, body: chunks(body) });
    expect(sealed.etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(sealed.etag).not.toBe(`"${digest.toString('hex')}"`);
    const plain = await service.putObject(ctx(), { bucket: 'bkt', key: 'k2', headers: {}, body: chunks(body) });
    expect(plain.etag).toBe(`"${digest.toString('hex')}"`);
  });

  it('checksums sent on upload are stored sealed (not in the record) and returned with checksum mode', async () => {
    const { service, store } = await harness();
    const body = pattern(4000);
    const sha1 = (await import('node:crypto')).createHash('sha1').update(body).digest();
    await service.putObject(ctx(), {
      bucket: 'bkt',
      key: 'k',
      headers: { 'x-amz-checksum-sha1': sha1.toString('base64'), 'x-amz-server-side-encryption': 'aws:kms' },
      body: chunks(body),
    });
    const record = Buffer.from(store.peek(BlobNames.object('bkt', 'k')) as Uint8Array);
    expect(record.includes(sha1)).toBe(false);
    const head = await service.headObject(ctx(), {
      bucket: 'bkt',
      key: 'k',
      headers: { 'x-amz-checksum-mode': 'ENABLED' },
    });
    expect(head.headers['x-amz-checksum-sha1']).toBe(sha1.toString('base64'));
    expect(
      (await service.headObject(ctx(), { bucket: 'bkt', key: 'k', headers: {} })).headers['x-amz-checksum-sha1'],
    ).toBeUndefined();
  });

  it('a corrupted or truncated record answers InternalError, never wrong data; an altered body fails authentication', async () => {
    const { service, store } = await harness();
    await service.putObject(ctx(), { bucket: 'bkt', key: 'k', headers: {}, body: chunks(pattern(3000)) });
    const name = BlobNames.object('bkt', 'k');
    const good = Uint8Array.from(store.peek(name) as Uint8Array);
    const flipped = Uint8Array.from(good);
    flipped[20] = (flipped[20] as number) ^ 1;
    store.poke(name, flipped);
    expect(await s3CodeOf(service.getObject(ctx(), { bucket: 'bkt', key: 'k', headers: {} }))).toBe('InternalError');
    store.poke(name, good.subarray(0, good.length - 5));
    expect(await s3CodeOf(service.headObject(ctx(), { bucket: 'bkt', key: 'k', headers: {} }))).toBe('InternalError');
    store.poke(name, good);
    const [body] = (await store.list('d/')).entries;
    const bytes = Uint8Array.from(store.peek(body?.name as string) as Uint8Array);
    bytes[100] = (bytes[100] as number) ^ 1;
    store.poke(body?.name as string, bytes);
    const got = await service.getObject(ctx(), { bucket: 'bkt', key: 'k', headers: {} }).catch((e: unknown) => e);
    if (got instanceof Error) expect((got as { s3Code?: string }).s3Code).toBe('InternalError');
    else
      await expect(collect((got as { body: AsyncIterable<Uint8Array> }).body)).rejects.toMatchObject({
        s3Code: 'InternalError',
      });
    expect(ALICE).toBeTruthy();
  });
});
