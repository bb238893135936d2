/**
 * Recycled batch buffers. A fresh ArrayBuffer costs a page fault per 4 KiB the first time
 * it is written, which on small VMs costs as much as the AES itself; buffers that come
 * back from a worker (moved, not copied) are reused for the next batch instead. Holds at
 * most `maxBytes`; everything beyond is left to the garbage collector.
 */
export class BufferPool {
  readonly #free = new Map<number, ArrayBuffer[]>();
  readonly #maxBytes: number;
  #bytes = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Bytes held for reuse. */
  get bytes(): number {
    return this.#bytes;
  }

  /** A buffer of exactly `size` bytes (its contents are whatever the last user left). */
  take(size: number): ArrayBuffer {
    const buffer = this.#free.get(size)?.pop();
    if (buffer === undefined) return new ArrayBuffer(size);
    this.#bytes -= size;
    return buffer;
  }

  /** Offers a buffer back; detached or surplus buffers are dropped. */
  give(buffer: ArrayBuffer): void {
    const size = buffer.byteLength;
    if (size === 0 || this.#bytes + size > this.#maxBytes) return;
    let list = this.#free.get(size);
    if (list === undefined) this.#free.set(size, (list = []));
    list.push(buffer);
    this.#bytes += size;
  }

  /** Drops every buffer. */
  clear(): void {
    this.#free.clear();
    this.#bytes = 0;
  }
}
