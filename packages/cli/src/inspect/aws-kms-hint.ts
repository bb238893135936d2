import { CommitmentPolicy, createEngine, ErrorCodes, isSealflowError, KeyStoreError } from '@sealflow/core';
import { FileSource } from '../io/file-source.js';
import { describeEdk } from './describe-edk.js';
import { NO_KEY_STORE } from './no-key-store.js';
import { readHeader } from './read-header.js';

const KMS_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:key\//;

/**
 * `error` with a suggestion added when the embedded store could open no data key of a
 * message whose header names AWS KMS key ARNs: the key probably lives in AWS KMS, so
 * `--kms aws --region R` (the ARN's region) is what the user most likely needs. Any
 * other error, or a header that cannot be read, is returned unchanged.
 */
export async function withAwsKmsHint(error: unknown, inputPath: string): Promise<unknown> {
  if (!isSealflowError(error) || error.code !== ErrorCodes.NO_DECRYPTABLE_KEY) return error;
  let arns: string[];
  try {
    const source = await FileSource.open(inputPath);
    try {
      const engine = createEngine({
        keyStore: NO_KEY_STORE,
        commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT,
      });
      const header = await readHeader(engine, source);
      arns = header.encryptedDataKeys
        .map((edk) => describeEdk(edk))
        .filter((d) => d.kind === 'aws-kms' && KMS_ARN.test(d.key))
        .map((d) => d.key);
    } finally {
      await source.close();
    }
  } catch {
    return error;
  }
  const arn = arns[0];
  if (arn === undefined) return error;
  const region = (KMS_ARN.exec(arn) as RegExpExecArray)[1] as string;
  return new KeyStoreError(
    error.code,
    `${error.message.replace(/\.$/, '')}; the header names the KMS key ${arn}, which the embedded key store cannot open: if it is in AWS KMS, add --kms aws --region ${region}`,
    { cause: error },
  );
}
