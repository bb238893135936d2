import { XMLBuilder } from 'fast-xml-parser';
import { S3_XML_NAMESPACE } from '@sealflow/s3';

/** An element's content: text, a child element, or repeated child elements. */
export type XmlContent = string | number | boolean | XmlElement | readonly XmlElement[] | readonly string[] | undefined;
export interface XmlElement {
  readonly [name: string]: XmlContent;
}

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: false,
  // Text is escaped (& < > " '): keys and messages are client-controlled.
  processEntities: true,
  format: false,
});

/**
 * Serialises an S3 response document: the XML declaration, then `root` in the S3
 * namespace (unless `namespace` is false, as for error documents). `undefined` members are
 * left out; arrays repeat the element.
 */
export function xmlDocument(
  root: string,
  body: XmlElement,
  { namespace = true }: { readonly namespace?: boolean } = {},
): string {
  const element = namespace ? { '@_xmlns': S3_XML_NAMESPACE, ...strip(body) } : strip(body);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ [root]: element }) as string}`;
}

function strip(element: XmlElement): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(element)) {
    if (value === undefined) continue;
    if (Array.isArray(value))
      out[name] = value.map((item: unknown) =>
        typeof item === 'object' && item !== null ? strip(item as XmlElement) : item,
      );
    else out[name] = typeof value === 'object' && value !== null ? strip(value as XmlElement) : value;
  }
  return out;
}
