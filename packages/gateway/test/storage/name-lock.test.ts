import { describe, expect, it } from 'vitest';
import { NameLock } from '../../src/storage/name-lock.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('NameLock', () => {
  it('runs holders of one name one at a time, in order; other names do not wait', async () => {
    const lock = new NameLock();
    const events: string[] = [];
    const hold = (name: string, id: string) =>
      lock.run(name, async () => {
        events.push(`${id}+`);
        await tick();
        events.push(`${id}-`);
      });
    await Promise.all([hold('k', 'a'), hold('k', 'b'), hold('other', 'x'), hold('k', 'c')]);
    const onK = events.filter((e) => !e.startsWith('x'));
    expect(onK).toEqual(['a+', 'a-', 'b+', 'b-', 'c+', 'c-']);
    // 'x' started while 'a' held 'k'.
    expect(events.indexOf('x+')).toBeLessThan(events.indexOf('a-'));
  });

  it('a holder that throws releases the name, and the error reaches its caller', async () => {
    const lock = new NameLock();
    await expect(lock.run('k', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await lock.run('k', async () => 'next')).toBe('next');
  });
});
