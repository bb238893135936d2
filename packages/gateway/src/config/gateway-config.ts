import { readFile, stat } from 'node:fs/promises';
import { isIP } from 'node:net';
import { dirname, resolve } from 'node:path';
import { InvalidArgumentError } from '@sealflow/core';
import { assertPattern, assertString, invalid, invalidArgument, readOptions } from '@sealflow/core/validate';
import { parseAwsKmsPrincipals, type AwsKmsPrincipalCredentials } from '../keys/aws-kms-principals.js';

/** The largest config file read; a real one is a few kilobytes. */
const MAX_CONFIG_BYTES = 1024 * 1024;

/** An access key the gateway accepts, and who signs with it. */
export interface GatewayAccount {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** The IAM principal ARN the key store sees (key policies, audit, bucket-key partitions). */
  readonly principal: string;
  /** The 12-digit account taken from the principal ARN. */
  readonly accountId: string;
  readonly displayName: string;
}

/** Where objects live. */
export type StorageConfig =
  | {
      /** Files under `dir` (temp + rename + fsync). */
      readonly type: 'fs';
      readonly dir: string;
    }
  | {
      /** One bucket of any S3-compatible store, through `@aws-sdk/client-s3`. */
      readonly type: 's3';
      readonly bucket: string;
      /** A key prefix inside the bucket ('' by default). */
      readonly prefix: string;
      readonly region: string;
      readonly endpoint?: string;
      readonly forcePathStyle: boolean;
      /** Static credentials; otherwise the SDK's default chain. */
      readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
    };

/** Which key store wraps the data keys. */
export type KeyStoreConfig =
  | {
      /** The in-process KMS persisted in one sealed file (the embedded default). */
      readonly type: 'memory-file';
      readonly storeFile: string;
      readonly passphraseFile?: string;
      readonly keyFile?: string;
    }
  | {
      /** Volatile in-process KMS: tests and demos only. */
      readonly type: 'memory';
    }
  | {
      readonly type: 'aws-kms';
      readonly region: string;
      readonly endpoint?: string;
      /** Per-principal credentials (static keys or a shared-config profile); others use the SDK's default chain. */
      readonly principals?: Readonly<Record<string, AwsKmsPrincipalCredentials>>;
    }
  | {
      readonly type: 'xks';
      readonly endpoint: string;
      readonly uriPrefix: string;
      readonly keyId: string;
      readonly region: string;
      readonly accessKeyId: string;
      readonly secretAccessKey: string;
      readonly caFile?: string;
      /** Deadline of one proxy attempt, in ms (default 250, what KMS allows a proxy). */
      readonly timeoutMs?: number;
      /**
       * The external keys S3 clients may name, each with the KMS-style ARN the gateway
       * reports (default: `keyId` alone, as `arn:aws:kms:<region>:000000000000:key/<keyId>`).
       */
      readonly keys: readonly XksKeyConfig[];
    };

/** One external key of an `xks` key store and the names S3 clients use for it. */
export interface XksKeyConfig {
  /** The external key ID at the proxy. */
  readonly keyId: string;
  /** The key ARN the gateway reports and accepts; in the gateway's region. */
  readonly arn: string;
  /** Alias names (`alias/<name>`) that resolve to this key. */
  readonly aliases: readonly string[];
}

/** A validated gateway config, with paths resolved against the config file's folder. */
export interface GatewayConfig {
  readonly listen: { readonly host: string; readonly port: number };
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  readonly region: string;
  readonly accounts: readonly GatewayAccount[];
  readonly storage: StorageConfig;
  readonly keyStore: KeyStoreConfig;
  /**
   * Bucket keys for objects whose request and bucket default say nothing: `true` turns
   * them on gateway-wide (a request header or bucket default still wins).
   */
  readonly bucketKeys: boolean;
  /**
   * How a write is verified before it is acknowledged: `local` (default; the stored message
   * opened with the data key just generated, the stored EDK byte-identical to KMS's answer:
   * no second KMS call) or `kms` (a full KMS Decrypt round trip per object or bucket key).
   */
  readonly verifyWrites: 'local' | 'kms';
  /**
   * The 32-byte key SSE-S3 (AES256) objects are wrapped with; created (mode 0600) when
   * missing. Gateways sharing one store must share this file.
   */
  readonly sseS3KeyFile: string;
  /** Host names under which virtual-host-style requests arrive (`<bucket>.<host>`). */
  readonly virtualHosts: readonly string[];
  /** The orphan sweeper: runs at start-up, then every `intervalSeconds` (0: only at start-up). */
  readonly orphanSweep: OrphanSweepConfig;
}

/** `orphanSweep`: when `S3Service.sweepOrphans` runs and with which options. */
export interface OrphanSweepConfig {
  /** Seconds between sweeps after the start-up one (default 3600; 0 sweeps only at start-up). */
  readonly intervalSeconds: number;
  /** Seconds a blob must stay unreferenced across sweeps before it is removed (default 3600). */
  readonly graceSeconds: number;
  /** Abort multipart uploads older than this many days (default: never). */
  readonly uploadExpiryDays?: number;
  /** `false` turns the sweeper off (default `true`). */
  readonly enabled: boolean;
}

const TOP_LEVEL = [
  'listen',
  'tls',
  'region',
  'accounts',
  'storage',
  'keyStore',
  'bucketKeys',
  'verifyWrites',
  'sseS3KeyFile',
  'virtualHosts',
  'orphanSweep',
] as const;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const ACCESS_KEY_ID = /^[A-Z0-9]{16,128}$/;
const PRINCIPAL = /^arn:aws[a-z-]*:(iam|sts)::(\d{12}):[!-~]+$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

/**
 * Reads and validates a gateway config file (JSON; the package README documents every
 * field). Unknown keys are refused and relative paths are taken from the file's folder.
 * @throws {InvalidArgumentError} `ERR_INVALID_ARGUMENT` for an unreadable, oversized,
 * malformed or invalid file; the message names the field.
 */
export async function loadGatewayConfig(path: string): Promise<GatewayConfig> {
  assertString(path, 'loadGatewayConfig: path');
  const text = await readText(path, 'config file');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw invalidArgument(
      `config file ${path}: not valid JSON (${cause instanceof Error ? cause.message : 'parse error'})`,
    );
  }
  return parseGatewayConfig(json, dirname(resolve(path)));
}

/**
 * Validates a config object (the parsed JSON of a config file); relative paths resolve
 * against `baseDir`.
 * @throws {InvalidArgumentError} `ERR_INVALID_ARGUMENT` naming the first invalid field.
 */
export function parseGatewayConfig(json: unknown, baseDir: string): GatewayConfig {
  const o = readOptions(json, 'config', TOP_LEVEL);
  const fileIn = (value: unknown, label: string): string => resolve(baseDir, assertString(value, label));
  const listen = parseListen(o.raw('listen') ?? '127.0.0.1:0', o.field('listen'));
  const tls = o.has('tls') ? readOptions(o.raw('tls'), o.field('tls'), ['certFile', 'keyFile']) : undefined;
  // spec: issue 12: plain HTTP only on a loopback address; anything else needs TLS.
  if (tls === undefined && !isLoopback(listen.host)) {
    throw invalidArgument(
      `${o.field('listen')}: plain HTTP is only served on a loopback address (127.0.0.0/8, ::1, localhost); give "tls" with certFile and keyFile to listen on ${listen.host}`,
    );
  }
  const region = assertPattern(o.raw('region') ?? 'us-east-1', o.field('region'), REGION, 'a region such as us-east-1');
  const accounts = (o.array('accounts') ?? []).map((account, i) =>
    parseAccount(account, `${o.field('accounts')}[${i}]`),
  );
  const seen = new Set<string>();
  for (const account of accounts) {
    if (seen.has(account.accessKeyId))
      throw invalidArgument(`${o.field('accounts')}: access key ${account.accessKeyId} is listed twice`);
    seen.add(account.accessKeyId);
  }
  return {
    listen,
    ...(tls === undefined
      ? {}
      : {
          tls: {
            certFile: fileIn(tls.raw('certFile'), tls.field('certFile')),
            keyFile: fileIn(tls.raw('keyFile'), tls.field('keyFile')),
          },
        }),
    region,
    accounts,
    storage: parseStorage(o.raw('storage') ?? { type: 'fs', dir: 'data' }, o.field('storage'), region, fileIn),
    keyStore: parseKeyStore(
      o.raw('keyStore') ?? { type: 'memory-file', storeFile: 'keystore.sealflow', keyFile: 'keystore.key' },
      o.field('keyStore'),
      region,
      fileIn,
    ),
    bucketKeys: o.boolean('bucketKeys', false),
    verifyWrites: parseVerifyWrites(o.raw('verifyWrites') ?? 'local', o.field('verifyWrites')),
    sseS3KeyFile: fileIn(o.raw('sseS3KeyFile') ?? 'sse-s3.key', o.field('sseS3KeyFile')),
    virtualHosts: (o.stringArray('virtualHosts') ?? ['localhost']).map((host, i) =>
      assertPattern(host, `${o.field('virtualHosts')}[${i}]`, HOST_NAME, 'a host name such as s3.example.com'),
    ),
    orphanSweep: parseOrphanSweep(o.raw('orphanSweep') ?? {}, o.field('orphanSweep')),
  };
}

function parseOrphanSweep(value: unknown, label: string): OrphanSweepConfig {
  const o = readOptions(value, label, ['enabled', 'intervalSeconds', 'graceSeconds', 'uploadExpiryDays']);
  return {
    enabled: o.boolean('enabled', true),
    intervalSeconds: o.integer('intervalSeconds', 0, 7 * 86_400, 3600),
    graceSeconds: o.integer('graceSeconds', 0, 30 * 86_400, 3600),
    ...(o.has('uploadExpiryDays') ? { uploadExpiryDays: o.integer('uploadExpiryDays', 1, 3650) } : {}),
  };
}

function parseVerifyWrites(value: unknown, label: string): 'local' | 'kms' {
  if (value === 'local' || value === 'kms') return value;
  throw invalidArgument(`${label}: expected "local" or "kms"`);
}

/** Whether `host` names a loopback interface. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

function parseListen(value: unknown, label: string): { host: string; port: number } {
  const text = assertString(value, label);
  // `host:port`, with an IPv6 host in brackets: [::1]:8080.
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const host = match?.[1] ?? match?.[2];
  const port = match?.[3] === undefined ? Number.NaN : Number(match[3]);
  if (host === undefined || !Number.isInteger(port) || port > 65535) {
    throw invalidArgument(`${label}: expected "host:port" (port 0 picks a free one), got "${text}"`);
  }
  return { host, port };
}

function parseAccount(value: unknown, label: string): GatewayAccount {
  const o = readOptions(value, label, ['accessKeyId', 'secretAccessKey', 'principal', 'displayName']);
  const accessKeyId = assertPattern(
    o.raw('accessKeyId'),
    o.field('accessKeyId'),
    ACCESS_KEY_ID,
    '16 to 128 upper-case letters or digits',
  );
  const secret = o.raw('secretAccessKey');
  // The secret is never echoed: `invalid` describes it by type and length only.
  if (typeof secret !== 'string' || secret.length < 8 || secret.length > 128)
    throw invalid(o.field('secretAccessKey'), 'a string of 8 to 128 characters', secret);
  const principal = o.raw('principal');
  const match = typeof principal === 'string' ? PRINCIPAL.exec(principal) : null;
  if (match === null || typeof principal !== 'string') {
    throw invalid(
      o.field('principal'),
      'an IAM principal ARN (arn:aws:iam::<12 digits>:root, ...:user/<name>, ...:role/<name>)',
      principal,
    );
  }
  return {
    accessKeyId,
    secretAccessKey: secret,
    principal,
    accountId: match[2] as string,
    displayName: o.string('displayName', accessKeyId),
  };
}

function parseStorage(
  value: unknown,
  label: string,
  region: string,
  fileIn: (v: unknown, l: string) => string,
): StorageConfig {
  const type = readOptions(value, label, [
    'type',
    'dir',
    'bucket',
    'prefix',
    'region',
    'endpoint',
    'forcePathStyle',
    'accessKeyId',
    'secretAccessKey',
  ]).raw('type');
  if (type === 'fs') {
    const o = readOptions(value, label, ['type', 'dir']);
    return { type, dir: fileIn(o.raw('dir') ?? 'data', o.field('dir')) };
  }
  if (type !== 's3') throw invalid(`${label}.type`, '"fs" or "s3"', type);
  const o = readOptions(value, label, [
    'type',
    'bucket',
    'prefix',
    'region',
    'endpoint',
    'forcePathStyle',
    'accessKeyId',
    'secretAccessKey',
  ]);
  const prefix = o.raw('prefix') ?? '';
  if (typeof prefix !== 'string' || prefix.length > 512)
    throw invalid(o.field('prefix'), 'a key prefix of at most 512 characters', prefix);
  if (o.has('accessKeyId') !== o.has('secretAccessKey'))
    throw invalidArgument(`${label}: give both accessKeyId and secretAccessKey, or neither (the SDK's default chain)`);
  const endpoint = o.optionalString('endpoint');
  if (endpoint !== undefined) assertUrl(endpoint, o.field('endpoint'));
  return {
    type,
    bucket: assertPattern(o.raw('bucket'), o.field('bucket'), BUCKET, 'a bucket name'),
    prefix,
    region: assertPattern(o.raw('region') ?? region, o.field('region'), REGION, 'a region such as us-east-1'),
    ...(endpoint === undefined ? {} : { endpoint }),
    forcePathStyle: o.boolean('forcePathStyle', endpoint !== undefined),
    ...(o.has('accessKeyId')
      ? { credentials: { accessKeyId: o.string('accessKeyId'), secretAccessKey: o.string('secretAccessKey') } }
      : {}),
  };
}

function parseKeyStore(
  value: unknown,
  label: string,
  region: string,
  fileIn: (v: unknown, l: string) => string,
): KeyStoreConfig {
  const all = [
    'type',
    'storeFile',
    'passphraseFile',
    'keyFile',
    'region',
    'endpoint',
    'uriPrefix',
    'keyId',
    'accessKeyId',
    'secretAccessKey',
    'caFile',
    'timeoutMs',
    'keys',
    'principals',
  ] as const;
  const type = readOptions(value, label, all).raw('type');
  switch (type) {
    case 'memory':
      readOptions(value, label, ['type']);
      return { type };
    case 'memory-file': {
      const o = readOptions(value, label, ['type', 'storeFile', 'passphraseFile', 'keyFile']);
      if (o.has('passphraseFile') === o.has('keyFile'))
        throw invalidArgument(`${label}: give exactly one of passphraseFile and keyFile`);
      return {
        type,
        storeFile: fileIn(o.raw('storeFile'), o.field('storeFile')),
        ...(o.has('passphraseFile')
          ? { passphraseFile: fileIn(o.raw('passphraseFile'), o.field('passphraseFile')) }
          : {}),
        ...(o.has('keyFile') ? { keyFile: fileIn(o.raw('keyFile'), o.field('keyFile')) } : {}),
      };
    }
    case 'aws-kms': {
      const o = readOptions(value, label, ['type', 'region', 'endpoint', 'principals']);
      const endpoint = o.optionalString('endpoint');
      if (endpoint !== undefined) assertUrl(endpoint, o.field('endpoint'));
      return {
        type,
        region: assertPattern(o.raw('region') ?? region, o.field('region'), REGION, 'a region such as us-east-1'),
        ...(endpoint === undefined ? {} : { endpoint }),
        ...(o.has('principals')
          ? { principals: parseAwsKmsPrincipals(o.raw('principals'), o.field('principals')) }
          : {}),
      };
    }
    case 'xks': {
      const o = readOptions(value, label, [
        'type',
        'endpoint',
        'uriPrefix',
        'keyId',
        'region',
        'accessKeyId',
        'secretAccessKey',
        'caFile',
        'timeoutMs',
        'keys',
      ]);
      const keyId = o.string('keyId');
      const keys = o.has('keys')
        ? (o.array('keys') ?? []).map((key, i) => parseXksKey(key, `${o.field('keys')}[${i}]`, region))
        : [
            {
              keyId: assertPattern(
                keyId,
                o.field('keyId'),
                XKS_KEY_RESOURCE,
                'A-Z a-z 0-9 - only, or give keyStore.keys with an arn for it',
              ),
              arn: `arn:aws:kms:${region}:000000000000:key/${keyId}`,
              aliases: [],
            },
          ];
      if (!keys.some((key) => key.keyId === keyId))
        throw invalidArgument(`${o.field('keyId')}: the default key must be one of ${o.field('keys')}`);
      return {
        type,
        keys,
        ...(o.has('timeoutMs') ? { timeoutMs: o.integer('timeoutMs', 1, 60_000, 250) } : {}),
        endpoint: assertUrl(o.string('endpoint'), o.field('endpoint')),
        uriPrefix: o.string('uriPrefix', ''),
        keyId,
        region: assertPattern(o.raw('region') ?? region, o.field('region'), REGION, 'a region such as us-east-1'),
        accessKeyId: o.string('accessKeyId'),
        secretAccessKey: o.string('secretAccessKey'),
        ...(o.has('caFile') ? { caFile: fileIn(o.raw('caFile'), o.field('caFile')) } : {}),
      };
    }
    default:
      throw invalid(`${label}.type`, '"memory-file", "memory", "aws-kms" or "xks"', type);
  }
}

const XKS_KEY_ID = /^[A-Za-z0-9._-]{1,128}$/;
const XKS_KEY_RESOURCE = /^[A-Za-z0-9-]{1,128}$/;
const XKS_ALIAS = /^alias\/(?!aws\/)[A-Za-z0-9/_-]{1,250}$/;

function parseXksKey(value: unknown, label: string, region: string): XksKeyConfig {
  const o = readOptions(value, label, ['keyId', 'arn', 'aliases']);
  const arn = o.string('arn');
  const match = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:key\/[A-Za-z0-9-]{1,128}$/.exec(arn);
  if (match === null)
    throw invalidArgument(`${o.field('arn')}: expected a key ARN such as arn:aws:kms:${region}:111122223333:key/<id>`);
  if (match[1] !== region)
    throw invalidArgument(`${o.field('arn')}: the key must be in the gateway's region ${region}`);
  return {
    keyId: assertPattern(o.raw('keyId'), o.field('keyId'), XKS_KEY_ID, '1-128 characters of A-Z a-z 0-9 . _ -'),
    arn,
    aliases: (o.array('aliases') ?? []).map((alias, i) =>
      assertPattern(alias, `${o.field('aliases')}[${i}]`, XKS_ALIAS, 'alias/<name> (not alias/aws/...)'),
    ),
  };
}

function assertUrl(value: string, label: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalidArgument(`${label}: expected an http(s) URL, got a string of ${value.length} characters`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidArgument(`${label}: expected an http(s) URL`);
  return value;
}

/** Reads a small text file; a missing or oversized file is an argument error naming `label`. */
async function readText(path: string, label: string): Promise<string> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw invalidArgument(`${label}: ${path} is not a regular file`);
    if (info.size > MAX_CONFIG_BYTES)
      throw invalidArgument(`${label}: ${path} is larger than ${MAX_CONFIG_BYTES} bytes`);
    return await readFile(path, 'utf8');
  } catch (cause) {
    if (cause instanceof InvalidArgumentError) throw cause;
    throw invalidArgument(`${label}: cannot read ${path} (${(cause as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}
