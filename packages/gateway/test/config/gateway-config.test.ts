import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isLoopback, loadGatewayConfig, parseGatewayConfig } from '../../src/config/gateway-config.js';

const dir = mkdtempSync(join(tmpdir(), 'sealflow-gw-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const account = {
  accessKeyId: 'AKIAEXAMPLE000000001',
  secretAccessKey: 'example-secret-000000',
  principal: 'arn:aws:iam::111122223333:user/alice',
  displayName: 'alice',
};

const xks = {
  type: 'xks',
  endpoint: 'http://127.0.0.1:8000',
  uriPrefix: '/p',
  keyId: 'k1',
  accessKeyId: 'XKSE2ETESTACCESSKEY234',
  secretAccessKey: 'x'.repeat(43),
};
const xksArn = 'arn:aws:kms:us-east-1:111122223333:key/1111-aaaa';

describe('parseGatewayConfig', () => {
  it('fills the embedded defaults and resolves paths against the config folder', () => {
    const config = parseGatewayConfig({}, '/etc/sealflow');
    expect(config).toEqual({
      listen: { host: '127.0.0.1', port: 0 },
      region: 'us-east-1',
      accounts: [],
      storage: { type: 'fs', dir: '/etc/sealflow/data' },
      keyStore: {
        type: 'memory-file',
        storeFile: '/etc/sealflow/keystore.sealflow',
        keyFile: '/etc/sealflow/keystore.key',
      },
      bucketKeys: false,
      verifyWrites: 'local',
      sseS3KeyFile: '/etc/sealflow/sse-s3.key',
      virtualHosts: ['localhost'],
      orphanSweep: { enabled: true, intervalSeconds: 3600, graceSeconds: 3600 },
    });
  });

  it('reads every field of a full config', () => {
    const config = parseGatewayConfig(
      {
        listen: '[::1]:8443',
        tls: { certFile: 'tls/cert.pem', keyFile: '/abs/key.pem' },
        region: 'eu-west-1',
        accounts: [account],
        storage: {
          type: 's3',
          bucket: 'backing-bucket',
          prefix: 'gw/',
          endpoint: 'http://127.0.0.1:9000',
          accessKeyId: 'a',
          secretAccessKey: 'b',
        },
        keyStore: { type: 'aws-kms', endpoint: 'https://kms.eu-west-1.amazonaws.com' },
        bucketKeys: true,
        verifyWrites: 'kms',
        virtualHosts: ['s3.example.com'],
      },
      '/cfg',
    );
    expect(config.verifyWrites).toBe('kms');
    expect(config.listen).toEqual({ host: '::1', port: 8443 });
    expect(config.tls).toEqual({ certFile: '/cfg/tls/cert.pem', keyFile: '/abs/key.pem' });
    expect(config.accounts).toEqual([{ ...account, accountId: '111122223333' }]);
    expect(config.storage).toEqual({
      type: 's3',
      bucket: 'backing-bucket',
      prefix: 'gw/',
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:9000',
      forcePathStyle: true,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    expect(config.keyStore).toEqual({
      type: 'aws-kms',
      region: 'eu-west-1',
      endpoint: 'https://kms.eu-west-1.amazonaws.com',
    });
    expect(config.bucketKeys).toBe(true);
  });

  it('maps XKS keys to ARNs: a key table, or the one keyId under a placeholder account', () => {
    expect(parseGatewayConfig({ keyStore: xks }, dir).keyStore).toEqual({
      ...xks,
      region: 'us-east-1',
      keys: [{ keyId: 'k1', arn: 'arn:aws:kms:us-east-1:000000000000:key/k1', aliases: [] }],
    });
    const table = [
      { keyId: 'k1', arn: xksArn, aliases: ['alias/team-a'] },
      { keyId: 'key.two_2', arn: 'arn:aws:kms:us-east-1:111122223333:key/2222-bbbb' },
    ];
    const config = parseGatewayConfig({ keyStore: { ...xks, keys: table, timeoutMs: 2000, caFile: 'ca.pem' } }, '/cfg');
    expect(config.keyStore).toMatchObject({
      type: 'xks',
      keyId: 'k1',
      timeoutMs: 2000,
      caFile: '/cfg/ca.pem',
      keys: [table[0], { ...table[1], aliases: [] }],
    });
  });

  it('refuses plain HTTP off loopback, and accepts it on 127.x, ::1 and localhost', () => {
    expect(() => parseGatewayConfig({ listen: '0.0.0.0:80' }, dir)).toThrow(
      /config\.listen: plain HTTP is only served on a loopback address/,
    );
    expect(() => parseGatewayConfig({ listen: '192.168.1.5:80' }, dir)).toThrow(/loopback/);
    expect(parseGatewayConfig({ listen: '0.0.0.0:443', tls: { certFile: 'c', keyFile: 'k' } }, dir).listen.host).toBe(
      '0.0.0.0',
    );
    expect(['127.0.0.1', '127.1.2.3', '::1', 'localhost'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '10.0.0.1', '::', 'example.com'].some(isLoopback)).toBe(false);
  });

  it.each([
    [{ listen: 'nohost' }, /config\.listen: expected "host:port"/],
    [{ listen: '127.0.0.1:70000' }, /config\.listen/],
    [{ region: 'Mars' }, /config\.region/],
    [{ accounts: [{ ...account, accessKeyId: 'short' }] }, /config\.accounts\[0\]\.accessKeyId/],
    [
      { accounts: [{ ...account, secretAccessKey: 'x' }] },
      /config\.accounts\[0\]\.secretAccessKey: expected a string of 8 to 128 characters, got a string of 1 characters/,
    ],
    [
      { accounts: [{ ...account, principal: 'alice' }] },
      /config\.accounts\[0\]\.principal: expected an IAM principal ARN/,
    ],
    [{ accounts: [account, account] }, /listed twice/],
    [{ accounts: [{ ...account, extra: 1 }] }, /unknown option "extra"/],
    [{ storage: { type: 'ftp' } }, /config\.storage\.type: expected "fs" or "s3"/],
    [{ storage: { type: 's3' } }, /config\.storage\.bucket/],
    [{ storage: { type: 's3', bucket: 'b-b-b', accessKeyId: 'a' } }, /give both accessKeyId and secretAccessKey/],
    [{ storage: { type: 'fs', bucket: 'x' } }, /unknown option "bucket"/],
    [{ keyStore: { type: 'memory-file', storeFile: 's' } }, /exactly one of passphraseFile and keyFile/],
    [{ keyStore: { type: 'hsm' } }, /config\.keyStore\.type/],
    [{ keyStore: { type: 'aws-kms', endpoint: 'ftp://x' } }, /config\.keyStore\.endpoint: expected an http\(s\) URL/],
    [
      { keyStore: { ...xks, keyId: 'has.dot' } },
      /config\.keyStore\.keyId: expected A-Z a-z 0-9 - only, or give keyStore\.keys/,
    ],
    [
      { keyStore: { ...xks, keys: [{ keyId: 'other', arn: xksArn }] } },
      /config\.keyStore\.keyId: the default key must be one of config\.keyStore\.keys/,
    ],
    [
      { keyStore: { ...xks, keys: [{ keyId: 'k1', arn: 'arn:aws:kms:eu-west-1:111122223333:key/k1' }] } },
      /config\.keyStore\.keys\[0\]\.arn: the key must be in the gateway's region us-east-1/,
    ],
    [
      { keyStore: { ...xks, keys: [{ keyId: 'k1', arn: 'arn:aws:kms:us-east-1:111122223333:alias/k1' }] } },
      /config\.keyStore\.keys\[0\]\.arn: expected a key ARN/,
    ],
    [
      { keyStore: { ...xks, keys: [{ keyId: 'k1', arn: xksArn, aliases: ['alias/aws/s3'] }] } },
      /config\.keyStore\.keys\[0\]\.aliases\[0\]/,
    ],
    [{ keyStore: { ...xks, timeoutMs: 0 } }, /config\.keyStore\.timeoutMs/],
    [{ bucketKeys: 'yes' }, /config\.bucketKeys: expected a boolean/],
    [{ verifyWrites: 'none' }, /config\.verifyWrites: expected "local" or "kms"/],
    [{ virtualHosts: ['bad host'] }, /config\.virtualHosts\[0\]/],
    [{ bucketkeys: true }, /config: unknown option "bucketkeys"/],
    [[], /config: expected an options object/],
  ])('refuses %j with a message naming the field', (json, message) => {
    expect(() => parseGatewayConfig(json, dir)).toThrow(message);
  });

  it('never echoes a secret in an error', () => {
    const secret = 'x';
    try {
      parseGatewayConfig({ accounts: [{ ...account, secretAccessKey: `${secret}` }] }, dir);
    } catch (error) {
      expect((error as Error).message).not.toContain('"x"');
      expect((error as { code?: string }).code).toBe('ERR_INVALID_ARGUMENT');
    }
  });
});

describe('loadGatewayConfig', () => {
  it('reads a JSON file and resolves paths against its folder', async () => {
    const path = join(dir, 'gateway.json');
    writeFileSync(path, JSON.stringify({ storage: { type: 'fs', dir: 'objects' } }));
    expect((await loadGatewayConfig(path)).storage).toEqual({ type: 'fs', dir: join(dir, 'objects') });
  });

  it('refuses a missing file, a folder and malformed JSON', async () => {
    await expect(loadGatewayConfig(join(dir, 'missing.json'))).rejects.toThrow(
      /cannot read .*missing\.json \(ENOENT\)/,
    );
    await expect(loadGatewayConfig(dir)).rejects.toThrow(/is not a regular file/);
    writeFileSync(join(dir, 'bad.json'), '{"listen":');
    await expect(loadGatewayConfig(join(dir, 'bad.json'))).rejects.toThrow(/not valid JSON/);
  });

  it('orphanSweep: interval, grace and upload expiry are read and bounded; unknown keys refused', () => {
    const parse = (orphanSweep: unknown) => parseGatewayConfig({ orphanSweep }, '/etc/sealflow');
    expect(parse({ intervalSeconds: 60, graceSeconds: 0, uploadExpiryDays: 7 }).orphanSweep).toEqual({
      enabled: true,
      intervalSeconds: 60,
      graceSeconds: 0,
      uploadExpiryDays: 7,
    });
    expect(parse({ enabled: false }).orphanSweep.enabled).toBe(false);
    expect(() => parse({ intervalSeconds: -1 })).toThrow(/intervalSeconds/);
    expect(() => parse({ graceSeconds: 1.5 })).toThrow(/graceSeconds/);
    expect(() => parse({ uploadExpiryDays: 0 })).toThrow(/uploadExpiryDays/);
    expect(() => parse({ every: 5 })).toThrow(/every/);
  });
});
