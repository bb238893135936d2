// @sealflow/core/frames: the frame layer, for packages that seal or open a message's frames
// somewhere else than the engine's own loop (@sealflow/parallel's worker pool, the native
// sealer, the bench's raw baseline). The frame layout (IVs, AADs, offsets, frame counts),
// the encryptor and body decryptor over it, and what they need. Semver-minor may add names;
// a rename is a breaking change of this subpath.
export { FrameEncryptor } from './engine/frame-encryptor.js';
export type { FrameEncryptorInit } from './engine/frame-encryptor.js';
export { BodyDecryptor } from './engine/body-decryptor.js';
export type { BodyDecryptorInit } from './engine/body-decryptor.js';
export {
  bodyAad,
  BodyKind,
  checkFrameSequence,
  FinalFrame,
  FrameAad,
  frameIv,
  framedBodyLength,
  framedPlaintextLength,
  FINAL_FRAME_MARKER,
  FINAL_FRAME_OVERHEAD,
  isFinalFrame,
  openFinalFrame,
  openRegularFrame,
  RegularFrame,
  REGULAR_FRAME_OVERHEAD,
  regularFrameCount,
  sealRegularFrame,
  writeFinalFramePrefix,
  writeFrameIv,
  writeRegularFramePrefix,
} from './format/frame.js';
export type { FrameCipher, SealedFrame } from './format/frame.js';
export { backendFrameCipher } from './crypto/frame-cipher.js';
export { ContentType } from './format/content-type.js';
export { getSuite, TAG_LENGTH } from './format/suites.js';
export type { AlgorithmSuite } from './format/suites.js';
export { deriveMessageKeys } from './crypto/key-derivation.js';
export { authenticationFailed } from './errors.js';
export { concatBytes, joinInto, toHex, readUint32, writeUint32 } from './format/bytes.js';
