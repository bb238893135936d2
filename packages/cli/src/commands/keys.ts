import type { Command } from 'commander';
import type { MemoryKms } from '@sealflow/keystore-memory';
import { print, printJson, type CliContext, type CliIo } from '../cli-context.js';
import { parseCount } from '../options/parse-size.js';
import { usageError } from '../options/usage-error.js';
import { keyView, renderKey, renderKeyTable, type KeyView } from './key-view.js';
import { registerKeyAlias } from './keys-alias.js';
import { registerKeyAudit } from './keys-audit.js';
import { registerKeyPolicy, readPolicyFile } from './keys-policy.js';
import { aliasesByKey, allPages, withKms } from './keys-session.js';

interface JsonFlag {
  readonly json?: boolean;
}

/**
 * `sealflow keys ...`: key lifecycle on the embedded store (the in-process KMS in its
 * sealed file). Each subcommand is one or a few KMS calls, each audited.
 */
export function registerKeys(program: Command, io: CliIo): void {
  const keys = program.command('keys').description('manage keys in the embedded key store');

  keys
    .command('create')
    .description('create a symmetric AES-256 key (creates the key store on first use)')
    .option('-d, --description <text>', 'a description')
    .option('-a, --alias <name>', 'also create this alias (alias/...)')
    .option('--policy <file>', 'a key policy JSON file ("-" for stdin) instead of the default policy')
    .option('--json', 'print JSON')
    .action(async (options: JsonFlag & { description?: string; alias?: string; policy?: string }, command: Command) => {
      const policy = options.policy === undefined ? undefined : await readPolicyFile(io, options.policy);
      await withKms(command, io, 'create', async (kms, context) => {
        if (options.alias !== undefined) await refuseTakenAlias(kms, options.alias);
        const created = await kms.createKey({
          ...(options.description === undefined ? {} : { Description: options.description }),
          ...(policy === undefined ? {} : { Policy: policy }),
        });
        const keyId = created.KeyMetadata.KeyId;
        if (options.alias !== undefined) await kms.createAlias({ AliasName: options.alias, TargetKeyId: keyId });
        await show(context, kms, keyId, options.json === true);
      });
    });

  keys
    .command('list')
    .description('list the keys, their state and aliases')
    .option('--json', 'print JSON')
    .action(async (options: JsonFlag, command: Command) => {
      await withKms(command, io, 'existing', async (kms, context) => {
        const entries = await allPages(async (marker) => {
          const page = await kms.listKeys(marker === undefined ? {} : { Marker: marker });
          return { items: page.Keys, next: page.Truncated ? page.NextMarker : undefined };
        });
        const aliases = await aliasesByKey(kms);
        const views: KeyView[] = [];
        for (const entry of entries) {
          const { KeyMetadata: meta } = await kms.describeKey({ KeyId: entry.KeyId });
          views.push(keyView(meta, aliases.get(meta.KeyId) ?? []));
        }
        views.sort((a, b) => a.created.localeCompare(b.created) || a.keyId.localeCompare(b.keyId));
        if (options.json === true) await printJson(context, views);
        else await print(context, renderKeyTable(views));
      });
    });

  keys
    .command('describe')
    .description('show one key (ID, ARN, alias name or alias ARN)')
    .argument('<key>', 'key ID, key ARN, alias name or alias ARN')
    .option('--json', 'print JSON')
    .action(async (key: string, options: JsonFlag, command: Command) => {
      await withKms(command, io, 'existing', async (kms, context) => show(context, kms, key, options.json === true));
    });

  for (const [name, verb] of [
    ['enable', 'enableKey'],
    ['disable', 'disableKey'],
    ['cancel-deletion', 'cancelKeyDeletion'],
  ] as const) {
    keys
      .command(name)
      .description(
        name === 'cancel-deletion'
          ? 'cancel a scheduled deletion (the key stays disabled; enable it after)'
          : `${name} a key`,
      )
      .argument('<key>', 'key ID, key ARN, alias name or alias ARN')
      .option('--json', 'print JSON')
      .action(async (key: string, options: JsonFlag, command: Command) => {
        await withKms(command, io, 'existing', async (kms, context) => {
          const keyId = (await kms.describeKey({ KeyId: key })).KeyMetadata.KeyId;
          await kms[verb]({ KeyId: keyId });
          await show(context, kms, keyId, options.json === true);
        });
      });
  }

  keys
    .command('rotate')
    .description(
      'rotate a key now (new material for new data; older ciphertexts still decrypt), or set automatic rotation',
    )
    .argument('<key>', 'key ID, key ARN, alias name or alias ARN')
    .option('--automatic <days>', 'turn on automatic rotation every DAYS days (90 to 2560) instead of rotating now')
    .option('--no-automatic', 'turn off automatic rotation instead of rotating now')
    .option('--json', 'print JSON')
    .action(async (key: string, options: JsonFlag & { automatic?: string | boolean }, command: Command) => {
      const days =
        typeof options.automatic === 'string' ? parseCount(options.automatic, '--automatic', 90, 2560) : undefined;
      await withKms(command, io, 'existing', async (kms, context) => {
        const keyId = (await kms.describeKey({ KeyId: key })).KeyMetadata.KeyId;
        if (days !== undefined) await kms.enableKeyRotation({ KeyId: keyId, RotationPeriodInDays: days });
        else if (options.automatic === false) await kms.disableKeyRotation({ KeyId: keyId });
        else await kms.rotateKeyOnDemand({ KeyId: keyId });
        await show(context, kms, keyId, options.json === true);
      });
    });

  keys
    .command('schedule-deletion')
    .description(
      'schedule a key for deletion after a waiting period (7 to 30 days); until then it cannot be used and the deletion can be cancelled',
    )
    .argument('<key>', 'key ID, key ARN, alias name or alias ARN')
    .option('--days <days>', 'waiting period in days, 7 to 30', '30')
    .option('--json', 'print JSON')
    .action(async (key: string, options: JsonFlag & { days: string }, command: Command) => {
      const days = parseCount(options.days, '--days', 7, 30);
      await withKms(command, io, 'existing', async (kms, context) => {
        const keyId = (await kms.describeKey({ KeyId: key })).KeyMetadata.KeyId;
        await kms.scheduleKeyDeletion({ KeyId: keyId, PendingWindowInDays: days });
        await show(context, kms, keyId, options.json === true);
      });
    });

  registerKeyAlias(keys, io);
  registerKeyPolicy(keys, io);
  registerKeyAudit(keys, io);
}

/** Prints one key (metadata, aliases, rotation status). */
async function show(context: CliContext, kms: MemoryKms, key: string, json: boolean): Promise<void> {
  const { KeyMetadata: meta } = await kms.describeKey({ KeyId: key });
  const aliases = (await aliasesByKey(kms)).get(meta.KeyId) ?? [];
  // Rotation status is not readable for keys pending deletion (as in AWS KMS).
  const rotation =
    meta.KeyState === 'PendingDeletion'
      ? undefined
      : await kms.getKeyRotationStatus({ KeyId: meta.KeyId }).catch(() => undefined);
  const view = keyView(meta, aliases, rotation);
  if (json) await printJson(context, view);
  else await print(context, renderKey(view));
}

async function refuseTakenAlias(kms: MemoryKms, alias: string): Promise<void> {
  const taken = [...(await aliasesByKey(kms)).values()].some((names) => names.includes(alias));
  if (taken)
    throw usageError(
      `--alias: ${alias} already names a key; pick another name or move it with "sealflow keys alias update"`,
    );
}
