import { isS3Error, parseXmlDocument, s3Error, type XmlNode, type XmlValue } from '@sealflow/s3';
import { GatewayLimits } from './limits.js';

/**
 * The two small XML documents clients send the gateway itself (DeleteObjects and
 * CompleteMultipartUpload), read with @sealflow/s3's strict document reader: size-capped,
 * no DTD (so no entity expansion), well-formed UTF-8 only, the expected root only.
 * Anything else is 400 `MalformedXML`, never a crash.
 */
function parse(body: Uint8Array, root: string): XmlNode {
  try {
    return parseXmlDocument(body, root, GatewayLimits.maxControlBodyBytes);
  } catch (error) {
    // An empty body is as malformed as any other for these two operations (as S3 answers).
    if (isS3Error(error) && error.s3Code === 'MissingRequestBodyError') throw s3Error('MalformedXML');
    throw error;
  }
}

/** The one text value of a child element that must appear exactly once. */
function text(values: readonly XmlValue[] | undefined): string {
  const value = values?.length === 1 ? values[0] : undefined;
  if (typeof value === 'string') return value;
  throw s3Error('MalformedXML');
}

/** Child elements that are themselves elements (the repeated Part / Object entries). */
function nodes(values: readonly XmlValue[] | undefined): XmlNode[] {
  if (values === undefined) return [];
  return values.map((value) => {
    if (typeof value === 'string') {
      if (value === '') return {};
      throw s3Error('MalformedXML');
    }
    return value;
  });
}

/** The parts a CompleteMultipartUpload body lists. @throws {S3Error} 400 `MalformedXML` */
export function parseCompleteMultipartUpload(body: Uint8Array): { partNumber: number; etag: string }[] {
  const parts = nodes(parse(body, 'CompleteMultipartUpload')['Part']);
  if (parts.length === 0) throw s3Error('MalformedXML');
  return parts.map((part) => {
    const number = text(part['PartNumber']);
    if (!/^\d{1,5}$/.test(number)) throw s3Error('MalformedXML');
    return { partNumber: Number(number), etag: text(part['ETag']) };
  });
}

/** The keys a DeleteObjects body names, and whether it asked for a quiet answer. @throws {S3Error} 400 `MalformedXML` */
export function parseDeleteObjects(body: Uint8Array): { keys: string[]; quiet: boolean } {
  const root = parse(body, 'Delete');
  const objects = nodes(root['Object']);
  if (objects.length === 0 || objects.length > 1000) throw s3Error('MalformedXML');
  const quiet = root['Quiet'] === undefined ? false : text(root['Quiet']).toLowerCase() === 'true';
  return { keys: objects.map((object) => text(object['Key'])), quiet };
}
