import { Env } from './keystore-path.js';
import { usageError } from '../options/usage-error.js';

/** The key-store flags of `encrypt` and `decrypt`, as commander parsed them. */
export interface StoreFlags {
  /** `--key`: key ID, key ARN, alias name or alias ARN (external key ID with --xks). */
  readonly key?: string;
  /** `--kms aws` (the only value; the embedded store is the default). */
  readonly kms?: string;
  readonly region?: string;
  readonly endpoint?: string;
  /** `--xks URL`: an XKS proxy, `http(s)://host[:port][/uri-prefix]`. */
  readonly xks?: string;
}

/** Which key store a command runs against. */
export type StoreChoice =
  | { readonly kind: 'local' }
  | { readonly kind: 'aws'; readonly region: string; readonly endpoint: string | undefined }
  | {
      readonly kind: 'xks';
      readonly endpoint: string;
      readonly uriPrefix: string;
      readonly region: string;
    };

const XKS_BASE = '/kms/xks/v1';

/**
 * Validates the flag combination: `--kms aws` needs a region (flag, `$SEALFLOW_REGION`,
 * `$AWS_REGION` or `$AWS_DEFAULT_REGION`); `--endpoint` belongs to `--kms aws`;
 * `--xks` excludes `--kms`.
 * @throws {InvalidArgumentError} naming the flag.
 */
export function chooseStore(given: StoreFlags, env: NodeJS.ProcessEnv): StoreChoice {
  // $SEALFLOW_KMS (or the config file's "kms") stands in for --kms unless --xks is given.
  const envKms = given.xks === undefined ? env[Env.kms] || undefined : undefined;
  const flags: StoreFlags = given.kms === undefined && envKms !== undefined ? { ...given, kms: envKms } : given;
  if (flags.xks !== undefined && flags.kms !== undefined)
    throw usageError('--xks and --kms exclude each other: pass one');
  if (flags.kms !== undefined && flags.kms !== 'aws' && flags.kms !== 'local') {
    throw usageError(
      `--kms${given.kms === undefined ? ` (from ${Env.kms} or the config file)` : ''}: expected "aws" (or "local", the embedded default), got "${flags.kms}"`,
    );
  }
  if (flags.kms === 'aws') {
    const region = flags.region ?? firstSet(env, [Env.region, 'AWS_REGION', 'AWS_DEFAULT_REGION']);
    if (region === undefined) throw usageError('--kms aws: needs --region (or AWS_REGION in the environment)');
    const endpoint = flags.endpoint ?? (env[Env.endpoint] || undefined);
    if (endpoint !== undefined && !URL.canParse(endpoint))
      throw usageError(`--endpoint: expected a URL, got "${endpoint}"`);
    return { kind: 'aws', region, endpoint };
  }
  if (flags.endpoint !== undefined) throw usageError('--endpoint: only with --kms aws');
  if (flags.xks !== undefined) {
    let url: URL;
    try {
      url = new URL(flags.xks);
    } catch {
      throw usageError(`--xks: expected a URL such as https://xks.example.com/prefix, got "${flags.xks}"`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw usageError(`--xks: expected an http(s) URL, got "${flags.xks}"`);
    let prefix = url.pathname.replace(/\/+$/, '');
    if (prefix.endsWith(XKS_BASE)) prefix = prefix.slice(0, -XKS_BASE.length);
    return { kind: 'xks', endpoint: url.origin, uriPrefix: prefix, region: flags.region ?? 'us-east-1' };
  }
  if (flags.region !== undefined) throw usageError('--region: only with --kms aws or --xks');
  return { kind: 'local' };
}

function firstSet(env: NodeJS.ProcessEnv, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}
