import { createCipheriv, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';

const CHUNK = 1024 * 1024;
const BLOCK = 16;

/**
 * The demo's plaintext: each object is an AES-256-CTR keystream under a per-run random
 * key, with the object number in the IV. It is generated as it streams (never held in
 * memory), looks like incompressible data, and any byte range can be produced again
 * later to check a range decrypt against.
 */
export class DemoData {
  readonly #key = randomBytes(32);

  /** A stream of object `index`'s `size` bytes, in 1 MiB chunks. */
  object(index: number, size: number): Readable {
    let offset = 0;
    const cipher = createCipheriv('aes-256-ctr', this.#key, ivFor(index, 0));
    const zeros = Buffer.alloc(CHUNK);
    return new Readable({
      read() {
        if (offset >= size) {
          this.push(null);
          return;
        }
        const length = Math.min(CHUNK, size - offset);
        offset += length;
        this.push(cipher.update(zeros.subarray(0, length)));
      },
    });
  }

  /** Bytes [start, end) of object `index`, generated again. */
  slice(index: number, start: number, end: number): Uint8Array {
    const first = Math.floor(start / BLOCK);
    const skip = start - first * BLOCK;
    const cipher = createCipheriv('aes-256-ctr', this.#key, ivFor(index, first));
    return cipher.update(Buffer.alloc(skip + end - start)).subarray(skip);
  }
}

/** IV = object index (high 64 bits) || block counter (low 64 bits). */
function ivFor(index: number, block: number): Buffer {
  const iv = Buffer.alloc(16);
  iv.writeBigUInt64BE(BigInt(index), 0);
  iv.writeBigUInt64BE(BigInt(block), 8);
  return iv;
}
