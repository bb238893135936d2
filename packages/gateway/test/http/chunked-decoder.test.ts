import { describe, expect, it } from 'vitest';
import { AwsChunkedDecoder, type ChunkEvent, type ChunkFraming } from '../../src/http/chunked-decoder.js';

function decode(wire: string | Buffer, framing: ChunkFraming, pieceSize = Number.MAX_SAFE_INTEGER): ChunkEvent[] {
  const bytes = typeof wire === 'string' ? Buffer.from(wire, 'latin1') : wire;
  const decoder = new AwsChunkedDecoder(framing);
  const events: ChunkEvent[] = [];
  for (let at = 0; at < bytes.length; at += pieceSize) events.push(...decoder.push(bytes.subarray(at, at + pieceSize)));
  decoder.finish();
  return events;
}

function code(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    return String((e as { s3Code?: unknown }).s3Code);
  }
  return 'accepted';
}

const unsigned = (decodedLength: number, trailer = false): ChunkFraming => ({ signed: false, decodedLength, trailer });
const SIG = 'a'.repeat(64);

describe('AwsChunkedDecoder', () => {
  it('yields the same data, chunk ends and trailers whatever the input piece sizes', () => {
    const wire = '5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n';
    const whole = decode(wire, unsigned(11, true));
    const data = (events: ChunkEvent[]): string =>
      events.map((e) => (e.type === 'data' ? Buffer.from(e.bytes).toString() : '')).join('');
    const shape = (events: ChunkEvent[]): string[] =>
      events.filter((e) => e.type !== 'data').map((e) => JSON.stringify(e));
    for (const size of [1, 2, 3, 7]) {
      const split = decode(wire, unsigned(11, true), size);
      expect(data(split)).toBe('hello world');
      expect(shape(split)).toEqual(shape(whole));
    }
    expect(shape(whole)).toContain(
      JSON.stringify({ type: 'trailer', name: 'x-amz-checksum-crc32', value: 'DUoRhQ==' }),
    );
  });

  it('reads chunk signatures in signed framing and refuses their absence or presence in the wrong framing', () => {
    const events = decode(`3;chunk-signature=${SIG}\r\nabc\r\n0;chunk-signature=${SIG}\r\n\r\n`, {
      signed: true,
      decodedLength: 3,
      trailer: false,
    });
    expect(events.filter((e) => e.type === 'chunk-end')).toEqual([
      { type: 'chunk-end', size: 3, signature: SIG },
      { type: 'chunk-end', size: 0, signature: SIG },
    ]);
    expect(code(() => decode('3\r\nabc\r\n0\r\n\r\n', { signed: true, decodedLength: 3, trailer: false }))).toBe(
      'InvalidRequest',
    );
    expect(code(() => decode(`3;chunk-signature=${SIG}\r\nabc\r\n0\r\n\r\n`, unsigned(3)))).toBe('InvalidRequest');
  });

  it('refuses a chunk size over the cap before reading its data, even with 16 hex digits', () => {
    expect(code(() => new AwsChunkedDecoder(unsigned(1 << 30)).push(Buffer.from('1000001\r\n')))).toBe(
      'InvalidRequest',
    );
    expect(code(() => new AwsChunkedDecoder(unsigned(1 << 30)).push(Buffer.from('ffffffffffffffff\r\n')))).toBe(
      'InvalidRequest',
    );
    expect(code(() => new AwsChunkedDecoder({ ...unsigned(100), maxChunkSize: 4 }).push(Buffer.from('5\r\n')))).toBe(
      'InvalidRequest',
    );
  });

  it('refuses a header line longer than its cap while it is still arriving', () => {
    const decoder = new AwsChunkedDecoder(unsigned(10));
    expect(code(() => decoder.push(Buffer.alloc(1025, 0x30)))).toBe('InvalidRequest');
  });

  it('refuses more data than x-amz-decoded-content-length, and fewer', () => {
    expect(code(() => decode('5\r\nhello\r\n0\r\n\r\n', unsigned(4)))).toBe('IncompleteBody');
    expect(code(() => decode('5\r\nhello\r\n0\r\n\r\n', unsigned(6)))).toBe('IncompleteBody');
  });

  it('refuses truncation anywhere, a chunk longer than its size, bare LF line ends, and bytes after the end', () => {
    const wire = '5\r\nhello\r\n0\r\n\r\n';
    for (let cut = 0; cut < wire.length; cut += 1) {
      expect(
        code(() => decode(wire.slice(0, cut), unsigned(5))),
        `cut at ${cut}`,
      ).not.toBe('accepted');
    }
    expect(code(() => decode('5\r\nhello!\r\n0\r\n\r\n', unsigned(5)))).toBe('InvalidRequest');
    expect(code(() => decode('5\nhello\r\n0\r\n\r\n', unsigned(5)))).toBe('InvalidRequest');
    expect(code(() => decode(`${wire}x`, unsigned(5)))).toBe('InvalidRequest');
  });

  it('refuses trailers that were not announced, malformed trailer lines, and too many of them', () => {
    expect(code(() => decode('0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n', unsigned(0)))).toBe('InvalidRequest');
    expect(code(() => decode('0\r\nno colon here\r\n\r\n', unsigned(0, true)))).toBe('InvalidRequest');
    const many = Array.from({ length: 12 }, (_, i) => `x-amz-meta-${i}:v\r\n`).join('');
    expect(code(() => decode(`0\r\n${many}\r\n`, unsigned(0, true)))).toBe('InvalidRequest');
  });
});
