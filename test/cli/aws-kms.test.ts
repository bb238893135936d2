// `--kms aws` against the KMS emulators test/setup starts on loopback (local-kms, moto):
// the CLI builds an @aws-sdk/client-kms client from --region and --endpoint, with
// credentials from the environment, as it would against AWS.
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_KMS_REGION } from '../setup/kms-emulator-env.js';
import { requireLocalKms, requireMoto } from '../setup/required-services.js';
import { errorCode, sandbox, type CliSandbox } from './support/run-cli.js';

const CREDENTIALS = { accessKeyId: 'AKIDSEALFLOWTEST', secretAccessKey: 'sealflow-test-secret' };
const emulators = [
  { name: 'local-kms', endpoint: requireLocalKms, region: LOCAL_KMS_REGION },
  { name: 'moto', endpoint: requireMoto, region: 'eu-west-1' },
];

for (const emulator of emulators) {
  describe(`sealflow --kms aws against ${emulator.name}`, () => {
    // Read in beforeAll: a missing emulator fails these tests, and only these.
    let endpoint: string;
    let client: KMSClient | undefined;
    let arn: string;
    let box: CliSandbox;
    const alias = `alias/sealflow-cli-${Math.random().toString(36).slice(2, 10)}`;

    beforeAll(async () => {
      endpoint = emulator.endpoint();
      client = new KMSClient({ endpoint, region: emulator.region, credentials: CREDENTIALS, maxAttempts: 1 });
      const created = await client.send(new CreateKeyCommand({ Description: 'sealflow cli test' }));
      arn = created.KeyMetadata?.Arn as string;
      await client.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: created.KeyMetadata?.KeyId }));
    });
    afterAll(() => client?.destroy());
    beforeEach(() => {
      box = sandbox();
    });
    afterEach(() => box.remove());

    const env = { AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey };
    const kms = (): string[] => ['--kms', 'aws', '--region', emulator.region, '--endpoint', endpoint];

    it('encrypts under an alias and decrypts in discovery mode, writing the key ARN in the EDK', async () => {
      const sealed = await box.run(['encrypt', ...kms(), '-k', alias, '-c', 'tenant=a'], {
        input: 'through the SDK',
        env,
      });
      expect(sealed.stderr).toBe('');
      expect(sealed.code).toBe(0);
      writeFileSync(box.path('m.sealed'), sealed.stdout);
      const info = JSON.parse((await box.run(['inspect', box.path('m.sealed'), '--json'])).stdout.toString()) as {
        encryptedDataKeys: { providerId: string; key: string }[];
      };
      expect(info.encryptedDataKeys).toEqual([expect.objectContaining({ providerId: 'aws-kms', key: arn })]);
      const opened = await box.run(['decrypt', box.path('m.sealed'), ...kms(), '--expect-context', 'tenant=a'], {
        env,
      });
      expect(opened.stdout.toString()).toBe('through the SDK');
      const strict = await box.run(['decrypt', box.path('m.sealed'), ...kms(), '-k', arn], { env });
      expect(strict.stdout.toString()).toBe('through the SDK');
    });

    it('an unknown key fails with exit code 3', async () => {
      const run = await box.run(['encrypt', ...kms(), '-k', 'alias/does-not-exist-anywhere'], { input: 'x', env });
      expect(run.code).toBe(3);
      expect(errorCode(run)).toBe('ERR_KEY_NOT_FOUND');
    });

    it('a key ARN of another region is refused before any call (exit 1)', async () => {
      const elsewhere = arn.replace(`:${emulator.region}:`, ':ap-south-2:');
      const run = await box.run(['encrypt', ...kms(), '-k', elsewhere], { input: 'x', env });
      expect(run.code).toBe(1);
    });
  });
}

describe('sealflow --kms aws without an endpoint that answers', () => {
  let box: CliSandbox;
  beforeEach(() => {
    box = sandbox();
  });
  afterEach(() => box.remove());

  it('an unreachable KMS fails with ERR_KEY_STORE_UNAVAILABLE (exit 3) after its retries', async () => {
    const run = await box.run(
      ['encrypt', '--kms', 'aws', '--region', 'us-east-1', '--endpoint', 'http://127.0.0.1:9', '-k', 'alias/x'],
      {
        input: 'x',
        env: { AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey },
      },
    );
    expect(run.code).toBe(3);
    expect(errorCode(run)).toBe('ERR_KEY_STORE_UNAVAILABLE');
  });
});
