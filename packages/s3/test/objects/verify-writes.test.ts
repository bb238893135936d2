import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryKms } from '@sealflow/keystore-memory';
import {
  kmsKeyProvider,
  MemoryBlobStore,
  S3Service,
  type BlobInfo,
  type BlobPutOptions,
  type S3KmsAuditRecord,
  type VerifyWrites,
} from '@sealflow/s3';
import { ACCOUNT, chunks, collect, ctx, pattern, s3CodeOf } from './fixtures.js';

/** A memory store that can tamper with a body blob right after it is stored (before verification reads it back). */
class TamperingStore extends MemoryBlobStore {
  tamper: ((store: TamperingStore, name: string) => void) | undefined;

  override async put(
    name: string,
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    options: BlobPutOptions = {},
  ): Promise<BlobInfo> {
    const info = await super.put(name, source, options);
    if (name.startsWith('d/')) this.tamper?.(this, name);
    return info;
  }
}

function setup(verifyWrites?: VerifyWrites, kms = new MemoryKms({ principal: `arn:aws:iam::${ACCOUNT}:root` })) {
  const store = new TamperingStore();
  const audit: S3KmsAuditRecord[] = [];
  const service = new S3Service({
    store,
    keys: kmsKeyProvider({ clientFor: (p) => kms.as(p), audit: (r) => audit.push(r) }),
    region: 'us-east-1',
    sseS3Key: randomBytes(32),
    frameLength: 1024,
    ...(verifyWrites === undefined ? {} : { verifyWrites }),
  });
  return { store, audit, service, kms };
}

const KMS_HEADERS = { 'x-amz-server-side-encryption': 'aws:kms' };
const BUCKET_KEY_HEADERS = { ...KMS_HEADERS, 'x-amz-server-side-encryption-bucket-key-enabled': 'true' };

describe('write-path verification modes (verifyWrites)', () => {
  it('defaults to local: 1,000 1 KiB PUTs make 1 KMS call with bucket keys and 1,000 without', async () => {
    const { service, audit } = setup();
    await service.createBucket(ctx(), { bucket: 'bkt' });
    // The AWS-managed key is created first (DescribeKey/CreateKey are not data-key calls).
    await service.putObject(ctx(), { bucket: 'bkt', key: 'warm', headers: KMS_HEADERS, body: chunks(pattern(10)) });
    const body = pattern(1024);
    for (const [headers, label] of [
      [BUCKET_KEY_HEADERS, 'with'],
      [KMS_HEADERS, 'without'],
    ] as const) {
      audit.length = 0;
      for (let i = 0; i < 1000; i++)
        await service.putObject(ctx(), { bucket: 'bkt', key: `${label}-${i}`, headers, body: chunks(body) });
      const calls = audit.map((r) => r.eventName);
      expect(calls.length, label).toBe(label === 'with' ? 1 : 1000);
      expect(calls.every((c) => c === 'GenerateDataKey')).toBe(true);
    }
    const got = await service.getObject(ctx(), { bucket: 'bkt', key: 'with-999', headers: {} });
    expect((await collect(got.body)).equals(body)).toBe(true);
  });

  it("kms mode keeps the full round trip: GenerateDataKey then Decrypt of the stored header's EDK", async () => {
    const { service, audit } = setup('kms');
    await service.createBucket(ctx(), { bucket: 'bkt' });
    await service.putObject(ctx(), { bucket: 'bkt', key: 'warm', headers: KMS_HEADERS, body: chunks(pattern(10)) });
    for (const headers of [KMS_HEADERS, BUCKET_KEY_HEADERS]) {
      const request = ctx();
      await service.putObject(request, { bucket: 'bkt', key: 'k', headers, body: chunks(pattern(1024)) });
      expect(audit.filter((r) => r.requestId === request.requestId).map((r) => r.eventName)).toEqual([
        'GenerateDataKey',
        'Decrypt',
      ]);
    }
  });

  it('refuses an unknown mode', () => {
    expect(() => setup('none' as VerifyWrites)).toThrow(/verifyWrites/);
  });

  for (const mode of ['local', 'kms'] as const) {
    for (const headers of [KMS_HEADERS, BUCKET_KEY_HEADERS, {}] as Record<string, string>[]) {
      const label = `${mode}, ${headers['x-amz-server-side-encryption-bucket-key-enabled'] === 'true' ? 'bucket key' : (headers['x-amz-server-side-encryption'] ?? 'AES256')}`;
      it(`${label}: a body corrupted or swapped between write and read-back answers 500 and leaves no object`, async () => {
        const { service, store } = setup(mode);
        await service.createBucket(ctx(), { bucket: 'bkt' });
        await service.putObject(ctx(), { bucket: 'bkt', key: 'other', headers, body: chunks(pattern(3000, 7)) });
        const otherBody = (await store.list('d/')).entries[0]?.name as string;
        const before = store.size;
        // 1. One byte of the stored final frame (which holds the sealed trailer) flipped.
        store.tamper = (s, name) => {
          const bytes = Uint8Array.from(s.peek(name) as Uint8Array);
          bytes[bytes.length - 20] = (bytes[bytes.length - 20] as number) ^ 1;
          s.poke(name, bytes);
        };
        const flip = await s3CodeOf(
          service.putObject(ctx(), { bucket: 'bkt', key: 'k', headers, body: chunks(pattern(3000)) }),
        );
        expect(flip).toBe('InternalError');
        // 2. The stored body swapped for another object's (same length, same key and bucket key).
        store.tamper = (s, name) => s.poke(name, Uint8Array.from(s.peek(otherBody) as Uint8Array));
        const swap = await s3CodeOf(
          service.putObject(ctx(), { bucket: 'bkt', key: 'k', headers, body: chunks(pattern(3000)) }),
        );
        expect(swap).toBe('InternalError');
        // 3. The stored body truncated.
        store.tamper = (s, name) => s.poke(name, (s.peek(name) as Uint8Array).subarray(0, 100));
        const cut = await s3CodeOf(
          service.putObject(ctx(), { bucket: 'bkt', key: 'k', headers, body: chunks(pattern(3000)) }),
        );
        expect(cut).toBe('InternalError');
        expect(store.size).toBe(before);
        expect(await s3CodeOf(service.headObject(ctx(), { bucket: 'bkt', key: 'k', headers: {} }))).toBe('NoSuchKey');
        store.tamper = undefined;
        await service.putObject(ctx(), { bucket: 'bkt', key: 'k', headers, body: chunks(pattern(3000)) });
        const got = await service.getObject(ctx(), { bucket: 'bkt', key: 'k', headers: {} });
        expect((await collect(got.body)).equals(pattern(3000))).toBe(true);
      });
    }
  }

  it('a bucket-key object written in local mode reads back after a restart through KMS Decrypt', async () => {
    const first = setup('local');
    await first.service.createBucket(ctx(), { bucket: 'bkt' });
    const body = randomBytes(5000);
    await first.service.putObject(ctx(), { bucket: 'bkt', key: 'k', headers: BUCKET_KEY_HEADERS, body: chunks(body) });
    expect(first.audit.map((r) => r.eventName)).not.toContain('Decrypt');
    await first.service.close();
    // A new process: same store, same KMS, nothing cached.
    const audit: S3KmsAuditRecord[] = [];
    const second = new S3Service({
      store: first.store,
      keys: kmsKeyProvider({ clientFor: (p) => first.kms.as(p), audit: (r) => audit.push(r) }),
      region: 'us-east-1',
      sseS3Key: randomBytes(32),
    });
    const got = await second.getObject(ctx(), { bucket: 'bkt', key: 'k', headers: {} });
    expect((await collect(got.body)).equals(body)).toBe(true);
    expect(audit.map((r) => r.eventName)).toEqual(['Decrypt']);
    expect(audit[0]?.encryptionContext).toEqual({ 'aws:s3:arn': 'arn:aws:s3:::bkt' });
  });
});
