import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import type { Command } from 'commander';
import { type CliIo, print } from '../cli-context.js';
import { usageError } from '../options/usage-error.js';
import { withKms } from './keys-session.js';

/** AWS KMS caps a key policy at 32 KiB. */
const MAX_POLICY_BYTES = 32 * 1024;

/**
 * Reads a key policy document from a file or stdin (`-`), at most 32 KiB (the AWS KMS
 * cap); the KMS validates the JSON.
 * @throws {InvalidArgumentError} for a larger document. @throws {NodeJS.ErrnoException} for I/O.
 */
export async function readPolicyFile(io: CliIo, path: string): Promise<string> {
  const policy = path === '-' ? await text(io.stdin) : await readFile(path, 'utf8');
  if (Buffer.byteLength(policy) > MAX_POLICY_BYTES)
    throw usageError(`key policy ${path}: over ${MAX_POLICY_BYTES} bytes`);
  return policy;
}

/** `sealflow keys policy get|put`. */
export function registerKeyPolicy(keys: Command, io: CliIo): void {
  const policy = keys
    .command('policy')
    .description('read or replace a key policy (who may use the key, and under which encryption context)');

  policy
    .command('get')
    .description('print the key policy JSON')
    .argument('<key>', 'key ID, key ARN, alias name or alias ARN')
    .action(async (key: string, _options: unknown, command: Command) => {
      await withKms(command, io, 'existing', async (kms, context) => {
        const keyId = (await kms.describeKey({ KeyId: key })).KeyMetadata.KeyId;
        const { Policy } = await kms.getKeyPolicy({ KeyId: keyId });
        let pretty = Policy;
        try {
          pretty = JSON.stringify(JSON.parse(Policy) as unknown, null, 2);
        } catch {
          // Print it as stored.
        }
        await print(context, `${pretty}\n`);
      });
    });

  policy
    .command('put')
    .description('replace the key policy with a JSON document')
    .argument('<key>', 'key ID, key ARN, alias name or alias ARN')
    .argument('<file>', 'policy JSON file, or "-" for stdin')
    .action(async (key: string, file: string, _options: unknown, command: Command) => {
      const document = await readPolicyFile(io, file);
      await withKms(command, io, 'existing', async (kms, context) => {
        const keyId = (await kms.describeKey({ KeyId: key })).KeyMetadata.KeyId;
        await kms.putKeyPolicy({ KeyId: keyId, Policy: document });
        await print(context, `policy of ${key} replaced\n`);
      });
    });
}
