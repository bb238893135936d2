import {
  assertBytes,
  assertFunction,
  assertPattern,
  assertString,
  invalid,
  invalidArgument,
  readOptions,
} from '@sealflow/core/validate';
import {
  ACCESS_KEY_ID,
  EXTERNAL_KEY_ID,
  MAX_URI_PATH,
  SECRET_ACCESS_KEY,
  URI_PREFIX,
  XKS_BASE_PATH,
} from '../shared/xks-wire.js';

/** TLS settings for an `https:` endpoint. */
export interface XksClientTlsOptions {
  /** PEM CA(s) to trust instead of the system store (e.g. a private or test CA). */
  readonly ca?: string | Uint8Array;
  /** PEM client certificate for mTLS. */
  readonly cert?: string | Uint8Array;
  /** PEM private key of `cert`. */
  readonly key?: string | Uint8Array;
}

/** Options of {@link XksKeyStore}. */
export interface XksKeyStoreOptions {
  /** The proxy's origin: `https://host[:port]` (or `http://` for tests). No path. */
  readonly endpoint: string;
  /** The key store's URI prefix (`""` or `/segment...`); operations live at `<prefix>/kms/xks/v1`. */
  readonly uriPrefix?: string;
  /** The external key ID that wraps data keys. */
  readonly keyId: string;
  /** The SigV4 credential the proxy issued for this prefix. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** SigV4 region in the credential scope. Default `us-east-1`. */
  readonly region?: string;
  /** The store's identity in errors, stats and events. Default `xks:<endpoint><uriPrefix>#<keyId>`. */
  readonly id?: string;
  /** Sent as `requestMetadata.awsPrincipalArn`; the proxy's authorization may use it. Default `sealflow`. */
  readonly principal?: string;
  /** Sent as `requestMetadata.kmsKeyArn`. Default: the store `id`. */
  readonly kmsKeyArn?: string;
  /** Deadline of one HTTP attempt (connect, TLS, exchange), in ms. Default 250, as KMS allows a proxy. */
  readonly timeoutMs?: number;
  /** Attempts per call for failures that are safe to retry. Default 2. */
  readonly maxAttempts?: number;
  readonly tls?: XksClientTlsOptions;
  /** Ask for, and check, the ciphertext data integrity value on every wrap. Default true. */
  readonly integrityCheck?: boolean;
  /** Clock used for SigV4 timestamps, in ms since the epoch. Default `Date.now`. */
  readonly now?: () => number;
}

/** Options after validation. */
export interface ResolvedClientOptions {
  readonly url: URL;
  readonly uriPrefix: string;
  readonly keyId: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
  readonly id: string;
  readonly principal: string;
  readonly kmsKeyArn: string;
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  readonly tls: XksClientTlsOptions | undefined;
  readonly integrityCheck: boolean;
  readonly now: () => number;
}

/**
 * Validates client options once, at the boundary.
 * @throws {InvalidArgumentError} naming the offending field.
 */
export function resolveClientOptions(options: XksKeyStoreOptions): ResolvedClientOptions {
  const o = readOptions(options, 'XksKeyStore options', [
    'endpoint',
    'uriPrefix',
    'keyId',
    'credentials',
    'region',
    'id',
    'principal',
    'kmsKeyArn',
    'timeoutMs',
    'maxAttempts',
    'tls',
    'integrityCheck',
    'now',
  ]);
  const url = parseEndpoint(o.raw('endpoint'), o.field('endpoint'));
  const uriPrefix = o.raw('uriPrefix') ?? '';
  assertPattern(uriPrefix, o.field('uriPrefix'), URI_PREFIX, '"" or "/segment[/segment...]" of A-Z a-z 0-9 / _ -');
  if ((uriPrefix as string).length + XKS_BASE_PATH.length > MAX_URI_PATH)
    throw invalidArgument(`${o.field('uriPrefix')}: too long`);
  const keyId = assertPattern(
    o.raw('keyId'),
    o.field('keyId'),
    EXTERNAL_KEY_ID,
    '1-128 characters of A-Z a-z 0-9 . _ -',
  );
  const c = readOptions(o.raw('credentials'), o.field('credentials'), ['accessKeyId', 'secretAccessKey']);
  const accessKeyId = assertPattern(
    c.raw('accessKeyId'),
    c.field('accessKeyId'),
    ACCESS_KEY_ID,
    '20-30 characters of A-Z 2-7',
  );
  const secretAccessKey = assertPattern(
    c.raw('secretAccessKey'),
    c.field('secretAccessKey'),
    SECRET_ACCESS_KEY,
    '43-64 characters of A-Z a-z 0-9 + / =',
  );
  const id = o.string('id', `xks:${url.origin}${uriPrefix as string}#${keyId}`);
  return {
    url,
    uriPrefix: uriPrefix as string,
    keyId,
    accessKeyId,
    secretAccessKey,
    region: assertPattern(
      o.raw('region') ?? 'us-east-1',
      o.field('region'),
      /^[a-z0-9-]{1,64}$/,
      'a region name such as us-east-1',
    ),
    id,
    principal: o.string('principal', 'sealflow'),
    kmsKeyArn: o.string('kmsKeyArn', id),
    timeoutMs: o.integer('timeoutMs', 1, 600_000, 250),
    maxAttempts: o.integer('maxAttempts', 1, 10, 2),
    tls: o.has('tls') ? resolveTls(o.raw('tls'), o.field('tls'), url) : undefined,
    integrityCheck: o.boolean('integrityCheck', true),
    now: o.has('now') ? assertFunction<() => number>(o.raw('now'), o.field('now')) : Date.now,
  };
}

function parseEndpoint(value: unknown, label: string): URL {
  const text = assertString(value, label);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid(label, 'an http(s) origin such as https://xks.example.com', value);
  }
  if (
    (url.protocol !== 'https:' && url.protocol !== 'http:') ||
    url.username !== '' ||
    url.password !== '' ||
    url.search !== '' ||
    url.hash !== '' ||
    url.pathname !== '/'
  ) {
    throw invalidArgument(
      `${label}: expected an http(s) origin with no path, query or credentials (put the path in uriPrefix)`,
    );
  }
  return url;
}

function resolveTls(value: unknown, label: string, url: URL): XksClientTlsOptions {
  if (url.protocol !== 'https:') throw invalidArgument(`${label}: TLS options need an https: endpoint`);
  const o = readOptions(value, label, ['ca', 'cert', 'key']);
  const pem = (key: 'ca' | 'cert' | 'key'): string | Uint8Array => {
    const v = o.raw(key);
    return typeof v === 'string' ? assertString(v, o.field(key)) : assertBytes(v, o.field(key));
  };
  if (o.has('cert') !== o.has('key')) throw invalidArgument(`${label}: cert and key go together`);
  return {
    ...(o.has('ca') ? { ca: pem('ca') } : {}),
    ...(o.has('cert') ? { cert: pem('cert'), key: pem('key') } : {}),
  };
}
