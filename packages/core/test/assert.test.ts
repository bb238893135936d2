// The shared argument checks (core's entry points and, through @sealflow/core/validate,
// every sibling package's): messages name the field, what was expected and what arrived,
// never a value's content; options are read by own properties with unknown keys refused.
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCodes, InvalidArgumentError } from '@sealflow/core';
import {
  assertBytes,
  assertContext,
  assertFunction,
  assertInteger,
  assertPattern,
  assertString,
  describe as describeValue,
  invalid,
  readOptions,
} from '@sealflow/core/validate';

function thrown(run: () => unknown): InvalidArgumentError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).code).toBe(ErrorCodes.INVALID_ARGUMENT);
    return error as InvalidArgumentError;
  }
  throw new Error('expected a throw, got none');
}

const polluted = Object.prototype as Record<string, unknown>;
afterEach(() => {
  delete polluted['timeoutMs'];
});

describe('describe', () => {
  it.each([
    [null, 'null'],
    [undefined, 'undefined'],
    [[1, 2], 'an array of 2'],
    [new Uint8Array(5), 'a Uint8Array of 5 bytes'],
    ['', 'an empty string'],
    [7, 'the number 7'],
    [{ a: 1 }, 'an object'],
    [true, 'boolean'],
  ])('describes %j as "%s"', (value, text) => {
    expect(describeValue(value)).toBe(text);
  });

  it('tells a string by its length, never its content', () => {
    expect(describeValue('hunter2-secret')).toBe('a string of 14 characters');
  });
});

describe('assertX helpers', () => {
  it('return the checked value', () => {
    const bytes = new Uint8Array(16);
    expect(assertBytes(bytes, 'k', [16, 32])).toBe(bytes);
    expect(assertString('x', 's')).toBe('x');
    expect(assertInteger(3, 'n', 1, 5)).toBe(3);
    expect(assertPattern('ab', 'p', /^a/, 'starting with a')).toBe('ab');
    const fn = (): number => 1;
    expect(assertFunction<() => number>(fn, 'f')).toBe(fn);
    expect(assertContext({ a: 'b' }, 'c')).toEqual({ a: 'b' });
  });

  it.each([
    [
      'assertBytes',
      () => assertBytes('text', 'opts.key'),
      'opts.key: expected a Uint8Array, got a string of 4 characters',
    ],
    [
      'assertBytes (length)',
      () => assertBytes(new Uint8Array(10), 'opts.key', [16, 32]),
      'opts.key: expected 16 or 32 bytes, got a Uint8Array of 10 bytes',
    ],
    [
      'assertString',
      () => assertString('', 'opts.name'),
      'opts.name: expected a non-empty string, got an empty string',
    ],
    [
      'assertInteger',
      () => assertInteger(1.5, 'opts.n', 1, 9),
      'opts.n: expected an integer from 1 to 9, got the number 1.5',
    ],
    [
      'assertInteger (unsafe)',
      () => assertInteger(2 ** 53, 'opts.n', 0, Infinity),
      'opts.n: expected an integer from 0 to Infinity, got the number 9007199254740992',
    ],
    [
      'assertPattern',
      () => assertPattern('zz', 'opts.id', /^a/, 'an ID starting with a'),
      'opts.id: expected an ID starting with a, got a string of 2 characters',
    ],
    ['assertFunction', () => assertFunction(5, 'opts.now'), 'opts.now: expected a function, got the number 5'],
    [
      'assertContext',
      () => assertContext({ a: 1 }, 'context'),
      'context["a"]: expected a string value, got the number 1',
    ],
    [
      'invalid',
      () => {
        throw invalid('field', 'something', null);
      },
      'field: expected something, got null',
    ],
  ])('%s names the field, what was expected and what arrived', (_, run, message) => {
    expect(thrown(run).message).toBe(message);
  });

  it('never puts a rejected string into the message', () => {
    const secret = 'correct horse battery staple';
    expect(thrown(() => assertPattern(secret, 'secretAccessKey', /^[A-Z]+$/, 'A-Z')).message).not.toContain(secret);
  });
});

describe('readOptions', () => {
  it('refuses an unknown key, naming it and the allowed ones', () => {
    expect(thrown(() => readOptions({ a: 1, colour: 'red' }, 'Thing options', ['a', 'b'])).message).toBe(
      'Thing options: unknown option "colour" (allowed: a, b)',
    );
  });

  it('refuses what is not an options object, and undefined unless optional', () => {
    for (const value of [null, 5, 'x', [], new Uint8Array(1), undefined]) {
      expect(thrown(() => readOptions(value, 'Thing options', ['a'])).message).toMatch(
        /^Thing options: expected an options object, got /,
      );
    }
    expect(readOptions(undefined, 'Thing options', ['a'], { optional: true }).has('a')).toBe(false);
  });

  it('ignores values set on Object.prototype', () => {
    polluted['timeoutMs'] = -1;
    const o = readOptions({}, 'opts', ['timeoutMs']);
    expect(o.raw('timeoutMs')).toBeUndefined();
    expect(o.integer('timeoutMs', 1, 10, 5)).toBe(5);
  });

  it('treats an own undefined as absent', () => {
    const o = readOptions({ a: undefined }, 'opts', ['a']);
    expect([o.has('a'), o.raw('a'), o.string('a', 'fallback')]).toEqual([false, undefined, 'fallback']);
  });

  it('reads a snapshot: a getter is called once, when the options are read', () => {
    let reads = 0;
    const options = {
      get a(): number {
        reads++;
        return reads;
      },
    };
    const o = readOptions(options, 'opts', ['a']);
    expect([o.raw('a'), o.raw('a'), reads]).toEqual([1, 1, 1]);
  });

  it('getters name the field as <label>.<key>', () => {
    const o = readOptions({ n: 0, b: 'yes', list: [1], s: '' }, 'opts', ['n', 'b', 'list', 's', 'arr']);
    expect(o.field('n')).toBe('opts.n');
    expect(thrown(() => o.integer('n', 1, 2)).message).toBe(
      'opts.n: expected an integer from 1 to 2, got the number 0',
    );
    expect(thrown(() => o.boolean('b', false)).message).toBe(
      'opts.b: expected a boolean, got a string of 3 characters',
    );
    expect(thrown(() => o.stringArray('list')).message).toBe(
      'opts.list[0]: expected a non-empty string, got the number 1',
    );
    expect(thrown(() => o.string('s')).message).toBe('opts.s: expected a non-empty string, got an empty string');
    expect(thrown(() => o.array('s')).message).toBe('opts.s: expected an array, got an empty string');
    expect([o.optionalString('arr'), o.array('arr'), o.stringArray('arr')]).toEqual([undefined, undefined, undefined]);
  });
});
