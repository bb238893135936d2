// fetchKmsClient speaks the AWS KMS JSON protocol over plain fetch: against local-kms (the
// real emulator, started by test/setup) a KmsKeyStore over it interoperates with the AWS
// SDK's KMS client on the same key, `sign` headers reach the wire, and KMS error answers
// map to the stable codes. The browser runs the same client in test/browser/.
import { CreateKeyCommand, KMS, KMSClient } from '@aws-sdk/client-kms';
import {
  createEngine,
  ErrorCodes,
  fetchKmsClient,
  KmsKeyStore,
  mapKmsError,
  SealflowError,
  subscribe,
  Channels,
  type KmsHttpRequest,
} from '@sealflow/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatorClientConfig } from '../../../../test/keystore-aws-kms/support/kms-target.js';
import { KmsEmulatorEnv, LOCAL_KMS_REGION } from '../../../../test/setup/kms-emulator-env.js';

const endpoint = process.env[KmsEmulatorEnv.localKmsEndpoint];

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SealflowError);
    return (error as SealflowError).code;
  }
  return 'resolved';
}

describe('fetchKmsClient against local-kms', () => {
  let keyArn: string;
  let sdk: KMS;

  beforeAll(async () => {
    if (endpoint === undefined) throw new Error('local-kms did not start (test/setup)');
    const admin = new KMSClient(emulatorClientConfig(endpoint, LOCAL_KMS_REGION));
    keyArn = (await admin.send(new CreateKeyCommand({}))).KeyMetadata?.Arn ?? '';
    admin.destroy();
    sdk = new KMS(emulatorClientConfig(endpoint, LOCAL_KMS_REGION));
  });
  afterAll(() => sdk?.destroy());

  it('messages cross between a KmsKeyStore over fetch and one over the AWS SDK, with sign headers sent', async () => {
    const signed: KmsHttpRequest[] = [];
    const sent: Headers[] = [];
    const client = fetchKmsClient({
      endpoint: endpoint as string,
      fetch: (input, init) => {
        sent.push(new Headers(init?.headers));
        return fetch(input, init);
      },
      sign: (request) => {
        signed.push(request);
        return { authorization: 'Test signed', 'x-amz-date': '20260101T000000Z' };
      },
    });
    const viaFetch = createEngine({ keyStore: new KmsKeyStore({ client, keyId: keyArn, keyIds: [keyArn] }) });
    const viaSdk = createEngine({ keyStore: new KmsKeyStore({ client: sdk, keyId: keyArn, keyIds: [keyArn] }) });
    const context = { tenant: 'a', 'aws:s3:arn': 'arn:aws:s3:::b/k' };
    const input = new Uint8Array(70_000).map((_, i) => i & 0xff);

    const sealed = await viaFetch.encrypt(input, { context });
    expect((await viaSdk.decrypt(sealed, { expectContext: context })).plaintext).toEqual(input);
    const back = await viaSdk.encrypt(input, { context });
    expect((await viaFetch.decrypt(back, { expectContext: context })).plaintext).toEqual(input);

    expect(signed.map((r) => r.headers['x-amz-target'])).toEqual([
      'TrentService.GenerateDataKey',
      'TrentService.Decrypt',
    ]);
    expect(JSON.parse(signed[0]?.body ?? '{}')).toMatchObject({ KeyId: keyArn, EncryptionContext: context });
    expect(sent.map((h) => [h.get('authorization'), h.get('content-type')])).toEqual([
      ['Test signed', 'application/x-amz-json-1.1'],
      ['Test signed', 'application/x-amz-json-1.1'],
    ]);
  });

  it('KMS error answers map to stable codes and reach the key-store events', async () => {
    const client = fetchKmsClient({ endpoint: endpoint as string });
    const missing = keyArn.replace(/key\/.*/, 'key/00000000-0000-0000-0000-000000000000');
    const events: object[] = [];
    const stop = subscribe(Channels.keyStoreCall, (event) => events.push(event));
    try {
      const engine = createEngine({ keyStore: new KmsKeyStore({ client, keyId: missing }) });
      expect(await codeOf(engine.encrypt(new Uint8Array(1)))).toBe(ErrorCodes.KEY_NOT_FOUND);
    } finally {
      stop();
    }
    expect(events).toContainEqual(expect.objectContaining({ operation: 'generate', outcome: 'failure' }));
    // A raw call: the error carries the KMS exception name and HTTP status, as an SDK exception
    // does (local-kms answers garbage ciphertext with AccessDeniedException, AWS with InvalidCiphertextException).
    const rejected = await client.decrypt({ CiphertextBlob: new Uint8Array(64) }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(rejected).toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    expect(mapKmsError(rejected).code).toBe(ErrorCodes.ACCESS_DENIED);
  });

  it('validates its options at the boundary', () => {
    for (const options of [
      {},
      { endpoint: 'ftp://x' },
      { endpoint: 'http://x', fetch: 1 },
      { endpoint: 'http://x', extra: 1 },
    ]) {
      expect(() => fetchKmsClient(options as never)).toThrow(SealflowError);
    }
  });
});
