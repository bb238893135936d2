// An independent map of a v2 message's bytes into named regions (spec: esdk-format.md
// §3, §5, §9, §12), written from the spec rather than from the code under test, so the
// tamper suite can say what each altered byte was and which failure it must cause.

export type RegionKind =
  | 'version'
  | 'suite'
  | 'message-id'
  | 'context-length'
  | 'context'
  | 'edk-count'
  | 'edk-length'
  | 'edk-provider'
  | 'edk-ciphertext'
  | 'content-type'
  | 'frame-length'
  | 'commitment'
  | 'header-tag'
  | 'frame-sequence'
  | 'final-marker'
  | 'frame-iv'
  | 'final-length'
  | 'non-framed-length'
  | 'body-ciphertext'
  | 'body-tag'
  | 'signature-length'
  | 'signature';

export interface Region {
  readonly kind: RegionKind;
  readonly start: number;
  readonly end: number;
}

export interface MessageLayout {
  readonly regions: readonly Region[];
  readonly headerLength: number;
  /** Offsets where a unit (header, frame, footer) ends: the natural truncation points. */
  readonly boundaries: readonly number[];
}

const u16 = (b: Uint8Array, at: number): number => ((b[at] as number) << 8) | (b[at + 1] as number);
const u32 = (b: Uint8Array, at: number): number => u16(b, at) * 0x10000 + u16(b, at + 2);

/** Maps a well-formed v2 message (suite 0x0478 or 0x0578) into regions. */
export function layoutOf(m: Uint8Array): MessageLayout {
  const regions: Region[] = [];
  const boundaries: number[] = [];
  let at = 0;
  const take = (kind: RegionKind, length: number): number => {
    regions.push({ kind, start: at, end: at + length });
    at += length;
    return at - length;
  };
  if (m[0] !== 2) throw new Error('layoutOf: v2 messages only');
  take('version', 1);
  const suite = u16(m, take('suite', 2));
  take('message-id', 32);
  const contextLength = u16(m, take('context-length', 2));
  if (contextLength > 0) take('context', contextLength);
  const edks = u16(m, take('edk-count', 2));
  for (let i = 0; i < edks; i++) {
    take('edk-provider', u16(m, take('edk-length', 2)));
    take('edk-provider', u16(m, take('edk-length', 2)));
    take('edk-ciphertext', u16(m, take('edk-length', 2)));
  }
  const framed = m[take('content-type', 1)] === 2;
  const frameLength = u32(m, take('frame-length', 4));
  take('commitment', 32);
  take('header-tag', 16);
  const headerLength = at;
  boundaries.push(at);
  if (framed) {
    for (;;) {
      const final = u32(m, at) === 0xffff_ffff;
      if (final) take('final-marker', 4);
      take('frame-sequence', 4);
      take('frame-iv', 12);
      const length = final ? u32(m, take('final-length', 4)) : frameLength;
      if (length > 0) take('body-ciphertext', length);
      take('body-tag', 16);
      boundaries.push(at);
      if (final) break;
    }
  } else {
    take('frame-iv', 12);
    const length = u32(m, take('non-framed-length', 8) + 4);
    if (length > 0) take('body-ciphertext', length);
    take('body-tag', 16);
    boundaries.push(at);
  }
  if (suite === 0x0578) {
    take('signature', u16(m, take('signature-length', 2)));
    boundaries.push(at);
  }
  if (at !== m.length) throw new Error(`layoutOf: ${m.length - at} bytes left over`);
  return { regions, headerLength, boundaries };
}

/** The region holding byte `offset`. */
export function regionAt(layout: MessageLayout, offset: number): Region {
  const region = layout.regions.find((r) => offset >= r.start && offset < r.end);
  if (region === undefined) throw new Error(`no region at ${offset}`);
  return region;
}
