/**
 * Yields `message` in `size`-byte pieces through ONE Buffer that is overwritten once each
 * piece was consumed, as a caller reusing its read buffer would: whatever a consumer keeps
 * past a push must be its own copy.
 */
export async function* reusedBuffer(message: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  const buffer = Buffer.alloc(size);
  for (let offset = 0; offset < message.length; offset += size) {
    const piece = message.subarray(offset, offset + size);
    buffer.set(piece);
    yield buffer.subarray(0, piece.length);
    buffer.fill(0xa5);
  }
}
