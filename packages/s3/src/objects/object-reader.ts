import type { EncryptionContext } from '@sealflow/core';
import { REGULAR_FRAME_OVERHEAD } from '@sealflow/core/frames';
import type { MessageEngine } from './dual-layer-engine.js';
import type { BlobStore } from '../store/blob-store.js';
import type { ObjectRecord, StoredPart } from './object-record.js';
import { messageSource, messageStream } from './message-source.js';
import { decodeTrailer, type SealedChecksums } from './sealed-trailer.js';

/** Plaintext held per range-read step: the memory bound of a ranged GET. */
export const RANGE_WINDOW: number = 8 * 1024 * 1024;

export interface ReadPlan {
  readonly engine: MessageEngine;
  readonly store: BlobStore;
  readonly record: ObjectRecord;
  /** The context every message must authenticate (its object ARN and stored pairs). */
  readonly expectContext: EncryptionContext;
  readonly signal?: AbortSignal | undefined;
}

/** Body bytes a whole-object read asks the store for at a time, rounded to whole frames. */
export const READ_CHUNK_TARGET: number = 256 * 1024;

/**
 * The plaintext of a whole object: each message streamed through the engine (one unwrap
 * per message), its sealed trailer cut off after it has been authenticated. The body is
 * asked for in chunks of whole frames (after the header, which comes from the record),
 * so the engine opens each chunk as one batch and never gathers a frame across chunks.
 */
export async function* readWhole(plan: ReadPlan): AsyncIterable<Uint8Array> {
  for (const part of plan.record.parts) {
    let left = part.plaintextLength;
    const options = {
      expectContext: plan.expectContext,
      ...(plan.signal === undefined ? {} : { signal: plan.signal }),
    };
    const unit = plan.engine.inspect(part.header).frameLength + REGULAR_FRAME_OVERHEAD;
    const chunkBytes = Math.max(1, Math.round(READ_CHUNK_TARGET / unit)) * unit;
    const body = messageStream(plan.store, part, plan.signal, chunkBytes);
    for await (const chunk of plan.engine.decryptIterable(body, options)) {
      if (left === 0) continue;
      const take = Math.min(left, chunk.length);
      left -= take;
      yield take === chunk.length ? chunk : chunk.subarray(0, take);
    }
  }
}

/**
 * Plaintext bytes [start, end) of an object: only the parts that cover the range, and in
 * each only its header, its final frame and the frames that cover the range are read
 * (the engine's range reader verifies each before returning bytes). At most
 * `RANGE_WINDOW` bytes (rounded to whole frames) are held at a time; each window
 * unwraps the message's data key again (bucket-key EDKs from the engine's cache).
 */
export async function* readRange(plan: ReadPlan, start: number, end: number): AsyncIterable<Uint8Array> {
  let offset = 0;
  for (const part of plan.record.parts) {
    const partStart = offset;
    offset += part.plaintextLength;
    if (offset <= start || partStart >= end || part.plaintextLength === 0) continue;
    const from = Math.max(start, partStart) - partStart;
    const to = Math.min(end, offset) - partStart;
    const source = messageSource(plan.store, part);
    const frame = plan.engine.inspect(part.header).frameLength;
    const window = Math.max(frame, Math.floor(RANGE_WINDOW / frame) * frame);
    for (let at = from; at < to;) {
      const stop = Math.min(to, (Math.floor(at / window) + 1) * window);
      yield await plan.engine.decryptRange(source, {
        start: at,
        end: stop,
        expectContext: plan.expectContext,
        ...(plan.signal === undefined ? {} : { signal: plan.signal }),
      });
      at = stop;
    }
  }
}

/** The sealed checksums of each message (decrypts only the frames that hold each trailer). */
export async function readTrailers(plan: ReadPlan): Promise<SealedChecksums[]> {
  const out: SealedChecksums[] = [];
  for (const part of plan.record.parts) out.push(await readTrailer(plan, part));
  return out;
}

async function readTrailer(plan: ReadPlan, part: StoredPart): Promise<SealedChecksums> {
  const bytes = await plan.engine.decryptRange(messageSource(plan.store, part), {
    start: part.plaintextLength,
    end: part.plaintextLength + part.trailerLength,
    expectContext: plan.expectContext,
  });
  return decodeTrailer(bytes);
}
