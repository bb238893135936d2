import { assertString, invalid, readOptions } from '../assert.js';
import { fromBase64, toBase64 } from '../format/base64.js';
import type {
  KmsCallOptions,
  KmsClientLike,
  KmsDecryptInput,
  KmsDecryptOutput,
  KmsEncryptInput,
  KmsEncryptOutput,
  KmsGenerateDataKeyInput,
  KmsGenerateDataKeyOutput,
} from './kms-client.js';

/** One HTTP request a {@link fetchKmsClient} is about to send, for `sign` to authenticate. */
export interface KmsHttpRequest {
  readonly url: string;
  readonly method: 'POST';
  /** `content-type` and `x-amz-target` (lower-case names). */
  readonly headers: Readonly<Record<string, string>>;
  /** The JSON body, exactly as it will be sent. */
  readonly body: string;
}

/** Options of {@link fetchKmsClient}. */
export interface FetchKmsClientOptions {
  /** The KMS-compatible endpoint (AWS KMS, local-kms, moto, or your own proxy), `http(s)://`. */
  readonly endpoint: string;
  /** The `fetch` to call (default: `globalThis.fetch`). */
  readonly fetch?: typeof fetch;
  /**
   * Returns the headers that authenticate `request` (e.g. SigV4 from `@smithy/signature-v4`,
   * or a session token your proxy checks); they are added to the request. Omit it for an
   * endpoint that needs none (a same-origin proxy that signs for the page, an emulator).
   */
  readonly sign?: (request: KmsHttpRequest) => Promise<Record<string, string>> | Record<string, string>;
}

const TARGET_PREFIX = 'TrentService.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';
/** KMS answers are a few hundred bytes; anything far larger is not a KMS answer. */
const MAX_RESPONSE_CHARS = 1024 * 1024;

/** A KMS error answer, shaped like an AWS SDK v3 exception so `mapKmsError` reads it. */
class KmsHttpError extends Error {
  readonly $metadata: { readonly httpStatusCode: number; readonly requestId?: string };

  constructor(name: string, message: string, status: number, requestId: string | undefined) {
    super(message);
    this.name = name;
    this.$metadata = requestId === undefined ? { httpStatusCode: status } : { httpStatusCode: status, requestId };
  }
}

/**
 * A {@link KmsClientLike} over any `fetch`: the AWS KMS JSON protocol (`POST`,
 * `X-Amz-Target: TrentService.<Operation>`, `application/x-amz-json-1.1`, base64 blobs)
 * for the three calls `KmsKeyStore` makes. It signs nothing itself: pass `sign` (SigV4
 * from a library) or point it at a proxy that authenticates the page. Works wherever
 * `fetch` does (browsers, workers, Node). Error answers become errors with the KMS
 * exception name and `$metadata.httpStatusCode`, which `KmsKeyStore` maps to stable codes.
 * @throws {InvalidArgumentError} for a bad endpoint, fetch or sign.
 */
export function fetchKmsClient(options: FetchKmsClientOptions): KmsClientLike {
  const o = readOptions(options, 'fetchKmsClient options', ['endpoint', 'fetch', 'sign']);
  const endpoint = assertString(o.raw('endpoint'), 'fetchKmsClient endpoint');
  if (!/^https?:\/\/[^\s]+$/.test(endpoint)) throw invalid('fetchKmsClient endpoint', 'an http(s) URL', endpoint);
  const given = o.raw('fetch');
  if (given !== undefined && typeof given !== 'function') throw invalid('fetchKmsClient fetch', 'a function', given);
  const sign = o.raw('sign');
  if (sign !== undefined && typeof sign !== 'function') throw invalid('fetchKmsClient sign', 'a function', sign);
  const doFetch = (given as typeof fetch | undefined) ?? ((input, init) => globalThis.fetch(input, init));
  const signer = sign as FetchKmsClientOptions['sign'];

  const call = async (
    operation: string,
    input: Record<string, unknown>,
    callOptions: KmsCallOptions | undefined,
  ): Promise<Record<string, unknown>> => {
    const headers = { 'content-type': CONTENT_TYPE, 'x-amz-target': TARGET_PREFIX + operation };
    const body = JSON.stringify(input);
    const extra = signer === undefined ? {} : await signer({ url: endpoint, method: 'POST', headers, body });
    const response = await doFetch(endpoint, {
      method: 'POST',
      headers: { ...extra, ...headers },
      body,
      ...(callOptions?.abortSignal === undefined ? {} : { signal: callOptions.abortSignal }),
    });
    const requestId = response.headers.get('x-amzn-requestid') ?? undefined;
    const text = await response.text();
    let parsed: unknown = undefined;
    try {
      parsed = text.length > MAX_RESPONSE_CHARS ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const fields =
      parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
        ? (parsed as Record<string, unknown>)
        : {};
    if (!response.ok) {
      // `__type` may carry a namespace (`com.amazonaws.kms#NotFoundException`).
      const type = typeof fields['__type'] === 'string' ? fields['__type'].split('#').pop() : undefined;
      const message = fields['message'] ?? fields['Message'];
      throw new KmsHttpError(
        type ?? `HTTP ${response.status}`,
        typeof message === 'string' ? message : `KMS ${operation} answered HTTP ${response.status}`,
        response.status,
        requestId,
      );
    }
    if (parsed === undefined) {
      throw new KmsHttpError('InvalidResponse', `KMS ${operation} answered a body that is not JSON`, 500, requestId);
    }
    return { ...fields, $metadata: requestId === undefined ? {} : { requestId } };
  };

  const blob = (fields: Record<string, unknown>, name: string, operation: string): Uint8Array | undefined => {
    const value = fields[name];
    if (value === undefined) return undefined;
    const bytes = typeof value === 'string' ? fromBase64(value) : undefined;
    if (bytes === undefined)
      throw new KmsHttpError('InvalidResponse', `KMS ${operation}: ${name} is not base64`, 500, undefined);
    return bytes;
  };
  const keyIdOf = (fields: Record<string, unknown>): string | undefined =>
    typeof fields['KeyId'] === 'string' ? fields['KeyId'] : undefined;
  const metadataOf = (fields: Record<string, unknown>): { requestId?: string } =>
    fields['$metadata'] as { requestId?: string };
  const request = (input: object, blobs: readonly string[]): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(input)) {
      if (value === undefined) continue;
      out[name] = blobs.includes(name) ? toBase64(value as Uint8Array) : value;
    }
    return out;
  };

  return {
    async generateDataKey(input: KmsGenerateDataKeyInput, callOptions?: KmsCallOptions) {
      const fields = await call('GenerateDataKey', request(input, []), callOptions);
      const out: KmsGenerateDataKeyOutput = {
        KeyId: keyIdOf(fields),
        Plaintext: blob(fields, 'Plaintext', 'GenerateDataKey'),
        CiphertextBlob: blob(fields, 'CiphertextBlob', 'GenerateDataKey'),
        $metadata: metadataOf(fields),
      };
      return out;
    },
    async encrypt(input: KmsEncryptInput, callOptions?: KmsCallOptions) {
      const fields = await call('Encrypt', request(input, ['Plaintext']), callOptions);
      const out: KmsEncryptOutput = {
        KeyId: keyIdOf(fields),
        CiphertextBlob: blob(fields, 'CiphertextBlob', 'Encrypt'),
        $metadata: metadataOf(fields),
      };
      return out;
    },
    async decrypt(input: KmsDecryptInput, callOptions?: KmsCallOptions) {
      const fields = await call('Decrypt', request(input, ['CiphertextBlob']), callOptions);
      const out: KmsDecryptOutput = {
        KeyId: keyIdOf(fields),
        Plaintext: blob(fields, 'Plaintext', 'Decrypt'),
        $metadata: metadataOf(fields),
      };
      return out;
    },
  };
}
