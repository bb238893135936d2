import { describe, expect, it } from 'vitest';
import { authenticate, authenticatePostObject } from '@sealflow/gateway';
import { credentials, pieces } from '../support/replay.js';

const request = { method: 'GET', path: '/b/k', query: '', headers: { host: 'h' }, secure: false };

describe('argument checks at the boundary', () => {
  it('rejects (never throws synchronously) options that are missing, mistyped, unknown or inherited', async () => {
    const inherited = Object.create({ region: 'us-east-1' }) as object;
    for (const options of [
      undefined,
      null,
      {},
      { region: '' },
      { region: 'US EAST' },
      { region: 'us-east-1', now: 5 },
      { region: 'us-east-1', checksums: 'crc32' },
      { region: 'us-east-1', regoin: 'x' },
      inherited,
    ]) {
      const call = authenticate(request, pieces(Buffer.alloc(0)), credentials, options as never);
      await expect(call, JSON.stringify(options)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    }
  });

  it('rejects a body that is not async-iterable, a credentials lookup that is not a function, and a POST without a bucket', async () => {
    await expect(
      authenticate(request, Buffer.alloc(0) as never, credentials, { region: 'us-east-1' }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(
      authenticate(request, pieces(Buffer.alloc(0)), {} as never, { region: 'us-east-1' }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(
      authenticatePostObject({ bucket: '', headers: {}, secure: true }, pieces(Buffer.alloc(0)), credentials, {
        region: 'us-east-1',
      }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });

  it('accepts the documented options', async () => {
    const result = await authenticate(request, pieces(Buffer.alloc(0)), credentials, {
      region: 'us-east-1',
      now: () => 0,
      checksums: () => undefined,
    });
    expect(result.identity).toEqual({ anonymous: true });
  });
});
