/**
 * `source` re-cut into pieces of `size` bytes (the last one shorter), so the layers above a
 * socket (signature checks, hashes, the encryption engine, the storage writes) each run once
 * per piece rather than once per TLS record: a TLS socket delivers at most 16 KiB at a time,
 * which made every request body walk the whole chain of async iterators 4,096 times per
 * 64 MiB. A chunk that arrives when nothing is held and is at least `size` long passes through
 * uncopied; smaller ones are copied into a fresh piece (each piece handed on is never written
 * again, so a consumer may keep it). At most one piece is held: back-pressure is unchanged.
 */
export async function* coalesce(
  source: AsyncIterable<Uint8Array>,
  size: number,
): AsyncGenerator<Uint8Array, void, undefined> {
  let piece: Uint8Array | undefined;
  let fill = 0;
  for await (const chunk of source) {
    if (fill === 0 && chunk.length >= size) {
      yield chunk;
      continue;
    }
    let offset = 0;
    while (offset < chunk.length) {
      // allocUnsafe: only the `fill` bytes written below are ever handed on.
      piece ??= Buffer.allocUnsafe(size);
      const take = Math.min(size - fill, chunk.length - offset);
      piece.set(chunk.subarray(offset, offset + take), fill);
      fill += take;
      offset += take;
      if (fill === size) {
        const full = piece;
        piece = undefined;
        fill = 0;
        yield full;
      }
    }
  }
  if (piece !== undefined && fill > 0) yield piece.subarray(0, fill);
}
