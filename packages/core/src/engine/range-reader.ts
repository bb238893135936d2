import { AuthenticationError, ErrorCodes, MalformedMessageError } from '../errors.js';
import {
  FINAL_FRAME_MARKER,
  FINAL_FRAME_OVERHEAD,
  FINAL_FRAME_PREFIX,
  REGULAR_FRAME_OVERHEAD,
} from '../format/frame.js';
import { ContentType, parseHeader } from '../format/header.js';
import { FormatLimits } from '../format/limits.js';
import { concatBytes, readUint32 } from '../format/bytes.js';
import type { BodyDecryptor } from './body-decryptor.js';
import { DecryptSession, type DecryptPlan } from './decrypt-session.js';
import type { EngineCore } from './engine-core.js';
import { headerParseOptions } from './commitment-policy.js';

/**
 * Which plaintext bytes a range read returns: `[start, end)`, or the last
 * `suffixLength` bytes (all of them when the plaintext is shorter), which needs the
 * plaintext size only the message itself can tell (HTTP `Range: bytes=-n`).
 */
export type PlaintextRange = { readonly start: number; readonly end: number } | { readonly suffixLength: number };

/** Random access to a stored message: its size and positioned reads. */
export interface RandomAccessSource {
  readonly size: number;
  /** Resolves to exactly `length` bytes at `position` (fewer only at the end of the source). */
  read(position: number, length: number): Promise<Uint8Array>;
}

const HEADER_PROBE = 4096;

const truncated = (): MalformedMessageError =>
  new MalformedMessageError(ErrorCodes.TRUNCATED, 'the message is truncated');

async function readExactly(source: RandomAccessSource, position: number, length: number): Promise<Uint8Array> {
  if (length === 0) return new Uint8Array(0);
  const bytes = await source.read(position, length);
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) throw truncated();
  return bytes;
}

/**
 * Decrypts plaintext bytes [start, end) (or the last `suffixLength`) of a framed, unsigned message by reading only
 * the header, the final frame (which authenticates the plaintext length) and the frames
 * that cover the range; every frame read is verified before any byte is returned.
 * Signed and non-framed messages cannot be verified piecewise: they are decrypted
 * sequentially in full and the range is cut from the verified plaintext.
 */
export async function decryptRange(
  core: EngineCore,
  source: RandomAccessSource,
  range: PlaintextRange,
  plan: DecryptPlan,
): Promise<Uint8Array> {
  const size = source.size;
  const options = headerParseOptions(core);
  // 1. The header: read until it parses (each read asks for what the parser needs).
  let head = await source.read(0, Math.min(size, HEADER_PROBE));
  let parsed = parseHeader(head, options);
  while ('need' in parsed) {
    if (parsed.need > size) throw truncated();
    head = concatBytes([head, await readExactly(source, head.length, parsed.need - head.length)]);
    parsed = parseHeader(head, options);
  }
  const header = parsed.header;
  const session = new DecryptSession(core, plan);
  await session.push(head.subarray(0, header.length));
  if (header.contentType === ContentType.NON_FRAMED || header.suite.signature !== undefined) {
    return sequentialRange(session, source, header.length, range);
  }
  const body = session.body;
  if (body === undefined) throw truncated();
  // 2. The final frame, located from the source size: size = H + n(32 + FL) + 40 + L, 0 <= L <= FL.
  const fl = header.frameLength;
  const unit = REGULAR_FRAME_OVERHEAD + fl;
  const rest = size - header.length - FINAL_FRAME_OVERHEAD;
  if (rest < 0) throw truncated();
  const regular = Math.floor(rest / unit);
  const lastLength = rest - regular * unit;
  const finalPlaintext = await openFinalFrame(
    source,
    body,
    header.length + regular * unit,
    regular + 1,
    lastLength,
    fl,
  );
  if (finalPlaintext === undefined) {
    // No final frame that verifies where the size puts it: bytes follow the message, or it
    // was cut or altered. Decrypted in order (reading it all, on this failure path only),
    // it fails with the code every other decrypt API gives, e.g. ERR_TRAILING_BYTES.
    return sequentialRange(session, source, header.length, range);
  }
  const plaintextSize = regular * fl + lastLength;
  const { start, end } =
    'suffixLength' in range ? { start: Math.max(0, plaintextSize - range.suffixLength), end: plaintextSize } : range;
  const to = Math.min(end, plaintextSize);
  if (start > plaintextSize) {
    throw new MalformedMessageError(
      ErrorCodes.RANGE_NOT_SATISFIABLE,
      `range start ${start} is past the plaintext size ${plaintextSize}`,
    );
  }
  if (start >= to) return counted(core, new Uint8Array(0));
  // 3. The regular frames covering [start, to), in one read, each verified.
  const first = Math.floor(start / fl);
  const last = Math.floor((to - 1) / fl);
  const out = new Uint8Array(to - start);
  let written = 0;
  const lastRegular = Math.min(last, regular - 1);
  if (first <= lastRegular) {
    const bytes = await readExactly(source, header.length + first * unit, (lastRegular - first + 1) * unit);
    for (let i = first; i <= lastRegular; i++) {
      const frame = bytes.subarray((i - first) * unit, (i - first + 1) * unit);
      if (readUint32(frame, 0) === FINAL_FRAME_MARKER)
        throw new MalformedMessageError(ErrorCodes.MALFORMED_MESSAGE, 'malformed body: a final frame before the end');
      const plaintext = body.openFrame(frame, i + 1);
      const from = i === first ? start - i * fl : 0;
      const until = Math.min(fl, to - i * fl);
      out.set(plaintext.subarray(from, until), written);
      written += until - from;
    }
  }
  if (last === regular) {
    const from = first === regular ? start - regular * fl : 0;
    out.set(finalPlaintext.subarray(from, to - regular * fl), written);
  }
  return counted(core, out);
}

/**
 * The plaintext of the final frame, number `sequence`, expected at `offset` with
 * `length` bytes of content; undefined when the bytes there are not that final frame.
 */
async function openFinalFrame(
  source: RandomAccessSource,
  body: BodyDecryptor,
  offset: number,
  sequence: number,
  length: number,
  fl: number,
): Promise<Uint8Array | undefined> {
  if (length > fl || sequence > FormatLimits.maxFrameCount) return undefined;
  const finalUnit = await readExactly(source, offset, FINAL_FRAME_OVERHEAD + length);
  // The unit at the end must be a final frame whose length field matches the size. A source
  // cut on a frame boundary ends in a regular frame that openFrame would accept as one, and
  // the message would pass for a shorter one (spec: esdk message-body.md#final-frame).
  if (readUint32(finalUnit, 0) !== FINAL_FRAME_MARKER || readUint32(finalUnit, FINAL_FRAME_PREFIX - 4) !== length)
    return undefined;
  try {
    return body.openFrame(finalUnit, sequence);
  } catch (error) {
    if (error instanceof MalformedMessageError || error instanceof AuthenticationError) return undefined;
    throw error;
  }
}

/** A verified range read counts as one message decrypted (its returned bytes as bytes decrypted). */
function counted(core: EngineCore, out: Uint8Array): Uint8Array {
  core.stats.messagesDecrypted++;
  core.stats.bytesDecrypted += out.length;
  return out;
}

async function sequentialRange(
  session: DecryptSession,
  source: RandomAccessSource,
  offset: number,
  range: PlaintextRange,
): Promise<Uint8Array> {
  // Only the pieces overlapping the range are kept: memory stays O(range + one read),
  // however large the message. A suffix keeps a window of the last pieces, trimmed as
  // more arrive, since where it starts is known only at the end.
  const kept: Uint8Array[] = [];
  let keptBytes = 0;
  let position = 0;
  const keep = (pieces: readonly Uint8Array[]): void => {
    for (const piece of pieces) {
      if ('suffixLength' in range) {
        kept.push(piece);
        keptBytes += piece.length;
        while (kept.length > 0 && keptBytes - (kept[0] as Uint8Array).length >= range.suffixLength)
          keptBytes -= (kept.shift() as Uint8Array).length;
      } else {
        const from = Math.max(range.start, position);
        const to = Math.min(range.end, position + piece.length);
        if (from < to) kept.push(piece.subarray(from - position, to - position));
      }
      position += piece.length;
    }
  };
  const step = 1024 * 1024;
  for (let at = offset; at < source.size; at += step) {
    keep(await session.push(await readExactly(source, at, Math.min(step, source.size - at))));
  }
  keep(await session.end());
  if ('suffixLength' in range) {
    const all = concatBytes(kept);
    return all.subarray(Math.max(0, all.length - range.suffixLength));
  }
  if (range.start > position) {
    throw new MalformedMessageError(
      ErrorCodes.RANGE_NOT_SATISFIABLE,
      `range start ${range.start} is past the plaintext size ${position}`,
    );
  }
  return concatBytes(kept);
}
