// A throwaway PKI made with openssl at test time, in a temp folder that is removed
// afterwards: nothing here is ever committed. EC P-256 keys keep generation fast.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pem {
  readonly cert: string;
  readonly key: string;
}

export interface TestPki {
  /** The CA the proxy's server certificate and the good client certificate chain to. */
  readonly ca: string;
  /** CN localhost, SAN IP:127.0.0.1 and DNS:localhost, serverAuth. */
  readonly server: Pem;
  /** CN and SAN DNS cks.kms.us-east-1.amazonaws.com (the name KMS presents), clientAuth. */
  readonly client: Pem;
  /** A client certificate from the same CA with another name. */
  readonly otherClient: Pem;
  /** A second, unrelated CA and a client certificate from it. */
  readonly rogueCa: string;
  readonly rogueClient: Pem;
  /** Deletes the temp folder. */
  dispose(): void;
}

export const KMS_CLIENT_NAME = 'cks.kms.us-east-1.amazonaws.com';

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
}

function makeCa(dir: string, name: string): void {
  openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.crt`,
    '-subj',
    `/CN=sealflow test ${name}`,
    '-days',
    '2',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
}

function makeLeaf(dir: string, ca: string, name: string, cn: string, extensions: string): Pem {
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(dir, [
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    `/CN=${cn}`,
  ]);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-out',
    `${name}.crt`,
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
  ]);
  return { cert: readFileSync(join(dir, `${name}.crt`), 'utf8'), key: readFileSync(join(dir, `${name}.key`), 'utf8') };
}

/** Generates the PKI; call `dispose()` when done. */
export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'sealflow-xks-pki-'));
  try {
    makeCa(dir, 'ca');
    makeCa(dir, 'rogue');
    const clientExt = (name: string): string => `extendedKeyUsage=clientAuth\nsubjectAltName=DNS:${name}\n`;
    return {
      ca: readFileSync(join(dir, 'ca.crt'), 'utf8'),
      server: makeLeaf(
        dir,
        'ca',
        'server',
        'localhost',
        'extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n',
      ),
      client: makeLeaf(dir, 'ca', 'client', KMS_CLIENT_NAME, clientExt(KMS_CLIENT_NAME)),
      otherClient: makeLeaf(dir, 'ca', 'other', 'someone.example.com', clientExt('someone.example.com')),
      rogueCa: readFileSync(join(dir, 'rogue.crt'), 'utf8'),
      rogueClient: makeLeaf(dir, 'rogue', 'rogue-client', KMS_CLIENT_NAME, clientExt(KMS_CLIENT_NAME)),
      dispose: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
