import { describe, expect, it } from 'vitest';
import { buildGcmAad } from '../../src/server/gcm-aad.js';

describe('buildGcmAad', () => {
  it('lays out u16be(len aad) || aad || u8(len metadata) || metadata', () => {
    expect(Buffer.from(buildGcmAad(Buffer.from('ab'), Buffer.from('xyz')))).toEqual(
      Buffer.from([0, 2, 0x61, 0x62, 3, 0x78, 0x79, 0x7a]),
    );
  });

  it('treats absent and empty fields alike', () => {
    expect(Buffer.from(buildGcmAad(undefined, undefined))).toEqual(Buffer.from([0, 0, 0]));
    expect(buildGcmAad(new Uint8Array(0), new Uint8Array(0))).toEqual(buildGcmAad(undefined, undefined));
  });

  it('keeps bytes from moving between the AAD and the metadata', () => {
    expect(buildGcmAad(Buffer.from('abc'), Buffer.from('d'))).not.toEqual(
      buildGcmAad(Buffer.from('ab'), Buffer.from('cd')),
    );
  });

  it('encodes a 300-byte AAD length big-endian', () => {
    const out = buildGcmAad(new Uint8Array(300), undefined);
    expect([out[0], out[1], out.length]).toEqual([1, 44, 303]);
  });

  it('refuses what the length prefixes cannot express', () => {
    expect(() => buildGcmAad(new Uint8Array(65536), undefined)).toThrow(RangeError);
    expect(() => buildGcmAad(undefined, new Uint8Array(21))).toThrow(RangeError);
  });
});
