import { readFile, stat } from 'node:fs/promises';
import { InvalidArgumentError } from '@sealflow/core';
import { dirname, resolve } from 'node:path';
import {
  assertPattern,
  assertString,
  invalid,
  invalidArgument,
  type OptionReader,
  readOptions,
} from '@sealflow/core/validate';
import { decodeBase64Strict } from '../shared/base64.js';
import { EXTERNAL_KEY_ID } from '../shared/xks-wire.js';
import type { XksAuthorizationRule } from './authorizer.js';
import type { XksProxyHealthOptions, XksProxyKeyStoreOptions, XksProxyLimits } from './proxy-options.js';

/** The largest config file read; a real one is a few kilobytes. */
const MAX_CONFIG_BYTES = 1024 * 1024;

/** Where key material comes from, as a config file names it. */
export type XksBackendConfig =
  | {
      /** The in-process KMS's persisted file store (the default). */
      readonly type: 'memory-kms-file';
      /** The MemoryKms store file (sealed under the passphrase or key file). */
      readonly storeFile: string;
      readonly passphraseFile?: string;
      readonly keyFile?: string;
      /** Where the external keys (wrapped under the KMS) are listed. */
      readonly xksKeysFile: string;
      readonly region: string;
    }
  | {
      /** Volatile keys in process memory: tests and demos only. */
      readonly type: 'memory';
      readonly keys: readonly {
        readonly keyId: string;
        readonly usage?: readonly string[];
        readonly status?: string;
      }[];
    };

/** A validated config file, with paths resolved against the file's folder and secrets read. */
export interface XksProxyConfig {
  readonly listen: { readonly host: string; readonly port: number };
  readonly keyStores: readonly XksProxyKeyStoreOptions[];
  readonly backend: XksBackendConfig;
  readonly tls?: {
    readonly cert: string;
    readonly key: string;
    readonly clientCa?: string;
    readonly allowedClientNames?: readonly string[];
  };
  readonly authorization?: readonly XksAuthorizationRule[];
  readonly limits?: XksProxyLimits;
  readonly health?: XksProxyHealthOptions;
  readonly ciphertextMetadata?: Uint8Array;
  readonly pingPath?: string | false;
  /** The AWS region whose KMS calls the proxy (SigV4 scope); key stores may name their own. */
  readonly region?: string;
  /** `stdout`: one JSON line per request; `none`: audit events only. */
  readonly log: 'stdout' | 'none';
}

const TOP_LEVEL = [
  'listen',
  'keyStores',
  'backend',
  'tls',
  'authorization',
  'limits',
  'health',
  'ciphertextMetadata',
  'pingPath',
  'region',
  'log',
];

/**
 * Reads and validates a proxy config file (JSON; the README documents every field).
 * Unknown keys are refused, relative paths are taken from the file's folder, and
 * secrets named by `...File` fields are read here. Every message names the field.
 * @throws {InvalidArgumentError} `ERR_INVALID_ARGUMENT` for an unreadable, oversized, malformed or invalid file.
 */
export async function loadXksProxyConfig(path: string): Promise<XksProxyConfig> {
  assertString(path, 'loadXksProxyConfig: path');
  const base = dirname(resolve(path));
  const text = await readText(path, 'config file');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw invalidArgument(
      `config file ${path}: not valid JSON (${cause instanceof Error ? cause.message : 'parse error'})`,
    );
  }
  const o = readOptions(json, 'config', TOP_LEVEL);
  const fileIn = (value: unknown, label: string): string => resolve(base, assertString(value, label));
  const listen = readOptions(o.raw('listen') ?? {}, o.field('listen'), ['host', 'port']);
  const stores = o.array('keyStores') ?? [];
  const keyStores = await Promise.all(
    stores.map((store, i) => readKeyStore(store, `${o.field('keyStores')}[${i}]`, fileIn)),
  );
  const tls = o.has('tls')
    ? readOptions(o.raw('tls'), o.field('tls'), ['certFile', 'keyFile', 'clientCaFile', 'allowedClientNames'])
    : undefined;
  const metadata = o.optionalString('ciphertextMetadata');
  const decodedMetadata = metadata === undefined ? undefined : decodeBase64Strict(metadata);
  if (metadata !== undefined && decodedMetadata === undefined)
    throw invalidArgument(`${o.field('ciphertextMetadata')}: expected standard Base64`);
  const log = o.string('log', 'stdout');
  if (log !== 'stdout' && log !== 'none') throw invalidArgument(`${o.field('log')}: expected "stdout" or "none"`);
  const pingPath = o.raw('pingPath');
  if (pingPath !== undefined && pingPath !== false && typeof pingPath !== 'string')
    throw invalidArgument(`${o.field('pingPath')}: expected a path or false`);
  return {
    listen: { host: listen.string('host', '127.0.0.1'), port: listen.integer('port', 0, 65535, 0) },
    keyStores,
    backend: await readBackend(o.raw('backend') ?? {}, o.field('backend'), fileIn),
    ...(tls === undefined ? {} : { tls: await readTls(tls, fileIn) }),
    ...(o.has('authorization') ? { authorization: o.array('authorization') as XksAuthorizationRule[] } : {}),
    ...(o.has('limits') ? { limits: o.raw('limits') as XksProxyLimits } : {}),
    ...(o.has('health') ? { health: o.raw('health') as XksProxyHealthOptions } : {}),
    ...(decodedMetadata === undefined ? {} : { ciphertextMetadata: decodedMetadata }),
    ...(pingPath === undefined ? {} : { pingPath: pingPath as string | false }),
    ...(o.has('region') ? { region: o.raw('region') as string } : {}),
    log,
  };
}

async function readKeyStore(
  value: unknown,
  label: string,
  fileIn: (v: unknown, l: string) => string,
): Promise<XksProxyKeyStoreOptions> {
  const o = readOptions(value, label, ['uriPrefix', 'credentials', 'keyIds', 'maxConcurrentRequests', 'region']);
  const credentials = o.array('credentials') ?? [];
  const read = await Promise.all(
    credentials.map(async (credential, i) => {
      const c = readOptions(credential, `${o.field('credentials')}[${i}]`, [
        'accessKeyId',
        'secretAccessKey',
        'secretAccessKeyFile',
      ]);
      if (c.has('secretAccessKey') === c.has('secretAccessKeyFile'))
        throw invalidArgument(`${c.label}: give exactly one of secretAccessKey and secretAccessKeyFile`);
      const secret = c.has('secretAccessKey')
        ? c.raw('secretAccessKey')
        : (
            await readText(
              fileIn(c.raw('secretAccessKeyFile'), c.field('secretAccessKeyFile')),
              c.field('secretAccessKeyFile'),
            )
          ).trim();
      return { accessKeyId: c.raw('accessKeyId') as string, secretAccessKey: secret as string };
    }),
  );
  // The proxy validates formats (and never echoes a secret); pass values through as given.
  return {
    uriPrefix: o.raw('uriPrefix') as string,
    credentials: read,
    ...(o.has('keyIds') ? { keyIds: o.raw('keyIds') as string[] } : {}),
    ...(o.has('maxConcurrentRequests') ? { maxConcurrentRequests: o.raw('maxConcurrentRequests') as number } : {}),
    ...(o.has('region') ? { region: o.raw('region') as string } : {}),
  };
}

async function readBackend(
  value: unknown,
  label: string,
  fileIn: (v: unknown, l: string) => string,
): Promise<XksBackendConfig> {
  const type = readOptions(value, label, [
    'type',
    'storeFile',
    'passphraseFile',
    'keyFile',
    'xksKeysFile',
    'region',
    'keys',
  ]).string('type', 'memory-kms-file');
  if (type === 'memory') {
    const o = readOptions(value, label, ['type', 'keys']);
    const keys = (o.array('keys') ?? []).map((key, i) => {
      const k = readOptions(key, `${o.field('keys')}[${i}]`, ['keyId', 'usage', 'status']);
      assertPattern(k.raw('keyId'), k.field('keyId'), EXTERNAL_KEY_ID, 'an external key ID');
      return key as { keyId: string; usage?: string[]; status?: string };
    });
    return { type, keys };
  }
  if (type !== 'memory-kms-file') throw invalid(`${label}.type`, '"memory-kms-file" or "memory"', type);
  const o = readOptions(value, label, ['type', 'storeFile', 'passphraseFile', 'keyFile', 'xksKeysFile', 'region']);
  if (o.has('passphraseFile') === o.has('keyFile'))
    throw invalidArgument(`${label}: give exactly one of passphraseFile and keyFile`);
  return {
    type,
    storeFile: fileIn(o.raw('storeFile'), o.field('storeFile')),
    ...(o.has('passphraseFile') ? { passphraseFile: fileIn(o.raw('passphraseFile'), o.field('passphraseFile')) } : {}),
    ...(o.has('keyFile') ? { keyFile: fileIn(o.raw('keyFile'), o.field('keyFile')) } : {}),
    xksKeysFile: fileIn(o.raw('xksKeysFile'), o.field('xksKeysFile')),
    region: o.string('region', 'us-east-1'),
  };
}

type TlsFileKey = 'certFile' | 'keyFile' | 'clientCaFile';

async function readTls(
  o: OptionReader<TlsFileKey | 'allowedClientNames'>,
  fileIn: (v: unknown, l: string) => string,
): Promise<NonNullable<XksProxyConfig['tls']>> {
  const pem = (key: TlsFileKey): Promise<string> => readText(fileIn(o.raw(key), o.field(key)), o.field(key));
  const names = o.stringArray('allowedClientNames');
  return {
    cert: await pem('certFile'),
    key: await pem('keyFile'),
    ...(o.has('clientCaFile') ? { clientCa: await pem('clientCaFile') } : {}),
    ...(names === undefined ? {} : { allowedClientNames: names }),
  };
}

/** Reads a small text file; a missing or oversized file is an argument error naming `label`. */
async function readText(path: string, label: string): Promise<string> {
  try {
    // Size first, so an oversized file is refused before it is read into memory.
    const info = await stat(path);
    // A FIFO or device would block the read or never end: only regular files are read.
    if (!info.isFile()) throw invalidArgument(`${label}: ${path} is not a regular file`);
    const size = info.size;
    if (size > MAX_CONFIG_BYTES) throw invalidArgument(`${label}: ${path} is larger than ${MAX_CONFIG_BYTES} bytes`);
    return await readFile(path, 'utf8');
  } catch (cause) {
    if (cause instanceof InvalidArgumentError) throw cause;
    throw invalidArgument(`${label}: cannot read ${path} (${(cause as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}
