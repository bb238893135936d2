/**
 * The capacity a request for `size` bytes gets: `size` rounded up to an eighth of the
 * power of two above it (at most a quarter more, usually an eighth), and at least 4 KiB.
 * Classes let batches of slightly different sizes (messages of different lengths are cut
 * differently) share buffers.
 */
export function capacityFor(size: number): number {
  if (size <= 4096) return 4096;
  const step = 2 ** Math.ceil(Math.log2(size)) / 8;
  return Math.ceil(size / step) * step;
}

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

  /** A buffer of at least `size` bytes (`capacityFor(size)`); its contents are whatever the last user left. */
  take(size: number): ArrayBuffer {
    const capacity = capacityFor(size);
    const buffer = this.#free.get(capacity)?.pop();
    if (buffer === undefined) return new ArrayBuffer(capacity);
    this.#bytes -= capacity;
    return buffer;
  }

  /** A recycled buffer of `capacityFor(size)` bytes when one is free, else undefined (nothing is allocated). */
  takeFree(size: number): ArrayBuffer | undefined {
    const capacity = capacityFor(size);
    const buffer = this.#free.get(capacity)?.pop();
    if (buffer !== undefined) this.#bytes -= capacity;
    return buffer;
  }

  /**
   * Offers a buffer back; detached, odd-sized and surplus buffers are dropped. When full,
   * buffers of other sizes make room first: the sizes in use now (a message's batches) win
   * over those of a message that has ended.
   */
  give(buffer: ArrayBuffer): void {
    const size = buffer.byteLength;
    if (size === 0 || capacityFor(size) !== size || size > this.#maxBytes) return;
    for (const [other, list] of this.#free) {
      if (this.#bytes + size <= this.#maxBytes) break;
      if (other === size) continue;
      while (list.length > 0 && this.#bytes + size > this.#maxBytes) {
        list.pop();
        this.#bytes -= other;
      }
      if (list.length === 0) this.#free.delete(other);
    }
    if (this.#bytes + size > this.#maxBytes) return;
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
