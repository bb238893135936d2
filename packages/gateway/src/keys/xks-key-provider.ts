import {
  ErrorCodes,
  KeyStoreError,
  parseKmsKeyArn,
  type DataKey,
  type EncryptedDataKey,
  type GenerateRequest,
  type GeneratedDataKey,
  type KeyStore,
  type KeyStoreRequest,
} from '@sealflow/core';
import { invalidArgument } from '@sealflow/core/validate';
import { XksKeyStore } from '@sealflow/keystore-xks';
import type { S3KeyProvider } from '@sealflow/s3';

/** One external key the gateway serves, with the KMS-style ARN S3 clients name it by. */
export interface XksGatewayKey {
  /** The external key ID at the proxy. */
  readonly keyId: string;
  /** The full key ARN the gateway reports (`arn:<partition>:kms:<region>:<account>:key/<id>`). */
  readonly arn: string;
  /** Alias names (`alias/<name>`) that also resolve to this key. */
  readonly aliases: readonly string[];
}

/** Options of {@link xksKeyProvider}. */
export interface XksKeyProviderOptions {
  readonly endpoint: string;
  readonly uriPrefix: string;
  /** The SigV4 region the proxy verifies (not necessarily the ARNs' region). */
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** The key table; every ARN unique, every alias unique. */
  readonly keys: readonly XksGatewayKey[];
  /** The external key ID `alias/aws/s3` (SSE-KMS with no key ID) resolves to; in `keys`. */
  readonly defaultKeyId: string;
  /** PEM CA to trust for an `https:` proxy. */
  readonly ca?: string;
  /** Deadline of one proxy attempt, in ms (XksKeyStore default 250). */
  readonly timeoutMs?: number;
  /** Called with the KMS-style operation of every proxy call (for metrics). */
  readonly audit?: (operation: 'GenerateDataKey' | 'Encrypt' | 'Decrypt') => void;
}

/** An `S3KeyProvider` with a `close()` that drops the proxy connections. */
export interface XksKeyProvider extends S3KeyProvider {
  close(): void;
}

const AWS_MANAGED_ALIAS = 'alias/aws/s3';

/**
 * An `S3KeyProvider` over an XKS proxy: each configured external key is reported as its
 * configured KMS-style ARN. `resolveKey` accepts the ARN, the key resource of the ARN
 * (the part after `key/`), a configured alias and `alias/aws/s3` (the default key);
 * anything else is `ERR_KEY_NOT_FOUND`. No proxy call is made to resolve a key, so the
 * table is the gateway's only source of truth about which keys exist. Every principal
 * gets its own `XksKeyStore` per key (sent as `requestMetadata.awsPrincipalArn`), so the
 * proxy's secondary authorization sees the S3 caller.
 * @throws {InvalidArgumentError} when `defaultKeyId` is not in `keys`, a name repeats, an ARN
 *   is not a key ARN, or the proxy options are invalid (`XksKeyStore`'s checks, naming the field).
 */
export function xksKeyProvider(options: XksKeyProviderOptions): XksKeyProvider {
  const names = new Map<string, XksGatewayKey>();
  const byArn = new Map<string, XksGatewayKey>();
  const claim = (name: string, key: XksGatewayKey): void => {
    if (names.has(name)) throw invalidArgument(`keyStore.keys: "${name}" names two keys`);
    names.set(name, key);
  };
  for (const key of options.keys) {
    const parts = parseKmsKeyArn(key.arn);
    if (parts === undefined)
      throw invalidArgument(
        `keyStore.keys: ${key.arn} is not a key ARN (arn:<partition>:kms:<region>:<account>:key/<id>)`,
      );
    claim(key.arn, key);
    claim(parts.keyId, key);
    for (const alias of key.aliases) claim(alias, key);
    byArn.set(key.arn, key);
  }
  const fallback = options.keys.find((k) => k.keyId === options.defaultKeyId);
  if (fallback === undefined)
    throw invalidArgument(`keyStore.keyId: the default key ${options.defaultKeyId} is not in keyStore.keys`);
  if (!names.has(AWS_MANAGED_ALIAS)) names.set(AWS_MANAGED_ALIAS, fallback);

  const stores = new Map<string, XksKeyStore>();
  const storeFor = (principal: string, key: XksGatewayKey): XksKeyStore => {
    const cacheKey = `${principal}\u0000${key.arn}`;
    let store = stores.get(cacheKey);
    if (store === undefined) {
      store = new XksKeyStore({
        endpoint: options.endpoint,
        uriPrefix: options.uriPrefix,
        keyId: key.keyId,
        credentials: { ...options.credentials },
        region: options.region,
        principal,
        kmsKeyArn: key.arn,
        id: `xks:${key.arn}`,
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        ...(options.ca === undefined ? {} : { tls: { ca: options.ca } }),
      });
      stores.set(cacheKey, store);
    }
    return store;
  };
  // Bad proxy options (endpoint, credentials, key IDs) fail here, at start, not on a request.
  for (const key of options.keys) storeFor('sealflow-gateway', key).close();
  stores.clear();
  const routers = new Map<string, KeyStore>();
  return {
    keyStoreFor(principal) {
      let router = routers.get(principal);
      if (router === undefined) {
        router = new XksRoutingStore(
          principal,
          options.keys.map((key) => storeFor(principal, key)),
          (arn) => {
            const key = byArn.get(arn);
            return key === undefined ? undefined : storeFor(principal, key);
          },
          storeFor(principal, fallback),
          options.audit,
        );
        routers.set(principal, router);
      }
      return router;
    },
    wrappingStoreFor(principal, keyArn) {
      const key = byArn.get(keyArn);
      if (key === undefined)
        throw new KeyStoreError(ErrorCodes.KEY_NOT_FOUND, `no XKS key is configured for ${keyArn}`, { keyId: keyArn });
      return new XksRoutingStore(
        principal,
        [storeFor(principal, key)],
        () => storeFor(principal, key),
        storeFor(principal, key),
        options.audit,
      );
    },
    async resolveKey(_principal, _accountId, keyId) {
      const key = names.get(keyId);
      if (key === undefined)
        throw new KeyStoreError(ErrorCodes.KEY_NOT_FOUND, `no XKS key is configured for ${keyId}`, { keyId });
      return key.arn;
    },
    close() {
      for (const store of stores.values()) store.close();
      stores.clear();
      routers.clear();
    },
  };
}

/** One principal's view: generates under the per-call ARN, unwraps the EDKs of any configured key. */
class XksRoutingStore implements KeyStore {
  readonly id: string;
  readonly principal: string;
  readonly publishesCallEvents = true;
  readonly #stores: readonly XksKeyStore[];
  readonly #byArn: (arn: string) => XksKeyStore | undefined;
  readonly #fallback: XksKeyStore;
  readonly #audit: XksKeyProviderOptions['audit'];

  constructor(
    principal: string,
    stores: readonly XksKeyStore[],
    byArn: (arn: string) => XksKeyStore | undefined,
    fallback: XksKeyStore,
    audit: XksKeyProviderOptions['audit'],
  ) {
    this.id = `s3-xks:${principal}`;
    this.principal = principal;
    this.#stores = stores;
    this.#byArn = byArn;
    this.#fallback = fallback;
    this.#audit = audit;
  }

  canUnwrap(edk: EncryptedDataKey): boolean {
    return this.#stores.some((store) => store.canUnwrap(edk));
  }

  async generateDataKey(request: GenerateRequest): Promise<GeneratedDataKey> {
    const { keyId, ...rest } = request;
    const store = keyId === undefined ? this.#fallback : this.#byArn(keyId);
    if (store === undefined)
      throw new KeyStoreError(ErrorCodes.KEY_NOT_FOUND, `no XKS key is configured for ${keyId as string}`, {
        store: this.id,
        keyId: keyId as string,
      });
    this.#audit?.('GenerateDataKey');
    return store.generateDataKey(rest);
  }

  async wrapDataKey(dataKey: DataKey, request: KeyStoreRequest): Promise<EncryptedDataKey> {
    this.#audit?.('Encrypt');
    return this.#fallback.wrapDataKey(dataKey, request);
  }

  async unwrapDataKey(edk: EncryptedDataKey, request: KeyStoreRequest): Promise<DataKey> {
    const store = this.#stores.find((s) => s.canUnwrap(edk));
    if (store === undefined)
      throw new KeyStoreError(
        ErrorCodes.INVALID_KEY_CIPHERTEXT,
        'the data key was not wrapped by a configured XKS key',
        { store: this.id },
      );
    this.#audit?.('Decrypt');
    return store.unwrapDataKey(edk, request);
  }
}
