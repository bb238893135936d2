import { copyBytes, toHex } from '../format/bytes.js';
import { ContentType, type MessageHeader } from '../format/header.js';
import type { EncryptedDataKey } from '../keys/key-store.js';

/** A readable view of a message header. */
export interface HeaderInfo {
  readonly version: 1 | 2;
  /** Algorithm suite ID, e.g. 0x0478. */
  readonly suiteId: number;
  /** Message ID, lowercase hex. */
  readonly messageId: string;
  /** The context stored in the header. From `inspect()` it is NOT authenticated. */
  readonly context: Readonly<Record<string, string>>;
  readonly encryptedDataKeys: readonly EncryptedDataKey[];
  readonly contentType: 'framed' | 'non-framed';
  /** Frame length in bytes (0 for non-framed messages). */
  readonly frameLength: number;
  /** Header length in bytes, including the header auth section. */
  readonly headerLength: number;
  readonly signed: boolean;
  readonly committing: boolean;
}

export function headerInfo(header: MessageHeader): HeaderInfo {
  return Object.freeze({
    version: header.version,
    suiteId: header.suite.id,
    messageId: toHex(header.messageId),
    context: Object.freeze({ ...header.context }),
    encryptedDataKeys: Object.freeze(
      header.encryptedDataKeys.map((edk) =>
        Object.freeze({
          providerId: edk.providerId,
          providerInfo: copyBytes(edk.providerInfo),
          ciphertext: copyBytes(edk.ciphertext),
        }),
      ),
    ),
    contentType: header.contentType === ContentType.FRAMED ? 'framed' : 'non-framed',
    frameLength: header.frameLength,
    headerLength: header.length,
    signed: header.suite.signature !== undefined,
    committing: header.suite.committing,
  });
}
