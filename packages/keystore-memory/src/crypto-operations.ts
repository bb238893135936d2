import { randomFillSync } from 'node:crypto';
import { invalidCiphertext, MAX_BLOB_LENGTH, openBlob, readBlobHeader, sealBlob } from './ciphertext-blob.js';
import {
  DryRunOperationException,
  IncorrectKeyException,
  UnsupportedOperationException,
  ValidationException,
} from './exceptions.js';
import type { KeyMaterial, KeyRecord } from './key-registry.js';
import type { OperationContext } from './kms-state.js';
import { RequestReader } from './request-reader.js';
import type {
  DecryptResponse,
  EncryptResponse,
  GenerateDataKeyResponse,
  GenerateDataKeyWithoutPlaintextResponse,
  ReEncryptResponse,
} from './types.js';

/**
 * The cryptographic operations. Each follows the same order: read and check the request,
 * resolve the key (region and account first), authorize against the key policy with the
 * encryption context, check the key state, honour `DryRun`, and only then touch key
 * material. Responses carry fresh buffers the caller owns.
 */

type Result<T> = Omit<T, '$metadata'>;

/** spec: KMS Encrypt, Plaintext is 1 to 4096 bytes. */
const MAX_PLAINTEXT = 4096;
const DATA_KEY_SPECS: Readonly<Record<string, number>> = { AES_256: 32, AES_128: 16 };

function refuseRecipient(request: RequestReader, op: string): void {
  if (request.has('Recipient')) {
    throw new UnsupportedOperationException(
      `${op}: Recipient (Nitro Enclaves attestation) is not supported by MemoryKms`,
    );
  }
}

function dryRun(request: RequestReader): void {
  if (request.boolean('DryRun') === true) {
    throw new DryRunOperationException('The request would have succeeded, but the DryRun flag is set.');
  }
}

function current(record: KeyRecord): { material: KeyMaterial; version: number } {
  const version = record.materials.length - 1;
  return { material: record.materials[version] as KeyMaterial, version };
}

function generate(ctx: OperationContext, input: unknown, withPlaintext: boolean): Result<GenerateDataKeyResponse> {
  const op = withPlaintext ? 'GenerateDataKey' : 'GenerateDataKeyWithoutPlaintext';
  const request = new RequestReader(op, input, [
    'KeyId',
    'EncryptionContext',
    'NumberOfBytes',
    'KeySpec',
    'GrantTokens',
    'DryRun',
    'Recipient',
  ]);
  const keyId = request.string('KeyId', { required: true });
  const context = request.context('EncryptionContext');
  const numberOfBytes = request.integer('NumberOfBytes', 1, 1024);
  const keySpec = request.string('KeySpec', { max: 32 });
  ctx.draft.parameters({
    keyId,
    encryptionContext: context,
    ...(numberOfBytes === undefined ? {} : { numberOfBytes }),
    ...(keySpec === undefined ? {} : { keySpec }),
  });
  request.grantTokens();
  refuseRecipient(request, op);
  if ((numberOfBytes === undefined) === (keySpec === undefined)) {
    throw new ValidationException(`${op}: pass exactly one of NumberOfBytes and KeySpec`);
  }
  if (keySpec !== undefined && !Object.hasOwn(DATA_KEY_SPECS, keySpec)) {
    throw new ValidationException(`${op}: KeySpec: expected AES_256 or AES_128, got "${keySpec}"`);
  }
  const length = numberOfBytes ?? (DATA_KEY_SPECS[keySpec as string] as number);
  const record = ctx.state.resolve(keyId, ctx.caller, { allowAlias: true, field: 'KeyId' }, ctx.draft);
  ctx.state.authorize(record, ctx.caller, `kms:${op}`, context);
  ctx.state.assertUsable(record);
  dryRun(request);
  const { material, version } = current(record);
  const plaintext = randomFillSync(new Uint8Array(length));
  const blob = sealBlob(material.bytes, { keyId: record.keyId, materialVersion: version }, plaintext, context);
  if (!withPlaintext) plaintext.fill(0);
  return { KeyId: record.arn, Plaintext: plaintext, CiphertextBlob: blob, KeyMaterialId: material.id };
}

/** GenerateDataKey: a random data key, in clear and sealed under the key. */
export function generateDataKey(ctx: OperationContext, input: unknown): Result<GenerateDataKeyResponse> {
  return generate(ctx, input, true);
}

/** GenerateDataKeyWithoutPlaintext: only the sealed data key (the clear one is wiped). */
export function generateDataKeyWithoutPlaintext(
  ctx: OperationContext,
  input: unknown,
): Result<GenerateDataKeyWithoutPlaintextResponse> {
  const { KeyId, CiphertextBlob, KeyMaterialId } = generate(ctx, input, false);
  return { KeyId, CiphertextBlob, KeyMaterialId };
}

/** Encrypt: seals up to 4096 bytes under the key's current material. */
export function encrypt(ctx: OperationContext, input: unknown): Result<EncryptResponse> {
  const request = new RequestReader('Encrypt', input, [
    'KeyId',
    'Plaintext',
    'EncryptionContext',
    'GrantTokens',
    'EncryptionAlgorithm',
    'DryRun',
  ]);
  const keyId = request.string('KeyId', { required: true });
  const context = request.context('EncryptionContext');
  ctx.draft.parameters({ keyId, encryptionContext: context, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
  const plaintext = request.bytes('Plaintext', 1, MAX_PLAINTEXT);
  request.grantTokens();
  request.symmetricAlgorithm('EncryptionAlgorithm');
  const record = ctx.state.resolve(keyId, ctx.caller, { allowAlias: true, field: 'KeyId' }, ctx.draft);
  ctx.state.authorize(record, ctx.caller, 'kms:Encrypt', context);
  ctx.state.assertUsable(record);
  dryRun(request);
  const { material, version } = current(record);
  return {
    KeyId: record.arn,
    CiphertextBlob: sealBlob(material.bytes, { keyId: record.keyId, materialVersion: version }, plaintext, context),
    EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
  };
}

interface Opened {
  readonly record: KeyRecord;
  readonly material: KeyMaterial;
}

/**
 * The key and material a blob names, checked against a named key, the policy and the
 * key state. A blob naming no key here, or a material version the key does not have,
 * is an invalid ciphertext (the same answer as any other altered byte).
 */
function openSource(
  ctx: OperationContext,
  blob: Uint8Array,
  named: string | undefined,
  field: string,
  action: string,
  context: Record<string, string>,
): Opened {
  const header = readBlobHeader(blob);
  const record = ctx.state.registry.get(header.keyId);
  if (record === undefined) throw invalidCiphertext();
  if (named !== undefined) {
    const wanted = ctx.state.resolve(named, ctx.caller, { allowAlias: true, field }, ctx.draft);
    if (wanted.keyId !== record.keyId)
      throw new IncorrectKeyException(`the ciphertext was not encrypted under ${field} ${named}`);
  }
  ctx.draft.resource(record);
  ctx.state.authorize(record, ctx.caller, action, context);
  ctx.state.assertUsable(record);
  const material = record.materials[header.materialVersion];
  if (material === undefined) throw invalidCiphertext();
  return { record, material };
}

/** Decrypt: opens a blob; `KeyId` is optional (the blob names its key) but checked when given. */
export function decrypt(ctx: OperationContext, input: unknown): Result<DecryptResponse> {
  const request = new RequestReader('Decrypt', input, [
    'CiphertextBlob',
    'KeyId',
    'EncryptionContext',
    'GrantTokens',
    'EncryptionAlgorithm',
    'DryRun',
    'DryRunModifiers',
    'Recipient',
  ]);
  const keyId = request.string('KeyId');
  const context = request.context('EncryptionContext');
  ctx.draft.parameters({
    ...(keyId === undefined ? {} : { keyId }),
    encryptionContext: context,
    encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
  });
  const blob = request.bytes('CiphertextBlob', 1, MAX_BLOB_LENGTH);
  request.grantTokens();
  request.symmetricAlgorithm('EncryptionAlgorithm');
  refuseRecipient(request, 'Decrypt');
  const { record, material } = openSource(ctx, blob, keyId, 'KeyId', 'kms:Decrypt', context);
  dryRun(request);
  return {
    KeyId: record.arn,
    Plaintext: openBlob(material.bytes, blob, context),
    EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    KeyMaterialId: material.id,
  };
}

/** ReEncrypt: opens under the source key and context, seals under the destination's; the clear data never leaves. */
export function reEncrypt(ctx: OperationContext, input: unknown): Result<ReEncryptResponse> {
  const request = new RequestReader('ReEncrypt', input, [
    'CiphertextBlob',
    'SourceEncryptionContext',
    'SourceKeyId',
    'DestinationKeyId',
    'DestinationEncryptionContext',
    'SourceEncryptionAlgorithm',
    'DestinationEncryptionAlgorithm',
    'GrantTokens',
    'DryRun',
    'DryRunModifiers',
  ]);
  const sourceKeyId = request.string('SourceKeyId');
  const destinationKeyId = request.string('DestinationKeyId', { required: true });
  const sourceContext = request.context('SourceEncryptionContext');
  const destinationContext = request.context('DestinationEncryptionContext');
  ctx.draft.parameters({
    ...(sourceKeyId === undefined ? {} : { sourceKeyId }),
    destinationKeyId,
    sourceEncryptionContext: sourceContext,
    destinationEncryptionContext: destinationContext,
  });
  const blob = request.bytes('CiphertextBlob', 1, MAX_BLOB_LENGTH);
  request.grantTokens();
  request.symmetricAlgorithm('SourceEncryptionAlgorithm');
  request.symmetricAlgorithm('DestinationEncryptionAlgorithm');
  const source = openSource(ctx, blob, sourceKeyId, 'SourceKeyId', 'kms:ReEncryptFrom', sourceContext);
  const destination = ctx.state.resolve(
    destinationKeyId,
    ctx.caller,
    { allowAlias: true, field: 'DestinationKeyId' },
    ctx.draft,
  );
  ctx.state.authorize(destination, ctx.caller, 'kms:ReEncryptTo', destinationContext);
  ctx.state.assertUsable(destination);
  dryRun(request);
  const plaintext = openBlob(source.material.bytes, blob, sourceContext);
  try {
    const { material, version } = current(destination);
    return {
      CiphertextBlob: sealBlob(
        material.bytes,
        { keyId: destination.keyId, materialVersion: version },
        plaintext,
        destinationContext,
      ),
      SourceKeyId: source.record.arn,
      KeyId: destination.arn,
      SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      SourceKeyMaterialId: source.material.id,
      DestinationKeyMaterialId: material.id,
    };
  } finally {
    plaintext.fill(0);
  }
}
