import type { RandomAccessSource } from '@sealflow/core';

/** A `RandomAccessSource` wrapper that counts the reads and bytes a range decrypt asks for. */
export class CountingSource implements RandomAccessSource {
  readonly #inner: RandomAccessSource;
  reads = 0;
  bytesRead = 0;

  constructor(inner: RandomAccessSource) {
    this.#inner = inner;
  }

  get size(): number {
    return this.#inner.size;
  }

  async read(position: number, length: number): Promise<Uint8Array> {
    const bytes = await this.#inner.read(position, length);
    this.reads++;
    this.bytesRead += bytes.length;
    return bytes;
  }
}
