import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createChecksum } from '../../src/checksums/checksum.js';
import { combineCrcs, FULL_OBJECT_ALGORITHMS, isFullObjectAlgorithm } from '../../src/checksums/crc-combine.js';

async function crc(algorithm: (typeof FULL_OBJECT_ALGORITHMS)[number], bytes: Uint8Array): Promise<Uint8Array> {
  const c = createChecksum(algorithm);
  c.update(bytes);
  return c.digest();
}

describe('combineCrcs', () => {
  for (const algorithm of FULL_OBJECT_ALGORITHMS) {
    it(`${algorithm}: the combined CRC of the pieces equals the CRC of the whole`, async () => {
      for (const sizes of [[0], [1], [5, 0, 7], [1000, 1, 65_536, 3], [4096, 4096, 100_003]]) {
        const pieces = sizes.map((n) => randomBytes(n));
        const whole = await crc(algorithm, Buffer.concat(pieces));
        const combined = combineCrcs(
          algorithm,
          await Promise.all(pieces.map(async (p) => ({ digest: await crc(algorithm, p), length: p.length }))),
        );
        expect(Buffer.from(combined).toString('hex'), sizes.join(',')).toBe(Buffer.from(whole).toString('hex'));
      }
    });
  }

  it('refuses digests of the wrong length; only CRCs are full-object algorithms', () => {
    expect(() => combineCrcs('crc32', [{ digest: new Uint8Array(8), length: 1 }])).toThrow(TypeError);
    expect(() => combineCrcs('crc64nvme', [{ digest: new Uint8Array(8), length: -1 }])).toThrow(TypeError);
    expect(isFullObjectAlgorithm('sha256')).toBe(false);
    expect(isFullObjectAlgorithm('crc32c')).toBe(true);
  });
});
