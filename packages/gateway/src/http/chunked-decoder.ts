import { authError } from '../auth/auth-error.js';
import { AuthLimits } from '../auth/limits.js';

/**
 * The `aws-chunked` content encoding (spec: S3 API, sigv4-streaming and
 * sigv4-streaming-trailers), as a pure state machine over bytes: no streams, no
 * crypto. It turns wire bytes into events; the caller checks signatures and sums.
 *
 * ```
 * hex-size[;chunk-signature=<64 hex>]\r\n <size bytes> \r\n   (repeated)
 * 0[;chunk-signature=<64 hex>]\r\n                            (final chunk)
 * [name:value\r\n ...][x-amz-trailer-signature:<64 hex>\r\n]  (trailer, when announced)
 * \r\n
 * ```
 *
 * Bounds first: a header or trailer line longer than its cap, a chunk over
 * `maxChunkSize`, more data than `x-amz-decoded-content-length` announced, and
 * any byte after the terminating empty line are refused before anything is kept.
 * Data bytes are passed through as views of the input, never copied.
 */

export type ChunkEvent =
  | { readonly type: 'data'; readonly bytes: Uint8Array }
  /** The end of a chunk's data (also sent for the final zero-size chunk). */
  | { readonly type: 'chunk-end'; readonly size: number; readonly signature: string | undefined }
  | { readonly type: 'trailer'; readonly name: string; readonly value: string }
  | { readonly type: 'end' };

/** How a chunked body is framed. */
export interface ChunkFraming {
  /** Every chunk header carries `;chunk-signature=`. */
  readonly signed: boolean;
  /** The total of the chunk sizes must equal this (x-amz-decoded-content-length). */
  readonly decodedLength: number;
  /** A trailer section is expected after the final chunk. */
  readonly trailer: boolean;
  readonly maxChunkSize?: number;
}

type State = 'size-line' | 'data' | 'data-crlf' | 'trailer' | 'done';

const CR = 0x0d;
const LF = 0x0a;
const SIZE_LINE = /^([0-9a-fA-F]{1,16})(?:;chunk-signature=([0-9a-f]{64}))?$/;
const TRAILER_LINE = /^([A-Za-z0-9-]{1,64}):[ \t]*([\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?)?[ \t]*$/;

/** Decodes aws-chunked bytes incrementally; feed with `push`, close with `finish`. */
export class AwsChunkedDecoder {
  readonly #framing: ChunkFraming;
  readonly #maxChunkSize: number;
  readonly #line = new Uint8Array(Math.max(AuthLimits.maxChunkHeaderBytes, AuthLimits.maxTrailerBytes));
  #lineLength = 0;
  #state: State = 'size-line';
  #chunkSize = 0;
  #remaining = 0;
  #signature: string | undefined;
  #decoded = 0;
  #trailerBytes = 0;
  #trailerCount = 0;

  constructor(framing: ChunkFraming) {
    this.#framing = framing;
    this.#maxChunkSize = framing.maxChunkSize ?? AuthLimits.maxChunkSize;
  }

  /**
   * Consumes `input` and returns the events it completes, in order.
   * @throws S3Error InvalidRequest on malformed framing, IncompleteBody on a length mismatch.
   */
  push(input: Uint8Array): ChunkEvent[] {
    const events: ChunkEvent[] = [];
    let at = 0;
    while (at < input.length) {
      if (this.#state === 'data') {
        const take = Math.min(this.#remaining, input.length - at);
        events.push({ type: 'data', bytes: input.subarray(at, at + take) });
        at += take;
        this.#remaining -= take;
        if (this.#remaining === 0) this.#state = 'data-crlf';
        continue;
      }
      if (this.#state === 'done') throw malformed('bytes follow the end of the aws-chunked body');
      const lf = input.indexOf(LF, at);
      const end = lf === -1 ? input.length : lf + 1;
      this.#appendLine(input.subarray(at, end));
      at = end;
      if (lf !== -1) this.#completeLine(events);
    }
    return events;
  }

  /**
   * Declares the end of the input.
   * @throws S3Error IncompleteBody when the body stopped before its terminating line.
   */
  finish(): void {
    if (this.#state !== 'done') {
      throw authError(
        'IncompleteBody',
        'The request body terminated unexpectedly: the aws-chunked body is incomplete.',
      );
    }
  }

  #appendLine(bytes: Uint8Array): void {
    const cap =
      this.#state === 'trailer' ? AuthLimits.maxTrailerBytes - this.#trailerBytes : AuthLimits.maxChunkHeaderBytes;
    if (this.#lineLength + bytes.length > cap) throw malformed('an aws-chunked header or trailer line is too long');
    this.#line.set(bytes, this.#lineLength);
    this.#lineLength += bytes.length;
  }

  #completeLine(events: ChunkEvent[]): void {
    const length = this.#lineLength;
    this.#lineLength = 0;
    if (length < 2 || this.#line[length - 2] !== CR) throw malformed('an aws-chunked line does not end with CRLF');
    const line = Buffer.from(this.#line.buffer, this.#line.byteOffset, length - 2).toString('latin1');
    switch (this.#state) {
      case 'size-line':
        this.#sizeLine(line, events);
        return;
      case 'data-crlf':
        if (line !== '') throw malformed('a chunk holds more bytes than its size says');
        events.push({ type: 'chunk-end', size: this.#chunkSize, signature: this.#signature });
        this.#state = 'size-line';
        return;
      case 'trailer':
        this.#trailerLine(line, length, events);
        return;
      default:
        throw malformed('unexpected aws-chunked state');
    }
  }

  #sizeLine(line: string, events: ChunkEvent[]): void {
    const m = SIZE_LINE.exec(line);
    if (m === null) throw malformed('an aws-chunked chunk header is malformed');
    const signature = m[2];
    if (this.#framing.signed !== (signature !== undefined)) {
      throw malformed(
        this.#framing.signed
          ? 'a chunk lacks its chunk-signature'
          : 'an unsigned aws-chunked body carries a chunk-signature',
      );
    }
    const size = Number.parseInt(m[1] as string, 16);
    // Caps before anything else: a hostile size never reaches an allocation or a counter.
    if (size > this.#maxChunkSize) throw malformed(`a chunk declares more than ${this.#maxChunkSize} bytes`);
    if (this.#decoded + size > this.#framing.decodedLength) {
      throw authError('IncompleteBody', 'The aws-chunked body holds more bytes than x-amz-decoded-content-length.');
    }
    this.#decoded += size;
    this.#chunkSize = size;
    this.#signature = signature;
    if (size > 0) {
      this.#remaining = size;
      this.#state = 'data';
      return;
    }
    if (this.#decoded !== this.#framing.decodedLength) {
      throw authError('IncompleteBody', 'The aws-chunked body holds fewer bytes than x-amz-decoded-content-length.');
    }
    events.push({ type: 'chunk-end', size: 0, signature });
    this.#state = 'trailer';
  }

  #trailerLine(line: string, length: number, events: ChunkEvent[]): void {
    if (line === '') {
      events.push({ type: 'end' });
      this.#state = 'done';
      return;
    }
    if (!this.#framing.trailer) throw malformed('trailing headers were not announced in x-amz-trailer');
    const m = TRAILER_LINE.exec(line);
    this.#trailerBytes += length;
    this.#trailerCount += 1;
    if (m === null || this.#trailerCount > AuthLimits.maxTrailers + 1)
      throw malformed('a trailing header is malformed');
    events.push({ type: 'trailer', name: (m[1] as string).toLowerCase(), value: m[2] ?? '' });
  }
}

function malformed(why: string): Error {
  return authError('InvalidRequest', `Invalid aws-chunked body: ${why}.`);
}
