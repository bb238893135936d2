import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CHECKSUM_ALGORITHMS,
  CHECKSUM_DIGEST_LENGTHS,
  checksumOf,
  createChecksum,
  type ChecksumAlgorithm,
} from '@sealflow/s3';

const hex = (base64: string): string => Buffer.from(base64, 'base64').toString('hex');
const CHECK = Buffer.from('123456789');

// Independent bit-at-a-time references (reflected CRCs), written from the CRC catalogue
// parameters, not from the libraries under test.
function crcReflected(bytes: Uint8Array, width: 32 | 64, poly: bigint): string {
  const mask = (1n << BigInt(width)) - 1n;
  let crc = mask;
  for (const byte of bytes) {
    crc ^= BigInt(byte);
    for (let bit = 0; bit < 8; bit++) crc = crc & 1n ? (crc >> 1n) ^ poly : crc >> 1n;
  }
  return ((crc ^ mask) & mask).toString(16).padStart(width / 4, '0');
}
const referenceCrc32c = (bytes: Uint8Array): string => crcReflected(bytes, 32, 0x82f63b78n);
const referenceCrc64Nvme = (bytes: Uint8Array): string => crcReflected(bytes, 64, 0x9a6c9329ac4bc9b5n);

/** Python's zlib/hashlib over each input (one process for all): crc32, sha1, sha256 as hex. */
function python(inputs: readonly Uint8Array[]): Record<string, string>[] {
  const script = [
    'import sys,zlib,hashlib,json,base64',
    'out=[]',
    'for s in json.load(sys.stdin):',
    '  d=base64.b64decode(s)',
    '  out.append({"crc32":"%08x"%zlib.crc32(d),"sha1":hashlib.sha1(d).hexdigest(),"sha256":hashlib.sha256(d).hexdigest()})',
    'print(json.dumps(out))',
  ].join('\n');
  const input = JSON.stringify(inputs.map((bytes) => Buffer.from(bytes).toString('base64')));
  const printed = execFileSync('python3', ['-c', script], { input, timeout: 60_000 }).toString();
  return JSON.parse(printed) as Record<string, string>[];
}

describe('createChecksum: catalogue check values ("123456789")', () => {
  it.each([
    ['crc32', 'cbf43926'],
    ['crc32c', 'e3069283'],
    ['crc64nvme', 'ae8b14860a799888'],
    ['sha1', 'f7c3bc1d808e04732adf679965ccc34ca7ae3441'],
    ['sha256', '15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225'],
  ] as const)('%s = %s, big-endian, base64 as S3 sends it', async (algorithm, expected) => {
    const value = await checksumOf(algorithm, CHECK);
    expect(hex(value)).toBe(expected);
    expect(Buffer.from(value, 'base64')).toHaveLength(CHECKSUM_DIGEST_LENGTHS[algorithm]);
  });

  it('the empty input gives the documented empty values (CRC32 AAAAAA==, SHA-256 47DEQpj8...)', async () => {
    expect(await checksumOf('crc32', new Uint8Array())).toBe('AAAAAA==');
    expect(await checksumOf('crc32c', new Uint8Array())).toBe('AAAAAA==');
    expect(await checksumOf('crc64nvme', new Uint8Array())).toBe('AAAAAAAAAAA=');
    expect(await checksumOf('sha256', new Uint8Array())).toBe('47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=');
  });
});

describe('createChecksum: cross-checked against independent implementations', () => {
  const samples = [0, 1, 3, 4, 7, 8, 15, 16, 17, 255, 256, 1000, 65_537].map((n) => randomBytes(n));

  it('crc32, sha1 and sha256 equal Python zlib/hashlib over random inputs', async () => {
    const expectations = python(samples);
    expect(expectations).toHaveLength(samples.length);
    for (const [index, sample] of samples.entries()) {
      const expected = expectations[index] ?? {};
      for (const algorithm of ['crc32', 'sha1', 'sha256'] as const)
        expect(hex(await checksumOf(algorithm, sample)), `${algorithm} of ${sample.length} bytes`).toBe(
          expected[algorithm],
        );
    }
  });

  it('crc32c and crc64nvme equal bitwise reference CRCs over random inputs', async () => {
    for (const sample of samples.filter((s) => s.length < 2000)) {
      expect(hex(await checksumOf('crc32c', sample))).toBe(referenceCrc32c(sample));
      expect(hex(await checksumOf('crc64nvme', sample))).toBe(referenceCrc64Nvme(sample));
    }
  });

  it('the result does not depend on how the input is split into writes', async () => {
    const data = randomBytes(10_000);
    for (const algorithm of CHECKSUM_ALGORITHMS) {
      const whole = await checksumOf(algorithm, data);
      for (const size of [1, 7, 64, 4096]) {
        const checksum = createChecksum(algorithm);
        for (let at = 0; at < data.length; at += size) checksum.update(data.subarray(at, at + size));
        expect(await checksum.digestBase64(), `${algorithm} in writes of ${size}`).toBe(whole);
      }
    }
  });

  it('refuses an unknown algorithm', () => {
    expect(() => createChecksum('md5' as ChecksumAlgorithm)).toThrow(TypeError);
  });
});
