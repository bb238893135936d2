import { describe, expect, it } from 'vitest';
import { parseSuite, suiteHex, suiteName } from '../../src/options/parse-suite.js';

describe('parseSuite', () => {
  it('accepts the two suites sealflow writes, by hex, decimal or name', () => {
    for (const text of ['0x0478', '0x478', '1144', 'committing', 'COMMITTING']) expect(parseSuite(text)).toBe(0x0478);
    for (const text of ['0x0578', '1400', 'signed']) expect(parseSuite(text)).toBe(0x0578);
  });

  it('refuses legacy and unknown suites', () => {
    for (const text of ['0x0178', '0x0378', 'aes', ''])
      expect(() => parseSuite(text)).toThrow(/--suite: expected 0x0478/);
  });

  it('names suites for inspect', () => {
    expect(suiteHex(0x0478)).toBe('0x0478');
    expect(suiteHex(0x14)).toBe('0x0014');
    expect(suiteName(0x0578)).toMatch(/ECDSA P-384/);
    expect(suiteName(0x0178)).toMatch(/legacy/);
  });
});
