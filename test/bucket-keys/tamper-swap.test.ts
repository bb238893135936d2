// Layout 2 under tampering: swapping the wrapped data key, the bucket-key blob or the
// object context between two bucket-key messages fails, in sealflow (a typed error, no
// plaintext) and in a stock ESDK holding the right bucket key (it rejects).
import { randomBytes } from 'node:crypto';
import {
  buildClient,
  CommitmentPolicy,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
} from '@aws-crypto/client-node';
import { describe, expect, it } from 'vitest';
import {
  BUCKET_DATA_KEY_NAMESPACE,
  BUCKET_KEY_PROVIDER_ID,
  bucketKeyName,
  createEngine,
  DEFAULT_DECRYPT_LIMITS,
  decodeBucketKeyEdk,
  ErrorCodes,
  nodeBackend,
  RawAesKeyStore,
  SealflowError,
  serializeEncryptionContext,
  type EncryptedDataKey,
} from '@sealflow/core';
import { parseHeader, serializeHeaderBody, type MessageHeader } from '@sealflow/core/codecs';
import { concatBytes } from '@sealflow/core/frames';

const esdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
const store = new RawAesKeyStore({ namespace: 'sealflow-tests', name: 'kek', key: new Uint8Array(randomBytes(32)) });
const writer = createEngine({ keyStore: store, bucketKeys: { maxAgeMs: 60_000 } });
const reader = (): ReturnType<typeof createEngine> => createEngine({ keyStore: store });

const header = (bytes: Uint8Array): MessageHeader => {
  const parsed = parseHeader(bytes, { limits: DEFAULT_DECRYPT_LIMITS });
  if ('need' in parsed) throw new Error('truncated header');
  return parsed.header;
};

/** `message` with its header body rebuilt from `changes` (tag and body kept as they were). */
function rebuilt(
  message: Uint8Array,
  changes: { context?: Record<string, string>; encryptedDataKeys?: readonly EncryptedDataKey[] },
): Uint8Array {
  const h = header(message);
  const body = serializeHeaderBody({
    suite: h.suite,
    messageId: h.messageId,
    contextBytes: serializeEncryptionContext(changes.context ?? h.context),
    encryptedDataKeys: changes.encryptedDataKeys ?? h.encryptedDataKeys,
    frameLength: h.frameLength,
    commitment: h.commitment as Uint8Array,
  });
  return concatBytes([body, h.headerTag, message.subarray(h.length)]);
}

const edkOf = (message: Uint8Array, providerId: string): EncryptedDataKey =>
  header(message).encryptedDataKeys.find((e) => e.providerId === providerId) as EncryptedDataKey;

/** client-node's raw AES keyring over the bucket key of `message` (unwrapped with the store, as a reader would with KMS). */
async function keyringFor(message: Uint8Array): Promise<RawAesKeyringNode> {
  const blob = decodeBucketKeyEdk(edkOf(message, BUCKET_KEY_PROVIDER_ID));
  const key = (await store.unwrapDataKey(blob.inner, { context: blob.bucketContext, length: 32 })).reveal();
  return new RawAesKeyringNode({
    keyNamespace: BUCKET_DATA_KEY_NAMESPACE,
    keyName: bucketKeyName(nodeBackend, key),
    unencryptedMasterKey: new Uint8Array(key),
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
    utf8Sorting: true,
  });
}

/** Both readers refuse `forged`: sealflow with a typed error whose code is in `codes`, the ESDK with any error; neither returns plaintext. */
async function bothRefuse(forged: Uint8Array, keyring: RawAesKeyringNode, codes: string[]): Promise<void> {
  const ours = await reader()
    .decrypt(forged)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(ours).toBeInstanceOf(SealflowError);
  expect(codes).toContain((ours as SealflowError).code);
  const theirs = await esdk.decrypt(keyring, forged).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(theirs).toBeInstanceOf(Error);
}

const plaintext = new TextEncoder().encode('object body');
const contextA = { 'aws:s3:arn': 'arn:aws:s3:::bucket/a' };
const contextB = { 'aws:s3:arn': 'arn:aws:s3:::bucket/b' };
const refused = [ErrorCodes.NO_DECRYPTABLE_KEY, ErrorCodes.AUTHENTICATION_FAILED, ErrorCodes.COMMITMENT_MISMATCH];

describe('swapping parts of two layout-2 bucket-key messages', () => {
  it('the untouched messages open in both readers (so each refusal below is the swap)', async () => {
    const a = await writer.encrypt(plaintext, { context: contextA, bucketKey: true });
    expect((await reader().decrypt(a)).plaintext).toEqual(plaintext);
    expect(new Uint8Array((await esdk.decrypt(await keyringFor(a), a)).plaintext)).toEqual(plaintext);
    // Rebuilding the header with nothing changed gives the same bytes.
    expect(rebuilt(a, {})).toEqual(a);
  });

  it.each([
    ['different', contextB],
    ['the same', contextA],
  ])(
    'the wrapped data key of another message under the same bucket key (%s context) fails',
    async (_, otherContext) => {
      const a = await writer.encrypt(plaintext, { context: contextA, bucketKey: true });
      const b = await writer.encrypt(plaintext, { context: otherContext, bucketKey: true });
      const blobs = (m: Uint8Array): string => Buffer.from(edkOf(m, BUCKET_KEY_PROVIDER_ID).ciphertext).toString('hex');
      expect(blobs(a)).toBe(blobs(b));
      const forged = rebuilt(a, {
        encryptedDataKeys: [edkOf(b, BUCKET_DATA_KEY_NAMESPACE), edkOf(a, BUCKET_KEY_PROVIDER_ID)],
      });
      await bothRefuse(forged, await keyringFor(a), refused);
    },
  );

  it('the bucket-key blob of a message under another bucket key fails', async () => {
    const a = await writer.encrypt(plaintext, { context: contextA, bucketKey: true });
    const b = await writer.encrypt(plaintext, { context: { 'aws:s3:arn': 'arn:aws:s3:::other/b' }, bucketKey: true });
    const forged = rebuilt(a, {
      encryptedDataKeys: [edkOf(a, BUCKET_DATA_KEY_NAMESPACE), edkOf(b, BUCKET_KEY_PROVIDER_ID)],
    });
    // The other blob still unwraps (to the other bucket key), but a's data key is not under it.
    await bothRefuse(forged, await keyringFor(a), refused);
  });

  it('the object context of another message fails', async () => {
    const a = await writer.encrypt(plaintext, { context: contextA, bucketKey: true });
    const forged = rebuilt(a, { context: contextB });
    await bothRefuse(forged, await keyringFor(a), refused);
  });
});
