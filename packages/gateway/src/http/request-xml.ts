import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { s3Error } from '@sealflow/s3';

/**
 * The two small XML documents clients send the gateway itself (DeleteObjects and
 * CompleteMultipartUpload), read strictly: size-capped before parsing, no DTD (so no
 * entity expansion), well-formed UTF-8 only, the expected root only. Anything else is
 * 400 `MalformedXML`, never a crash.
 */

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: 16,
  isArray: (name) => name === 'Part' || name === 'Object',
});

type Node = Record<string, unknown>;

function parse(body: Uint8Array, root: string): Node {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw s3Error('MalformedXML');
  }
  if (text.trim() === '') throw s3Error('MalformedXML');
  if (/<!DOCTYPE|<!ENTITY/i.test(text) || XMLValidator.validate(text) !== true) throw s3Error('MalformedXML');
  let document: unknown;
  try {
    document = parser.parse(text);
  } catch {
    throw s3Error('MalformedXML');
  }
  const node = (document as Node | null)?.[root];
  if (node === '' ) return {};
  if (typeof node !== 'object' || node === null || Array.isArray(node)) throw s3Error('MalformedXML');
  return node as Node;
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  throw s3Error('MalformedXML');
}

/** The parts a CompleteMultipartUpload body lists. @throws {S3Error} 400 `MalformedXML` */
export function parseCompleteMultipartUpload(body: Uint8Array): { partNumber: number; etag: string }[] {
  const parts = parse(body, 'CompleteMultipartUpload')['Part'];
  if (!Array.isArray(parts) || parts.length === 0) throw s3Error('MalformedXML');
  return parts.map((part: unknown) => {
    const p = part as Node;
    const number = text(p['PartNumber']);
    if (!/^\d{1,5}$/.test(number)) throw s3Error('MalformedXML');
    return { partNumber: Number(number), etag: text(p['ETag']) };
  });
}

/** The keys a DeleteObjects body names, and whether it asked for a quiet answer. @throws {S3Error} 400 `MalformedXML` */
export function parseDeleteObjects(body: Uint8Array): { keys: string[]; quiet: boolean } {
  const root = parse(body, 'Delete');
  const objects = root['Object'];
  if (!Array.isArray(objects) || objects.length === 0 || objects.length > 1000) throw s3Error('MalformedXML');
  const quiet = root['Quiet'] === undefined ? false : text(root['Quiet']).toLowerCase() === 'true';
  return { keys: objects.map((object: unknown) => text((object as Node)['Key'])), quiet };
}
