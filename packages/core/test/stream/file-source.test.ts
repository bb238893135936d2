import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngine, fileSource } from '@sealflow/core';
import { patternBytes, rawAesStore, sealflowCode } from '../engine/fixtures.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sealflow-file-source-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const equal = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

describe('fileSource(path | FileHandle)', () => {
  it('engine.decryptRange(fileSource(path), …) returns the range, as the README snippet reads', async () => {
    const engine = createEngine({ keyStore: rawAesStore() });
    const plaintext = patternBytes(5000, 9);
    writeFileSync(join(dir, 'm.sealed'), await engine.encrypt(plaintext, { frameLength: 256 }));
    const slice = await engine.decryptRange(fileSource(join(dir, 'm.sealed')), { start: 300, end: 1300 });
    expect(equal(slice, plaintext.subarray(300, 1300))).toBe(true);
    const tail = await engine.decryptRange(fileSource(join(dir, 'm.sealed')), { suffixLength: 10 });
    expect(equal(tail, plaintext.subarray(4990))).toBe(true);
  });

  it('over a FileHandle the caller keeps owning, with reads clamped to the size at creation', async () => {
    const engine = createEngine({ keyStore: rawAesStore() });
    const plaintext = patternBytes(1000, 2);
    const sealed = await engine.encrypt(plaintext, { frameLength: 128 });
    writeFileSync(join(dir, 'm.sealed'), sealed);
    const handle = await open(join(dir, 'm.sealed'), 'r');
    try {
      const source = fileSource(handle);
      expect(source.size).toBe(sealed.length);
      expect(equal(await source.read(sealed.length - 5, 100), sealed.subarray(sealed.length - 5))).toBe(true);
      expect(equal(await engine.decryptRange(source, { start: 0, end: 1000 }), plaintext)).toBe(true);
      expect((await handle.stat()).size).toBe(sealed.length); // still open: not closed by the source
    } finally {
      await handle.close();
    }
  });

  it('a missing path or a folder throws the system error; anything else is ERR_INVALID_ARGUMENT', async () => {
    expect(() => fileSource(join(dir, 'missing'))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    mkdirSync(join(dir, 'folder'));
    expect(() => fileSource(join(dir, 'folder'))).toThrow(expect.objectContaining({ code: 'EISDIR' }));
    expect(await sealflowCode(() => fileSource(42 as unknown as string))).toBe('ERR_INVALID_ARGUMENT');
  });
});
