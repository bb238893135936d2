// A hand-made KMS client for fault tests: `send` records every command (name, input, the
// abort signal it was given) and answers through a script the test writes. No network.
import { DecryptCommand, EncryptCommand, GenerateDataKeyCommand, KMSServiceException } from '@aws-sdk/client-kms';
import type { KmsCommand, KmsSendClient } from '@sealflow/keystore-aws-kms';

export interface RecordedCall {
  readonly operation: 'GenerateDataKey' | 'Encrypt' | 'Decrypt';
  readonly input: Record<string, unknown>;
  readonly signal: AbortSignal | undefined;
}

export type Script = (call: RecordedCall, n: number) => Promise<unknown>;

export interface FakeKmsClient extends KmsSendClient {
  readonly calls: RecordedCall[];
}

export const REGION = 'us-east-1';
export const ACCOUNT = '111122223333';
export const KEY_UUID = '1234abcd-12ab-34cd-56ef-1234567890ab';
export const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${KEY_UUID}`;
export const OTHER_KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/0000aaaa-12ab-34cd-56ef-1234567890ab`;

function operationOf(command: KmsCommand): RecordedCall['operation'] {
  if (command instanceof GenerateDataKeyCommand) return 'GenerateDataKey';
  if (command instanceof EncryptCommand) return 'Encrypt';
  if (command instanceof DecryptCommand) return 'Decrypt';
  throw new Error('unexpected command');
}

/** A client whose `send` follows `script`; `region` may be a string or an async provider. */
export function fakeKmsClient(script: Script, region: string | (() => Promise<string>) = REGION): FakeKmsClient {
  const calls: RecordedCall[] = [];
  return {
    calls,
    config: { region },
    async send(command, options) {
      const call: RecordedCall = {
        operation: operationOf(command),
        input: { ...command.input },
        signal: options?.abortSignal,
      };
      calls.push(call);
      return script(call, calls.length);
    },
  };
}

export const metadata = (httpStatusCode: number, requestId: string) => ({
  httpStatusCode,
  requestId,
  attempts: 1,
  totalRetryDelay: 0,
});

/** A KMS exception as the SDK deserializes an error it has no class for (e.g. ThrottlingException). */
export function kmsException(
  name: string,
  httpStatusCode: number,
  requestId: string,
  fault: 'client' | 'server' = httpStatusCode >= 500 ? 'server' : 'client',
): KMSServiceException {
  return new KMSServiceException({
    name,
    $fault: fault,
    $metadata: metadata(httpStatusCode, requestId),
    message: `${name} from the fake`,
  });
}

/** A KMS answer for whichever of the three operations `call` is. */
export function success(call: RecordedCall, requestId = 'req-ok', arn = KEY_ARN): Record<string, unknown> {
  const length = typeof call.input['NumberOfBytes'] === 'number' ? call.input['NumberOfBytes'] : 32;
  const $metadata = metadata(200, requestId);
  switch (call.operation) {
    case 'GenerateDataKey':
      return {
        KeyId: arn,
        Plaintext: new Uint8Array(length).fill(0x5a),
        CiphertextBlob: new Uint8Array([1, 2, 3, 4]),
        $metadata,
      };
    case 'Encrypt':
      return { KeyId: arn, CiphertextBlob: new Uint8Array([5, 6, 7, 8]), $metadata };
    case 'Decrypt':
      return { KeyId: arn, Plaintext: new Uint8Array(32).fill(0x5a), $metadata };
  }
}
