// An External Key Store (XKS) proxy over an in-memory key backend, and the client key store
// that seals data under an external key through it (SigV4-signed HTTP). Loopback plain HTTP
// here; in production the proxy serves TLS. Run: node examples/dist/xks-proxy-and-client.js
import { randomBytes } from 'node:crypto';
import { createEngine } from '@sealflow/core';
import { createXksProxy, InMemoryXksBackend, XksKeyStore } from '@sealflow/keystore-xks';

// The credential the proxy issues to KMS (here: to our client). Base32 access key ID.
const credential = { accessKeyId: 'XKSEXAMPLEACCESSKEY2', secretAccessKey: randomBytes(32).toString('base64') };
const uriPrefix = '/example/prefix';

const backend = new InMemoryXksBackend(); // an HSM or external KMS in real deployments
backend.createKey('orders-key');
const proxy = createXksProxy({ keyStores: [{ uriPrefix, credentials: [credential] }], backend });
const { url } = await proxy.listen(0, '127.0.0.1');
console.log(`XKS proxy listening on ${url}`);

const xks = new XksKeyStore({ endpoint: url, uriPrefix, keyId: 'orders-key', credentials: credential });
const engine = createEngine({ keyStore: xks });
const context = { 'aws:s3:arn': 'arn:aws:s3:::orders/1001.json' };
const sealed = await engine.encrypt(new TextEncoder().encode('{"order":1001,"total":12.5}'), { context });
const { plaintext } = await engine.decrypt(sealed, { expectContext: context });
console.log(`round trip through the proxy: ${new TextDecoder().decode(plaintext)}`);

await engine.close();
await xks.close();
await proxy.close();
