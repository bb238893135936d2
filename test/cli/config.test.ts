// The config file (~/.config/sealflow/config.json, $XDG_CONFIG_HOME, $SEALFLOW_CONFIG),
// SEALFLOW_* variables and flags: flags > environment > file, with clear errors.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorCode, PASSPHRASE, sandbox, type CliSandbox } from './support/run-cli.js';

let box: CliSandbox;
let xdg: string;
/** The sandbox's environment without its key store and passphrase variables. */
let bare: NodeJS.ProcessEnv;
beforeEach(() => {
  box = sandbox();
  xdg = box.path('xdg');
  mkdirSync(join(xdg, 'sealflow'), { recursive: true });
  writeFileSync(box.path('pw.txt'), `${PASSPHRASE}\n`);
  bare = { SEALFLOW_KEYSTORE: '', SEALFLOW_PASSPHRASE: '', XDG_CONFIG_HOME: xdg };
});
afterEach(() => box.remove());

const writeConfig = (value: unknown): void =>
  writeFileSync(join(xdg, 'sealflow', 'config.json'), JSON.stringify(value));

describe('sealflow config file', () => {
  it('$XDG_CONFIG_HOME/sealflow/config.json sets the key store and passphrase file (relative to the file)', async () => {
    writeConfig({ keystore: 'store.sealed', passphraseFile: box.path('pw.txt') });
    const created = await box.run(['keys', 'create', '--alias', 'alias/cfg'], { env: bare });
    expect(created.stderr).toContain(join(xdg, 'sealflow', 'store.sealed'));
    expect(created.code).toBe(0);
    expect(existsSync(join(xdg, 'sealflow', 'store.sealed'))).toBe(true);
    const listed = await box.run(['keys', 'list'], { env: bare });
    expect(listed.code).toBe(0);
    expect(listed.stdout.toString()).toContain('alias/cfg');
  });

  it('~/.config/sealflow/config.json is the default without XDG_CONFIG_HOME', async () => {
    mkdirSync(box.path('home/.config/sealflow'), { recursive: true });
    writeFileSync(
      box.path('home/.config/sealflow/config.json'),
      JSON.stringify({ keystore: box.path('home-store.sealed'), passphraseFile: box.path('pw.txt') }),
    );
    expect((await box.run(['keys', 'create'], { env: { SEALFLOW_KEYSTORE: '', SEALFLOW_PASSPHRASE: '' } })).code).toBe(
      0,
    );
    expect(existsSync(box.path('home-store.sealed'))).toBe(true);
  });

  it('precedence: the environment beats the file, a flag beats the environment', async () => {
    writeConfig({ keystore: box.path('from-file.sealed'), passphraseFile: box.path('pw.txt') });
    expect(
      (await box.run(['keys', 'create'], { env: { ...bare, SEALFLOW_KEYSTORE: box.path('from-env.sealed') } })).code,
    ).toBe(0);
    expect(existsSync(box.path('from-env.sealed'))).toBe(true);
    expect(existsSync(box.path('from-file.sealed'))).toBe(false);
    const flagged = await box.run(['--keystore', box.path('from-flag.sealed'), 'keys', 'create'], {
      env: { ...bare, SEALFLOW_KEYSTORE: box.path('from-env.sealed') },
    });
    expect(flagged.code).toBe(0);
    expect(existsSync(box.path('from-flag.sealed'))).toBe(true);
    expect(existsSync(box.path('from-file.sealed'))).toBe(false);
  });

  it('--passphrase-file beats $SEALFLOW_PASSPHRASE; a wrong one is refused (exit 3)', async () => {
    expect((await box.run(['keys', 'create'])).code).toBe(0);
    const wrongEnv = await box.run(['--passphrase-file', box.path('pw.txt'), 'keys', 'list'], {
      env: { SEALFLOW_PASSPHRASE: 'not it' },
    });
    expect(wrongEnv.code).toBe(0);
    writeFileSync(box.path('bad.txt'), 'not it\n');
    const wrongFile = await box.run(['--passphrase-file', box.path('bad.txt'), 'keys', 'list']);
    expect(wrongFile.code).toBe(3);
    const missing = await box.run(['--passphrase-file', box.path('none.txt'), 'keys', 'list']);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain(box.path('none.txt'));
  });

  it('"kms": "aws" in the file selects AWS KMS, and then needs a region like --kms aws', async () => {
    writeConfig({ kms: 'aws' });
    writeFileSync(box.path('in.txt'), 'x');
    const run = await box.run(['encrypt', box.path('in.txt'), '-o', box.path('o.sealed')], {
      env: { XDG_CONFIG_HOME: xdg },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--kms aws: needs --region');
  });

  it.each<[string, string, RegExp]>([
    [
      'an unknown key',
      JSON.stringify({ keyStore: 'x' }),
      /unknown key "keyStore" \(known: kms, keystore, region, endpoint, passphraseFile\)/,
    ],
    ['bad JSON', '{ "kms": ', /not valid JSON/],
    ['a bad kms', JSON.stringify({ kms: 'gcp' }), /"kms" must be "aws" or "local", got "gcp"/],
    ['a bad endpoint', JSON.stringify({ endpoint: 'not a url' }), /"endpoint" must be a URL/],
    ['a bad region', JSON.stringify({ region: 'Mars' }), /"region" must be an AWS region/],
    ['a number', JSON.stringify({ region: 5 }), /"region" must be a non-empty string/],
    ['an array', '[]', /expected a JSON object/],
  ])('%s is a usage error (exit 1) naming the file', async (_what, text, message) => {
    writeFileSync(join(xdg, 'sealflow', 'config.json'), text);
    const run = await box.run(['keys', 'list'], { env: { XDG_CONFIG_HOME: xdg } });
    expect(run.code).toBe(1);
    expect(errorCode(run)).toBe('ERR_INVALID_ARGUMENT');
    expect(run.stderr).toContain(join(xdg, 'sealflow', 'config.json'));
    expect(run.stderr).toMatch(message);
  });

  it('$SEALFLOW_CONFIG names the file, and then it must exist', async () => {
    writeFileSync(
      box.path('other.json'),
      JSON.stringify({ keystore: box.path('named.sealed'), passphraseFile: box.path('pw.txt') }),
    );
    expect(
      (await box.run(['keys', 'create'], { env: { ...bare, SEALFLOW_CONFIG: box.path('other.json') } })).code,
    ).toBe(0);
    expect(existsSync(box.path('named.sealed'))).toBe(true);
    const missing = await box.run(['keys', 'list'], { env: { SEALFLOW_CONFIG: box.path('nope.json') } });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('nope.json');
  });
});
