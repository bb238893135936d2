import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

/** A self-signed certificate and its private key, PEM-encoded. */
export interface ThrowawayCertificate {
  readonly certPem: string;
  readonly keyPem: string;
}

/**
 * Makes a throwaway RSA-2048 certificate for 127.0.0.1, valid for one day, so the demo
 * needs nothing but Node.js (no openssl on the PATH). node:crypto makes the key; node-forge
 * only encodes and signs the X.509 structure. The key stays in the demo's temp folder.
 * @throws {Error} if the key or certificate cannot be made (never on Node.js 20+).
 */
export function throwawayCertificate(host = '127.0.0.1'): ThrowawayCertificate {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  // A positive serial: the first hex digit below 8.
  cert.serialNumber = `1${randomBytes(8).toString('hex')}`;
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 60_000);
  cert.validity.notAfter = new Date(now + 24 * 3600_000);
  const name = [{ name: 'commonName', value: host }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([{ name: 'subjectAltName', altNames: [{ type: 7, ip: host }] }]);
  cert.sign(key, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}
