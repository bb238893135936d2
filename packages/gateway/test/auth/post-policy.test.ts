import { describe, expect, it } from 'vitest';
import { checkPostPolicy, parsePostPolicy } from '../../src/auth/post-policy.js';

const b64 = (value: unknown): string =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64');
const NOW = Date.UTC(2030, 0, 1);
const FUTURE = '2031-01-01T00:00:00.000Z';

function code(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    return String((e as { s3Code?: unknown }).s3Code);
  }
  return 'accepted';
}

describe('parsePostPolicy', () => {
  it('reads the documented condition forms', () => {
    const policy = parsePostPolicy(
      b64({
        expiration: FUTURE,
        conditions: [
          { bucket: 'b' },
          ['starts-with', '$key', 'user/'],
          ['eq', '$acl', 'private'],
          ['content-length-range', 1, 10],
          { $success_action_status: '201' },
        ],
      }),
    );
    expect(policy.expiration.toISOString()).toBe(FUTURE);
    expect(policy.conditions.map((c) => c.op)).toEqual(['eq', 'starts-with', 'eq', 'content-length-range', 'eq']);
  });

  it('refuses what is not a policy document with InvalidPolicyDocument', () => {
    for (const raw of [
      '%%%',
      b64('not json'),
      b64([]),
      b64({ conditions: [] }),
      b64({ expiration: 'tomorrow', conditions: [] }),
      b64({ expiration: FUTURE }),
      b64({ expiration: FUTURE, conditions: [['matches', '$key', 'x']] }),
      b64({ expiration: FUTURE, conditions: [['eq', 'key', 'x']] }),
      b64({ expiration: FUTURE, conditions: [['content-length-range', 10, 1]] }),
      b64({ expiration: FUTURE, conditions: [{ a: '1', b: '2' }] }),
      b64({ expiration: FUTURE, conditions: [42] }),
    ]) {
      expect(
        code(() => parsePostPolicy(raw)),
        raw,
      ).toBe('InvalidPolicyDocument');
    }
  });
});

describe('checkPostPolicy', () => {
  const policy = parsePostPolicy(
    b64({
      expiration: FUTURE,
      conditions: [
        { bucket: 'photos' },
        ['starts-with', '$key', 'user/'],
        ['starts-with', '$Content-Type', 'image/'],
        ['content-length-range', 0, 5],
        { 'x-amz-server-side-encryption': 'aws:kms' },
      ],
    }),
  );
  const fields = new Map([
    ['key', 'user/cat.jpg'],
    ['content-type', 'image/jpeg, image/png'],
    ['x-amz-server-side-encryption', 'aws:kms'],
    ['policy', 'ignored'],
    ['x-ignore-tracking', '1'],
  ]);

  it('accepts fields that meet every condition and returns the size range', () => {
    expect(checkPostPolicy(policy, fields, 'photos', NOW)).toEqual({ contentLength: { min: 0, max: 5 } });
  });

  it('refuses an expired policy, another bucket, a failed condition, a partly matching content-type list and an unnamed field', () => {
    expect(code(() => checkPostPolicy(policy, fields, 'photos', Date.parse(FUTURE) + 1))).toBe('AccessDenied');
    expect(code(() => checkPostPolicy(policy, fields, 'other', NOW))).toBe('AccessDenied');
    expect(code(() => checkPostPolicy(policy, new Map([...fields, ['key', 'admin/x']]), 'photos', NOW))).toBe(
      'AccessDenied',
    );
    expect(
      code(() =>
        checkPostPolicy(policy, new Map([...fields, ['content-type', 'image/png, text/html']]), 'photos', NOW),
      ),
    ).toBe('AccessDenied');
    expect(
      code(() =>
        checkPostPolicy(policy, new Map([...fields, ['x-amz-server-side-encryption', 'AES256']]), 'photos', NOW),
      ),
    ).toBe('AccessDenied');
    expect(code(() => checkPostPolicy(policy, new Map([...fields, ['acl', 'public-read']]), 'photos', NOW))).toBe(
      'AccessDenied',
    );
  });
});
