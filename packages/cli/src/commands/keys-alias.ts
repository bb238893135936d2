import type { Command } from 'commander';
import { type CliIo, print, printJson } from '../cli-context.js';
import { allPages, withKms } from './keys-session.js';

/** `sealflow keys alias create|update|delete|list`. */
export function registerKeyAlias(keys: Command, io: CliIo): void {
  const alias = keys.command('alias').description("name keys: aliases resolve in the caller's account (alias/...)");

  alias
    .command('create')
    .description('point a new alias at a key')
    .argument('<alias>', 'alias name, alias/...')
    .argument('<key>', 'key ID or key ARN')
    .action(async (name: string, key: string, _options: unknown, command: Command) => {
      await withKms(command, io, 'existing', async (kms, context) => {
        const keyId = (await kms.describeKey({ KeyId: key })).KeyMetadata.KeyId;
        await kms.createAlias({ AliasName: name, TargetKeyId: keyId });
        await print(context, `${name} -> ${keyId}\n`);
      });
    });

  alias
    .command('update')
    .description('point an existing alias at another key')
    .argument('<alias>', 'alias name, alias/...')
    .argument('<key>', 'key ID or key ARN')
    .action(async (name: string, key: string, _options: unknown, command: Command) => {
      await withKms(command, io, 'existing', async (kms, context) => {
        const keyId = (await kms.describeKey({ KeyId: key })).KeyMetadata.KeyId;
        await kms.updateAlias({ AliasName: name, TargetKeyId: keyId });
        await print(context, `${name} -> ${keyId}\n`);
      });
    });

  alias
    .command('delete')
    .description('delete an alias (the key stays)')
    .argument('<alias>', 'alias name, alias/...')
    .action(async (name: string, _options: unknown, command: Command) => {
      await withKms(command, io, 'existing', async (kms, context) => {
        await kms.deleteAlias({ AliasName: name });
        await print(context, `deleted ${name}\n`);
      });
    });

  alias
    .command('list')
    .description('list aliases (of one key, when given)')
    .argument('[key]', 'key ID or key ARN')
    .option('--json', 'print JSON')
    .action(async (key: string | undefined, options: { json?: boolean }, command: Command) => {
      await withKms(command, io, 'existing', async (kms, context) => {
        const aliases = await allPages(async (marker) => {
          const page = await kms.listAliases({
            ...(key === undefined ? {} : { KeyId: key }),
            ...(marker === undefined ? {} : { Marker: marker }),
          });
          return { items: page.Aliases, next: page.Truncated ? page.NextMarker : undefined };
        });
        const rows = aliases.map((a) => ({ alias: a.AliasName, arn: a.AliasArn, keyId: a.TargetKeyId }));
        if (options.json === true) await printJson(context, rows);
        else
          await print(
            context,
            rows.length === 0 ? 'no aliases\n' : `${rows.map((r) => `${r.alias} -> ${r.keyId}`).join('\n')}\n`,
          );
      });
    });
}
