// Truncations, extensions and bit flips derived from positive ESDK vectors (the method of
// the test-vector framework's feature 0006): every altered message must be refused with a
// typed error whose code fits the altered region, and no stream may emit a byte that is
// not a prefix of the true plaintext.
import { describe, expect, it } from 'vitest';
import {
  createEngine,
  isSealflowError,
  type DecryptOptions,
  type Engine,
  type ErrorCode,
  ErrorCodes,
} from '@sealflow/core';
import { layoutOf, regionAt, type MessageLayout, type Region, type RegionKind } from './support/layout.js';
import {
  decryptThroughStream,
  joined,
  loadCommitmentVectors,
  loadManifest,
  StaticDekStore,
  storeFor,
} from './support/vectors.js';

interface Subject {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly plaintext: Uint8Array;
  readonly engine: Engine;
  readonly options: DecryptOptions;
  /**
   * `every`: all prefixes, all 8 bits of each header byte. `classes` (messages over 2 KiB
   * and RSA-4096 keys, where each decrypt costs milliseconds): cuts and flips at the start,
   * second byte, middle and last byte of every sampled region, so each class is still hit.
   */
  readonly sweep: 'every' | 'classes';
}

function subjects(): Subject[] {
  const out: Subject[] = [];
  const manifests = [...loadManifest('manifest.json'), ...loadManifest('generated-client-node/manifest.json')];
  const picks = [
    '0478-ec_len_2-cmm_Default-0753d7fa',
    '0578-ec_len_2-cmm_Default-74967b4f',
    '0478-ec_len_2-cmm_Default-7d82b233',
    '0578-ec_len_2-cmm_RequiredEncryptionContext-55c9eb75',
    '0478-js-exact-multiple-frame4',
    '0578-js-exact-multiple-frame4',
    '0478-js-empty-plaintext-frame4',
    '0578-js-utf8sorting-mixedcase-ec',
  ];
  for (const pick of picks) {
    const t = manifests.find((m) => m.id.startsWith(pick));
    if (t === undefined || t.plaintext === undefined) throw new Error(`missing vector ${pick}`);
    out.push({
      name: t.id.slice(0, 40),
      bytes: t.ciphertext,
      plaintext: t.plaintext,
      engine: createEngine({ keyStore: t.masterKeys.map(storeFor) }),
      options: t.cmm === 'RequiredEncryptionContext' ? { reproducedContext: t.context } : {},
      sweep:
        t.ciphertext.length > 2048 || t.masterKeys.some((k) => k['encryption-algorithm'] === 'rsa')
          ? 'classes'
          : 'every',
    });
  }
  const commitment = loadCommitmentVectors();
  // JS FL=1; C non-framed; Python signed non-framed; unsorted signed context with FF IVs; C signed FL=1.
  for (const n of [24, 28, 38, 15, 33]) {
    const v = commitment[n - 1];
    if (v === undefined || v.plaintext === undefined) throw new Error(`missing commitment vector #${n}`);
    out.push({
      name: `commitment #${n}`,
      bytes: v.ciphertext,
      plaintext: v.plaintext,
      engine: createEngine({ keyStore: new StaticDekStore(v.dek) }),
      options: {},
      sweep: v.ciphertext.length > 2048 ? 'classes' : 'every',
    });
  }
  return out;
}

const ANY = 'any typed error';
const STRUCTURE: readonly ErrorCode[] = [
  ErrorCodes.MALFORMED_MESSAGE,
  ErrorCodes.TRUNCATED,
  ErrorCodes.TRAILING_BYTES,
  ErrorCodes.LIMIT_EXCEEDED,
];
/** The codes a flip in each region may cause. Pure-crypto regions allow exactly one. */
const ALLOWED: Record<RegionKind, readonly ErrorCode[] | typeof ANY> = {
  version: [ErrorCodes.UNSUPPORTED_VERSION],
  suite: [ErrorCodes.UNSUPPORTED_SUITE, ErrorCodes.MALFORMED_MESSAGE],
  'message-id': [ErrorCodes.COMMITMENT_MISMATCH],
  'context-length': ANY,
  // Raw AES binds the context (no EDK unwraps); RSA and the static store leave it to the header tag.
  context: [ErrorCodes.NO_DECRYPTABLE_KEY, ErrorCodes.AUTHENTICATION_FAILED, ErrorCodes.MALFORMED_MESSAGE],
  'edk-count': ANY,
  'edk-length': ANY,
  'edk-provider': [ErrorCodes.NO_DECRYPTABLE_KEY, ErrorCodes.AUTHENTICATION_FAILED, ErrorCodes.MALFORMED_MESSAGE],
  'edk-ciphertext': [ErrorCodes.NO_DECRYPTABLE_KEY, ErrorCodes.AUTHENTICATION_FAILED],
  'content-type': [ErrorCodes.MALFORMED_MESSAGE],
  'frame-length': [ErrorCodes.MALFORMED_MESSAGE, ErrorCodes.LIMIT_EXCEEDED, ErrorCodes.AUTHENTICATION_FAILED],
  commitment: [ErrorCodes.COMMITMENT_MISMATCH],
  'header-tag': [ErrorCodes.AUTHENTICATION_FAILED],
  'frame-sequence': [ErrorCodes.FRAME_SEQUENCE],
  'final-marker': [ErrorCodes.FRAME_SEQUENCE, ErrorCodes.TRUNCATED],
  'frame-iv': [ErrorCodes.AUTHENTICATION_FAILED],
  'final-length': [...STRUCTURE, ErrorCodes.AUTHENTICATION_FAILED],
  'non-framed-length': [...STRUCTURE, ErrorCodes.AUTHENTICATION_FAILED],
  'body-ciphertext': [ErrorCodes.AUTHENTICATION_FAILED],
  'body-tag': [ErrorCodes.AUTHENTICATION_FAILED],
  'signature-length': [...STRUCTURE, ErrorCodes.SIGNATURE_INVALID],
  signature: [ErrorCodes.SIGNATURE_INVALID],
};

/** The code decrypt rejected with; `RESOLVED` if it did not reject. */
async function outcome(subject: Subject, bytes: Uint8Array): Promise<string> {
  try {
    await subject.engine.decrypt(bytes, subject.options);
    return 'RESOLVED';
  } catch (error) {
    return isSealflowError(error) ? error.code : `untyped: ${String(error)}`;
  }
}

/**
 * Regions worth probing: all of them in the header, the first two and the last two body
 * units and the footer; only the first region of each unit in between (they repeat).
 */
function sampledRegions(layout: MessageLayout): { region: Region; full: boolean }[] {
  const units = layout.boundaries.length;
  const out: { region: Region; full: boolean }[] = [];
  let previousUnit = -1;
  for (const region of layout.regions) {
    const unit = layout.boundaries.findIndex((b) => region.start < b);
    const full = unit <= 2 || unit >= units - 3;
    if (full || unit !== previousUnit) out.push({ region, full });
    previousUnit = unit;
  }
  return out;
}

/** Offsets at the start, second byte, middle and last byte of every sampled region. */
function classPoints(layout: MessageLayout): number[] {
  const points = new Set<number>();
  for (const { region: r, full } of sampledRegions(layout)) {
    for (const at of full ? [r.start, r.start + 1, (r.start + r.end) >> 1, r.end - 1] : [r.start])
      if (at >= r.start && at < r.end) points.add(at);
  }
  return [...points].sort((a, b) => a - b);
}

/** Prefix lengths to try: all of them, or a cut inside and at the edge of every region. */
function cuts(s: Subject, layout: MessageLayout): number[] {
  if (s.sweep === 'every') return Array.from({ length: s.bytes.length }, (_, n) => n);
  return [0, ...classPoints(layout)];
}

/** Header fields that steer parsing: every one of their bits gets flipped. */
const FIELD_KINDS: ReadonlySet<RegionKind> = new Set<RegionKind>([
  'version',
  'suite',
  'context-length',
  'edk-count',
  'edk-length',
  'content-type',
  'frame-length',
]);

/**
 * Bits to flip. `every`: all 8 bits of each header field that steers parsing, one bit of
 * every other byte except ciphertext, and of every 37th ciphertext byte. `classes`: one
 * bit at each class point.
 */
function flips(s: Subject, layout: MessageLayout): { offset: number; bit: number }[] {
  const bitOf = (offset: number): number => (offset * 5 + 3) % 8;
  if (s.sweep === 'classes') return classPoints(layout).map((offset) => ({ offset, bit: bitOf(offset) }));
  const out: { offset: number; bit: number }[] = [];
  for (let offset = 0; offset < s.bytes.length; offset++) {
    const kind = regionAt(layout, offset).kind;
    if (FIELD_KINDS.has(kind)) {
      for (let bit = 0; bit < 8; bit++) out.push({ offset, bit });
    } else if (kind !== 'body-ciphertext' || offset % 37 === 0) {
      out.push({ offset, bit: bitOf(offset) });
    }
  }
  return out;
}

const isPrefix = (data: Uint8Array, of: Uint8Array): boolean =>
  data.length <= of.length && Buffer.from(of.subarray(0, data.length)).equals(Buffer.from(data));

describe('tampered ESDK vectors', () => {
  const all = subjects();

  for (const s of all) {
    describe(s.name, () => {
      const layout = layoutOf(s.bytes);

      it('the untouched message decrypts (the baseline every alteration departs from)', async () => {
        const result = await s.engine.decrypt(s.bytes, s.options);
        expect(Buffer.from(result.plaintext).equals(Buffer.from(s.plaintext))).toBe(true);
      });

      it(`${s.sweep === 'every' ? 'every proper prefix (0 to n-1 bytes)' : 'a prefix ending inside and at the edge of every region'} fails with ERR_TRUNCATED`, async () => {
        const wrong: string[] = [];
        for (const n of cuts(s, layout)) {
          const code = await outcome(s, s.bytes.subarray(0, n));
          if (code !== ErrorCodes.TRUNCATED) wrong.push(`${n}: ${code}`);
        }
        expect(wrong).toEqual([]);
      });

      it('streamed truncations around the first and last three unit boundaries emit only a prefix of the plaintext, then ERR_TRUNCATED', async () => {
        const cuts = new Set<number>([0, 1]);
        const edges =
          layout.boundaries.length > 6
            ? [...layout.boundaries.slice(0, 3), ...layout.boundaries.slice(-3)]
            : layout.boundaries;
        for (const b of edges)
          for (const d of [-17, -1, 0, 1, 5]) if (b + d > 0 && b + d < s.bytes.length) cuts.add(b + d);
        for (const n of cuts) {
          const streamed = await decryptThroughStream(s.engine, s.bytes.subarray(0, n), s.options, 13);
          expect(streamed.error, `cut at ${n}`).toMatchObject({ code: ErrorCodes.TRUNCATED });
          expect(isPrefix(joined(streamed.data), s.plaintext), `cut at ${n}`).toBe(true);
        }
      });

      it('bytes after the end (one byte, 16 bytes, the whole message again) fail with ERR_TRAILING_BYTES', async () => {
        for (const extra of [new Uint8Array(1), new Uint8Array(16).fill(0xa5), s.bytes]) {
          const extended = joined([s.bytes, extra]);
          expect(await outcome(s, extended)).toBe(ErrorCodes.TRAILING_BYTES);
          const streamed = await decryptThroughStream(s.engine, extended, s.options, 29);
          expect(streamed.error).toMatchObject({ code: ErrorCodes.TRAILING_BYTES });
        }
      });

      it('every sampled bit flip in header, frames and footer is refused with a code that fits the region', async () => {
        const wrong: string[] = [];
        const seen = new Set<RegionKind>();
        for (const { offset, bit } of flips(s, layout)) {
          const altered = s.bytes.slice();
          altered[offset] = (altered[offset] as number) ^ (1 << bit);
          const kind = regionAt(layout, offset).kind;
          seen.add(kind);
          const code = await outcome(s, altered);
          const allowed = ALLOWED[kind];
          const ok =
            code !== 'RESOLVED' &&
            !code.startsWith('untyped') &&
            (allowed === ANY || allowed.includes(code as ErrorCode));
          if (!ok) wrong.push(`byte ${offset} bit ${bit} (${kind}): ${code}`);
        }
        expect(wrong).toEqual([]);
        expect(seen.has('header-tag') && seen.has('commitment') && seen.has('body-tag')).toBe(true);
      });

      it('a streamed flip in each region emits only a prefix of the true plaintext before its error', async () => {
        for (const { region } of sampledRegions(layout)) {
          const altered = s.bytes.slice();
          altered[region.start] = (altered[region.start] as number) ^ 0x10;
          const streamed = await decryptThroughStream(s.engine, altered, s.options, 13);
          expect(isSealflowError(streamed.error), `${region.kind} at ${region.start}`).toBe(true);
          expect(isPrefix(joined(streamed.data), s.plaintext), `${region.kind} at ${region.start}`).toBe(true);
        }
      });
    });
  }
});
