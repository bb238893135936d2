// Test fixtures: credentials in the spec's formats, a proxy over an in-memory backend,
// and a raw signed-request sender that can bend any part of a request.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterEach } from 'vitest';
import { InMemoryXksBackend, createXksProxy, type XksProxy, type XksProxyOptions } from '@sealflow/keystore-xks';

/** A test credential: 20 base32 characters, and 44 Base64 characters (test-only, not a secret). */
export const CREDENTIAL = {
  accessKeyId: 'XKSTESTACCESSKEY2345',
  secretAccessKey: Buffer.alloc(32, 7).toString('base64'),
} as const;
/** A second credential for the same prefix (rotation). */
export const CREDENTIAL_2 = {
  accessKeyId: 'XKSTESTROTATEDKEY234567',
  secretAccessKey: Buffer.alloc(32, 9).toString('base64'),
} as const;
/** A well-formed credential no key store knows. */
export const STRANGER = {
  accessKeyId: 'XKSSTRANGERKEYID2345',
  secretAccessKey: Buffer.alloc(32, 3).toString('base64'),
} as const;

export const PREFIX = '/example/uri/path/prefix';
export const KEY_ID = 'foo';

export const METADATA = {
  kmsRequestId: '4112f4d6-db54-4af4-ae30-c55a22a8dfae',
  kmsOperation: 'Encrypt',
  awsPrincipalArn: 'arn:aws:iam::123456789012:user/Alice',
  kmsKeyArn: 'arn:aws:kms:us-east-2:123456789012:/key/1234abcd-12ab-34cd-56ef-1234567890ab',
} as const;

export interface RunningProxy {
  readonly proxy: XksProxy;
  readonly backend: InMemoryXksBackend;
  readonly url: string;
}

/** Starts a proxy on 127.0.0.1 (ephemeral port) with key `foo` and the test credentials. */
export async function startProxy(overrides: Partial<XksProxyOptions> = {}): Promise<RunningProxy> {
  const backend = new InMemoryXksBackend();
  backend.createKey(KEY_ID);
  const proxy = createXksProxy({
    keyStores: [{ uriPrefix: PREFIX, credentials: [CREDENTIAL] }],
    backend,
    ownsBackend: true,
    health: { cacheMs: 0 },
    ...overrides,
  });
  const { url } = await proxy.listen(0, '127.0.0.1');
  return { proxy, backend, url };
}

/**
 * {@link startProxy} for one test file: every proxy it starts is closed after the test
 * that started it (newest first). Call once, at the top level of the file.
 */
export function startProxyPerTest(): (overrides?: Partial<XksProxyOptions>) => Promise<RunningProxy> {
  const running: RunningProxy[] = [];
  afterEach(async () => {
    for (const started of running.splice(0).reverse()) await started.proxy.close();
  });
  return async (overrides) => {
    const started = await startProxy(overrides);
    running.push(started);
    return started;
  };
}

class Sha256 extends Hash {
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    super('sha256', secret);
  }
}

export interface SendOptions {
  readonly method?: string;
  readonly credential?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Signing time; default now. */
  readonly date?: Date;
  readonly region?: string;
  readonly service?: string;
  /** Extra headers to send (and sign, unless listed in `unsigned`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Send without any signature. */
  readonly unsigned?: boolean;
  /** Replace headers after signing (to tamper with a signed request). */
  readonly after?: (headers: Record<string, string>) => void;
  /** Body bytes actually sent, when they should differ from the signed ones. */
  readonly sendBody?: string | Uint8Array;
  readonly ca?: string;
}

export interface SendResult {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
  /** The parsed body when it is JSON. */
  readonly json: Record<string, unknown> | undefined;
}

/** Sends one request to `url + path`, SigV4-signed with smithy unless told otherwise. */
export async function send(
  url: string,
  path: string,
  body: string | Uint8Array | object,
  options: SendOptions = {},
): Promise<SendResult> {
  const target = new URL(url);
  const payload = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
  let headers: Record<string, string> = { host: target.host, 'content-type': 'application/json', ...options.headers };
  const method = options.method ?? 'POST';
  if (options.unsigned !== true) {
    const signer = new SignatureV4({
      service: options.service ?? 'kms-xks-proxy',
      region: options.region ?? 'us-east-1',
      credentials: options.credential ?? CREDENTIAL,
      sha256: Sha256,
      applyChecksum: false,
    });
    const queryAt = path.indexOf('?');
    const signed = await signer.sign(
      new HttpRequest({
        method,
        hostname: target.hostname,
        path: queryAt === -1 ? path : path.slice(0, queryAt),
        headers,
        body: payload,
      }),
      { signingDate: options.date ?? new Date() },
    );
    headers = { ...(signed.headers as Record<string, string>) };
  }
  options.after?.(headers);
  const sent = options.sendBody ?? payload;
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      {
        host: target.hostname,
        port: target.port,
        method,
        path,
        headers: { ...headers, 'content-length': String(Buffer.byteLength(sent)) },
        agent: false,
        ...(options.ca ? { ca: options.ca } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Record<string, unknown> | undefined;
          try {
            json = JSON.parse(text) as Record<string, unknown>;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(sent);
  });
}

export const b64 = (bytes: Uint8Array | string): string => Buffer.from(bytes).toString('base64');
export const unb64 = (text: unknown): Buffer => Buffer.from(String(text), 'base64');

/** The operation paths under the test prefix. */
export const paths = {
  health: `${PREFIX}/kms/xks/v1/health`,
  metadata: (keyId = KEY_ID) => `${PREFIX}/kms/xks/v1/keys/${keyId}/metadata`,
  encrypt: (keyId = KEY_ID) => `${PREFIX}/kms/xks/v1/keys/${keyId}/encrypt`,
  decrypt: (keyId = KEY_ID) => `${PREFIX}/kms/xks/v1/keys/${keyId}/decrypt`,
};

/** A valid Encrypt body. */
export function encryptBody(plaintext: Uint8Array, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { requestMetadata: METADATA, plaintext: b64(plaintext), encryptionAlgorithm: 'AES_GCM', ...extra };
}

/** A Decrypt body echoing an Encrypt answer. */
export function decryptBody(
  answer: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    requestMetadata: { ...METADATA, kmsOperation: 'Decrypt' },
    ciphertext: answer['ciphertext'],
    initializationVector: answer['initializationVector'],
    authenticationTag: answer['authenticationTag'],
    encryptionAlgorithm: 'AES_GCM',
    ...extra,
  };
  if (answer['ciphertextMetadata'] !== undefined && !('ciphertextMetadata' in extra))
    body['ciphertextMetadata'] = answer['ciphertextMetadata'];
  return body;
}
