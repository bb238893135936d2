// SigV4 verification of every request (spec: xks-api.md §10.1, checklist §15 items 1-4),
// against the smithy signer and, independently, curl's --aws-sigv4.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { XksAuditRecord } from '@sealflow/keystore-xks';
import {
  CREDENTIAL,
  CREDENTIAL_2,
  PREFIX,
  STRANGER,
  encryptBody,
  paths,
  send,
  startProxyPerTest,
  type SendResult,
} from '../support/xks-fixtures.js';

const run = promisify(execFile);

const start = startProxyPerTest();

function expect401(res: SendResult): void {
  expect({ status: res.status, errorName: res.json?.['errorName'] }).toEqual({
    status: 401,
    errorName: 'AuthenticationFailedException',
  });
}

/** Replaces one `Name=value` field of the Authorization header. */
function rewriteAuthorization(
  field: string,
  value: (old: string) => string,
): (headers: Record<string, string>) => void {
  return (headers) => {
    headers['authorization'] = (headers['authorization'] as string).replace(
      new RegExp(`${field}=([^,]*)`),
      (_, old: string) => `${field}=${value(old)}`,
    );
  };
}

describe('accepted signatures', () => {
  it('accepts a request signed by curl --aws-sigv4 (an independent signer that also signs content-type)', async () => {
    const { url } = await start();
    const body = JSON.stringify(encryptBody(randomBytes(32)));
    const { stdout } = await run('curl', [
      '-sS',
      '-X',
      'POST',
      '-w',
      '\n%{http_code}',
      '--aws-sigv4',
      'aws:amz:us-east-1:kms-xks-proxy',
      '--user',
      `${CREDENTIAL.accessKeyId}:${CREDENTIAL.secretAccessKey}`,
      '-H',
      'Content-Type: application/json',
      '--data-binary',
      body,
      `${url}${paths.encrypt()}`,
    ]);
    const [json, status] = stdout.split('\n');
    expect(status).toBe('200');
    expect(JSON.parse(json as string)).toHaveProperty('ciphertext');
  });

  it('accepts either of two credentials for a prefix, and drops one on updateCredentials without a restart', async () => {
    const { url, proxy } = await start({ keyStores: [{ uriPrefix: PREFIX, credentials: [CREDENTIAL, CREDENTIAL_2] }] });
    expect((await send(url, paths.encrypt(), encryptBody(randomBytes(4)), { credential: CREDENTIAL })).status).toBe(
      200,
    );
    expect((await send(url, paths.encrypt(), encryptBody(randomBytes(4)), { credential: CREDENTIAL_2 })).status).toBe(
      200,
    );
    proxy.updateCredentials(PREFIX, [CREDENTIAL_2]);
    expect401(await send(url, paths.encrypt(), encryptBody(randomBytes(4)), { credential: CREDENTIAL }));
    expect((await send(url, paths.encrypt(), encryptBody(randomBytes(4)), { credential: CREDENTIAL_2 })).status).toBe(
      200,
    );
  });

  it('accepts extra signed headers, and a correct x-amz-content-sha256', async () => {
    const { url } = await start();
    const body = JSON.stringify(encryptBody(randomBytes(4)));
    const { createHash } = await import('node:crypto');
    const sha = createHash('sha256').update(body).digest('hex');
    expect(
      (await send(url, paths.encrypt(), body, { headers: { 'x-custom': 'a  b', 'x-amz-content-sha256': sha } })).status,
    ).toBe(200);
  });

  it('accepts a timestamp 4 minutes 59 seconds off the proxy clock, either way', async () => {
    const clock = Date.UTC(2024, 4, 15, 12, 0, 0);
    const { url } = await start({ now: () => clock });
    for (const offset of [-299_000, 299_000]) {
      expect(
        (await send(url, paths.encrypt(), encryptBody(randomBytes(4)), { date: new Date(clock + offset) })).status,
      ).toBe(200);
    }
  });
});

describe('401 AuthenticationFailedException', () => {
  it('refuses a timestamp more than 5 minutes off the proxy clock, either way', async () => {
    const clock = Date.UTC(2024, 4, 15, 12, 0, 0);
    const { url } = await start({ now: () => clock });
    for (const offset of [-301_000, 301_000, -86_400_000]) {
      expect401(await send(url, paths.encrypt(), encryptBody(randomBytes(4)), { date: new Date(clock + offset) }));
    }
  });

  it('refuses an access key id the prefix does not know', async () => {
    const { url } = await start();
    expect401(await send(url, paths.encrypt(), encryptBody(randomBytes(4)), { credential: STRANGER }));
  });

  it('answers a malformed access key id with 401, not 400 (as the test client checks)', async () => {
    const { url } = await start();
    const credential = { accessKeyId: `Invalid${CREDENTIAL.accessKeyId}`, secretAccessKey: CREDENTIAL.secretAccessKey };
    expect401(await send(url, paths.encrypt(), encryptBody(randomBytes(4)), { credential }));
    expect401(
      await send(
        url,
        paths.health,
        { requestMetadata: { kmsRequestId: 'r', kmsOperation: 'KmsHealthCheck' } },
        { credential },
      ),
    );
  });

  it('refuses a known access key id signed with the wrong secret', async () => {
    const { url } = await start();
    expect401(
      await send(url, paths.encrypt(), encryptBody(randomBytes(4)), {
        credential: { accessKeyId: CREDENTIAL.accessKeyId, secretAccessKey: STRANGER.secretAccessKey },
      }),
    );
  });

  it('refuses a body changed after signing (the hash covers the raw bytes)', async () => {
    const { url } = await start();
    const body = JSON.stringify(encryptBody(randomBytes(4)));
    // Same JSON meaning, different bytes: re-serialization would not notice, raw hashing does.
    expect401(await send(url, paths.encrypt(), body, { sendBody: `${body} ` }));
  });

  it('refuses an x-amz-content-sha256 that does not match the body', async () => {
    const { url } = await start();
    expect401(
      await send(url, paths.encrypt(), encryptBody(randomBytes(4)), {
        headers: { 'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
      }),
    );
  });

  it('refuses a Host header other than the one signed (the port is part of it)', async () => {
    const { url } = await start();
    const port = new URL(url).port;
    expect401(
      await send(url, paths.encrypt(), encryptBody(randomBytes(4)), { after: (h) => void (h['host'] = '127.0.0.1') }),
    );
    expect401(
      await send(url, paths.encrypt(), encryptBody(randomBytes(4)), {
        after: (h) => void (h['host'] = `localhost:${port}`),
      }),
    );
  });

  it('refuses a signed header that was changed or dropped after signing', async () => {
    const { url } = await start();
    expect401(
      await send(url, paths.encrypt(), encryptBody(randomBytes(4)), {
        headers: { 'x-custom': 'a' },
        after: (h) => void (h['x-custom'] = 'b'),
      }),
    );
    expect401(
      await send(url, paths.encrypt(), encryptBody(randomBytes(4)), {
        headers: { 'x-custom': 'a' },
        after: (h) => void delete h['x-custom'],
      }),
    );
  });

  it.each([
    ['a flipped signature digit', rewriteAuthorization('Signature', (s) => `${s[0] === '0' ? '1' : '0'}${s.slice(1)}`)],
    ['a short signature', rewriteAuthorization('Signature', (s) => s.slice(2))],
    ['SignedHeaders without host', rewriteAuthorization('SignedHeaders', (s) => s.replace('host;', ''))],
    ['SignedHeaders without x-amz-date', rewriteAuthorization('SignedHeaders', (s) => s.replace(';x-amz-date', ''))],
    ['SignedHeaders out of order', rewriteAuthorization('SignedHeaders', () => 'x-amz-date;host;content-type')],
    [
      'a credential scope for another service',
      rewriteAuthorization('Credential', (s) => s.replace('kms-xks-proxy', 'kms')),
    ],
    [
      'a credential scope date other than X-Amz-Date',
      rewriteAuthorization('Credential', (s) => s.replace(/\/\d{8}\//, '/20000101/')),
    ],
    [
      'another algorithm',
      (h: Record<string, string>) =>
        void (h['authorization'] = (h['authorization'] as string).replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA512')),
    ],
    ['no Authorization header', (h: Record<string, string>) => void delete h['authorization']],
    ['no X-Amz-Date header', (h: Record<string, string>) => void delete h['x-amz-date']],
    ['a malformed X-Amz-Date', (h: Record<string, string>) => void (h['x-amz-date'] = '2024-05-15T12:00:00Z')],
  ])('refuses %s', async (_, after) => {
    const { url } = await start();
    expect401(await send(url, paths.encrypt(), encryptBody(randomBytes(4)), { after }));
  });

  it('refuses a request signed with the service name of another API', async () => {
    const { url } = await start();
    expect401(await send(url, paths.encrypt(), encryptBody(randomBytes(4)), { service: 'kms' }));
  });

  it('refuses a request signed for another region (401), with the reason in the log', async () => {
    const records: XksAuditRecord[] = [];
    const { url } = await start({ logger: (r) => records.push(r) });
    expect401(await send(url, paths.encrypt(), encryptBody(randomBytes(4)), { region: 'eu-west-1' }));
    expect(records.at(-1)?.reason).toBe('credential scope region "eu-west-1" is not this key store\'s (us-east-1)');
    expect((await send(url, paths.encrypt(), encryptBody(randomBytes(4)), { region: 'us-east-1' })).status).toBe(200);
  });

  it('pins the configured region, proxy-wide or per key store', async () => {
    const { url } = await start({
      region: 'eu-west-1',
      keyStores: [
        { uriPrefix: PREFIX, credentials: [CREDENTIAL] },
        { uriPrefix: '/tenant-b', credentials: [CREDENTIAL_2], region: 'ap-southeast-2' },
      ],
    });
    expect((await send(url, paths.encrypt(), encryptBody(randomBytes(4)), { region: 'eu-west-1' })).status).toBe(200);
    expect401(await send(url, paths.encrypt(), encryptBody(randomBytes(4)), { region: 'us-east-1' }));
    const b = '/tenant-b/kms/xks/v1/keys/foo/encrypt';
    expect(
      (await send(url, b, encryptBody(randomBytes(4)), { credential: CREDENTIAL_2, region: 'ap-southeast-2' })).status,
    ).toBe(200);
    expect401(await send(url, b, encryptBody(randomBytes(4)), { credential: CREDENTIAL_2, region: 'eu-west-1' }));
  });

  it('refuses a region option that is not an AWS region', async () => {
    await expect(start({ region: 'mars' })).rejects.toThrow(/region: expected an AWS region/);
    await expect(start({ keyStores: [{ uriPrefix: PREFIX, credentials: [CREDENTIAL], region: '' }] })).rejects.toThrow(
      /keyStores\[0\]\.region/,
    );
  });

  it('refuses a credential of one prefix on another prefix', async () => {
    const { url } = await start({
      keyStores: [
        { uriPrefix: PREFIX, credentials: [CREDENTIAL] },
        { uriPrefix: '/tenant-b', credentials: [CREDENTIAL_2] },
      ],
    });
    expect401(
      await send(url, '/tenant-b/kms/xks/v1/keys/foo/encrypt', encryptBody(randomBytes(4)), { credential: CREDENTIAL }),
    );
    expect(
      (
        await send(url, '/tenant-b/kms/xks/v1/keys/foo/encrypt', encryptBody(randomBytes(4)), {
          credential: CREDENTIAL_2,
        })
      ).status,
    ).toBe(200);
  });
});
