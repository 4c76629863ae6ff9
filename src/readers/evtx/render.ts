/**
 * Renderings of a record's event tree:
 * - XML in the layout of the reference renderer (omerbenamram/evtx): XML declaration, two-space
 *   indentation, an element without content written as start and end tag on two lines, attributes
 *   whose substitution value is null omitted.
 * - JSON in the reference's shape: `#attributes` / `#text`, `<Data Name="X">` keyed by X, several
 *   unnamed `<Data>` gathered as `"Data": {"#text": [...]}`.
 */
import type { EvtxScalar, XmlElement, XmlNode } from './binxml.js';
import { MAX_DEPTH } from './binxml.js';
import { setOwn, type EvtxRecord } from './record.js';

const NEEDS_TEXT_ESC = /[&<>]/;
const NEEDS_ATTR_ESC = /[&<>"]/;
function escText(s: string): string {
  if (!NEEDS_TEXT_ESC.test(s)) return s;
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
function escAttr(s: string): string {
  if (!NEEDS_ATTR_ESC.test(s)) return s;
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function text(v: EvtxScalar | EvtxScalar[]): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(String).join(',');
  return String(v);
}

function isElem(n: XmlNode): n is XmlElement {
  return typeof n === 'object' && !Array.isArray(n) && n.k === 1;
}

const INDENT: string[] = [''];
function indent(depth: number): string {
  while (INDENT.length <= depth) INDENT.push(INDENT[INDENT.length - 1] + '  ');
  return INDENT[depth]!;
}

/** XML rendering of a record (like the reference `evtx_dump` XML). */
export function renderXml(rec: EvtxRecord): string {
  let s = '<?xml version="1.0" encoding="utf-8"?>\n';
  if (rec.root) s = xmlElem(rec.root, 0, s);
  if (rec.extra) for (const n of rec.extra) s = xmlNode(n, 0, s);
  return s.charCodeAt(s.length - 1) === 10 ? s.slice(0, -1) : s;
}

function xmlNode(n: XmlNode, depth: number, s: string): string {
  if (typeof n === 'object' && !Array.isArray(n)) {
    if (n.k === 1) return xmlElem(n, depth, s);
    return s + indent(depth) + '<?' + n.target + ' ' + n.data + '?>\n';
  }
  return s + indent(depth) + escText(text(n)) + '\n';
}

function xmlElem(e: XmlElement, depth: number, s: string): string {
  if (depth > MAX_DEPTH * 4) return s;
  const ind = indent(depth);
  s += ind + '<' + e.name;
  for (const a of e.attrs) s += ' ' + a.name + '="' + escAttr(typeof a.value === 'string' ? a.value : text(a.value)) + '"';
  s += '>';
  const ch = e.children;
  let hasElem = false;
  let txt = '';
  for (let i = 0; i < ch.length; i++) {
    const c = ch[i]!;
    if (typeof c === 'object' && !Array.isArray(c)) hasElem = true;
    else txt += typeof c === 'string' ? c : text(c);
  }
  if (!hasElem) {
    if (txt === '') return s + '\n' + ind + '</' + e.name + '>\n';
    return s + escText(txt) + '</' + e.name + '>\n';
  }
  s += '\n';
  for (let i = 0; i < ch.length; i++) s = xmlNode(ch[i]!, depth + 1, s);
  return s + ind + '</' + e.name + '>\n';
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

/** JSON object of a record's event, in the reference (`evtx_dump -o json`) shape. */
export function renderJson(rec: EvtxRecord): { [k: string]: JsonValue } {
  const o: { [k: string]: JsonValue } = {};
  if (rec.root) o[rec.root.name] = jsonElem(rec.root, 0);
  return o;
}

function jsonScalar(v: EvtxScalar | EvtxScalar[]): JsonValue {
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return v as JsonValue;
}

function jsonElem(e: XmlElement, depth: number): JsonValue {
  if (depth > MAX_DEPTH * 4) return null;
  const elems: XmlElement[] = [];
  const texts: (EvtxScalar | EvtxScalar[])[] = [];
  for (const c of e.children) {
    if (isElem(c)) elems.push(c);
    else if (typeof c !== 'object' || Array.isArray(c)) texts.push(c);
  }
  let textVal: JsonValue | undefined;
  if (texts.length === 1) textVal = jsonScalar(texts[0]!);
  else if (texts.length > 1) textVal = texts.map(text).join('');
  if (elems.length === 0 && e.attrs.length === 0) return textVal === undefined ? null : textVal;
  const o: { [k: string]: JsonValue } = {};
  if (e.attrs.length > 0) {
    const a: { [k: string]: JsonValue } = {};
    for (const x of e.attrs) setOwn(a, x.name, jsonScalar(x.value));
    o['#attributes'] = a;
  }
  let unnamed: JsonValue[] | null = null;
  for (const c of elems) {
    const nameAttr = c.name === 'Data' && c.attrs.length === 1 && c.attrs[0]!.name === 'Name' ? c.attrs[0]!.value : null;
    if (nameAttr !== null) {
      put(o, text(nameAttr), dataValue(c));
      continue;
    }
    if (c.name === 'Data' && c.attrs.length === 0 && !c.children.some(isElem)) {
      (unnamed ??= []).push(dataValue(c) ?? '');
      continue;
    }
    put(o, c.name, jsonElem(c, depth + 1));
  }
  if (unnamed !== null) put(o, 'Data', { '#text': unnamed.length === 1 ? unnamed[0]! : unnamed });
  if (textVal !== undefined) o['#text'] = textVal;
  return o;
}

function dataValue(e: XmlElement): JsonValue {
  const t: (EvtxScalar | EvtxScalar[])[] = [];
  for (const c of e.children) if (typeof c !== 'object' || Array.isArray(c)) t.push(c);
  if (t.length === 0) return null;
  if (t.length === 1) return jsonScalar(t[0]!);
  return t.map(text).join('');
}

function put(o: { [k: string]: JsonValue }, k: string, v: JsonValue): void {
  if (!Object.hasOwn(o, k)) {
    setOwn(o, k, v);
    return;
  }
  let i = 1;
  while (Object.hasOwn(o, `${k}_${i}`)) i++;
  setOwn(o, `${k}_${i}`, v);
}
