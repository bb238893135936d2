// Shared fixtures for the core's safety suites (engine, format, stream, property, memory).
// Not a test file: vitest only collects *.test.ts.
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  RawAesKeyStore,
  SealflowError,
  type DecryptOptions,
  type Engine,
  type EncryptOptions,
  type FrameOffload,
} from '@sealflow/core';
import { BodyDecryptor, FINAL_FRAME_OVERHEAD, REGULAR_FRAME_OVERHEAD } from '@sealflow/core/frames';
import { FIXED_MATERIALS } from '@sealflow/core/testing';

/** A deterministic 32-byte wrapping key (tests only). */
export const WRAPPING_KEY = Uint8Array.from({ length: 32 }, (_, i) => (i * 7 + 3) & 0xff);

export function rawAesStore(key: Uint8Array = WRAPPING_KEY, name = 'k'): RawAesKeyStore {
  return new RawAesKeyStore({ namespace: 'sealflow-test', name, key });
}

/** `length` bytes of a counter pattern that differs per frame, so swapped frames cannot pass by accident. */
export function patternBytes(length: number, seed = 0): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + (i >>> 8) * 7 + seed) & 0xff;
  return out;
}

/** Fixed message ID and data key, merged into encrypt options: byte-identical output per call on a `createTestEngine` engine. */
export async function fixedMaterials(
  store: RawAesKeyStore,
  context: Readonly<Record<string, string>> = {},
): Promise<EncryptOptions> {
  const messageId = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
  const generated = await store.generateDataKey({ context, length: 32 });
  return { [FIXED_MATERIALS]: { messageId, dataKey: generated } } as EncryptOptions;
}

/** The frame layout of a framed v2 message without a signature. */
export interface FrameLayout {
  readonly headerLength: number;
  readonly frameLength: number;
  /** Number of regular frames. */
  readonly regular: number;
  /** Byte offset of regular frame `i` (0-based). */
  frameOffset(i: number): number;
  /** Byte offset of the final frame. */
  readonly finalOffset: number;
  /** Length of the final frame's content. */
  readonly finalContent: number;
  /** Bytes from the final frame's start to the end of the message body. */
  readonly finalLength: number;
}

export function layoutOf(engine: Engine, ciphertext: Uint8Array, bodyEnd = ciphertext.length): FrameLayout {
  const info = engine.inspect(ciphertext);
  const fl = info.frameLength;
  const unit = REGULAR_FRAME_OVERHEAD + fl;
  const rest = bodyEnd - info.headerLength - FINAL_FRAME_OVERHEAD;
  const regular = Math.floor(rest / unit);
  const finalOffset = info.headerLength + regular * unit;
  return {
    headerLength: info.headerLength,
    frameLength: fl,
    regular,
    frameOffset: (i) => info.headerLength + i * unit,
    finalOffset,
    finalContent: rest - regular * unit,
    finalLength: bodyEnd - finalOffset,
  };
}

/** Runs `fn` and returns what it threw (or rejected with); fails when it succeeds. */
export async function caught(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure, got success');
}

/** Like {@link caught}, and asserts the failure is a SealflowError; returns its code. */
export async function sealflowCode(fn: () => unknown): Promise<string> {
  const error = await caught(fn);
  if (!(error instanceof SealflowError))
    throw new Error(`expected a SealflowError, got ${String(error)}`, { cause: error });
  return error.code;
}

/** Cuts `bytes` into chunks of the given sizes (cycled), as a stream source would deliver them. */
export function chunked(bytes: Uint8Array, sizes: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let offset = 0;
  let i = 0;
  while (offset < bytes.length) {
    const size = Math.max(1, sizes[i++ % sizes.length] ?? 1);
    out.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  return out;
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

/** Pipes `chunks` through a Node Transform and collects the output. */
export async function throughNode(
  transform: NodeJS.ReadWriteStream,
  chunks: readonly Uint8Array[],
): Promise<Uint8Array> {
  const out: Uint8Array[] = [];
  await pipeline(
    Readable.from(chunks, { objectMode: false }),
    transform,
    new Writable({
      write(chunk: Uint8Array, _encoding, callback) {
        out.push(chunk);
        callback();
      },
    }),
  );
  return concat(out);
}

/** Pipes `chunks` through a WHATWG TransformStream and collects the output. */
export async function throughWeb(
  transform: TransformStream<Uint8Array, Uint8Array>,
  chunks: readonly Uint8Array[],
): Promise<Uint8Array> {
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  const out: Uint8Array[] = [];
  const reader = source.pipeThrough(transform).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    out.push(value);
  }
  return concat(out);
}

/** Collects an async iterable of byte chunks. */
export async function collect(iterable: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const out: Uint8Array[] = [];
  for await (const chunk of iterable) out.push(chunk);
  return concat(out);
}

/** Every decrypt API, driven the same way, so one table of cases runs against each. */
export const DECRYPT_APIS = ['decrypt', 'decryptStream', 'decryptWebStream', 'decryptIterable'] as const;
export type DecryptApi = (typeof DECRYPT_APIS)[number];

export async function decryptVia(
  api: DecryptApi,
  engine: Engine,
  ciphertext: Uint8Array,
  options: DecryptOptions = {},
  sizes: readonly number[] = [97],
): Promise<Uint8Array> {
  const chunks = chunked(ciphertext, sizes);
  switch (api) {
    case 'decrypt':
      return (await engine.decrypt(ciphertext, options)).plaintext;
    case 'decryptStream':
      return throughNode(engine.decryptStream(options), chunks);
    case 'decryptWebStream':
      return throughWeb(engine.decryptWebStream(options), chunks);
    case 'decryptIterable':
      return collect(engine.decryptIterable(chunks, options));
  }
}

export const ENCRYPT_APIS = ['encrypt', 'encryptStream', 'encryptWebStream', 'encryptIterable'] as const;
export type EncryptApi = (typeof ENCRYPT_APIS)[number];

export async function encryptVia(
  api: EncryptApi,
  engine: Engine,
  plaintext: Uint8Array,
  options: EncryptOptions = {},
  sizes: readonly number[] = [97],
): Promise<Uint8Array> {
  const chunks = chunked(plaintext, sizes);
  switch (api) {
    case 'encrypt':
      return engine.encrypt(plaintext, options);
    case 'encryptStream':
      return throughNode(engine.encryptStream(options), chunks);
    case 'encryptWebStream':
      return throughWeb(engine.encryptWebStream(options), chunks);
    case 'encryptIterable':
      return collect(engine.encryptIterable(chunks, options));
  }
}

/** An offload that opens frames on the calling thread and records whether its body was aborted (which wipes the key copy). */
export function recordingOffload(): { readonly offload: FrameOffload; readonly keys: Uint8Array[]; aborted: number } {
  const record = { keys: [] as Uint8Array[], aborted: 0 } as {
    keys: Uint8Array[];
    aborted: number;
    offload: FrameOffload;
  };
  record.offload = {
    name: 'recording',
    encryptBody: () => undefined,
    decryptBody: (init) => {
      record.keys.push(init.keyBytes);
      const body = new BodyDecryptor({
        backend: init.backend,
        key: init.key,
        header: init.header,
        verifier: init.verifier,
        limits: init.limits,
      });
      return {
        push: (chunk) => body.push(chunk),
        end: async () => body.end(),
        abort: () => {
          record.aborted++;
          init.keyBytes.fill(0);
        },
        get plaintextBytes() {
          return body.plaintextBytes;
        },
        get frames() {
          return body.frames;
        },
      };
    },
  };
  return record;
}
