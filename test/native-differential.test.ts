// Differential test: the native frame batches (Rust, ring, napi) against node:crypto and
// noble on 10,000 random cases (sizes 0 B to 1 MiB skewed small, random frame lengths,
// AES-128 and AES-256 keys), byte for byte: regular frames by the native batch call, the
// final frame by the native one-shot seal, against a per-frame node:crypto and noble
// reference of the ESDK v2 body. Every case is also opened back, tampered (one bit
// flipped: the native open fails at the same frame node:crypto does, keeps the verified
// frames, zeroes the failing one and never writes past it) and truncated.
import { spawnSync } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';
import { gcm } from '@noble/ciphers/aes.js';
import { describe, expect, it } from 'vitest';
import { bodyAad, BodyKind, FINAL_FRAME_MARKER, frameIv, writeUint32 } from '@sealflow/core/frames';
import { nativeBinding, type NativeBinding } from '@sealflow/native';
import { SealflowError } from '@sealflow/core';
import { createTestEngine } from '@sealflow/core/testing';
import { createFramePool } from '@sealflow/parallel';
import {
  DECRYPT_APIS,
  decryptVia,
  ENCRYPT_APIS,
  encryptVia,
  fixedMaterials,
  rawAesStore,
} from '../packages/core/test/engine/fixtures.js';

const CASES = 10_000;
const TAG = 16;
const UNIT_OVERHEAD = 32;

/** Deterministic PRNG (mulberry32): a failing case can be replayed from its index. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Case {
  readonly key: Uint8Array;
  readonly messageId: Uint8Array;
  readonly fl: number;
  readonly plaintext: Uint8Array;
  readonly rand: () => number;
}

function makeCase(index: number): Case {
  const rand = prng(index + 1);
  const int = (max: number): number => Math.floor(rand() * max);
  const r = rand();
  const fl = r < 0.2 ? 1 + int(64) : r < 0.6 ? 65 + int(5000) : r < 0.8 ? 4096 : 65_536;
  const s = rand();
  let size = s < 0.02 ? 0 : s < 0.75 ? int(4097) : s < 0.985 ? int(65_537) : int(1_048_577);
  size = Math.min(size, fl * 200); // keeps the per-frame references within the time budget
  const key = new Uint8Array(rand() < 0.5 ? 16 : 32);
  randomFillSync(key);
  const messageId = randomFillSync(new Uint8Array(32));
  return { key, messageId, fl, plaintext: randomFillSync(new Uint8Array(size)), rand };
}

const regularCount = (c: Case): number => (c.plaintext.length === 0 ? 0 : Math.ceil(c.plaintext.length / c.fl) - 1);

type Seal = (key: Uint8Array, iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array) => Uint8Array;
type Open = (key: Uint8Array, iv: Uint8Array, aad: Uint8Array, sealed: Uint8Array) => Uint8Array | undefined;

const algorithm = (key: Uint8Array): 'aes-128-gcm' | 'aes-256-gcm' =>
  key.length === 16 ? 'aes-128-gcm' : 'aes-256-gcm';
const nodeSeal: Seal = (key, iv, aad, plaintext) => {
  const cipher = createCipheriv(algorithm(key), key, iv, { authTagLength: TAG }).setAAD(aad);
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
};
const nodeOpen: Open = (key, iv, aad, sealed) => {
  const decipher = createDecipheriv(algorithm(key), key, iv, { authTagLength: TAG }).setAAD(aad);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
  const out = decipher.update(sealed.subarray(0, sealed.length - TAG));
  try {
    decipher.final();
    return out;
  } catch {
    return undefined;
  }
};
const nobleSeal: Seal = (key, iv, aad, plaintext) => gcm(key, iv, aad).encrypt(plaintext);

/** The body (regular frames then the final frame) sealed one frame at a time with `seal`. */
function referenceBody(c: Case, seal: Seal): Uint8Array {
  const n = regularCount(c);
  const parts: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const seq = i + 1;
    const prefix = new Uint8Array(4);
    writeUint32(prefix, 0, seq);
    const iv = frameIv(seq);
    parts.push(
      prefix,
      iv,
      seal(
        c.key,
        iv,
        bodyAad(c.messageId, BodyKind.REGULAR, seq, c.fl),
        c.plaintext.subarray(i * c.fl, (i + 1) * c.fl),
      ),
    );
  }
  const rest = c.plaintext.subarray(n * c.fl);
  const head = new Uint8Array(8);
  writeUint32(head, 0, FINAL_FRAME_MARKER);
  writeUint32(head, 4, n + 1);
  const iv = frameIv(n + 1);
  const length = new Uint8Array(4);
  writeUint32(length, 0, rest.length);
  parts.push(head, iv, length, seal(c.key, iv, bodyAad(c.messageId, BodyKind.FINAL, n + 1, rest.length), rest));
  return Buffer.concat(parts);
}

/** The same body through the native batch (regular frames) and one-shot seal (final frame). */
function nativeBody(binding: NativeBinding, c: Case): Uint8Array {
  const key = new binding.NativeKey(c.key);
  const n = regularCount(c);
  const rest = c.plaintext.length - n * c.fl;
  const body = new Uint8Array(n * (c.fl + UNIT_OVERHEAD) + 24 + rest + TAG);
  expect(binding.sealFramesSync(key, c.messageId, c.fl, 1, c.plaintext.subarray(0, n * c.fl), body)).toBe(n);
  const at = n * (c.fl + UNIT_OVERHEAD);
  writeUint32(body, at, FINAL_FRAME_MARKER);
  writeUint32(body, at + 4, n + 1);
  body.set(frameIv(n + 1), at + 8);
  writeUint32(body, at + 20, rest);
  binding.sealOne(
    key,
    frameIv(n + 1),
    bodyAad(c.messageId, BodyKind.FINAL, n + 1, rest),
    c.plaintext.subarray(n * c.fl),
    body.subarray(at + 24),
  );
  return body;
}

/** Index of the first regular frame node:crypto fails to open, or -1. */
function nodeFirstFailure(c: Case, regular: Uint8Array): number {
  const unit = c.fl + UNIT_OVERHEAD;
  for (let i = 0; i < regular.length / unit; i++) {
    const frame = regular.subarray(i * unit, (i + 1) * unit);
    const seq = i + 1;
    if (Buffer.from(frame.subarray(0, 4)).readUInt32BE(0) !== seq) return i;
    if (
      nodeOpen(c.key, frame.subarray(4, 16), bodyAad(c.messageId, BodyKind.REGULAR, seq, c.fl), frame.subarray(16)) ===
      undefined
    )
      return i;
  }
  return -1;
}

/** Opens the regular frames natively; returns the failing frame index (or -1) and the output. */
function nativeOpen(
  binding: NativeBinding,
  c: Case,
  regular: Uint8Array,
): { failed: number; code: string | undefined; output: Uint8Array } {
  const key = new binding.NativeKey(c.key);
  const unit = c.fl + UNIT_OVERHEAD;
  const output = new Uint8Array((regular.length / unit) * c.fl).fill(0xa5);
  try {
    binding.openFramesSync(key, c.messageId, c.fl, 1, regular, output);
    return { failed: -1, code: undefined, output };
  } catch (error) {
    const message = (error as Error).message;
    const code = message.slice(0, message.indexOf(':'));
    const match = /frame (\d+) of the batch/.exec(message);
    return { failed: match === null ? -2 : Number(match[1]) - 1, code, output };
  }
}

function runCase(binding: NativeBinding, index: number): void {
  const c = makeCase(index);
  const native = nativeBody(binding, c);
  const reference = referenceBody(c, nodeSeal);
  expect(Buffer.from(native).equals(reference), `case ${index}: native vs node:crypto`).toBe(true);
  // noble is pure JS and slow on big inputs: every small case, one big case in ten.
  if (c.plaintext.length <= 65_536 || index % 10 === 0) {
    expect(Buffer.from(referenceBody(c, nobleSeal)).equals(reference), `case ${index}: noble vs node:crypto`).toBe(
      true,
    );
  }
  const n = regularCount(c);
  const unit = c.fl + UNIT_OVERHEAD;
  const regular = native.subarray(0, n * unit);
  const opened = nativeOpen(binding, c, regular);
  expect(opened.failed, `case ${index}: opens`).toBe(-1);
  expect(Buffer.from(opened.output).equals(c.plaintext.subarray(0, n * c.fl))).toBe(true);
  const final = native.subarray(n * unit);
  const rest = c.plaintext.subarray(n * c.fl);
  const finalKey = new binding.NativeKey(c.key);
  const finalOut = new Uint8Array(rest.length);
  const finalAad = bodyAad(c.messageId, BodyKind.FINAL, n + 1, rest.length);
  expect(
    binding.openOne(
      finalKey,
      final.subarray(8, 20),
      finalAad,
      final.subarray(24, 24 + rest.length),
      final.subarray(24 + rest.length),
      finalOut,
    ),
  ).toBe(true);
  expect(Buffer.from(finalOut).equals(rest)).toBe(true);

  // Tampering: one bit anywhere in the regular frames, or in the final frame's ciphertext/tag.
  if (n > 0 && c.rand() < 0.7) {
    const tampered = Uint8Array.from(regular);
    const at = Math.floor(c.rand() * tampered.length);
    tampered[at] = (tampered[at] as number) ^ (1 << Math.floor(c.rand() * 8));
    const expected = nodeFirstFailure(c, tampered);
    const got = nativeOpen(binding, c, tampered);
    expect(expected).toBe(Math.floor(at / unit));
    expect(got.failed, `case ${index}: tampered byte ${at}`).toBe(expected);
    expect(got.code).toBe(at % unit < 4 ? 'FRAME_SEQUENCE' : 'AUTHENTICATION_FAILED');
    const f = got.failed * c.fl;
    expect(Buffer.from(got.output.subarray(0, f)).equals(c.plaintext.subarray(0, f)), 'verified frames stay').toBe(
      true,
    );
    // An authentication failure zeroes its frame; a sequence failure never wrote it.
    expect(got.output.subarray(f, f + c.fl).every((b) => b === (got.code === 'FRAME_SEQUENCE' ? 0xa5 : 0))).toBe(true);
    expect(
      got.output.subarray(f + c.fl).every((b) => b === 0xa5),
      'nothing written past the failing frame',
    ).toBe(true);
  } else if (final.length > 24) {
    const tampered = Uint8Array.from(final);
    const at = 24 + Math.floor(c.rand() * (tampered.length - 24));
    tampered[at] = (tampered[at] as number) ^ 0x01;
    const out = new Uint8Array(rest.length).fill(0xa5);
    expect(
      binding.openOne(
        finalKey,
        tampered.subarray(8, 20),
        finalAad,
        tampered.subarray(24, 24 + rest.length),
        tampered.subarray(24 + rest.length),
        out,
      ),
    ).toBe(false);
    expect(out.every((b) => b === 0)).toBe(true);
  }

  // Truncation: a cut inside a frame is refused; a cut on a frame boundary opens fewer frames.
  if (n > 0) {
    const cut = Math.floor(c.rand() * regular.length);
    const got = nativeOpen(binding, c, regular.subarray(0, cut));
    if (cut % unit === 0) expect(got.failed).toBe(-1);
    else expect(got.code).toBe('NATIVE_ARGUMENT');
  }
}

describe('native frame batches against node:crypto and noble', () => {
  const binding = nativeBinding;

  it('the binary is built wherever cargo exists (npm run setup), and absent otherwise', () => {
    // The same lookup as scripts/build-native.mjs: PATH, then rustup's default place.
    const works = (cmd: string): boolean => {
      const probe = spawnSync(cmd, ['--version'], { stdio: 'ignore', timeout: 30_000 });
      return probe.error === undefined && probe.status === 0;
    };
    const hasCargo =
      works('cargo') || works(join(process.env['CARGO_HOME'] ?? join(homedir(), '.cargo'), 'bin', 'cargo'));
    expect(binding !== undefined, 'packages/native/sealflow-native.node loads exactly where cargo built it').toBe(
      hasCargo,
    );
  });

  it(`${CASES} random cases: byte-identical sealing, opening, tampering and truncation`, () => {
    // Without cargo there is nothing native to compare: the fallback test above covers it.
    if (binding === undefined) return;
    for (let i = 0; i < CASES; i++) runCase(binding, i);
  }, 300_000);
});

/** Sealflow error code of a rejected promise (or 'ok'). */
async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    if (error instanceof SealflowError) return error.code;
    throw error;
  }
}

describe('the engine with native threads (createFramePool mode native) against node:crypto', () => {
  it('random messages: byte-identical on every encrypt API, same plaintext and failures on decrypt', async () => {
    if (nativeBinding === undefined) return;
    const store = rawAesStore();
    const options = await fixedMaterials(store);
    for (let i = 0; i < 48; i++) {
      const rand = prng(50_000 + i);
      const int = (max: number): number => Math.floor(rand() * max);
      const frameLength = [1 + int(64), 100 + int(5000), 4096, 65_536][int(4)] as number;
      const size = Math.min(int(rand() < 0.5 ? 200_000 : 3_000_000), frameLength * 400);
      const threads = 1 + int(2);
      const pool = createFramePool({
        mode: 'native',
        threads,
        batchBytes: 1 + int(256 * 1024),
        maxInFlightBytes: 1 + int(1024 * 1024),
        minMessageBytes: 0,
      });
      const threaded = createTestEngine({ keyStore: store, frameLength, backend: 'native', offload: pool });
      const node = createTestEngine({ keyStore: store, frameLength, backend: 'node' });
      const plaintext = randomFillSync(new Uint8Array(size));
      const chunks = [1 + int(100_000), 1 + int(5000)];
      const api = ENCRYPT_APIS[int(ENCRYPT_APIS.length)] as (typeof ENCRYPT_APIS)[number];
      const label = `case ${i}: ${api} ${size} B, frames of ${frameLength}, ${threads} thread(s)`;
      const sealed = await encryptVia(api, threaded, plaintext, options, chunks);
      expect(Buffer.from(sealed).equals(await encryptVia(api, node, plaintext, options, chunks)), label).toBe(true);
      const expected = await node.encrypt(plaintext, options);
      const into = new Uint8Array(sealed.length + int(100));
      expect(Buffer.from(await threaded.encryptInto(plaintext, into, options)).equals(expected), label).toBe(true);
      const decryptApi = DECRYPT_APIS[int(DECRYPT_APIS.length)] as (typeof DECRYPT_APIS)[number];
      const opened = await decryptVia(decryptApi, threaded, expected, {}, chunks);
      expect(Buffer.from(opened).equals(plaintext), `${label}, ${decryptApi}`).toBe(true);
      const result = await threaded.decryptInto(expected, new Uint8Array(size + int(100)));
      expect(Buffer.from(result.plaintext).equals(plaintext), `${label}, decryptInto`).toBe(true);
      if (size > 0) {
        const tampered = Uint8Array.from(expected);
        const at = expected.length - 1 - int(Math.min(expected.length - 1, size + 100));
        tampered[at] = (tampered[at] ?? 0) ^ 1;
        const got = await outcome(decryptVia(decryptApi, threaded, tampered, {}, chunks));
        expect(got, `${label}, tampered at ${at}`).toBe(await outcome(node.decrypt(tampered)));
      }
      await pool.close();
    }
    // A signing suite: each side decrypts what the other sealed.
    const pool = createFramePool({ mode: 'native', threads: 2, batchBytes: 64 * 1024, minMessageBytes: 0 });
    const signedThreaded = createTestEngine({ keyStore: store, suite: 0x0578, backend: 'native', offload: pool });
    const signedNode = createTestEngine({ keyStore: store, suite: 0x0578, backend: 'node' });
    const plaintext = randomFillSync(new Uint8Array(1_000_000));
    const viaThreads = await signedThreaded.encrypt(plaintext);
    expect(Buffer.from((await signedNode.decrypt(viaThreads)).plaintext).equals(plaintext)).toBe(true);
    const viaNode = await signedNode.encrypt(plaintext);
    expect(Buffer.from((await signedThreaded.decrypt(viaNode)).plaintext).equals(plaintext)).toBe(true);
    await pool.close();
  }, 300_000);
});
