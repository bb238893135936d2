import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DataKey, InvalidArgumentError } from '@sealflow/core';

const secret = (): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => 0xa0 + i);
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('DataKey', () => {
  it('is redacted in util.inspect, console-style formatting, JSON and String', () => {
    const bytes = secret();
    const key = new DataKey(bytes.slice());
    const renderings = [
      inspect(key),
      inspect({ nested: { key } }, { depth: 5 }),
      inspect(key, { showHidden: true }),
      JSON.stringify(key),
      JSON.stringify({ key }),
      String(key),
      `${key}`,
    ];
    for (const text of renderings) {
      expect(text).toContain('[DataKey: redacted]');
      expect(text).not.toContain(hex(bytes));
      expect(text).not.toContain(Buffer.from(bytes).toString('base64'));
      expect(text).not.toMatch(/16[0-9], 16[0-9]/); // no decimal byte listing (0xa0 = 160)
    }
  });

  it('keeps its bytes out of own enumerable properties', () => {
    const key = new DataKey(secret());
    expect(Object.keys(key)).toStrictEqual([]);
    expect(Object.getOwnPropertyNames(key)).toStrictEqual([]);
    expect(structuredClone({ ...key })).toStrictEqual({});
  });

  it('reveals the very bytes it was given, and destroy zeroes them in place', () => {
    const bytes = secret();
    const key = new DataKey(bytes);
    const revealed = key.reveal();
    expect(revealed).toBe(bytes);
    expect(hex(revealed)).toBe(hex(secret()));
    key.destroy();
    expect(bytes.every((b) => b === 0)).toBe(true);
    expect(revealed.every((b) => b === 0)).toBe(true);
    expect(key.destroyed).toBe(true);
    expect(key.length).toBe(0);
  });

  it('refuses to reveal after destroy, and destroy twice is harmless', () => {
    const key = new DataKey(secret());
    key.destroy();
    key.destroy();
    expect(() => key.reveal()).toThrow(InvalidArgumentError);
    expect(() => key.clone()).toThrow(InvalidArgumentError);
  });

  it('copyOf leaves the input intact when the copy is destroyed', () => {
    const bytes = secret();
    const key = DataKey.copyOf(bytes);
    expect(key.reveal()).not.toBe(bytes);
    key.destroy();
    expect(hex(bytes)).toBe(hex(secret()));
  });

  it('clone is independent: destroying one leaves the other readable', () => {
    const key = new DataKey(secret());
    const copy = key.clone();
    key.destroy();
    expect(hex(copy.reveal())).toBe(hex(secret()));
    copy.destroy();
    expect(copy.destroyed).toBe(true);
  });

  it('refuses empty or non-byte input with ERR_INVALID_ARGUMENT', () => {
    expect(() => new DataKey(new Uint8Array(0))).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => new DataKey('secret' as unknown as Uint8Array)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
  });
});
