import type { Command } from 'commander';
import type { StoreFlags } from '../keystore/store-flags.js';

/** The key-store flags `encrypt` and `decrypt` share. */
export function addStoreOptions(command: Command): Command {
  return command
    .option('-k, --key <id>', 'key ID, key ARN, alias name or alias ARN (with --xks: the external key ID)')
    .option('--kms <kind>', 'key store: "aws" for AWS KMS (default: the embedded store)')
    .option('--region <region>', 'AWS region for --kms aws (default: $AWS_REGION); SigV4 region for --xks')
    .option('--endpoint <url>', 'KMS endpoint for --kms aws (an emulator, a VPC endpoint)')
    .option(
      '--xks <url>',
      'an XKS proxy, https://host[:port][/uri-prefix]; credentials from $SEALFLOW_XKS_ACCESS_KEY_ID / $SEALFLOW_XKS_SECRET_ACCESS_KEY',
    );
}

/** The store flags out of a command's options. */
export function storeFlags(options: Record<string, unknown>): StoreFlags {
  const pick = (name: string): string | undefined =>
    typeof options[name] === 'string' ? (options[name] as string) : undefined;
  const flags: Record<string, string> = {};
  for (const name of ['key', 'kms', 'region', 'endpoint', 'xks']) {
    const value = pick(name);
    if (value !== undefined) flags[name] = value;
  }
  return flags as StoreFlags;
}
