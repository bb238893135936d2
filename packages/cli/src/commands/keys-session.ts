import type { Command } from 'commander';
import type { MemoryKms } from '@sealflow/keystore-memory';
import type { CliContext, CliIo } from '../cli-context.js';
import { openLocalKms, type OpenMode } from '../keystore/local-kms.js';
import { contextOf } from './command-context.js';

/**
 * Runs `work` against the embedded store (opened, unlocked, and closed after: the KMS
 * saves each change atomically as it happens and flushes its audit trail on close).
 * @throws {KeyStoreError} (rejects) when the store cannot be opened, or what `work` throws.
 */
export async function withKms<T>(
  command: Command,
  io: CliIo,
  mode: OpenMode,
  work: (kms: MemoryKms, context: CliContext) => Promise<T>,
): Promise<T> {
  const context = contextOf(command, io);
  const kms = await openLocalKms(context, mode);
  try {
    return await work(kms, context);
  } finally {
    await kms.close();
  }
}

/**
 * Every page of a paginated KMS list call.
 * @throws what `fetch` throws (a `KmsException`).
 */
export async function allPages<T>(
  fetch: (marker: string | undefined) => Promise<{ readonly items: readonly T[]; readonly next: string | undefined }>,
): Promise<T[]> {
  const out: T[] = [];
  let marker: string | undefined;
  // A bound on pages: a well-behaved KMS ends long before; a broken one cannot spin us forever.
  for (let page = 0; page < 10_000; page++) {
    const { items, next } = await fetch(marker);
    out.push(...items);
    if (next === undefined) break;
    marker = next;
  }
  return out;
}

/**
 * Every alias of the store, by target key ID.
 * @throws {KeyStoreError} (rejects) when ListAliases fails.
 */
export async function aliasesByKey(kms: MemoryKms): Promise<Map<string, string[]>> {
  const aliases = await allPages(async (marker) => {
    const page = await kms.listAliases(marker === undefined ? {} : { Marker: marker });
    return { items: page.Aliases, next: page.Truncated ? page.NextMarker : undefined };
  });
  const byKey = new Map<string, string[]>();
  for (const alias of aliases) byKey.set(alias.TargetKeyId, [...(byKey.get(alias.TargetKeyId) ?? []), alias.AliasName]);
  return byKey;
}
