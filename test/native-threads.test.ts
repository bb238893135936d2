// Native threads: `createFramePool({ mode: 'native', threads })` splits one message's frames
// into batches sealed and opened as native tasks on libuv's thread pool. The native code
// only ever reads and writes buffers the engine owns: a caller that reuses one buffer for
// every write of a stream (changing it as soon as the write is acknowledged) still gets
// the right message; a one-shot result lands in the caller's encryptInto/decryptInto
// output; the pool needs the native backend.
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { ErrorCodes, nodeBackend, SealflowError, type CipherBackend, type Engine } from '@sealflow/core';
import { createTestEngine } from '@sealflow/core/testing';
import { nativeBackend } from '@sealflow/native';
import { createFramePool, type FramePool } from '@sealflow/parallel';
import { NativeRunner } from '../packages/parallel/src/native-runner.js';
import { fixedMaterials, patternBytes, rawAesStore } from '../packages/core/test/engine/fixtures.js';

const MiB = 1024 * 1024;

/** Writes `data` through `transform` from ONE reused buffer, changed as soon as each write is acknowledged. */
async function throughReusedBuffer(transform: NodeJS.ReadWriteStream, data: Uint8Array, size: number): Promise<Buffer> {
  const reused = Buffer.alloc(size);
  const out: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      out.push(Buffer.from(chunk));
      done();
    },
  });
  const finished = pipeline(transform, sink);
  for (let at = 0; at < data.length; at += size) {
    const part = data.subarray(at, at + size);
    reused.set(part);
    const view = reused.subarray(0, part.length);
    await new Promise<void>((resolve, reject) => {
      transform.write(view, (error) => (error ? reject(error) : resolve()));
    });
    reused.fill(0xa5); // the engine must not read it any more
  }
  transform.end();
  await finished;
  return Buffer.concat(out);
}

/** Runs `mutate` between turns of the event loop until `call` settles; resolves to its value. */
async function racing<T>(call: Promise<T>, mutate: () => void): Promise<T> {
  let done = false;
  const settled = call.finally(() => {
    done = true;
  });
  while (!done) {
    mutate();
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return settled;
}

function threadedEngine(threads: number, frameLength = 64 * 1024): { engine: Engine; pool: FramePool } {
  const pool = createFramePool({ mode: 'native', threads, batchBytes: 256 * 1024, minMessageBytes: 0 });
  const engine = createTestEngine({ keyStore: rawAesStore(), frameLength, backend: 'native', offload: pool });
  return { engine, pool };
}

describe('native threads (createFramePool mode native)', () => {
  it('a stream whose caller reuses one buffer gets the same bytes: the native tasks read engine copies', async () => {
    const store = rawAesStore();
    const options = await fixedMaterials(store);
    const plaintext = patternBytes(6 * MiB + 123, 11);
    const node = createTestEngine({ keyStore: store, frameLength: 64 * 1024, backend: 'node' });
    const expected = await new Promise<Buffer>((resolve, reject) => {
      const parts: Buffer[] = [];
      const stream = node.encryptStream(options);
      stream.on('data', (b: Buffer) => parts.push(b));
      stream.on('end', () => resolve(Buffer.concat(parts)));
      stream.on('error', reject);
      stream.end(plaintext);
    });
    const pool = createFramePool({ mode: 'native', threads: 2, batchBytes: 256 * 1024, minMessageBytes: 0 });
    const engine = createTestEngine({ keyStore: store, frameLength: 64 * 1024, backend: 'native', offload: pool });
    for (const size of [100_000, 1 * MiB]) {
      const sealed = await throughReusedBuffer(engine.encryptStream(options), plaintext, size);
      expect(sealed.equals(expected), `encrypt, writes of ${size}`).toBe(true);
      const opened = await throughReusedBuffer(engine.decryptStream(), expected, size);
      expect(opened.equals(plaintext), `decrypt, writes of ${size}`).toBe(true);
    }
    expect(pool.stats().batches).toBeGreaterThan(40);
    await pool.close();
  });

  it('one-shot calls write the caller output in place, as one batch both threads share', async () => {
    const { engine, pool } = threadedEngine(2);
    const plaintext = patternBytes(5 * MiB + 7, 12);
    const output = new Uint8Array(6 * MiB);
    const sealed = await engine.encryptInto(plaintext, output);
    expect(sealed.buffer).toBe(output.buffer);
    const copy = Uint8Array.from(sealed);
    const into = new Uint8Array(6 * MiB);
    const result = await engine.decryptInto(copy, into);
    expect(result.plaintext.buffer).toBe(into.buffer);
    expect(Buffer.from(result.plaintext).equals(plaintext)).toBe(true);
    // Read in place: one batch per call, shared by the tasks of both threads, not one per
    // 256 KiB batch buffer.
    expect(pool.stats().batches).toBe(2);
    // A bad tag deep in the message: no plaintext stays in the output.
    copy[copy.length - 100_000] = (copy[copy.length - 100_000] ?? 0) ^ 1;
    into.fill(0xee);
    await expect(engine.decryptInto(copy, into)).rejects.toMatchObject({ code: ErrorCodes.AUTHENTICATION_FAILED });
    expect(into.subarray(0, plaintext.length).every((b) => b === 0)).toBe(true);
    // A bad tag in the first frame, while the other task still runs its claim: the call fails
    // only once every task returned, so none writes verified plaintext after the output was
    // zeroed. (Frame 1 fails at once; the other task's 1 MiB claim runs on.)
    const large = patternBytes(32 * MiB, 14);
    const early = await engine.encrypt(large);
    early[1000] = (early[1000] ?? 0) ^ 1;
    const largeInto = new Uint8Array(32 * MiB).fill(0xee);
    await expect(engine.decryptInto(early, largeInto)).rejects.toMatchObject({
      code: ErrorCodes.AUTHENTICATION_FAILED,
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(largeInto.every((b) => b === 0)).toBe(true);
    await pool.close();
  });

  it('one-shot calls read the caller input in place: a JS write racing the call still gives a consistent message', async () => {
    const { engine, pool } = threadedEngine(2);
    const node = createTestEngine({ keyStore: rawAesStore(), frameLength: 64 * 1024, backend: 'node' });
    const size = 24 * MiB + 5;
    const plaintext = patternBytes(size, 13);
    const before = Uint8Array.from(plaintext);
    const output = new Uint8Array(size + MiB);
    // Breaks the rule (the engine owns the input until the call settles) on purpose: flips
    // one byte per 64 KiB frame between turns of the event loop while the native tasks run.
    let writes = 0;
    const sealed = await racing(engine.encryptInto(plaintext, output), () => {
      for (let at = writes % 65_536; at < size; at += 65_536) plaintext[at] = (plaintext[at] ?? 0) ^ 0xff;
      writes++;
    });
    expect(writes).toBeGreaterThan(0);
    // Whatever each frame saw, it authenticates, and each byte is the old or the new value.
    const opened = (await node.decrypt(sealed)).plaintext;
    expect(opened.every((b, i) => b === before[i] || b === ((before[i] ?? 0) ^ 0xff))).toBe(true);

    const message = await node.encrypt(before);
    const into = new Uint8Array(size);
    let flips = 0;
    const settled = await racing(
      engine.decryptInto(message, into).then(
        (result) => result.plaintext,
        (error: unknown) => error,
      ),
      () => {
        // Flips a ciphertext byte of a frame and, a turn later, flips it back.
        const at = 4096 + ((flips >> 1) % 300) * 65_568;
        message[at] = (message[at] ?? 0) ^ 1;
        flips++;
      },
    );
    expect(flips).toBeGreaterThan(0);
    // Either every frame verified (then the plaintext is the original) or the call failed
    // and left no plaintext: a frame read while flipped never releases its bytes.
    if (settled instanceof Uint8Array) expect(Buffer.from(settled).equals(before)).toBe(true);
    else {
      expect(settled).toMatchObject({ code: ErrorCodes.AUTHENTICATION_FAILED });
      expect(into.every((b) => b === 0)).toBe(true);
    }
    await pool.close();
  });

  it('needs the native backend, and a thread count from 1 to 256', () => {
    expect(() => new NativeRunner(2, nodeBackend)).toThrow(SealflowError);
    expect(new NativeRunner(2, nativeBackend as CipherBackend).parallelism).toBe(2);
    expect(() => createFramePool({ mode: 'native', threads: 0 })).toThrow(SealflowError);
  });
});
