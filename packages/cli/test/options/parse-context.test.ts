import { describe, expect, it } from 'vitest';
import { collect, parseContextPairs } from '../../src/options/parse-context.js';

describe('parseContextPairs', () => {
  it('splits at the first = so values may hold =', () => {
    expect(parseContextPairs(['a=b', 'url=x?y=z', 'empty='], '--context')).toEqual({ a: 'b', url: 'x?y=z', empty: '' });
  });

  it('returns a plain object whose keys are own properties, even for __proto__', () => {
    const context = parseContextPairs(['__proto__=x', 'constructor=y'], '--context');
    expect(Object.getPrototypeOf(context)).toBe(Object.prototype);
    expect(Object.keys(context).sort()).toEqual(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });

  it.each([['novalue'], ['=value']])('refuses %j (no key)', (pair) => {
    expect(() => parseContextPairs([pair], '--context')).toThrow(/--context: expected key=value/);
  });

  it('refuses a key given twice', () => {
    expect(() => parseContextPairs(['a=1', 'a=2'], '--expect-context')).toThrow(
      /--expect-context: the key "a" is given twice/,
    );
  });

  it('refuses the reserved aws-crypto- prefix', () => {
    expect(() => parseContextPairs(['aws-crypto-public-key=x'], '--context')).toThrow(/reserved/);
  });

  it('collect accumulates repeated options in order', () => {
    expect(collect('b', collect('a', undefined))).toEqual(['a', 'b']);
  });
});
