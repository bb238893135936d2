// @sealflow/core/internal: building blocks for sibling packages (@sealflow/parallel) and
// for tests. Not part of the stable API: names here may change between minor versions.
export { FrameEncryptor } from './engine/frame-encryptor.js';
export type { FrameEncryptorInit } from './engine/frame-encryptor.js';
export { BodyDecryptor } from './engine/body-decryptor.js';
export type { BodyDecryptorInit } from './engine/body-decryptor.js';
export { deriveMessageKeys } from './crypto/key-derivation.js';
export { parseHeader, serializeHeaderBody, ContentType } from './format/header.js';
export type { HeaderBodyFields, MessageHeader } from './format/header.js';
export {
  bodyAad,
  BodyKind,
  frameIv,
  framedBodyLength,
  framedPlaintextLength,
  FINAL_FRAME_MARKER,
  FINAL_FRAME_OVERHEAD,
  REGULAR_FRAME_OVERHEAD,
} from './format/frame.js';
export { getSuite, TAG_LENGTH } from './format/suites.js';
export type { AlgorithmSuite } from './format/suites.js';
export { FIXED_MATERIALS } from './create-engine.js';
export type { FixedMaterials } from './engine/engine-core.js';
export { encodeBucketKeyEdk, decodeBucketKeyEdk } from './keys/bucket-key-edk.js';
export { concatBytes, joinInto, toHex, readUint32, writeUint32 } from './format/bytes.js';
export { authenticationFailed } from './errors.js';
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
} from './assert.js';
export { publishKeyStoreCall, timeKeyStoreCall } from './keys/key-store-call.js';
export type { KeyStoreCall } from './keys/key-store-call.js';
