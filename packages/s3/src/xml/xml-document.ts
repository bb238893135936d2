import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { s3Error, type S3Error } from '../errors/s3-error.js';
import { S3Limits } from '../limits.js';

/**
 * Strict, bounded reading of the small XML documents S3 takes as request bodies
 * (configurations). Every element is read as a list, so a repeated element is seen and
 * refused rather than silently overwritten. No DTD, no entities beyond XML's five, no
 * external anything: hostile XML ends as 400 `MalformedXML`, never a crash.
 */

/** An element: its child elements by name (each a list), or its text. */
export type XmlNode = { readonly [name: string]: readonly XmlValue[] };
export type XmlValue = XmlNode | string;

/** The S3 namespace, written on every document we produce. */
export const S3_XML_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  // Only XML's five predefined entities: a DOCTYPE (where others would be declared) is refused.
  processEntities: true,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: S3Limits.maxXmlDepth,
  isArray: () => true,
});

/** 400 `MalformedXML`, with S3's message. */
export function malformedXml(): S3Error {
  return s3Error('MalformedXML');
}

/**
 * Parses `body` (a string or UTF-8 bytes) and returns the root element named `root`.
 *
 * @throws {S3Error} 400 `MaxMessageLengthExceeded` over `maxBytes`; 400 `MissingRequestBodyError`
 * when empty; 400 `MalformedXML` when not well-formed UTF-8 XML, with a DOCTYPE, or with
 * another root element.
 */
export function parseXmlDocument(body: string | Uint8Array, root: string, maxBytes: number): XmlNode {
  const size = typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.byteLength;
  if (size > maxBytes)
    throw s3Error('MaxMessageLengthExceeded', `Your request was too large: the limit is ${maxBytes} bytes.`);
  let text: string;
  try {
    text = typeof body === 'string' ? body : new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw malformedXml();
  }
  if (text.trim().length === 0) throw s3Error('MissingRequestBodyError');
  // A DTD is never valid in an S3 request body; refusing it up front rules out entity expansion.
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw malformedXml();
  let document: unknown;
  try {
    if (XMLValidator.validate(text) !== true) throw malformedXml();
    document = parser.parse(text);
  } catch {
    throw malformedXml();
  }
  if (document === null || typeof document !== 'object') throw malformedXml();
  const names = Object.keys(document);
  if (names.length !== 1 || names[0] !== root) throw malformedXml();
  const value = (document as Record<string, unknown>)[root];
  if (!Array.isArray(value) || value.length !== 1) throw malformedXml();
  return asNode(value[0]);
}

/** The element itself, or an empty node for `<Empty/>` (parsed as `''`). */
export function asNode(value: unknown): XmlNode {
  if (value === '') return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw malformedXml();
  return value as XmlNode;
}

/** Refuses any child element not in `allowed` (and stray text between elements). */
export function onlyChildren(node: XmlNode, allowed: readonly string[]): void {
  for (const name of Object.keys(node)) if (!allowed.includes(name)) throw malformedXml();
}

/** The one `name` child, `undefined` when absent; more than one: `MalformedXML`. */
export function optionalChild(node: XmlNode, name: string): XmlValue | undefined {
  if (!Object.hasOwn(node, name)) return undefined;
  const list = node[name];
  if (list === undefined || list.length !== 1) throw malformedXml();
  return list[0];
}

/** The one `name` child as an element; absent or repeated: `MalformedXML`. */
export function requiredElement(node: XmlNode, name: string): XmlNode {
  const value = optionalChild(node, name);
  if (value === undefined) throw malformedXml();
  return asNode(value);
}

/** The `name` child's text, `undefined` when absent; an element instead of text: `MalformedXML`. */
export function optionalText(node: XmlNode, name: string): string | undefined {
  const value = optionalChild(node, name);
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw malformedXml();
  return value;
}

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: false,
  processEntities: true,
});

/** Serialises `{ [root]: content }` with the XML declaration and the S3 namespace on the root. */
export function buildXmlDocument(root: string, content: Record<string, unknown>): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${String(builder.build({ [root]: { '@_xmlns': S3_XML_NAMESPACE, ...content } }))}`;
}
