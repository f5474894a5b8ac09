import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** A request body the vendor API refuses, with the code and the field (or place) to name. */
export class XmlRequestError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, message: string, status = 400) {
    super(message);
    this.name = 'XmlRequestError';
    this.code = code;
    this.status = status;
  }
}

export const XML_CODES = {
  malformed: 'LK_MalformedXml',
  dtd: 'LK_XmlDtdNotAllowed',
  wrongRoot: 'LK_InvalidParameterValue',
  mediaType: 'LK_UnsupportedMediaType',
  tooLarge: 'LK_RequestTooLarge',
} as const;

/** Media types a vendor script may send XML as; a missing type is taken as XML too. */
const XML_TYPES = /^(application|text)\/(xml|[\w.+-]+\+xml)$/i;

export function assertXmlMediaType(contentType: string | undefined): void {
  if (contentType === undefined || contentType.trim() === '') return;
  const [type, ...params] = contentType.split(';').map((s) => s.trim());
  if (!XML_TYPES.test(type ?? '')) {
    throw new XmlRequestError(XML_CODES.mediaType, `Send the body as application/xml or text/xml, not ${String(type).slice(0, 64)}.`, 415);
  }
  const charset = params.find((p) => /^charset=/i.test(p))?.split('=')[1]?.replace(/"/g, '');
  if (charset && !/^utf-?8$/i.test(charset)) throw new XmlRequestError(XML_CODES.mediaType, `Only UTF-8 is accepted, not charset ${charset.slice(0, 32)}.`, 415);
}

// fast-xml-parser never sees a DTD: it is refused before parsing, so no entity can be declared,
// fetched (XXE) or expanded (billion laughs). What is left are the five predefined entities and
// character references, which expand to one character each.
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  // Only to decode character references (&#233;): named HTML entities are refused before parsing.
  htmlEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: 16,
  isArray: (_name, jpath) => jpath === 'vms.vm',
});

const MARKUP_DECLARATION = /<!(?!--|\[CDATA\[)/;
// Characters XML 1.0 does not allow anywhere in a document (its Char production).
const NOT_XML_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;
const CHARACTER_REFERENCE = /&#(x[0-9a-fA-F]+|[0-9]+);/g;

/** Whether a code point is an XML 1.0 Char; the parser would otherwise drop a reference to one silently. */
const isXmlChar = (c: number): boolean =>
  c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
const FOREIGN_ENTITY = /&(?!(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});)/;

/**
 * Parses a vendor API body into a plain object with exactly one root element. Refuses a DTD or any
 * markup declaration, entities other than the predefined ones, malformed XML and several roots.
 */
export function parseXmlBody(body: unknown, expectedRoots: readonly string[]): { root: string; value: unknown } {
  const text = typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : '';
  if (text.trim() === '') throw new XmlRequestError(XML_CODES.malformed, `The request needs an XML body <${expectedRoots[0]}>.`);
  const outsideCdata = text.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '').replace(/<!--[\s\S]*?-->/g, '');
  if (MARKUP_DECLARATION.test(outsideCdata)) {
    throw new XmlRequestError(XML_CODES.dtd, 'Document type declarations (DTD, ENTITY) are not accepted.');
  }
  if (FOREIGN_ENTITY.test(outsideCdata)) {
    throw new XmlRequestError(XML_CODES.malformed, 'Only the predefined XML entities (&amp; &lt; &gt; &quot; &apos;) and character references are accepted.');
  }
  if (outsideCdata.includes(']]>')) throw new XmlRequestError(XML_CODES.malformed, "The text ']]>' may appear only to end a CDATA section.");
  if (NOT_XML_CHARS.test(text)) throw new XmlRequestError(XML_CODES.malformed, 'The body contains a character that XML does not allow (a control character).');
  for (const [, ref] of outsideCdata.matchAll(CHARACTER_REFERENCE)) {
    const code = ref!.startsWith('x') ? Number.parseInt(ref!.slice(1), 16) : Number(ref);
    if (!isXmlChar(code)) throw new XmlRequestError(XML_CODES.malformed, `The character reference &#${ref!.slice(0, 10)}; is not a character XML allows.`);
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new XmlRequestError(XML_CODES.malformed, `The body is not well-formed XML: ${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col}).`);
  }
  let parsed: unknown;
  try {
    parsed = parser.parse(text);
  } catch (e) {
    throw new XmlRequestError(XML_CODES.malformed, `The body could not be read as XML: ${(e as Error).message.slice(0, 200)}`);
  }
  const roots = parsed && typeof parsed === 'object' ? Object.keys(parsed) : [];
  if (roots.length !== 1) throw new XmlRequestError(XML_CODES.malformed, 'The body must have exactly one root element.');
  const root = roots[0]!;
  if (!expectedRoots.includes(root)) {
    throw new XmlRequestError(XML_CODES.wrongRoot, `The root element must be ${expectedRoots.map((r) => `<${r}>`).join(' or ')}, not <${root.slice(0, 64)}>.`);
  }
  return { root, value: (parsed as Record<string, unknown>)[root] };
}

export type XmlField = string | undefined | { notText: true };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An element, for the tenant rules: its text, absent, or "not text" (child elements, or given twice). */
export function fieldOf(node: unknown, name: string): XmlField {
  if (!isRecord(node) || !(name in node)) return undefined;
  return textOf(node[name]);
}

export function textOf(value: unknown): XmlField {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (isRecord(value)) {
    const keys = Object.keys(value);
    if (keys.every((k) => k === '#text' || k.startsWith('@_'))) return typeof value['#text'] === 'string' ? value['#text'] : '';
  }
  return { notText: true };
}

export const attributeOf = (node: unknown, name: string): XmlField => (isRecord(node) ? textOf(node[`@_${name}`]) : undefined);

/** A child element that may itself hold elements (`<vKsc><user>…`). */
export const childOf = (node: unknown, name: string): unknown => (isRecord(node) ? node[name] : undefined);
export const isElementPresent = (node: unknown, name: string): boolean => isRecord(node) && name in node;
