import { createPrivateKey, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { throwawayCertificate } from '../../src/demo/throwaway-certificate.js';

describe('throwawayCertificate', () => {
  it('makes a self-signed certificate for 127.0.0.1, valid now and for about a day, that matches its key (no openssl needed)', () => {
    const { certPem, keyPem } = throwawayCertificate();
    const cert = new X509Certificate(certPem);
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkIP('10.0.0.1')).toBeUndefined();
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(keyPem))).toBe(true);
    const from = Date.parse(cert.validFrom);
    const to = Date.parse(cert.validTo);
    expect(from).toBeLessThanOrEqual(Date.now());
    expect(to - Date.now()).toBeGreaterThan(23 * 3600_000);
    expect(to - Date.now()).toBeLessThanOrEqual(24 * 3600_000);
  });

  it('gives each call its own key and serial', () => {
    const a = new X509Certificate(throwawayCertificate().certPem);
    const b = new X509Certificate(throwawayCertificate().certPem);
    expect(a.serialNumber).not.toBe(b.serialNumber);
    expect(
      a.publicKey.export({ format: 'der', type: 'spki' }).equals(b.publicKey.export({ format: 'der', type: 'spki' })),
    ).toBe(false);
  });
});
