import { xmlLib } from '../../lazy-deps.js';

/** One XML element: tag, attributes (entity-decoded), child elements. Text and comments are dropped. */
export interface XNode {
  tag: string;
  attrs: Record<string, string>;
  children: XNode[];
}

export const MAX_CONFIG_BYTES = 8 * 1024 * 1024;
const MAX_DEPTH = 64;
const MAX_NODES = 500_000;

/** Bad XML (or over the bounds): the message says where. */
export class ConfigXmlError extends Error {}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** The five XML entities and numeric references; anything else stays as written (no DTD entities are expanded). */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|lt|gt|amp|quot|apos);/g, (all, e: string) => {
    if (e[0] !== '#') return NAMED[e] ?? all;
    const n = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : all;
  });
}

/**
 * Parse an IIS config file (web.config, applicationHost.config) into elements, keeping document order (a `<clear/>`
 * before or after a `<rule>` means different things). Validates first: unparsable XML throws ConfigXmlError.
 */
export function parseConfigXml(text: string): XNode {
  if (text.length > MAX_CONFIG_BYTES) throw new ConfigXmlError(`larger than ${MAX_CONFIG_BYTES} bytes`);
  const body = text.replace(/^\uFEFF/, '');
  const v = xmlLib().XMLValidator.validate(body, { allowBooleanAttributes: true });
  if (v !== true) throw new ConfigXmlError(`not valid XML: ${v.err.msg} (line ${v.err.line}, column ${v.err.col})`);
  const raw = new (xmlLib().XMLParser)({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    preserveOrder: true,
    processEntities: false,
    parseAttributeValue: false,
    parseTagValue: false,
    allowBooleanAttributes: true,
    ignoreDeclaration: true,
    ignorePiTags: true,
  }).parse(body) as unknown[];
  let count = 0;
  const convert = (items: unknown[], depth: number): XNode[] => {
    if (depth > MAX_DEPTH) throw new ConfigXmlError(`nested deeper than ${MAX_DEPTH} elements`);
    const out: XNode[] = [];
    for (const it of items) {
      if (!it || typeof it !== 'object') continue;
      const o = it as Record<string, unknown>;
      const tag = Object.keys(o).find((k) => k !== ':@' && k !== '#text' && !k.startsWith('?'));
      if (!tag) continue;
      if (++count > MAX_NODES) throw new ConfigXmlError(`more than ${MAX_NODES} elements`);
      const attrs: Record<string, string> = {};
      const a = o[':@'];
      if (a && typeof a === 'object') for (const [k, val] of Object.entries(a as Record<string, unknown>)) attrs[k] = decodeEntities(String(val));
      const kids = o[tag];
      out.push({ tag, attrs, children: Array.isArray(kids) ? convert(kids, depth + 1) : [] });
    }
    return out;
  };
  const top = convert(raw, 0);
  const root = top.find((n) => n.tag.toLowerCase() === 'configuration');
  if (!root) throw new ConfigXmlError('no <configuration> root element');
  return root;
}

/** Attribute by name, case-insensitive. */
export function attr(n: XNode, name: string): string | undefined {
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(n.attrs)) if (k.toLowerCase() === want) return v;
  return undefined;
}

/** Children with this tag (case-insensitive). */
export function kids(n: XNode | undefined, tag: string): XNode[] {
  if (!n) return [];
  const want = tag.toLowerCase();
  return n.children.filter((c) => c.tag.toLowerCase() === want);
}

/** Follow a path of tags (`system.webServer/rewrite/rules`), every match at each step. */
export function path(n: XNode, tags: string): XNode[] {
  let cur = [n];
  for (const t of tags.split('/')) cur = cur.flatMap((c) => kids(c, t));
  return cur;
}
