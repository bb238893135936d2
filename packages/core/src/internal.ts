// @sealflow/core/internal: DEPRECATED alias kept while packages move to the named subpaths
// (/frames, /codecs, /validate, /keystore-kit); it will be removed. The one name found only
// here, FIXED_MATERIALS, is a test hook (reproducible output for tests and the bench).
export {
  FrameEncryptor,
  BodyDecryptor,
  deriveMessageKeys,
  bodyAad,
  BodyKind,
  frameIv,
  framedBodyLength,
  framedPlaintextLength,
  FINAL_FRAME_MARKER,
  FINAL_FRAME_OVERHEAD,
  REGULAR_FRAME_OVERHEAD,
  getSuite,
  TAG_LENGTH,
  concatBytes,
  joinInto,
  toHex,
  readUint32,
  writeUint32,
  authenticationFailed,
} from './frames.js';
export type { FrameEncryptorInit, BodyDecryptorInit, AlgorithmSuite } from './frames.js';
export { parseHeader, serializeHeaderBody, ContentType, encodeBucketKeyEdk, decodeBucketKeyEdk } from './codecs.js';
export type { HeaderBodyFields, MessageHeader } from './codecs.js';
export {
  assertBytes,
  assertContext,
  assertFunction,
  assertInteger,
  assertPattern,
  assertPlainObject,
  assertString,
  describe,
  invalid,
  invalidArgument,
  OptionReader,
  readOptions,
} from './validate.js';
export { publishKeyStoreCall, timeKeyStoreCall } from './keystore-kit.js';
export type { KeyStoreCall } from './keystore-kit.js';
export { FIXED_MATERIALS } from './create-engine.js';
export type { FixedMaterials } from './engine/engine-core.js';
