// The gateway's orphan sweeper: at start-up and then every `orphanSweep.intervalSeconds`, it
// removes body blobs no record references (what a crashed write leaves), on both backends,
// and counts them in /metrics; committed objects are untouched.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { FsBlobStore, S3BlobStore } from '@sealflow/gateway';
import type { BlobStore } from '@sealflow/s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startHarness, storageConfig, type Harness } from './support/gateway-harness.js';

const ORPHAN = 'd/sweep/0123456789abcdef0123456789abcdef/00000-0011223344556677';

async function metricValue(h: Harness, pattern: RegExp): Promise<number> {
  const text = (await h.gateway.metrics.render()).body;
  const match = pattern.exec(text);
  return match === null ? 0 : Number(match[1]);
}

async function until(check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.each(BACKENDS)('gateway over %s: orphan sweeper', (backend) => {
  let h: Harness;
  let store: BlobStore;
  let dir: string;
  let close: () => void = () => {};
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sealflow-sweep-'));
    const storage = await storageConfig(backend, dir);
    if (storage['type'] === 'fs') store = await FsBlobStore.open(storage['dir'] as string);
    else {
      const s3 = new S3BlobStore({
        bucket: storage['bucket'] as string,
        client: {
          endpoint: storage['endpoint'] as string,
          region: 'us-east-1',
          forcePathStyle: true,
          credentials: {
            accessKeyId: storage['accessKeyId'] as string,
            secretAccessKey: storage['secretAccessKey'] as string,
          },
        },
      });
      store = s3;
      close = () => void s3.close();
    }
    h = await startHarness(backend, { storage, orphanSweep: { intervalSeconds: 1, graceSeconds: 0 } });
  });
  afterAll(async () => {
    await h?.close();
    close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("sweeps at start-up, then removes a crashed write's body on its interval; /metrics counts it", async () => {
    await until(async () => (await metricValue(h, /sealflow_gateway_orphan_sweeps_total\{outcome="ok"\} (\d+)/)) >= 1);
    const s3 = h.client();
    await s3.send(new CreateBucketCommand({ Bucket: 'sweep' }));
    await s3.send(new PutObjectCommand({ Bucket: 'sweep', Key: 'kept', Body: 'committed body' }));
    await store.put(ORPHAN, [Buffer.from('a body whose record was never committed')]);
    await until(async () => (await store.stat(ORPHAN)) === undefined);
    // The counter moves when the sweep that removed it returns, a moment after the delete.
    const removed = /sealflow_gateway_orphans_removed_total\{kind="body"\} (\d+)/;
    await until(async () => (await metricValue(h, removed)) >= 1);
    expect(await metricValue(h, removed)).toBe(1);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'sweep', Key: 'kept' }));
    expect(await got.Body!.transformToString()).toBe('committed body');
  });
});
