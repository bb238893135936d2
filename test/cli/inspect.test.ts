import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bytes } from './support/messages.js';
import { errorCode, sandbox, type CliSandbox } from './support/run-cli.js';

interface InspectJson {
  authenticated: boolean;
  version: number;
  suite: { id: string; signed: boolean; committing: boolean };
  messageId: string;
  contentType: string;
  frameLength: number;
  headerLength: number;
  context: Record<string, string>;
  encryptedDataKeys: { providerId: string; kind: string; key: string }[];
}

let box: CliSandbox;
let arn: string;
beforeEach(async () => {
  box = sandbox();
  const created = await box.run(['keys', 'create', '--alias', 'alias/inspect', '--json']);
  arn = (JSON.parse(created.stdout.toString()) as { arn: string }).arn;
  await box.run(
    [
      'encrypt',
      '-k',
      'alias/inspect',
      '-c',
      'tenant=a',
      '-c',
      'object=photos/1.jpg',
      '--frame-length',
      '4096',
      '-o',
      box.path('m.sealed'),
    ],
    {
      input: bytes(10_000),
    },
  );
});
afterEach(() => box.remove());

describe('sealflow inspect', () => {
  it('--json shows suite, message ID, frame length, context and EDKs with provider and key ARN', async () => {
    const run = await box.run(['inspect', box.path('m.sealed'), '--json']);
    expect(run.code).toBe(0);
    const info = JSON.parse(run.stdout.toString()) as InspectJson;
    expect(info).toMatchObject({
      authenticated: false,
      version: 2,
      suite: { id: '0x0478', signed: false, committing: true },
      contentType: 'framed',
      frameLength: 4096,
      context: { tenant: 'a', object: 'photos/1.jpg' },
    });
    expect(info.messageId).toMatch(/^[0-9a-f]{64}$/);
    expect(info.encryptedDataKeys).toEqual([
      expect.objectContaining({ providerId: 'aws-kms', kind: 'aws-kms', key: arn }),
    ]);
  });

  it('prints the same facts as readable text', async () => {
    const run = await box.run(['inspect', box.path('m.sealed')]);
    const text = run.stdout.toString();
    expect(text).toMatch(/suite\s+0x0478/);
    expect(text).toMatch(/frame length 4096 bytes/);
    expect(text).toContain('tenant = a');
    expect(text).toContain(`aws-kms  ${arn}`);
    expect(text).toMatch(/not authenticated/);
  });

  it('needs no key store and no passphrase', async () => {
    const run = await box.run(['inspect', box.path('m.sealed'), '--json'], {
      env: { SEALFLOW_PASSPHRASE: '', SEALFLOW_KEYSTORE: box.path('absent.sealed') },
    });
    expect(run.code).toBe(0);
  });

  it('reads only the header: a file cut right after the header still inspects, though it cannot decrypt', async () => {
    const whole = readFileSync(box.path('m.sealed'));
    const { headerLength } = JSON.parse(
      (await box.run(['inspect', box.path('m.sealed'), '--json'])).stdout.toString(),
    ) as InspectJson;
    writeFileSync(box.path('head.sealed'), whole.subarray(0, headerLength));
    expect((await box.run(['inspect', box.path('head.sealed'), '--json'])).code).toBe(0);
    expect((await box.run(['decrypt', box.path('head.sealed')])).code).toBe(2);
  });

  // 100 pairs: over the 4 KiB first read, under KMS's 8 KiB context limit.
  it('a header larger than the first read (many context pairs) is read in full', async () => {
    const pairs = Array.from({ length: 100 }, (_, i) => ['-c', `key-${i}=${'v'.repeat(40)}`]).flat();
    await box.run(['encrypt', ...pairs, '-o', box.path('big.sealed')], { input: 'x' });
    const run = await box.run(['inspect', box.path('big.sealed'), '--json']);
    expect(run.code).toBe(0);
    const info = JSON.parse(run.stdout.toString()) as InspectJson;
    expect(info.headerLength).toBeGreaterThan(4096);
    expect(Object.keys(info.context)).toHaveLength(100);
  });

  it('a file cut inside the header fails with ERR_TRUNCATED (exit 2); not a message, exit 2', async () => {
    writeFileSync(box.path('cut.sealed'), readFileSync(box.path('m.sealed')).subarray(0, 40));
    const cut = await box.run(['inspect', box.path('cut.sealed')]);
    expect(cut.code).toBe(2);
    expect(errorCode(cut)).toBe('ERR_TRUNCATED');
    writeFileSync(box.path('junk'), 'this is not a message at all');
    const junk = await box.run(['inspect', box.path('junk')]);
    expect(junk.code).toBe(2);
  });

  it('a missing file fails with ENOENT (exit 4)', async () => {
    const run = await box.run(['inspect', box.path('nope')]);
    expect(run.code).toBe(4);
    expect(errorCode(run)).toBe('ENOENT');
  });
});
