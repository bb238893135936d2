/**
 * How the `fs` backend maps blob names (any UTF-8 string, `/` separated like S3 keys) to
 * paths under its root. Each `/`-separated segment is percent-encoded so that no segment
 * is empty, `.`, `..` or holds a path separator; a directory is the bare encoded segment
 * and a blob file is the encoded segment plus `~` (which the encoding never produces), so
 * `a` (a blob) and `a/b` (a blob below it) never collide; a long segment continues in a
 * directory marked `+` (also never produced). No encoded name starts with `.`, which
 * leaves the root's dot-names (the temp folder) out of every listing.
 */

/** The longest path component written (most file systems accept 255 bytes). */
const MAX_PIECE = 200;

/** The suffix of a directory that continues the same name segment (never encoded). */
export const CONTINUED = '+';

/** The suffix marking a blob file (never produced by {@link encodeSegment}). */
export const BLOB_SUFFIX = '~';

/** Percent-encodes one name segment: only `[A-Za-z0-9_-]` stay as they are. */
export function encodeSegment(segment: string): string {
  // An empty segment (`a//b`, a trailing `/`) becomes `%` alone: a valid, distinct name.
  if (segment.length === 0) return '%';
  let out = '';
  for (const byte of Buffer.from(segment, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9_-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Reverses {@link encodeSegment}; `undefined` for a file name this backend did not write. */
export function decodeSegment(encoded: string): string | undefined {
  if (encoded === '%') return '';
  if (!/^(?:[A-Za-z0-9_-]|%[0-9A-F]{2})+$/.test(encoded)) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < encoded.length; i++) {
    if (encoded[i] === '%') {
      bytes.push(Number.parseInt(encoded.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(encoded.charCodeAt(i));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * The relative path of a blob as a list of path components: each name segment encoded,
 * cut into pieces of at most {@link MAX_PIECE} characters (every piece but a segment's
 * last carries {@link CONTINUED}, so S3's 1,024-byte keys fit under file-name limits),
 * the last piece of the last segment marked with {@link BLOB_SUFFIX}.
 */
export function blobPathSegments(name: string): string[] {
  const out: string[] = [];
  const segments = name.split('/');
  segments.forEach((segment, s) => {
    const encoded = encodeSegment(segment);
    let at = 0;
    while (encoded.length - at > MAX_PIECE) {
      let cut = at + MAX_PIECE;
      // Never cut inside a `%XX` triple.
      if (encoded[cut - 1] === '%') cut -= 1;
      else if (encoded[cut - 2] === '%') cut -= 2;
      out.push(`${encoded.slice(at, cut)}${CONTINUED}`);
      at = cut;
    }
    out.push(`${encoded.slice(at)}${s === segments.length - 1 ? BLOB_SUFFIX : ''}`);
  });
  return out;
}

/** Compares names in S3's order: by UTF-8 bytes (not UTF-16 code units). */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
