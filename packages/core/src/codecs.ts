// @sealflow/core/codecs: the header and EDK codecs, for tools that read or write message
// headers without an engine (inspect, property tests, re-keying). Pure: bytes in, values
// out. `parseHeader` applies no policy; an engine applies its own through `onSuite`.
export { parseHeader, serializeHeaderBody } from './format/header.js';
export type { HeaderBodyFields, HeaderParseOptions, HeaderParseResult, MessageHeader } from './format/header.js';
export { ContentType } from './format/content-type.js';
export { encodeBucketKeyEdk, decodeBucketKeyEdk } from './keys/bucket-key-edk.js';
