import type { Command } from 'commander';
import { CommitmentPolicy, createEngine, type HeaderInfo } from '@sealflow/core';
import { contextOf, type CommandOptions } from './command-context.js';
import { print, printJson, type CliContext, type CliIo } from '../cli-context.js';
import { describeEdk, type EdkDescription } from '../inspect/describe-edk.js';
import { readerSentence } from '../inspect/edk-reader.js';
import { NO_KEY_STORE } from '../inspect/no-key-store.js';
import { readHeader } from '../inspect/read-header.js';
import { FileSource } from '../io/file-source.js';
import { formatBytes } from '../io/human.js';
import { suiteHex, suiteName } from '../options/parse-suite.js';

interface InspectOptions {
  readonly json?: boolean;
}

/** What `inspect --json` prints. */
export interface InspectReport {
  readonly file: string;
  readonly size: number;
  /** Always false: inspect uses no key, so nothing here is verified. */
  readonly authenticated: false;
  readonly version: number;
  readonly suite: {
    readonly id: string;
    readonly name: string;
    readonly signed: boolean;
    readonly committing: boolean;
  };
  readonly messageId: string;
  readonly contentType: 'framed' | 'non-framed';
  readonly frameLength: number;
  readonly headerLength: number;
  readonly context: Readonly<Record<string, string>>;
  readonly encryptedDataKeys: readonly EdkDescription[];
}

/** `sealflow inspect FILE [--json]`. */
export function registerInspect(program: Command, io: CliIo): void {
  program
    .command('inspect')
    .description(
      'show a message header (suite, message ID, frame length, context, encrypted data keys) without any key',
    )
    .argument('<file>', 'an encrypted file')
    .option('--json', 'print JSON')
    .action(async (file: string, options: CommandOptions<InspectOptions>, command: Command) => {
      await runInspect(contextOf(command, io), file, options);
    });
}

async function runInspect(context: CliContext, file: string, options: InspectOptions): Promise<void> {
  const source = await FileSource.open(file);
  let header: HeaderInfo;
  try {
    // ALLOW_DECRYPT: inspect shows legacy (v1, non-committing) headers too.
    const engine = createEngine({
      keyStore: NO_KEY_STORE,
      commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT,
    });
    header = await readHeader(engine, source);
    await engine.close();
  } finally {
    await source.close();
  }
  const report: InspectReport = {
    file,
    size: source.size,
    authenticated: false,
    version: header.version,
    suite: {
      id: suiteHex(header.suiteId),
      name: suiteName(header.suiteId),
      signed: header.signed,
      committing: header.committing,
    },
    messageId: header.messageId,
    contentType: header.contentType,
    frameLength: header.frameLength,
    headerLength: header.headerLength,
    context: header.context,
    encryptedDataKeys: header.encryptedDataKeys.map(describeEdk),
  };
  if (options.json === true) return printJson(context, report);
  await print(context, renderText(report));
}

function renderText(r: InspectReport): string {
  const lines = [
    `file          ${r.file} (${formatBytes(r.size)})`,
    `message ID    ${r.messageId}`,
    `suite         ${r.suite.id} (${r.suite.name})`,
    `format        version ${r.version}, ${r.contentType}${r.contentType === 'framed' ? `, frame length ${r.frameLength} bytes` : ''}`,
    `header        ${r.headerLength} bytes, not authenticated (inspect uses no key)`,
    `context       ${Object.keys(r.context).length === 0 ? '(empty)' : ''}`.trimEnd(),
  ];
  for (const [key, value] of Object.entries(r.context)) lines.push(`  ${key} = ${value}`);
  lines.push(`encrypted data keys (${r.encryptedDataKeys.length})`);
  r.encryptedDataKeys.forEach((edk, i) => {
    lines.push(`  ${i + 1}. ${edk.providerId}  ${edk.key}${edk.kind === 'raw-aes' ? '  (raw AES key name)' : ''}`);
    if (edk.bucketContext !== undefined) {
      lines.push(
        `     bucket key (layout ${edk.bucketKey?.layout ?? '?'}), KMS context ${Object.entries(edk.bucketContext)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')}`,
      );
    }
    lines.push(`     read by: ${readerSentence(edk.reader, edk.providerId, edk.key)}`);
  });
  return `${lines.join('\n')}\n`;
}
