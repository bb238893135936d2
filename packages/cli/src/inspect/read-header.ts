import { DEFAULT_DECRYPT_LIMITS, ErrorCodes, type Engine, type HeaderInfo } from '@sealflow/core';
import type { FileSource } from '../io/file-source.js';

const FIRST_READ = 4096;

/**
 * Parses a message header reading only a prefix of the file: 4 KiB first, doubling
 * while the parser says the header goes on, never past the header cap (1 MiB by
 * default) or the file's end.
 * @throws {SealflowError} `ERR_TRUNCATED` when the file ends inside the header, or what
 * the parser says of malformed bytes.
 */
export async function readHeader(
  engine: Engine,
  source: FileSource,
  maxHeaderBytes: number = DEFAULT_DECRYPT_LIMITS.maxHeaderBytes,
): Promise<HeaderInfo> {
  let length = Math.min(FIRST_READ, source.size);
  for (;;) {
    const prefix = await source.read(0, length);
    try {
      return engine.inspect(prefix);
    } catch (error) {
      const truncated = (error as { code?: unknown }).code === ErrorCodes.TRUNCATED;
      const limit = Math.min(source.size, maxHeaderBytes);
      if (!truncated || length >= limit) throw error;
      length = Math.min(length * 2, limit);
    }
  }
}
