import type { XksKeyBackend } from '../backend/key-backend.js';
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
  XksLimits,
} from '../shared/xks-wire.js';
import type { XksAuditRecord } from './audit.js';
import type { XksAuthorizer } from './authorizer.js';
import type { XksCredential } from './sigv4-verifier.js';

/** One logical key store: a URI prefix with its own credentials (spec: xks-api.md §2). */
export interface XksProxyKeyStoreOptions {
  /** `""` or `/segment[/segment...]`; the operations live at `<uriPrefix>/kms/xks/v1/...`. */
  readonly uriPrefix: string;
  /** One or more SigV4 credentials (two at once allow rotation: spec §10.1). */
  readonly credentials: readonly XksCredential[];
  /** The external key IDs this key store may use; every backend key when absent. */
  readonly keyIds?: readonly string[];
  /**
   * Authenticated requests in flight at once for this prefix before `ThrottlingException`
   * (429). Only requests whose signature verified count. Default 256.
   */
  readonly maxConcurrentRequests?: number;
  /**
   * The AWS region whose KMS calls this key store: a SigV4 credential scope naming any
   * other region is refused (401). Default: the proxy's `region`.
   */
  readonly region?: string;
}

/** HTTPS, optionally with client certificates (mTLS: spec §10.2). */
export interface XksProxyTlsOptions {
  /** PEM server certificate (chain). */
  readonly cert: string | Uint8Array;
  /** PEM private key of the certificate. */
  readonly key: string | Uint8Array;
  /** PEM CA(s) that client certificates must chain to; turns mTLS on. */
  readonly clientCa?: string | Uint8Array;
  /** With mTLS: the client subject names (CN or DNS SAN) accepted; any name from `clientCa` when absent. */
  readonly allowedClientNames?: readonly string[];
}

/** What GetHealthStatus reports, and how deep it checks. */
export interface XksProxyHealthOptions {
  readonly fleetSize?: number;
  readonly vendor?: string;
  readonly model?: string;
  /** A test key (never a customer key: spec §4.1) round-tripped on each check; shallow check when absent. */
  readonly testKeyId?: string;
  /** How long a check result is reused, at most 60 000 ms (spec §4.1). Default 10 000. */
  readonly cacheMs?: number;
}

/** Size and time limits, each at or above the spec's minimums. */
export interface XksProxyLimits {
  /** Largest plaintext (and ciphertext) accepted, in bytes; at least 4300. Default 6144. */
  readonly maxPlaintextBytes?: number;
  /** Largest AAD accepted, in bytes; 8192 to 65535. Default 8192. */
  readonly maxAadBytes?: number;
  /** Time allowed for one backend call before `DependencyTimeoutException` (503). Default 1000. */
  readonly backendTimeoutMs?: number;
  /** A connection must send a request's headers within this time, or is closed with 408. Default 10000. */
  readonly headersTimeoutMs?: number;
  /** A request (headers and body) must arrive within this time, or is closed with 408. Default 30000. */
  readonly requestTimeoutMs?: number;
  /**
   * Requests whose signature is not verified yet (their body still arriving), across the
   * proxy. One more sheds the oldest (its connection is closed). Default 1024.
   */
  readonly maxUnauthenticatedRequests?: number;
}

/** Options of {@link createXksProxy}. */
export interface XksProxyOptions {
  readonly keyStores: readonly XksProxyKeyStoreOptions[];
  readonly backend: XksKeyBackend;
  /** Whether `close()` also closes the backend. Default false. */
  readonly ownsBackend?: boolean;
  readonly tls?: XksProxyTlsOptions;
  /** Secondary authorization; GetHealthStatus is always exempt (spec §10.3). */
  readonly authorize?: XksAuthorizer;
  readonly limits?: XksProxyLimits;
  readonly health?: XksProxyHealthOptions;
  /** Up to 20 bytes returned as `ciphertextMetadata` by every Encrypt, bound into the tag. */
  readonly ciphertextMetadata?: Uint8Array;
  /** Receives one structured record per request (the same record is published as an audit event). */
  readonly logger?: (record: XksAuditRecord) => void;
  /** The clock SigV4 timestamps are checked against, in ms since the epoch. Default `Date.now`. */
  readonly now?: () => number;
  /** Unauthenticated GET path for load balancers (spec §14), or false for none. Default `/ping`. */
  readonly pingPath?: string | false;
  /**
   * The AWS region whose KMS calls the proxy (spec §10.1: the credential scope names it): a
   * request signed for another region is refused (401). Each key store may name its own.
   * Default `us-east-1`.
   */
  readonly region?: string;
}

/** Options after validation, with defaults filled in. */
export interface ResolvedProxyOptions {
  readonly keyStores: ReadonlyMap<string, ResolvedKeyStore>;
  readonly backend: XksKeyBackend;
  readonly ownsBackend: boolean;
  readonly tls: XksProxyTlsOptions | undefined;
  readonly authorize: XksAuthorizer | undefined;
  readonly maxPlaintextBytes: number;
  readonly maxAadBytes: number;
  readonly backendTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxUnauthenticatedRequests: number;
  readonly health: Required<Omit<XksProxyHealthOptions, 'testKeyId'>> & { readonly testKeyId: string | undefined };
  readonly ciphertextMetadata: Uint8Array | undefined;
  readonly logger: ((record: XksAuditRecord) => void) | undefined;
  readonly now: () => number;
  readonly pingPath: string | undefined;
}

export interface ResolvedKeyStore {
  readonly uriPrefix: string;
  /** Secrets by access key id; replaced wholesale on rotation. */
  credentials: ReadonlyMap<string, string>;
  readonly keyIds: ReadonlySet<string> | undefined;
  readonly maxConcurrentRequests: number;
  /** The only region a request's SigV4 credential scope may name. */
  readonly region: string;
}

/** An AWS region name (`us-east-1`, `eu-west-1`, `us-gov-west-1`, `cn-north-1`, ...). */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** The version reported in `xksProxyModel`. */
export const PROXY_VERSION = '0.1.0';

/**
 * Validates proxy options once, at the boundary.
 * @throws {InvalidArgumentError} naming the offending field.
 */
export function resolveProxyOptions(options: XksProxyOptions): ResolvedProxyOptions {
  const o = readOptions(options, 'createXksProxy options', [
    'keyStores',
    'backend',
    'ownsBackend',
    'tls',
    'authorize',
    'limits',
    'health',
    'ciphertextMetadata',
    'logger',
    'now',
    'pingPath',
    'region',
  ]);
  const region = assertPattern(
    o.raw('region') ?? 'us-east-1',
    o.field('region'),
    REGION,
    'an AWS region such as us-east-1',
  );
  const stores = o.array('keyStores');
  if (stores === undefined || stores.length === 0)
    throw invalidArgument(`${o.field('keyStores')}: expected at least one key store`);
  const keyStores = new Map<string, ResolvedKeyStore>();
  stores.forEach((store, i) => {
    const resolved = resolveKeyStore(store, `${o.field('keyStores')}[${i}]`, region);
    if (keyStores.has(resolved.uriPrefix))
      throw invalidArgument(`${o.field('keyStores')}[${i}].uriPrefix: "${resolved.uriPrefix}" is configured twice`);
    keyStores.set(resolved.uriPrefix, resolved);
  });
  const backend = o.raw('backend') as XksKeyBackend | undefined;
  for (const method of ['describe', 'encrypt', 'decrypt', 'members'] as const) {
    if (typeof backend?.[method] !== 'function')
      throw invalidArgument(`${o.field('backend')}: expected an XksKeyBackend (missing ${method}())`);
  }
  const limits = readOptions(o.raw('limits') ?? {}, o.field('limits'), [
    'maxPlaintextBytes',
    'maxAadBytes',
    'backendTimeoutMs',
    'headersTimeoutMs',
    'requestTimeoutMs',
    'maxUnauthenticatedRequests',
  ]);
  const headersTimeoutMs = limits.integer('headersTimeoutMs', 1000, 300_000, 10_000);
  const requestTimeoutMs = limits.integer('requestTimeoutMs', 1000, 600_000, Math.max(30_000, headersTimeoutMs));
  if (requestTimeoutMs < headersTimeoutMs)
    throw invalidArgument(
      `${limits.field('requestTimeoutMs')}: must be at least ${limits.field('headersTimeoutMs')} (${headersTimeoutMs})`,
    );
  const health = readOptions(o.raw('health') ?? {}, o.field('health'), [
    'fleetSize',
    'vendor',
    'model',
    'testKeyId',
    'cacheMs',
  ]);
  const testKeyId = health.optionalString('testKeyId');
  if (testKeyId !== undefined)
    assertPattern(testKeyId, health.field('testKeyId'), EXTERNAL_KEY_ID, 'an external key ID');
  const metadata = o.has('ciphertextMetadata')
    ? assertBytes(o.raw('ciphertextMetadata'), o.field('ciphertextMetadata'))
    : undefined;
  if (metadata !== undefined && (metadata.length === 0 || metadata.length > XksLimits.maxCiphertextMetadataBytes)) {
    throw invalidArgument(`${o.field('ciphertextMetadata')}: expected 1 to 20 bytes, got ${metadata.length}`);
  }
  const pingPath = o.raw('pingPath');
  if (
    pingPath !== undefined &&
    pingPath !== false &&
    (typeof pingPath !== 'string' || !/^\/[A-Za-z0-9/_-]*$/.test(pingPath))
  ) {
    throw invalid(o.field('pingPath'), 'false or a path like "/ping"', pingPath);
  }
  return {
    keyStores,
    backend: backend as XksKeyBackend,
    ownsBackend: o.boolean('ownsBackend', false),
    tls: o.has('tls') ? resolveTls(o.raw('tls'), o.field('tls')) : undefined,
    authorize: o.has('authorize') ? assertFunction<XksAuthorizer>(o.raw('authorize'), o.field('authorize')) : undefined,
    maxPlaintextBytes: limits.integer('maxPlaintextBytes', XksLimits.minPlaintextBytes, 1 << 20, 6144),
    maxAadBytes: limits.integer('maxAadBytes', XksLimits.minAadBytes, XksLimits.maxAadBytes, XksLimits.minAadBytes),
    backendTimeoutMs: limits.integer('backendTimeoutMs', 1, 60_000, 1000),
    headersTimeoutMs,
    requestTimeoutMs,
    maxUnauthenticatedRequests: limits.integer('maxUnauthenticatedRequests', 1, 1_000_000, 1024),
    health: {
      fleetSize: health.integer('fleetSize', 1, 1_000_000, 1),
      vendor: health.string('vendor', 'sealflow'),
      model: health.string('model', `sealflow-xks-proxy ${PROXY_VERSION}`),
      testKeyId,
      cacheMs: health.integer('cacheMs', 0, 60_000, 10_000),
    },
    ciphertextMetadata: metadata === undefined ? undefined : Uint8Array.from(metadata),
    logger: o.has('logger')
      ? assertFunction<(record: XksAuditRecord) => void>(o.raw('logger'), o.field('logger'))
      : undefined,
    now: o.has('now') ? assertFunction<() => number>(o.raw('now'), o.field('now')) : Date.now,
    pingPath: pingPath === false ? undefined : ((pingPath as string | undefined) ?? '/ping'),
  };
}

function resolveKeyStore(value: unknown, label: string, proxyRegion: string): ResolvedKeyStore {
  const o = readOptions(value, label, ['uriPrefix', 'credentials', 'keyIds', 'maxConcurrentRequests', 'region']);
  const uriPrefix = o.raw('uriPrefix');
  assertPattern(
    uriPrefix ?? null,
    o.field('uriPrefix'),
    URI_PREFIX,
    '"" or "/segment[/segment...]" of A-Z a-z 0-9 / _ -',
  );
  if ((uriPrefix as string).length + XKS_BASE_PATH.length > MAX_URI_PATH) {
    throw invalidArgument(
      `${o.field('uriPrefix')}: with "${XKS_BASE_PATH}" the path must fit ${MAX_URI_PATH} characters`,
    );
  }
  const keyIds = o.array('keyIds');
  return {
    uriPrefix: uriPrefix as string,
    credentials: resolveCredentials(o.raw('credentials'), o.field('credentials')),
    keyIds:
      keyIds === undefined
        ? undefined
        : new Set(
            keyIds.map((id, i) =>
              assertPattern(id, `${o.field('keyIds')}[${i}]`, EXTERNAL_KEY_ID, 'an external key ID'),
            ),
          ),
    maxConcurrentRequests: o.integer('maxConcurrentRequests', 1, 1_000_000, 256),
    region: assertPattern(o.raw('region') ?? proxyRegion, o.field('region'), REGION, 'an AWS region such as us-east-1'),
  };
}

/**
 * Checks a credential list: ids and secrets in the spec's formats (§10.1), ids unique.
 * @throws {InvalidArgumentError}
 */
export function resolveCredentials(value: unknown, label: string): ReadonlyMap<string, string> {
  if (!Array.isArray(value) || value.length === 0) throw invalidArgument(`${label}: expected at least one credential`);
  const credentials = new Map<string, string>();
  value.forEach((credential: unknown, i) => {
    const c = readOptions(credential, `${label}[${i}]`, ['accessKeyId', 'secretAccessKey']);
    const id = assertPattern(
      c.raw('accessKeyId'),
      c.field('accessKeyId'),
      ACCESS_KEY_ID,
      '20-30 characters of A-Z 2-7',
    );
    // Never echo a secret: its description names only its type and length.
    const secret = assertPattern(
      c.raw('secretAccessKey'),
      c.field('secretAccessKey'),
      SECRET_ACCESS_KEY,
      '43-64 characters of A-Z a-z 0-9 + / =',
    );
    if (credentials.has(id)) throw invalidArgument(`${c.field('accessKeyId')}: "${id}" is listed twice`);
    credentials.set(id, secret);
  });
  return credentials;
}

function resolveTls(value: unknown, label: string): XksProxyTlsOptions {
  const o = readOptions(value, label, ['cert', 'key', 'clientCa', 'allowedClientNames']);
  const pem = (key: 'cert' | 'key' | 'clientCa'): string | Uint8Array => {
    const v = o.raw(key);
    if (typeof v === 'string') return assertString(v, o.field(key));
    return assertBytes(v, o.field(key));
  };
  const names = o.stringArray('allowedClientNames');
  if (names !== undefined && !o.has('clientCa'))
    throw invalidArgument(`${o.field('allowedClientNames')}: needs ${o.field('clientCa')} (mTLS)`);
  return {
    cert: pem('cert'),
    key: pem('key'),
    ...(o.has('clientCa') ? { clientCa: pem('clientCa') } : {}),
    ...(names === undefined ? {} : { allowedClientNames: names }),
  };
}
