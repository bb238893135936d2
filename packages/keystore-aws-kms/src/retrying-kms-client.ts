import { DecryptCommand, EncryptCommand, GenerateDataKeyCommand } from '@aws-sdk/client-kms';
import type {
  KmsCallOptions,
  KmsClientLike,
  KmsDecryptInput,
  KmsDecryptOutput,
  KmsEncryptInput,
  KmsEncryptOutput,
  KmsGenerateDataKeyInput,
  KmsGenerateDataKeyOutput,
} from '@sealflow/core';

import type { AuditedOperation, KmsAuditor } from './kms-audit.js';
import { KmsCallError, type KmsCaller } from './kms-caller.js';

/** The three commands this package sends. */
export type KmsCommand = GenerateDataKeyCommand | EncryptCommand | DecryptCommand;

/**
 * What an injected client must offer: the AWS SDK v3 `KMSClient` has it (`send` with the
 * `abortSignal` option, and `config.region`, a string or an async provider). Tests may
 * pass a hand-made object of the same shape.
 */
export interface KmsSendClient {
  send(command: KmsCommand, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
  readonly config: { readonly region?: unknown };
}

/**
 * A `KmsClientLike` (the shape core's `KmsKeyStore` talks to) over an SDK v3 client, with
 * every call run through a {@link KmsCaller}: retries, per-attempt deadlines, caller aborts.
 * A fresh command is built for each attempt.
 *
 * What it throws is read by core's `mapKmsError`, which keys on the error's `name` and
 * `$metadata`, so the final failure is surfaced as is: the SDK exception itself (the
 * `cause` of the resulting KeyStoreError, with its request ID), a `TimeoutError` when
 * every attempt ran out of time, or an `AbortError` whose `cause` is the abort reason.
 */
export class RetryingKmsClient implements KmsClientLike {
  readonly #client: KmsSendClient;
  readonly #caller: KmsCaller;
  readonly #auditor: KmsAuditor;

  constructor(client: KmsSendClient, caller: KmsCaller, auditor: KmsAuditor) {
    this.#client = client;
    this.#caller = caller;
    this.#auditor = auditor;
  }

  generateDataKey(input: KmsGenerateDataKeyInput, options?: KmsCallOptions): Promise<KmsGenerateDataKeyOutput> {
    return this.#send(
      'GenerateDataKey',
      input,
      () => new GenerateDataKeyCommand(input),
      options,
    ) as Promise<KmsGenerateDataKeyOutput>;
  }

  encrypt(input: KmsEncryptInput, options?: KmsCallOptions): Promise<KmsEncryptOutput> {
    return this.#send('Encrypt', input, () => new EncryptCommand(input), options) as Promise<KmsEncryptOutput>;
  }

  decrypt(input: KmsDecryptInput, options?: KmsCallOptions): Promise<KmsDecryptOutput> {
    return this.#send('Decrypt', input, () => new DecryptCommand(input), options) as Promise<KmsDecryptOutput>;
  }

  async #send(
    operation: AuditedOperation,
    input: KmsGenerateDataKeyInput | KmsEncryptInput | KmsDecryptInput,
    command: () => KmsCommand,
    options: KmsCallOptions | undefined,
  ): Promise<unknown> {
    // One audit record per request sent, i.e. per attempt (as CloudTrail counts them).
    const request = { operation, input };
    const attempt = async (abortSignal: AbortSignal): Promise<unknown> => {
      const started = Date.now();
      try {
        const output = await this.#client.send(command(), { abortSignal });
        this.#auditor.record(request, started, { output });
        return output;
      } catch (error) {
        this.#auditor.record(request, started, { error });
        throw error;
      }
    };
    try {
      const result = await this.#caller.call(attempt, options?.abortSignal);
      return result.output;
    } catch (error) {
      throw error instanceof KmsCallError ? surface(error) : error;
    }
  }
}

function surface(error: KmsCallError): unknown {
  switch (error.kind) {
    case 'aborted':
      return new KmsAbortError(error.attempts, error.cause);
    case 'timeout': {
      const cause = error.cause instanceof Error ? error.cause : undefined;
      return new KmsTimeoutError(
        `${cause?.message ?? 'KMS did not answer in time'} (${error.attempts} attempt(s))`,
        error.cause,
      );
    }
    default:
      // The SDK exception of the last attempt, untouched: its name, $metadata.requestId
      // and httpStatusCode drive the mapping to a sealflow code.
      return error.cause;
  }
}

/** Every attempt of a call hit its deadline. Named `TimeoutError` like the SDK's own. */
class KmsTimeoutError extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
  }

  override get name(): string {
    return 'TimeoutError';
  }
}

/** The caller's AbortSignal fired; `cause` is its reason. Named `AbortError` like the platform's. */
class KmsAbortError extends Error {
  constructor(attempts: number, cause: unknown) {
    super(`the KMS call was aborted by the caller (after ${attempts} attempt(s))`, { cause });
  }

  override get name(): string {
    return 'AbortError';
  }
}
