// The errors and notices a new user meets first: each says what happened in their terms.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorCode, sandbox, type CliSandbox } from './support/run-cli.js';

let box: CliSandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.remove());

describe('sealflow errors a user can act on', () => {
  it('a file that is not an ESDK message says so, not "unsupported message format version 104"', async () => {
    writeFileSync(box.path('notes.txt'), 'hello, world\n');
    expect((await box.run(['keys', 'create'])).code).toBe(0);
    for (const command of [['inspect'], ['decrypt']]) {
      const run = await box.run([...command, box.path('notes.txt')]);
      expect(run.code).toBe(2);
      expect(errorCode(run)).toBe('ERR_UNSUPPORTED_VERSION');
      expect(run.stderr).toContain('not an AWS Encryption SDK message');
      expect(run.stderr).toContain('0x68');
      expect(run.stderr).not.toContain('version 104');
    }
  });

  it("a header naming a KMS key ARN the embedded store cannot open suggests --kms aws with the ARN's region", async () => {
    writeFileSync(box.path('in.txt'), 'data');
    expect((await box.run(['keys', 'create', '--alias', 'alias/elsewhere'])).code).toBe(0);
    expect(
      (await box.run(['encrypt', box.path('in.txt'), '-o', box.path('m.sealed'), '-k', 'alias/elsewhere'])).code,
    ).toBe(0);
    // Another store (as on a machine whose keys are in AWS KMS) cannot open the data key.
    const other = { SEALFLOW_KEYSTORE: box.path('other.sealed') };
    expect((await box.run(['keys', 'create'], { env: other })).code).toBe(0);
    const run = await box.run(['decrypt', box.path('m.sealed')], { env: other });
    expect(run.code).toBe(3);
    expect(errorCode(run)).toBe('ERR_NO_DECRYPTABLE_KEY');
    expect(run.stderr).toMatch(
      /the header names the KMS key arn:aws:kms:us-east-1:\d{12}:key\/[0-9a-f-]+, which the embedded key store cannot open: if it is in AWS KMS, add --kms aws --region us-east-1/,
    );
    // Where the embedded store does open it, it decrypts.
    const ok = await box.run(['decrypt', box.path('m.sealed')]);
    expect(ok.stdout.toString()).toBe('data');
  });

  it('an empty file: "at least 1 byte", in the singular', async () => {
    writeFileSync(box.path('empty'), '');
    const run = await box.run(['inspect', box.path('empty')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('at least 1 byte,');
  });

  it('a missing output folder names the folder the user gave, not a temp file', async () => {
    writeFileSync(box.path('in.txt'), 'data');
    const run = await box.run(['encrypt', box.path('in.txt'), '-o', box.path('nowhere/out.sealed')]);
    expect(run.code).toBe(4);
    expect(errorCode(run)).toBe('ENOENT');
    expect(run.stderr).toContain(`: ${box.path('nowhere')}\n`);
    expect(run.stderr).not.toMatch(/\.tmp/);
    expect(existsSync(box.path('nowhere'))).toBe(false);
  });
});

describe('sealflow says when a default acts', () => {
  it('encrypt without -k prints a notice naming alias/aws/s3 on stderr; with -k (or --quiet) it does not', async () => {
    writeFileSync(box.path('in.txt'), 'data');
    const run = await box.run(['encrypt', box.path('in.txt'), '-o', box.path('a.sealed')]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/no -k\/--key given: encrypting under the AWS-managed key alias\/aws\/s3/);
    expect((await box.run(['keys', 'create', '--alias', 'alias/mine'])).code).toBe(0);
    const named = await box.run(['encrypt', box.path('in.txt'), '-o', box.path('b.sealed'), '-k', 'alias/mine']);
    expect(named.code).toBe(0);
    expect(named.stderr).toBe('');
    const quiet = await box.run(['--quiet', 'encrypt', box.path('in.txt'), '-o', box.path('c.sealed')]);
    expect(quiet.stderr).toBe('');
    expect(
      readdirSync(box.dir)
        .filter((name) => name.endsWith('.sealed'))
        .sort(),
    ).toEqual(['a.sealed', 'b.sealed', 'c.sealed']);
  });
});
