import { createHash } from 'node:crypto';
import { authError, SIGNATURE_MISMATCH } from '../auth/auth-error.js';
import { sameSignature } from '../auth/sigv4-signer.js';
import type { ChecksumFactory, ChecksumHasher } from '../auth/checksums.js';
import { AwsChunkedDecoder } from './chunked-decoder.js';

/** Signs the links of an aws-chunked signature chain (implemented by the SigV4 signer). */
export interface ChunkChainSigner {
  chunkSignature(previous: string, chunkSha256Hex: string): Promise<string>;
  trailerSignature(previous: string, trailerSha256Hex: string): Promise<string>;
}

/** What to verify while decoding an aws-chunked body. */
export interface ChunkedBodyOptions {
  readonly decodedLength: number;
  /** Signed modes: the signer and the seed (request) signature the chain starts from. */
  readonly signing: { readonly signer: ChunkChainSigner; readonly seedSignature: string } | undefined;
  /** Lower-case names announced in `x-amz-trailer` (empty: no trailer section). */
  readonly trailerNames: readonly string[];
  /** Builds hashers for `x-amz-checksum-*` trailers; an unknown algorithm is left to the caller. */
  readonly checksums: ChecksumFactory;
  readonly maxChunkSize?: number;
}

/**
 * Decodes an aws-chunked body, verifying every chunk signature in the chain, the
 * trailer signature and any `x-amz-checksum-*` trailer it can compute. Data is
 * yielded as it arrives (memory stays at one input piece), but the iterator only
 * reports completion after every check passed: a consumer that commits on
 * completion never commits a body that fails. `onTrailers` runs just before that.
 *
 * @throws S3Error SignatureDoesNotMatch (a chunk or trailer signature), BadDigest (a
 * trailing checksum), InvalidRequest (framing), IncompleteBody (length or truncation).
 */
export async function* decodeChunkedBody(
  source: AsyncIterable<Uint8Array>,
  options: ChunkedBodyOptions,
  onTrailers: (trailers: Readonly<Record<string, string>>) => void,
): AsyncGenerator<Uint8Array, void, undefined> {
  const signed = options.signing !== undefined;
  const decoder = new AwsChunkedDecoder({
    signed,
    decodedLength: options.decodedLength,
    trailer: options.trailerNames.length > 0,
    ...(options.maxChunkSize === undefined ? {} : { maxChunkSize: options.maxChunkSize }),
  });
  let previous = options.signing?.seedSignature ?? '';
  let chunkHash = signed ? createHash('sha256') : undefined;
  const hashers = new Map<string, ChecksumHasher>();
  for (const name of options.trailerNames) {
    if (!name.startsWith('x-amz-checksum-')) continue;
    const hasher = options.checksums(name.slice('x-amz-checksum-'.length));
    if (hasher !== undefined) hashers.set(name, hasher);
  }
  const trailers: Record<string, string> = Object.create(null) as Record<string, string>;
  let trailerSignature: string | undefined;
  let ended = false;

  for await (const piece of source) {
    for (const event of decoder.push(piece)) {
      switch (event.type) {
        case 'data':
          chunkHash?.update(event.bytes);
          for (const hasher of hashers.values()) hasher.update(event.bytes);
          yield event.bytes;
          break;
        case 'chunk-end':
          if (options.signing !== undefined && chunkHash !== undefined) {
            const expected = await options.signing.signer.chunkSignature(previous, chunkHash.digest('hex'));
            if (event.signature === undefined || !sameSignature(expected, event.signature))
              throw authError('SignatureDoesNotMatch', SIGNATURE_MISMATCH);
            previous = expected;
            chunkHash = createHash('sha256');
          }
          break;
        case 'trailer':
          if (signed && event.name === 'x-amz-trailer-signature') {
            if (trailerSignature !== undefined)
              throw authError('InvalidRequest', 'Invalid aws-chunked body: the trailer signature is repeated.');
            trailerSignature = event.value;
          } else if (
            !options.trailerNames.includes(event.name) ||
            event.name in trailers ||
            trailerSignature !== undefined
          ) {
            throw authError(
              'InvalidRequest',
              'Invalid aws-chunked body: a trailing header was not announced in x-amz-trailer, or is repeated.',
            );
          } else {
            trailers[event.name] = event.value;
          }
          break;
        case 'end':
          ended = true;
          break;
      }
    }
  }
  decoder.finish();
  if (!ended) throw authError('IncompleteBody', 'The request body terminated unexpectedly.');
  for (const name of options.trailerNames) {
    if (!(name in trailers))
      throw authError('InvalidRequest', `The trailing header ${name} announced in x-amz-trailer is missing.`);
  }
  if (options.signing !== undefined && options.trailerNames.length > 0) {
    // spec: sigv4-streaming-trailers: the trailer chunk signs "name:value\n" per header.
    const canonical = Object.keys(trailers)
      .map((name) => `${name}:${trailers[name]}\n`)
      .join('');
    const expected = await options.signing.signer.trailerSignature(
      previous,
      createHash('sha256').update(canonical).digest('hex'),
    );
    if (trailerSignature === undefined || !sameSignature(expected, trailerSignature))
      throw authError('SignatureDoesNotMatch', SIGNATURE_MISMATCH);
  }
  for (const [name, hasher] of hashers) {
    if ((await hasher.digest()) !== trailers[name]) {
      throw authError('BadDigest', `The ${name} you specified did not match the calculated checksum.`);
    }
  }
  onTrailers(trailers);
}
