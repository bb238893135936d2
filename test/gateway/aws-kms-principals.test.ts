// keyStore.principals of the `aws-kms` key store against moto's KMS: each mapped principal's
// KMS calls carry its own credentials (static keys or a shared-config profile), others the
// SDK's default chain; a gateway configured so writes and reads SSE-KMS objects.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateKeyCommand, KMS, KMSClient } from '@aws-sdk/client-kms';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsKmsClients } from '../../packages/gateway/src/keys/aws-kms-principals.js';
import { requireMoto } from '../setup/required-services.js';
import { MOTO_S3_CREDENTIALS } from '../setup/s3-emulator-env.js';
import { ALICE_ARN, BOB_ARN, startHarness, type Harness } from './support/gateway-harness.js';

const ALICE_KMS = { accessKeyId: 'AKIAALICEKMS00000001', secretAccessKey: 'alice-kms-secret' };

describe('aws-kms key store: per-principal credentials (moto)', () => {
  let moto = '';
  let keyArn: string;
  const dir = mkdtempSync(join(tmpdir(), 'sealflow-kms-principals-'));
  beforeAll(async () => {
    moto = requireMoto();
    const admin = new KMSClient({
      endpoint: moto,
      region: 'us-east-1',
      credentials: { ...MOTO_S3_CREDENTIALS },
    });
    keyArn = (await admin.send(new CreateKeyCommand({ Description: 'principals' }))).KeyMetadata?.Arn as string;
    admin.destroy();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('mapped principals get clients with their own credentials (static, profile); others share the default one', async () => {
    const credentialsFile = join(dir, 'credentials');
    writeFileSync(
      credentialsFile,
      '[bob-kms]\naws_access_key_id = AKIABOBKMS000000002\naws_secret_access_key = bob-kms-secret\n',
    );
    const saved = { config: process.env['AWS_CONFIG_FILE'], creds: process.env['AWS_SHARED_CREDENTIALS_FILE'] };
    process.env['AWS_CONFIG_FILE'] = join(dir, 'no-config');
    process.env['AWS_SHARED_CREDENTIALS_FILE'] = credentialsFile;
    const kms = awsKmsClients(
      KMS,
      { region: 'us-east-1', endpoint: moto },
      {
        [ALICE_ARN]: ALICE_KMS,
        [BOB_ARN]: { profile: 'bob-kms' },
      },
    );
    try {
      const alice = kms.clientFor(ALICE_ARN);
      const bob = kms.clientFor(BOB_ARN);
      expect(kms.clientFor(ALICE_ARN)).toBe(alice);
      expect(kms.clientFor('arn:aws:iam::111122223333:user/carol')).toBe(
        kms.clientFor('arn:aws:iam::111122223333:user/dave'),
      );
      expect(await alice.config.credentials()).toMatchObject(ALICE_KMS);
      expect(await bob.config.credentials()).toMatchObject({
        accessKeyId: 'AKIABOBKMS000000002',
        secretAccessKey: 'bob-kms-secret',
      });
      // Real calls to moto with each.
      for (const client of [alice, bob]) {
        const out = await client.generateDataKey({ KeyId: keyArn, KeySpec: 'AES_256', EncryptionContext: { a: 'b' } });
        const back = await client.decrypt({ CiphertextBlob: out.CiphertextBlob, EncryptionContext: { a: 'b' } });
        expect(Buffer.from(back.Plaintext as Uint8Array).equals(Buffer.from(out.Plaintext as Uint8Array))).toBe(true);
      }
    } finally {
      kms.clients().forEach((c) => c.destroy());
      for (const [name, value] of [
        ['AWS_CONFIG_FILE', saved.config],
        ['AWS_SHARED_CREDENTIALS_FILE', saved.creds],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  describe('a gateway with keyStore.principals', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness('fs', {
        keyStore: {
          type: 'aws-kms',
          endpoint: moto,
          principals: {
            [ALICE_ARN]: ALICE_KMS,
            [BOB_ARN]: { accessKeyId: 'AKIABOBKMS000000002', secretAccessKey: 'bob-kms-secret' },
          },
        },
      });
    }, 60_000);
    afterAll(() => h?.close());

    it('writes and reads SSE-KMS objects through moto with the mapped credentials', async () => {
      const s3 = h.client();
      await s3.send(new CreateBucketCommand({ Bucket: 'mapped' }));
      const body = randomBytes(70_000);
      const put = await s3.send(
        new PutObjectCommand({
          Bucket: 'mapped',
          Key: 'k',
          Body: body,
          ServerSideEncryption: 'aws:kms',
          SSEKMSKeyId: keyArn,
        }),
      );
      expect(put.SSEKMSKeyId).toBe(keyArn);
      const got = await s3.send(new GetObjectCommand({ Bucket: 'mapped', Key: 'k' }));
      expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
    });
  });
});
