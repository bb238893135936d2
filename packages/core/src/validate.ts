// @sealflow/core/validate: the boundary checks every sealflow package uses on its options
// (STYLE.md 6): options are read by own properties, unknown keys are refused, and every
// message names the field, what was expected and what arrived. Failures are
// InvalidArgumentError (ERR_INVALID_ARGUMENT).
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
