// AWS KMS through an explicit endpoint (a VPC or FIPS endpoint, or an emulator such as
// moto or local-kms). Run:
//   KMS_ENDPOINT=http://127.0.0.1:4566 AWS_REGION=us-east-1 node examples/dist/aws-kms-endpoint.js [KEY_ARN]
// Credentials come from the SDK's default chain (AWS_ACCESS_KEY_ID, profiles, roles).
// Without KEY_ARN it creates a key first (fine for an emulator; costs money on AWS).
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { createEngine } from '@sealflow/core';
import { AwsKmsKeyStore } from '@sealflow/keystore-aws-kms';

const endpoint = process.env['KMS_ENDPOINT'];
const region = process.env['AWS_REGION'] ?? 'us-east-1';
if (endpoint === undefined) throw new Error('set KMS_ENDPOINT, e.g. http://127.0.0.1:4566');

let keyArn = process.argv[2];
if (keyArn === undefined) {
  const admin = new KMSClient({ endpoint, region, maxAttempts: 1 });
  keyArn = (await admin.send(new CreateKeyCommand({ Description: 'sealflow example' }))).KeyMetadata?.Arn as string;
  admin.destroy();
}

const store = new AwsKmsKeyStore({ region, endpoint, keyId: keyArn });
const engine = createEngine({ keyStore: store });
const context = { 'aws:s3:arn': 'arn:aws:s3:::reports/2026/q4.csv' };
const sealed = await engine.encrypt(new TextEncoder().encode('quarter,revenue\nq4,42\n'), { context });
console.log(`sealed ${sealed.length} bytes under ${keyArn}`);

// Decrypt in discovery mode, as a reader that does not know the key would: KMS finds it
// from the EDK, and the reader pins the context it expects.
const reader = new AwsKmsKeyStore({ region, endpoint, discovery: true });
const readerEngine = createEngine({ keyStore: reader });
const { plaintext, header } = await readerEngine.decrypt(sealed, { expectContext: context });
console.log(
  `decrypted: ${JSON.stringify(new TextDecoder().decode(plaintext))} (suite 0x${header.suiteId.toString(16)})`,
);
console.log(
  `KMS calls: encrypt side ${engine.stats().keyStoreCalls}, decrypt side ${readerEngine.stats().keyStoreCalls}`,
);

await engine.close();
await readerEngine.close();
store.close();
reader.close();
