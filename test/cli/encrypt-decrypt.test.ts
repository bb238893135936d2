import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bytes, decryptInProcess } from './support/messages.js';
import { errorCode, sandbox, type CliSandbox } from './support/run-cli.js';

let box: CliSandbox;
beforeEach(async () => {
  box = sandbox();
  expect((await box.run(['keys', 'create', '--alias', 'alias/test'])).code).toBe(0);
});
afterEach(() => box.remove());

/** No temp file (`.name.sealflow-*.tmp`) is left in the sandbox. */
function noTempFiles(): void {
  expect(readdirSync(box.dir).filter((name) => name.includes('.sealflow-'))).toEqual([]);
}

const F = 1024;

describe('sealflow encrypt / decrypt', () => {
  it.each([0, 1, F - 1, F, F + 1, 2 * F + 17])(
    'round-trips %i bytes file to file, and the core engine reads the message',
    async (size) => {
      const plaintext = bytes(size);
      writeFileSync(box.path('in.bin'), plaintext);
      const enc = await box.run([
        'encrypt',
        box.path('in.bin'),
        '-o',
        box.path('in.sealed'),
        '-k',
        'alias/test',
        '--frame-length',
        '1KiB',
        '-c',
        'case=file',
      ]);
      expect(enc.stderr).toBe('');
      expect(enc.code).toBe(0);
      const sealed = readFileSync(box.path('in.sealed'));
      const dec = await box.run(['decrypt', box.path('in.sealed'), '-o', box.path('out.bin')]);
      expect(dec.code).toBe(0);
      expect(readFileSync(box.path('out.bin')).equals(plaintext)).toBe(true);
      const independent = await decryptInProcess(box.keystore, sealed);
      expect(Buffer.from(independent.plaintext).equals(plaintext)).toBe(true);
      expect(independent.context).toEqual({ case: 'file' });
      noTempFiles();
    },
  );

  it.each([0, 1, F - 1, F, F + 1, 2 * F + 17])('round-trips %i bytes through stdin and stdout pipes', async (size) => {
    const plaintext = bytes(size);
    const enc = await box.run(['encrypt', '-k', 'alias/test', '--frame-length', String(F)], { input: plaintext });
    expect(enc.code).toBe(0);
    const dec = await box.run(['decrypt', '-'], { input: enc.stdout });
    expect(dec.code).toBe(0);
    expect(dec.stdout.equals(plaintext)).toBe(true);
  });

  it('a file of a known length gets a full final frame; a stream of unknown length an empty one (as client-node)', async () => {
    const plaintext = bytes(2 * F);
    writeFileSync(box.path('in.bin'), plaintext);
    const fromFile = await box.run(['encrypt', box.path('in.bin'), '--frame-length', String(F)]);
    const fromPipe = await box.run(['encrypt', '--frame-length', String(F)], { input: plaintext });
    // Final frame: FFFFFFFF || sequence (4) || IV (12) || content length (4) || content || tag (16).
    const finalLength = (message: Buffer, content: number): number =>
      message.readUInt32BE(message.length - 16 - content - 4);
    expect(finalLength(fromFile.stdout, F)).toBe(F);
    expect(finalLength(fromPipe.stdout, 0)).toBe(0);
    // The pipe's message has one more regular frame (F + 32) and an empty final frame (40)
    // where the file's has a full final frame (F + 40): 32 bytes longer.
    expect(fromPipe.stdout.length - fromFile.stdout.length).toBe(32);
  });

  it('--threads 2 seals and opens frames on worker threads; each side reads the other', async () => {
    // Over the pool's 4 MiB floor, so the workers take the message.
    const plaintext = bytes(6 * 1024 * 1024 + 5);
    writeFileSync(box.path('big.bin'), plaintext);
    const threaded = await box.run([
      'encrypt',
      box.path('big.bin'),
      '-o',
      box.path('t.sealed'),
      '--threads',
      '2',
      '--json',
      '-k',
      'alias/test',
    ]);
    expect(threaded.stderr.replace(/^sealflow: warning: --threads .*\n/m, '')).toBe(''); // the warning on a 1-CPU machine
    expect(threaded.code).toBe(0);
    expect((JSON.parse(threaded.stdout.toString()) as { workerBatches: number }).workerBatches).toBeGreaterThan(0);
    const single = await box.run(['encrypt', box.path('big.bin'), '-o', box.path('s.sealed')]);
    expect(single.code).toBe(0);
    expect((await box.run(['decrypt', box.path('t.sealed'), '-o', box.path('t.out')])).code).toBe(0);
    const opened = await box.run([
      'decrypt',
      box.path('s.sealed'),
      '-o',
      box.path('s.out'),
      '--threads',
      '2',
      '--json',
    ]);
    expect((JSON.parse(opened.stdout.toString()) as { workerBatches: number }).workerBatches).toBeGreaterThan(0);
    expect(readFileSync(box.path('t.out')).equals(plaintext)).toBe(true);
    expect(readFileSync(box.path('s.out')).equals(plaintext)).toBe(true);
    const piped = await box.run(['decrypt', '--threads', '2'], { input: readFileSync(box.path('t.sealed')) });
    expect(piped.stdout.equals(plaintext)).toBe(true);
  });

  it('the default key is alias/aws/s3, created on first use (AWS-managed, as in S3)', async () => {
    const enc = await box.run(['encrypt'], { input: 'hello' });
    expect(enc.code).toBe(0);
    const described = await box.run(['keys', 'describe', 'alias/aws/s3', '--json']);
    expect(JSON.parse(described.stdout.toString())).toMatchObject({ manager: 'AWS', aliases: ['alias/aws/s3'] });
    expect((await box.run(['decrypt'], { input: enc.stdout })).stdout.toString()).toBe('hello');
  });

  it('--context pairs are authenticated and returned; --expect-context checks them', async () => {
    const enc = await box.run(['encrypt', '-c', 'tenant=a', '-c', 'path=x=y', '-o', box.path('m.sealed')], {
      input: 'data',
    });
    expect(enc.code).toBe(0);
    const ok = await box.run([
      'decrypt',
      box.path('m.sealed'),
      '-o',
      box.path('m.out'),
      '--expect-context',
      'tenant=a',
      '--json',
    ]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout.toString())).toMatchObject({
      context: { tenant: 'a', path: 'x=y' },
      plaintextBytes: 4,
      suite: '0x0478',
    });
  });

  it('a wrong context fails with ERR_CONTEXT_MISMATCH, exit code 2, and leaves no output file', async () => {
    await box.run(['encrypt', '-c', 'tenant=a', '-o', box.path('m.sealed')], { input: bytes(5000) });
    const run = await box.run([
      'decrypt',
      box.path('m.sealed'),
      '-o',
      box.path('m.out'),
      '--expect-context',
      'tenant=b',
    ]);
    expect(run.code).toBe(2);
    expect(errorCode(run)).toBe('ERR_CONTEXT_MISMATCH');
    expect(existsSync(box.path('m.out'))).toBe(false);
    noTempFiles();
  });

  it('a context key in the reserved aws-crypto- namespace is refused (exit 1)', async () => {
    const run = await box.run(['encrypt', '-c', 'aws-crypto-public-key=x'], { input: 'x' });
    expect(run.code).toBe(1);
    expect(errorCode(run)).toBe('ERR_INVALID_ARGUMENT');
  });

  it('--suite 0x0578 writes a signed message that decrypts and range-reads', async () => {
    const plaintext = bytes(3 * F + 5);
    writeFileSync(box.path('in.bin'), plaintext);
    await box.run([
      'encrypt',
      box.path('in.bin'),
      '-o',
      box.path('s.sealed'),
      '--suite',
      '0x0578',
      '--frame-length',
      String(F),
    ]);
    const info = JSON.parse((await box.run(['inspect', box.path('s.sealed'), '--json'])).stdout.toString()) as {
      suite: { id: string; signed: boolean };
    };
    expect(info.suite).toMatchObject({ id: '0x0578', signed: true });
    expect((await box.run(['decrypt', box.path('s.sealed')])).stdout.equals(plaintext)).toBe(true);
    const range = await box.run(['decrypt', box.path('s.sealed'), '--range', '1000-2100']);
    expect(range.stdout.equals(plaintext.subarray(1000, 2101))).toBe(true);
  });

  it('--bucket-key needs an aws:s3:arn object context, then writes a bucket-key EDK bound to the bucket', async () => {
    const refused = await box.run(['encrypt', '--bucket-key', '-c', 'a=b'], { input: 'x' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('aws:s3:arn');
    const arn = 'arn:aws:s3:::my-bucket/photos/cat.jpg';
    const enc = await box.run(
      ['encrypt', '--bucket-key', '-c', `aws:s3:arn=${arn}`, '-o', box.path('b.sealed'), '--json'],
      { input: 'meow' },
    );
    expect(enc.code).toBe(0);
    expect(JSON.parse(enc.stdout.toString())).toMatchObject({
      keyStoreCalls: { generate: 1 },
      bucketKeys: { misses: 1 },
    });
    const info = JSON.parse((await box.run(['inspect', box.path('b.sealed'), '--json'])).stdout.toString()) as {
      encryptedDataKeys: { providerId: string; kind: string; bucketContext?: Record<string, string> }[];
    };
    // Layout 2: the message's data key wrapped under the bucket key, then the bucket key's blob.
    expect(info.encryptedDataKeys).toEqual([
      expect.objectContaining({ providerId: 'sealflow-bucket-data-key', kind: 'raw-aes' }),
      expect.objectContaining({
        providerId: 'sealflow-bucket-key',
        kind: 'bucket-key',
        bucketContext: { 'aws:s3:arn': 'arn:aws:s3:::my-bucket' },
      }),
    ]);
    expect(
      (await box.run(['decrypt', box.path('b.sealed'), '--expect-context', `aws:s3:arn=${arn}`])).stdout.toString(),
    ).toBe('meow');
    const audit = JSON.parse((await box.run(['keys', 'audit', '--json'])).stdout.toString()) as {
      eventName: string;
      requestParameters: { encryptionContext?: Record<string, string> };
    }[];
    const generate = audit.filter((r) => r.eventName === 'GenerateDataKey');
    expect(generate.at(-1)?.requestParameters.encryptionContext).toEqual({ 'aws:s3:arn': 'arn:aws:s3:::my-bucket' });
  });

  it('an unknown key fails encrypt with ERR_KEY_NOT_FOUND, exit code 3, and no output file', async () => {
    const run = await box.run(['encrypt', '-k', 'alias/missing', '-o', box.path('x.sealed')], { input: 'x' });
    expect(run.code).toBe(3);
    expect(errorCode(run)).toBe('ERR_KEY_NOT_FOUND');
    expect(existsSync(box.path('x.sealed'))).toBe(false);
    noTempFiles();
  });

  it('a disabled key fails encrypt and decrypt (exit code 3) and no plaintext file appears', async () => {
    await box.run(['encrypt', '-k', 'alias/test', '-o', box.path('m.sealed')], { input: bytes(3000) });
    await box.run(['keys', 'disable', 'alias/test']);
    const enc = await box.run(['encrypt', '-k', 'alias/test', '-o', box.path('n.sealed')], { input: 'x' });
    expect(enc.code).toBe(3);
    expect(errorCode(enc)).toBe('ERR_KEY_DISABLED');
    const dec = await box.run(['decrypt', box.path('m.sealed'), '-o', box.path('m.out')]);
    expect(dec.code).toBe(3);
    expect(errorCode(dec)).toBe('ERR_NO_DECRYPTABLE_KEY');
    expect(dec.stderr).toContain('ERR_KEY_DISABLED');
    expect(existsSync(box.path('m.out'))).toBe(false);
    expect(existsSync(box.path('n.sealed'))).toBe(false);
    noTempFiles();
  });

  it('decrypt names --key strictly: a message under another key fails (exit code 3)', async () => {
    await box.run(['keys', 'create', '--alias', 'alias/other']);
    await box.run(['encrypt', '-k', 'alias/test', '-o', box.path('m.sealed')], { input: 'x' });
    const run = await box.run(['decrypt', box.path('m.sealed'), '-k', 'alias/other']);
    expect(run.code).toBe(3);
    expect(run.stdout.length).toBe(0);
  });

  describe('corrupt input', () => {
    const plaintext = bytes(5 * F);
    let sealed: Buffer;
    beforeEach(async () => {
      writeFileSync(box.path('in.bin'), plaintext);
      await box.run(['encrypt', box.path('in.bin'), '-o', box.path('m.sealed'), '--frame-length', String(F)]);
      sealed = readFileSync(box.path('m.sealed'));
    });

    it('a flipped byte in a middle frame fails with ERR_AUTHENTICATION_FAILED (exit 2); no partial plaintext file', async () => {
      const bad = Buffer.from(sealed);
      const at = bad.length - 2 * (F + 32);
      bad[at] = (bad[at] as number) ^ 0x40;
      writeFileSync(box.path('bad.sealed'), bad);
      const run = await box.run(['decrypt', box.path('bad.sealed'), '-o', box.path('bad.out')]);
      expect(run.code).toBe(2);
      expect(errorCode(run)).toBe('ERR_AUTHENTICATION_FAILED');
      expect(existsSync(box.path('bad.out'))).toBe(false);
      noTempFiles();
    });

    it('a failed decrypt with --force leaves the existing output file untouched', async () => {
      const bad = Buffer.from(sealed);
      bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 1;
      writeFileSync(box.path('bad.sealed'), bad);
      writeFileSync(box.path('keep.txt'), 'previous content');
      const run = await box.run(['decrypt', box.path('bad.sealed'), '-o', box.path('keep.txt'), '--force']);
      expect(run.code).toBe(2);
      expect(readFileSync(box.path('keep.txt'), 'utf8')).toBe('previous content');
      noTempFiles();
    });

    it('a truncated message fails with ERR_TRUNCATED (exit 2)', async () => {
      writeFileSync(box.path('short.sealed'), sealed.subarray(0, sealed.length - 10));
      const run = await box.run(['decrypt', box.path('short.sealed'), '-o', box.path('short.out')]);
      expect(run.code).toBe(2);
      expect(errorCode(run)).toBe('ERR_TRUNCATED');
      expect(existsSync(box.path('short.out'))).toBe(false);
    });

    it('trailing bytes after the message fail with ERR_TRAILING_BYTES (exit 2)', async () => {
      writeFileSync(box.path('long.sealed'), Buffer.concat([sealed, Buffer.from('x')]));
      const run = await box.run(['decrypt', box.path('long.sealed'), '-o', box.path('long.out')]);
      expect(run.code).toBe(2);
      expect(errorCode(run)).toBe('ERR_TRAILING_BYTES');
      expect(existsSync(box.path('long.out'))).toBe(false);
    });

    it('bytes that are not a message fail with exit 2 and one line on stderr, no stack trace', async () => {
      const run = await box.run(['decrypt'], { input: bytes(500) });
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(/^sealflow: ERR_[A-Z_]+: /);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    });

    it('--debug adds the stack trace', async () => {
      const run = await box.run(['decrypt', '--debug'], { input: bytes(500) });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/\n\s+at /);
    });
  });

  describe('files', () => {
    it('a missing input file fails with ENOENT and exit code 4, before asking for a key', async () => {
      const run = await box.run(['decrypt', box.path('nope.sealed'), '-o', box.path('out')], {
        env: { SEALFLOW_PASSPHRASE: '' },
      });
      expect(run.code).toBe(4);
      expect(errorCode(run)).toBe('ENOENT');
      expect(run.stderr).toContain('nope.sealed');
      expect(existsSync(box.path('out'))).toBe(false);
    });

    it('an existing output file is kept unless --force (EEXIST, exit code 4)', async () => {
      writeFileSync(box.path('exists'), 'keep me');
      const run = await box.run(['encrypt', '-o', box.path('exists')], { input: 'x' });
      expect(run.code).toBe(4);
      expect(errorCode(run)).toBe('EEXIST');
      expect(readFileSync(box.path('exists'), 'utf8')).toBe('keep me');
      const forced = await box.run(['encrypt', '-o', box.path('exists'), '--force'], { input: 'x' });
      expect(forced.code).toBe(0);
      expect(
        readFileSync(box.path('exists'))
          .subarray(0, 2)
          .equals(Buffer.from([0x02, 0x04])),
      ).toBe(true);
    });

    it('an output in a missing folder fails with ENOENT (exit 4) and leaves nothing', async () => {
      const run = await box.run(['encrypt', '-o', box.path('no/such/dir/out')], { input: 'x' });
      expect(run.code).toBe(4);
      expect(errorCode(run)).toBe('ENOENT');
    });

    it('refuses to write over its own input', async () => {
      writeFileSync(box.path('same'), 'x');
      const run = await box.run(['encrypt', box.path('same'), '-o', box.path('same'), '--force']);
      expect(run.code).toBe(1);
      expect(readFileSync(box.path('same'), 'utf8')).toBe('x');
    });

    it('--json needs -o (stdout carries the data)', async () => {
      expect((await box.run(['encrypt', '--json'], { input: 'x' })).code).toBe(1);
      expect((await box.run(['decrypt', '--json'], { input: 'x' })).code).toBe(1);
    });
  });
});
