// Structured logs and audit events: one record per request, with the KMS request ID and
// the failure reason, never plaintext, AAD, ciphertext or secrets.
import diagnostics from 'node:diagnostics_channel';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { XKS_REQUEST_CHANNEL, type XksAuditRecord } from '@sealflow/keystore-xks';
import {
  CREDENTIAL,
  METADATA,
  STRANGER,
  b64,
  decryptBody,
  encryptBody,
  paths,
  send,
  startProxyPerTest,
} from '../support/xks-fixtures.js';

const start = startProxyPerTest();
const published: XksAuditRecord[] = [];
const listener = (message: unknown): void => void published.push(message as XksAuditRecord);
afterEach(async () => {
  diagnostics.unsubscribe(XKS_REQUEST_CHANNEL, listener);
  published.length = 0;
});

describe('audit records', () => {
  it('logs and publishes one record per request with requestMetadata and outcome, and no body field', async () => {
    const logged: XksAuditRecord[] = [];
    const { url } = await start({
      logger: (record) => logged.push(record),
      authorize: (r) => ({ allow: r.operation !== 'Decrypt', rule: 'no-decrypt' }),
    });
    diagnostics.subscribe(XKS_REQUEST_CHANNEL, listener);
    const plaintext = randomBytes(32);
    const aad = randomBytes(24);
    const enc = await send(url, paths.encrypt(), encryptBody(plaintext, { additionalAuthenticatedData: b64(aad) }));
    await send(url, paths.decrypt(), decryptBody(enc.json ?? {}, { additionalAuthenticatedData: b64(aad) }));
    await send(url, paths.encrypt(), encryptBody(plaintext), { credential: STRANGER });
    await send(url, '/nowhere/kms/xks/v1/health', {});

    expect(published).toEqual(logged);
    expect(logged.map((r) => [r.operation, r.status, r.errorName, r.outcome])).toEqual([
      ['Encrypt', 200, undefined, 'success'],
      ['Decrypt', 403, 'AccessDeniedException', 'failure'],
      ['Encrypt', 401, 'AuthenticationFailedException', 'failure'],
      [undefined, 404, 'InvalidUriPathException', 'failure'],
    ]);
    expect(logged[0]).toMatchObject({
      kmsRequestId: METADATA.kmsRequestId,
      awsPrincipalArn: METADATA.awsPrincipalArn,
      kmsKeyArn: METADATA.kmsKeyArn,
      keyId: 'foo',
      accessKeyId: CREDENTIAL.accessKeyId,
      level: 'info',
    });
    expect(logged[1]).toMatchObject({ authorizationRule: 'no-decrypt', reason: 'denied by no-decrypt', level: 'warn' });
    expect(logged[2]?.reason).toBe('unknown access key id for this URI prefix');
    expect(logged[3]?.path).toBe('/nowhere/kms/xks/v1/health');

    const text = JSON.stringify(logged);
    for (const secret of [plaintext, aad, Buffer.from(String(enc.json?.['ciphertext']), 'base64')]) {
      expect(text).not.toContain(secret.toString('base64'));
      expect(text).not.toContain(secret.toString('hex'));
    }
    expect(text).not.toContain(CREDENTIAL.secretAccessKey);
  });

  it('keeps serving when the logger throws', async () => {
    const running = await start({
      logger: () => {
        throw new Error('log sink full');
      },
    });
    expect((await send(running.url, paths.encrypt(), encryptBody(randomBytes(4)))).status).toBe(200);
  });
});
