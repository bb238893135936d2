import { Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AlgorithmSuiteIdentifier } from '@aws-crypto/client-node';
import type { Engine } from '@sealflow/core';
import { FINAL_FRAME_OVERHEAD, REGULAR_FRAME_OVERHEAD } from '@sealflow/core/frames';
import { CONTEXT, fixedOptions, rawFrames, sealflowEngines, type Contestant, type Fixture } from './contestants.js';
import type { RawNodeFrames } from './raw-node.js';
import { chunkedSource, collectingSink } from './streams-io.js';

/** A contestant of the stream suites: Node streams in, Node streams out. */
export interface StreamContestant {
  readonly name: string;
  /** The same stream code paths over whole buffers, for the cross-check. */
  readonly check: Contestant;
  encrypt(source: Readable, sink: Writable): Promise<void>;
  /** Decrypts the stored message (written by sealflow under the fixed materials), held in memory and streamed in 64 KiB chunks. */
  decrypt(message: Uint8Array, sink: Writable): Promise<void>;
}

const CHUNK = 64 * 1024;

function wholeViaStreams(
  name: string,
  family: Contestant['family'],
  encrypt: (fixed: boolean) => Transform | NodeJS.ReadWriteStream,
  decrypt: () => Transform | NodeJS.ReadWriteStream,
  opens: Contestant['opens'],
): Contestant {
  const run = async (bytes: Uint8Array, stream: Transform | NodeJS.ReadWriteStream): Promise<Uint8Array> => {
    const sink = collectingSink();
    await pipeline(chunkedSource(bytes, CHUNK), stream, sink);
    return sink.bytes();
  };
  return {
    name,
    family,
    encrypt: (p) => run(p, encrypt(false)),
    encryptFixed: (p) => run(p, encrypt(true)),
    decrypt: (c) => run(c, decrypt()),
    opens,
  };
}

function sealflowStream(name: string, engine: Engine, fixture: Fixture): StreamContestant {
  return {
    name,
    check: wholeViaStreams(
      name,
      'sealflow',
      (fixed) => engine.encryptStream(fixed ? fixedOptions(fixture, { context: CONTEXT }) : { context: CONTEXT }),
      () => engine.decryptStream(),
      () => true,
    ),
    encrypt: (source, sink) => pipeline(source, engine.encryptStream({ context: CONTEXT }), sink),
    decrypt: (message, sink) => pipeline(chunkedSource(message, CHUNK), engine.decryptStream(), sink),
  };
}

/** Raw frames as a Transform: each full chunk is one regular frame; a short chunk ends the body. */
function rawTransform(raw: RawNodeFrames, frameLength: number): Transform {
  let sequence = 1;
  let tail: Uint8Array | undefined;
  let header = false;
  return new Transform({
    transform(chunk: Uint8Array, _encoding, callback) {
      if (!header) this.push(raw.header);
      header = true;
      if (tail !== undefined) return callback(new Error('raw-node: data after a short chunk'));
      if (chunk.length === frameLength) for (const piece of raw.sealFrame(chunk, sequence++)) this.push(piece);
      else tail = Uint8Array.from(chunk);
      callback();
    },
    flush(callback) {
      if (!header) this.push(raw.header);
      callback(null, raw.sealFinalFrame(tail ?? new Uint8Array(0), sequence));
    },
  });
}

/** Raw frame opening straight from the message in memory, one tag check per frame: the limit. */
function rawDecryptFrames(
  raw: RawNodeFrames,
  headerLength: number,
  frameLength: number,
  message: Uint8Array,
  sink: Writable,
): void {
  const unit = REGULAR_FRAME_OVERHEAD + frameLength;
  const regular = Math.floor((message.length - headerLength - FINAL_FRAME_OVERHEAD) / unit);
  for (let i = 0; i < regular; i++) {
    const at = headerLength + i * unit;
    sink.write(raw.openFrame(message.subarray(at, at + unit), i + 1));
  }
}

/** Every contestant of the stream suites (64 KiB frames, 64 KiB chunks). */
export async function streamContestants(
  fixture: Fixture,
  frameLength: number,
  headerLength: number,
  options: { readonly noble: boolean },
): Promise<StreamContestant[]> {
  const raw = await rawFrames(fixture, frameLength);
  const rawContestant: StreamContestant = {
    name: 'raw-node',
    check: {
      ...wholeViaStreams(
        'raw-node',
        'raw',
        () => rawTransform(raw, frameLength),
        () => rawTransform(raw, frameLength),
        () => false,
      ),
      decrypt: async (c) => raw.open(c),
      opens: (p) => p.family !== 'peer',
    },
    encrypt: (source, sink) => pipeline(source, rawTransform(raw, frameLength), sink),
    decrypt: async (message, sink) => rawDecryptFrames(raw, headerLength, frameLength, message, sink),
  };
  const engines = sealflowEngines(fixture, frameLength);
  const sealflow = Object.entries(engines)
    .filter(([name]) => options.noble || name !== 'sealflow-noble')
    .filter(([name]) => name !== 'sealflow-workers-1')
    .map(([name, engine]) => sealflowStream(name, engine, fixture));
  const { esdk, keyring } = fixture;
  const esdkEncrypt = (): NodeJS.ReadWriteStream =>
    esdk.encryptStream(keyring, {
      encryptionContext: CONTEXT,
      frameLength,
      suiteId: AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY,
    }) as unknown as NodeJS.ReadWriteStream;
  const esdkDecrypt = (): NodeJS.ReadWriteStream =>
    esdk.decryptUnsignedMessageStream(keyring) as unknown as NodeJS.ReadWriteStream;
  const clientNode: StreamContestant = {
    name: 'client-node',
    check: wholeViaStreams(
      'client-node',
      'peer',
      () => esdkEncrypt(),
      () => esdkDecrypt(),
      () => true,
    ),
    encrypt: (source, sink) => pipeline(source, esdkEncrypt(), sink),
    decrypt: (message, sink) => pipeline(chunkedSource(message, CHUNK), esdkDecrypt(), sink),
  };
  return [rawContestant, ...sealflow, clientNode];
}
