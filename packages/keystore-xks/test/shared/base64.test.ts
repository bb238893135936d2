import { describe, expect, it } from 'vitest';
import { base64Length, decodeBase64Strict, encodeBase64 } from '../../src/shared/base64.js';

describe('strict Base64', () => {
  it('round-trips every length from 0 to 40 bytes against Buffer', () => {
    for (let n = 0; n <= 40; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
      const text = encodeBase64(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64'));
      expect(text.length).toBe(base64Length(n));
      expect(decodeBase64Strict(text)).toEqual(bytes);
    }
  });

  it('gives the spec length arithmetic', () => {
    expect([12, 16, 4300, 8192].map(base64Length)).toEqual([16, 24, 5736, 10924]);
  });

  it.each(['-_8=', 'QUJD RA==', 'QUJDRA', 'QUJDRA=', 'QR==', 'QUI=\n', '====', 'Q'])('refuses %j', (text) => {
    expect(decodeBase64Strict(text)).toBeUndefined();
  });
});
