import { s3Error } from '@sealflow/s3';
import { GatewayLimits } from './limits.js';

/**
 * Reads a small request document whole (XML configurations, policies, DeleteObjects and
 * CompleteMultipartUpload lists), refusing it as soon as it passes `max` bytes, so a
 * hostile body never costs more memory than the cap.
 * @throws {S3Error} (rejects) 400 `MaxMessageLengthExceeded` over the cap.
 */
export async function readControlBody(
  body: AsyncIterable<Uint8Array>,
  max: number = GatewayLimits.maxControlBodyBytes,
): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.length;
    if (total > max)
      throw s3Error('MaxMessageLengthExceeded', `Your request was too large: the limit is ${max} bytes.`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}
