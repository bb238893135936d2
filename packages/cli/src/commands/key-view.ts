import type { GetKeyRotationStatusResponse, KeyMetadata } from '@sealflow/keystore-memory';

/** A key as `keys describe --json` and `keys list --json` print it. */
export interface KeyView {
  readonly keyId: string;
  readonly arn: string;
  readonly state: string;
  readonly enabled: boolean;
  readonly manager: string;
  readonly description: string;
  readonly created: string;
  readonly aliases: readonly string[];
  readonly deletionDate?: string;
  readonly rotation?: { readonly automatic: boolean; readonly periodDays?: number; readonly nextRotation?: string };
}

/** The view of a key's metadata, its aliases and (when known) its rotation status. */
export function keyView(
  meta: KeyMetadata,
  aliases: readonly string[],
  rotation?: GetKeyRotationStatusResponse,
): KeyView {
  return {
    keyId: meta.KeyId,
    arn: meta.Arn,
    state: meta.KeyState,
    enabled: meta.Enabled,
    manager: meta.KeyManager,
    description: meta.Description,
    created: meta.CreationDate.toISOString(),
    aliases: [...aliases].sort(),
    ...(meta.DeletionDate === undefined ? {} : { deletionDate: meta.DeletionDate.toISOString() }),
    ...(rotation === undefined
      ? {}
      : {
          rotation: {
            automatic: rotation.KeyRotationEnabled,
            ...(rotation.RotationPeriodInDays === undefined ? {} : { periodDays: rotation.RotationPeriodInDays }),
            ...(rotation.NextRotationDate === undefined
              ? {}
              : { nextRotation: rotation.NextRotationDate.toISOString() }),
          },
        }),
  };
}

/** Readable lines for one key. */
export function renderKey(view: KeyView): string {
  const lines = [
    `key ID        ${view.keyId}`,
    `ARN           ${view.arn}`,
    `state         ${view.state}${view.deletionDate === undefined ? '' : ` (deleted on ${view.deletionDate})`}`,
    `managed by    ${view.manager === 'AWS' ? 'AWS (S3 default key)' : 'customer'}`,
    `aliases       ${view.aliases.length === 0 ? '(none)' : view.aliases.join(', ')}`,
    `description   ${view.description === '' ? '(none)' : view.description}`,
    `created       ${view.created}`,
  ];
  if (view.rotation !== undefined) {
    const r = view.rotation;
    lines.push(
      `rotation      ${r.automatic ? `automatic every ${r.periodDays ?? 365} days${r.nextRotation === undefined ? '' : `, next ${r.nextRotation}`}` : 'on demand only'}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** A table of keys, one per line. */
export function renderKeyTable(views: readonly KeyView[]): string {
  if (views.length === 0) return 'no keys yet: create one with "sealflow keys create"\n';
  const rows = [
    ['KEY ID', 'STATE', 'ALIASES', 'DESCRIPTION'],
    ...views.map((v) => [v.keyId, v.state, v.aliases.join(',') || '-', v.description || '-']),
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => (r[i] as string).length)));
  return `${rows
    .map((r) =>
      r
        .map((cell, i) => (i < 3 ? cell.padEnd(widths[i] as number) : cell))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}
