/**
 * Binary XML (MS-EVEN6 "BinXml") decoder for one EVTX chunk.
 *
 * Everything is read from the 64 KiB chunk buffer with chunk-relative offsets (names, template
 * definitions and inline definitions all use offsets relative to the chunk start). Template
 * definitions are compiled once per chunk into a tree with substitution placeholders; each record's
 * template instance then only decodes its substitution values and instantiates the tree, sharing the
 * static parts. Every read is bounds-checked against the current fragment end; recursion depth and the
 * number of elements a record may expand to are bounded. See FORMAT.md for the structures.
 */

/** A scalar value as rendered: strings, numbers (integers within 2^53, reals), booleans. */
export type EvtxScalar = string | number | boolean;
/** A substitution value: scalar, array (array value types), or null (null type / omitted). */
export type EvtxValue = EvtxScalar | EvtxScalar[] | null;

export interface XmlElement {
  k: 1;
  name: string;
  attrs: XmlAttr[];
  children: XmlNode[];
  /** Number of elements in this subtree (for expansion budgets). */
  n?: number;
}
export interface XmlAttr {
  name: string;
  value: EvtxScalar | EvtxScalar[];
}
export interface XmlPI {
  k: 2;
  target: string;
  data: string;
}
/** Element, processing instruction, or text (scalar / array value). */
export type XmlNode = XmlElement | XmlPI | EvtxScalar | EvtxScalar[];

/** Nested BinXml value (type 0x21): its instantiated nodes. */
interface Frag {
  k: 3;
  nodes: XmlNode[];
  n: number;
}
/** Substitution placeholder inside a template definition. */
interface TSub {
  k: 4;
  idx: number;
  opt: boolean;
}
/** Template element with at least one substitution below it. */
interface TElem {
  k: 5;
  name: string;
  attrs: TAttr[];
  /** The attributes, when none has a substitution (shared by every instance). */
  sattrs: XmlAttr[] | null;
  children: TNode[];
}
interface TAttr {
  name: string;
  parts: (string | TSub)[];
}
type TNode = XmlNode | TSub | TElem;
type SubValue = EvtxValue | Frag;

export class BinXmlError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'BinXmlError';
  }
}

/** Limits protecting against adversarial input. */
export const MAX_DEPTH = 64;
export const MAX_RECORD_ELEMENTS = 100_000;

const FILETIME_UNIX_OFFSET_S = 11644473600;
const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push(i.toString(16).padStart(2, '0'));

const FIXED_SIZE: Record<number, number> = {
  0x03: 1, 0x04: 1, 0x05: 2, 0x06: 2, 0x07: 4, 0x08: 4, 0x09: 8, 0x0a: 8, 0x0b: 4, 0x0c: 8, 0x0d: 4,
  0x0f: 16, 0x11: 8, 0x12: 16, 0x14: 4, 0x15: 8,
};

/** Shared empty attribute list (never mutated). */
const NO_ATTRS: XmlAttr[] = [];

const IN_PROGRESS: unique symbol = Symbol('in-progress');

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

const PAD2: string[] = [];
for (let i = 0; i < 100; i++) PAD2.push(i < 10 ? '0' + i : String(i));
let cachedDay = NaN;
let cachedDayPrefix = '';

/** Convert a FILETIME (two 32-bit halves) to the ISO string with 7 fractional digits, or null if out of range. */
export function filetimeToIso(lo: number, hi: number): string | null {
  // total = hi * 2^32 + lo (100 ns ticks since 1601); split so every product stays below 2^53.
  const a = hi * 4967296 + lo; // 2^32 = 429 * 1e7 + 4967296
  const secs = hi * 429 + Math.floor(a / 1e7);
  const frac = a % 1e7;
  const unix = secs - FILETIME_UNIX_OFFSET_S;
  if (!Number.isFinite(unix) || Math.abs(unix) > 8.6e12) return null;
  const day = Math.floor(unix / 86400);
  if (day !== cachedDay) {
    const iso = new Date(day * 86400000).toISOString();
    cachedDayPrefix = iso.slice(0, iso.indexOf('T') + 1);
    cachedDay = day;
  }
  let sod = unix - day * 86400;
  const h = Math.floor(sod / 3600);
  sod -= h * 3600;
  const m = Math.floor(sod / 60);
  const f = String(frac);
  return `${cachedDayPrefix}${PAD2[h]}:${PAD2[m]}:${PAD2[sod - m * 60]}.${f.length === 7 ? f : f.padStart(7, '0')}Z`;
}

let cachedMsPrefix = '';
let cachedMsDay = NaN;

/** Milliseconds since the Unix epoch of an ISO 8601 UTC string (`YYYY-MM-DDTHH:MM:SS[.fffffff]Z`); NaN if malformed. */
export function isoToEpochMs(iso: string): number {
  const t = iso.indexOf('T');
  if (t < 0 || iso.length < t + 9) return NaN;
  const prefix = iso.slice(0, t);
  if (prefix !== cachedMsPrefix) {
    const d = Date.parse(prefix + 'T00:00:00Z');
    if (Number.isNaN(d)) return NaN;
    cachedMsPrefix = prefix;
    cachedMsDay = d;
  }
  const dig = (i: number): number => iso.charCodeAt(i) - 48;
  const h = dig(t + 1) * 10 + dig(t + 2);
  const m = dig(t + 4) * 10 + dig(t + 5);
  const sec = dig(t + 7) * 10 + dig(t + 8);
  let ms = 0;
  if (iso[t + 9] === '.') {
    for (let i = 0; i < 3; i++) {
      const d = dig(t + 10 + i);
      ms = ms * 10 + (d >= 0 && d <= 9 ? d : 0);
    }
  }
  const v = cachedMsDay + ((h * 60 + m) * 60 + sec) * 1000 + ms;
  return Number.isFinite(v) ? v : NaN;
}

function hex32(v: number): string {
  return '0x' + v.toString(16);
}
function hex64(lo: number, hi: number): string {
  return hi === 0 ? '0x' + lo.toString(16) : '0x' + hi.toString(16) + lo.toString(16).padStart(8, '0');
}

export class ChunkDecoder {
  readonly buf: Buffer;
  private pos = 0;
  private end = 0;
  private depth = 0;
  private budget = 0;
  private readonly names = new Map<number, string>();
  private readonly templates = new Map<number, TNode[] | typeof IN_PROGRESS | BinXmlError>();

  constructor(buf: Buffer) {
    this.buf = buf;
  }

  /** Decode one record's BinXml (chunk offsets start..end) to its top-level nodes. Throws BinXmlError. */
  decodeRecord(start: number, end: number): XmlNode[] {
    this.pos = start;
    this.end = Math.min(end, this.buf.length);
    this.depth = 0;
    this.budget = MAX_RECORD_ELEMENTS;
    const out: TNode[] = [];
    this.fragmentList(false, out);
    return out as XmlNode[];
  }

  // ---------------------------------------------------------------- primitives

  private fail(msg: string, at = this.pos): never {
    throw new BinXmlError(msg, at);
  }
  private need(n: number): void {
    if (this.pos + n > this.end) this.fail(`truncated: need ${n} bytes, ${this.end - this.pos} left`);
  }
  private u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }
  private u16(): number {
    this.need(2);
    const v = this.buf.readUInt16LE(this.pos);
    this.pos += 2;
    return v;
  }
  private u32(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }
  private spend(n: number): void {
    this.budget -= n;
    if (this.budget < 0) this.fail('record expands to too many elements');
  }

  /** Name structure at a chunk offset: next(4) hash(2) count(2) UTF-16 chars, NUL(2). */
  private nameAt(off: number): string {
    const c = this.names.get(off);
    if (c !== undefined) return c;
    const buf = this.buf;
    if (off < 0 || off + 8 > buf.length) this.fail(`name offset ${off} out of chunk`);
    const cnt = buf.readUInt16LE(off + 6);
    if (off + 8 + cnt * 2 > buf.length) this.fail(`name at ${off} runs past chunk end`);
    const s = buf.toString('utf16le', off + 8, off + 8 + cnt * 2);
    this.names.set(off, s);
    return s;
  }

  /** Reads a name reference; when it points right after itself, the name is inline and skipped. */
  private name(): string {
    const off = this.u32();
    if (off === this.pos) {
      this.need(8);
      const cnt = this.buf.readUInt16LE(this.pos + 6);
      const size = 8 + cnt * 2 + 2;
      this.need(size);
      const s = this.nameAt(off);
      this.pos += size;
      return s;
    }
    return this.nameAt(off);
  }

  private plausibleNameOffset(off: number, fieldEnd: number): boolean {
    if (off === fieldEnd) return true;
    if (this.names.has(off)) return true;
    return off >= 512 && off < fieldEnd && off + 8 <= this.buf.length;
  }

  // ---------------------------------------------------------------- token streams

  /** Fragment(s) until the end-of-stream token or the end of the data; bytes after EOF are slack. */
  private fragmentList(tmpl: boolean, out: TNode[]): void {
    this.content(tmpl, out, false);
  }

  private content(tmpl: boolean, out: TNode[], inElement: boolean): void {
    const buf = this.buf;
    for (;;) {
      if (this.pos >= this.end) {
        if (inElement) this.fail('unterminated element');
        return;
      }
      const t = buf[this.pos]!;
      switch (t & 0xbf) {
        case 0x00:
          if (inElement) this.fail('end of stream inside element');
          this.pos++;
          return;
        case 0x01:
          out.push(this.element(tmpl));
          break;
        case 0x04:
          if (!inElement) this.fail('unexpected end-element token');
          this.pos++;
          return;
        case 0x05: {
          const v = this.valueToken();
          if (v !== null) out.push(v);
          break;
        }
        case 0x07: {
          // CDATA section: count(2) + UTF-16
          this.pos++;
          const cnt = this.u16();
          this.need(cnt * 2);
          out.push(buf.toString('utf16le', this.pos, this.pos + cnt * 2));
          this.pos += cnt * 2;
          break;
        }
        case 0x08:
          out.push(this.charRef());
          break;
        case 0x09:
          out.push(this.entityRef());
          break;
        case 0x0a: {
          this.pos++;
          const target = this.name();
          let data = '';
          if (this.pos < this.end && buf[this.pos] === 0x0b) {
            this.pos++;
            const cnt = this.u16();
            this.need(cnt * 2);
            data = buf.toString('utf16le', this.pos, this.pos + cnt * 2);
            this.pos += cnt * 2;
          }
          out.push({ k: 2, target, data });
          break;
        }
        case 0x0c:
          this.templateInstance(out);
          break;
        case 0x0d:
        case 0x0e: {
          if (!tmpl) this.fail('substitution outside a template definition');
          this.pos++;
          const idx = this.u16();
          this.u8(); // declared value type; the instance's descriptor is authoritative
          out.push({ k: 4, idx, opt: t === 0x0e });
          break;
        }
        case 0x0f:
          this.pos++;
          this.need(3);
          this.pos += 3;
          break;
        default:
          this.fail(`invalid BinXml token 0x${t.toString(16)}`);
      }
    }
  }

  private charRef(): string {
    this.pos++;
    const v = this.u16();
    return String.fromCharCode(v);
  }

  private entityRef(): string {
    this.pos++;
    const n = this.name();
    const e = ENTITIES[n];
    if (e !== undefined) return e;
    if (n.startsWith('#')) {
      const code = n[1] === 'x' ? parseInt(n.slice(2), 16) : parseInt(n.slice(1), 10);
      if (Number.isInteger(code) && code >= 0 && code <= 0x10ffff) return String.fromCodePoint(code);
    }
    return `&${n};`;
  }

  /** Value token: type(1) then a self-sized value (strings: count(2) + chars). */
  private valueToken(): EvtxValue {
    this.pos++;
    const type = this.u8();
    if (type === 0x01) {
      const cnt = this.u16();
      this.need(cnt * 2);
      const s = utf16(this.buf, this.pos, this.pos + cnt * 2);
      this.pos += cnt * 2;
      return s;
    }
    if (type === 0x02) {
      const cnt = this.u16();
      this.need(cnt);
      const s = this.buf.toString('latin1', this.pos, this.pos + cnt);
      this.pos += cnt;
      return s;
    }
    const size = FIXED_SIZE[type];
    if (size === undefined) this.fail(`unsupported value type 0x${type.toString(16)} in value token`);
    this.need(size);
    const v = this.value(type, this.pos, size);
    this.pos += size;
    return v as EvtxValue;
  }

  private element(tmpl: boolean): TNode {
    if (++this.depth > MAX_DEPTH) this.fail('element nesting too deep');
    this.spend(1);
    const buf = this.buf;
    const t = buf[this.pos]!;
    this.pos++;
    const hasAttrs = (t & 0x40) !== 0;
    // Element start: [dependency id (2), template definitions only] data size (4) name offset (4).
    // Files disagree on the dependency id outside templates: choose the layout whose name offset is plausible.
    this.need(10);
    const p = this.pos;
    let withDep = tmpl;
    const offA = buf.readUInt32LE(p + (withDep ? 6 : 4));
    if (!this.plausibleNameOffset(offA, p + (withDep ? 10 : 8))) {
      const offB = buf.readUInt32LE(p + (withDep ? 4 : 6));
      if (this.plausibleNameOffset(offB, p + (withDep ? 8 : 10))) withDep = !withDep;
    }
    this.pos += withDep ? 6 : 4;
    const name = this.name();
    let dynamic = false;
    const tattrs: TAttr[] = [];
    if (hasAttrs) {
      this.u32(); // attribute list size
      while (this.pos < this.end && (buf[this.pos]! & 0xbf) === 0x06) {
        this.pos++;
        const aname = this.name();
        const parts: (string | TSub)[] = [];
        this.attrValue(tmpl, parts);
        for (const x of parts) if (typeof x !== 'string') dynamic = true;
        tattrs.push({ name: aname, parts });
      }
    }
    const close = this.u8();
    const children: TNode[] = [];
    if (close === 0x02) {
      this.content(tmpl, children, true);
    } else if (close !== 0x03) {
      this.fail(`expected close-start or close-empty token, got 0x${close.toString(16)}`, this.pos - 1);
    }
    this.depth--;
    if (!dynamic) {
      for (const c of children) {
        if (typeof c === 'object' && !Array.isArray(c) && (c.k === 4 || c.k === 5)) {
          dynamic = true;
          break;
        }
      }
    }
    let attrs: XmlAttr[] | null = null;
    if (!tattrs.some((a) => a.parts.some((x) => typeof x !== 'string'))) {
      attrs = tattrs.length === 0 ? NO_ATTRS : [];
      for (const a of tattrs) {
        if (a.parts.length === 0) attrs.push({ name: a.name, value: '' });
        else if (a.parts.length === 1) attrs.push({ name: a.name, value: a.parts[0] as string });
        else attrs.push({ name: a.name, value: (a.parts as string[]).join('') });
      }
    }
    if (dynamic) return { k: 5, name, attrs: tattrs, sattrs: attrs, children };
    attrs ??= [];
    let n = 1;
    for (const c of children) if (typeof c === 'object' && !Array.isArray(c) && c.k === 1) n += c.n ?? 1;
    return { k: 1, name, attrs, children: children as XmlNode[], n };
  }

  private attrValue(tmpl: boolean, parts: (string | TSub)[]): void {
    const buf = this.buf;
    while (this.pos < this.end) {
      const t = buf[this.pos]!;
      switch (t & 0xbf) {
        case 0x05: {
          const v = this.valueToken();
          if (v !== null) parts.push(scalarText(v));
          break;
        }
        case 0x08:
          parts.push(this.charRef());
          break;
        case 0x09:
          parts.push(this.entityRef());
          break;
        case 0x0d:
        case 0x0e: {
          if (!tmpl) this.fail('substitution outside a template definition');
          this.pos++;
          const idx = this.u16();
          this.u8();
          parts.push({ k: 4, idx, opt: t === 0x0e });
          break;
        }
        default:
          return;
      }
    }
  }

  // ---------------------------------------------------------------- templates

  private templateAt(off: number): TNode[] {
    const c = this.templates.get(off);
    if (c === IN_PROGRESS) this.fail(`cyclic template reference at ${off}`);
    if (c instanceof BinXmlError) throw c;
    if (c !== undefined) return c;
    const buf = this.buf;
    if (off < 512 || off + 24 > buf.length) this.fail(`template offset ${off} out of chunk`);
    const size = buf.readUInt32LE(off + 20);
    const start = off + 24;
    if (start + size > buf.length) this.fail(`template at ${off} runs past chunk end`);
    const savePos = this.pos;
    const saveEnd = this.end;
    this.templates.set(off, IN_PROGRESS);
    const nodes: TNode[] = [];
    try {
      this.pos = start;
      this.end = start + size;
      this.fragmentList(true, nodes);
    } catch (e) {
      const err = e instanceof BinXmlError ? e : new BinXmlError(String(e), off);
      this.templates.set(off, err);
      throw err;
    } finally {
      this.pos = savePos;
      this.end = saveEnd;
    }
    this.templates.set(off, nodes);
    return nodes;
  }

  /** Template instance: 0x0C, unknown(1), template id(4), definition offset(4), [inline definition], values. */
  private templateInstance(out: TNode[]): void {
    const buf = this.buf;
    if (++this.depth > MAX_DEPTH) this.fail('template nesting too deep');
    this.pos++;
    this.u8();
    this.u32(); // template id (first 4 bytes of the definition GUID)
    const defOff = this.u32();
    let def: TNode[];
    if (defOff === this.pos) {
      this.need(24);
      const size = buf.readUInt32LE(this.pos + 20);
      def = this.templateAt(defOff);
      this.need(24 + size);
      this.pos += 24 + size;
    } else {
      def = this.templateAt(defOff);
    }
    const count = this.u32();
    if (count * 4 > this.end - this.pos) this.fail(`substitution count ${count} exceeds data`);
    const descPos = this.pos;
    this.pos += count * 4;
    const values: SubValue[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const size = buf.readUInt16LE(descPos + i * 4);
      const type = buf[descPos + i * 4 + 2]!;
      this.need(size);
      values[i] = this.value(type, this.pos, size);
      this.pos += size;
    }
    this.instantiate(def, values, out);
    this.depth--;
  }

  private instantiate(nodes: TNode[], values: SubValue[], out: TNode[]): void {
    for (const node of nodes) {
      if (typeof node !== 'object' || Array.isArray(node)) {
        out.push(node);
        continue;
      }
      switch (node.k) {
        case 1:
          this.spend(node.n ?? 1);
          out.push(node);
          break;
        case 4: {
          const v = values[node.idx];
          if (v === null || v === undefined) break;
          if (typeof v === 'object' && !Array.isArray(v)) {
            this.spend(v.n);
            for (const x of v.nodes) out.push(x);
          } else out.push(v);
          break;
        }
        case 5:
          out.push(this.instElement(node, values));
          break;
        default:
          out.push(node);
      }
    }
  }

  private instElement(te: TElem, values: SubValue[]): XmlElement {
    this.spend(1);
    const attrs: XmlAttr[] = te.sattrs ?? [];
    if (te.sattrs === null) for (const a of te.attrs) {
      const parts = a.parts;
      if (parts.length === 1) {
        const p = parts[0]!;
        if (typeof p === 'string') {
          attrs.push({ name: a.name, value: p });
        } else {
          const v = values[p.idx];
          if (v === null || v === undefined) continue;
          attrs.push({ name: a.name, value: typeof v === 'object' && !Array.isArray(v) ? fragText(v) : v });
        }
        continue;
      }
      let s = '';
      let any = parts.length === 0;
      for (const p of parts) {
        if (typeof p === 'string') {
          s += p;
          any = true;
        } else {
          const v = values[p.idx];
          if (v === null || v === undefined) continue;
          any = true;
          s += typeof v === 'object' && !Array.isArray(v) ? fragText(v) : scalarText(v);
        }
      }
      if (any) attrs.push({ name: a.name, value: s });
    }
    const children: TNode[] = [];
    this.instantiate(te.children, values, children);
    let n = 1;
    for (const c of children) if (typeof c === 'object' && !Array.isArray(c) && c.k === 1) n += c.n ?? 1;
    return { k: 1, name: te.name, attrs, children: children as XmlNode[], n };
  }

  // ---------------------------------------------------------------- values

  /** Decode a substitution value of the given type from pos..pos+size. */
  private value(type: number, pos: number, size: number): SubValue {
    const buf = this.buf;
    if (type & 0x80) return this.arrayValue(type & 0x7f, pos, size);
    switch (type) {
      case 0x00:
        return null;
      case 0x01: {
        let e = pos + (size & ~1);
        while (e >= pos + 2 && buf[e - 1] === 0 && buf[e - 2] === 0) e -= 2;
        return utf16(buf, pos, e);
      }
      case 0x02: {
        let e = pos + size;
        while (e > pos && buf[e - 1] === 0) e--;
        return buf.toString('latin1', pos, e);
      }
      case 0x03:
        return size >= 1 ? buf.readInt8(pos) : null;
      case 0x04:
        return size >= 1 ? buf[pos]! : null;
      case 0x05:
        return size >= 2 ? buf.readInt16LE(pos) : this.short(pos, size);
      case 0x06:
        return size >= 2 ? buf.readUInt16LE(pos) : this.short(pos, size);
      case 0x07:
        return size >= 4 ? buf.readInt32LE(pos) : this.short(pos, size);
      case 0x08:
        return size >= 4 ? buf.readUInt32LE(pos) : this.short(pos, size);
      case 0x09:
        return size >= 8 ? int64(buf, pos, true) : this.short(pos, size);
      case 0x0a:
        return size >= 8 ? int64(buf, pos, false) : this.short(pos, size);
      case 0x0b:
        return size >= 4 ? buf.readFloatLE(pos) : this.short(pos, size);
      case 0x0c:
        return size >= 8 ? buf.readDoubleLE(pos) : this.short(pos, size);
      case 0x0d: {
        if (size === 0) return null;
        for (let i = 0; i < size && i < 8; i++) if (buf[pos + i] !== 0) return true;
        return false;
      }
      case 0x0e:
        return binHex(buf, pos, size);
      case 0x0f:
        return size >= 16 ? guid(buf, pos) : this.short(pos, size);
      case 0x10:
        if (size === 8) return int64(buf, pos, false);
        if (size === 4) return buf.readUInt32LE(pos);
        return this.short(pos, size);
      case 0x11:
        return size >= 8 ? filetimeRust(buf.readUInt32LE(pos), buf.readUInt32LE(pos + 4)) : this.short(pos, size);
      case 0x12:
        return size >= 16 ? systemtime(buf, pos) : this.short(pos, size);
      case 0x13:
        return sid(buf, pos, size);
      case 0x14:
        return size >= 4 ? hex32(buf.readUInt32LE(pos)) : this.short(pos, size);
      case 0x15:
        return size >= 8 ? hex64(buf.readUInt32LE(pos), buf.readUInt32LE(pos + 4)) : this.short(pos, size);
      case 0x20:
        if (size === 8) return int64(buf, pos, false);
        return size >= 4 ? buf.readUInt32LE(pos) : this.short(pos, size);
      case 0x21:
      case 0x23:
        return this.nested(pos, size, type);
      default:
        return binHex(buf, pos, size);
    }
  }

  /** A fixed-size value with fewer bytes than its type needs: keep the bytes as hex rather than failing. */
  private short(pos: number, size: number): EvtxValue {
    return size === 0 ? null : binHex(this.buf, pos, size);
  }

  private nested(pos: number, size: number, type: number): SubValue {
    if (size === 0) return null;
    if (++this.depth > MAX_DEPTH) this.fail('nested BinXml too deep', pos);
    const savePos = this.pos;
    const saveEnd = this.end;
    const before = this.budget;
    const nodes: TNode[] = [];
    try {
      this.pos = pos;
      this.end = pos + size;
      this.fragmentList(false, nodes);
    } catch (e) {
      if (type === 0x23) {
        this.pos = savePos;
        this.end = saveEnd;
        this.depth--;
        return binHex(this.buf, pos, size);
      }
      throw e;
    } finally {
      this.pos = savePos;
      this.end = saveEnd;
    }
    this.depth--;
    // Parsing spent budget already; placing the fragment spends its size again (bounded either way).
    const n = Math.max(0, before - this.budget);
    return { k: 3, nodes: nodes as XmlNode[], n };
  }

  private arrayValue(type: number, pos: number, size: number): EvtxScalar[] {
    const buf = this.buf;
    const out: EvtxScalar[] = [];
    const end = pos + size;
    if (type === 0x01) {
      let s = pos;
      for (let p = pos; p + 1 < end; p += 2) {
        if (buf[p] === 0 && buf[p + 1] === 0) {
          out.push(buf.toString('utf16le', s, p));
          s = p + 2;
        }
      }
      if (s + 1 < end) out.push(buf.toString('utf16le', s, end - ((end - s) & 1)));
      return out;
    }
    if (type === 0x02) {
      let s = pos;
      for (let p = pos; p < end; p++) {
        if (buf[p] === 0) {
          out.push(buf.toString('latin1', s, p));
          s = p + 1;
        }
      }
      if (s < end) out.push(buf.toString('latin1', s, end));
      return out;
    }
    if (type === 0x13) {
      let p = pos;
      while (p + 8 <= end) {
        const cnt = buf[p + 1]!;
        const len = Math.min(8 + cnt * 4, end - p);
        out.push(sid(buf, p, len));
        p += len;
      }
      return out;
    }
    let el = FIXED_SIZE[type];
    if (type === 0x10 || type === 0x20) el = 8;
    if (el === undefined) {
      out.push(binHex(buf, pos, size));
      return out;
    }
    for (let p = pos; p + el <= end; p += el) {
      const v = this.value(type, p, el);
      if (v !== null && typeof v !== 'object') out.push(v);
      else if (Array.isArray(v)) out.push(v.join(','));
    }
    return out;
  }
}

// -------------------------------------------------------------------- value helpers

/** UTF-16LE decode; short strings by hand (cheaper than a native call), long ones natively. */
function utf16(buf: Buffer, start: number, end: number): string {
  const len = end - start;
  if (len > 40) return buf.toString('utf16le', start, end);
  let s = '';
  for (let i = start; i + 1 < end; i += 2) s += String.fromCharCode(buf[i]! | (buf[i + 1]! << 8));
  return s;
}

export function scalarText(v: EvtxScalar | EvtxScalar[]): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map((x) => String(x)).join(',');
  return String(v);
}

function fragText(f: Frag): string {
  let s = '';
  const walk = (nodes: XmlNode[], depth: number): void => {
    if (depth > MAX_DEPTH) return;
    for (const n of nodes) {
      if (typeof n !== 'object') s += String(n);
      else if (Array.isArray(n)) s += n.join(',');
      else if (n.k === 1) walk(n.children, depth + 1);
    }
  };
  walk(f.nodes, 0);
  return s;
}

function int64(buf: Buffer, pos: number, signed: boolean): number | string {
  const lo = buf.readUInt32LE(pos);
  const hi = signed ? buf.readInt32LE(pos + 4) : buf.readUInt32LE(pos + 4);
  if (hi >= -0x200000 && hi < 0x200000) return hi * 4294967296 + lo;
  return (signed ? buf.readBigInt64LE(pos) : buf.readBigUInt64LE(pos)).toString();
}

function binHex(buf: Buffer, pos: number, size: number): string {
  return buf.toString('hex', pos, pos + size).toUpperCase();
}

function guid(buf: Buffer, p: number): string {
  const h = (i: number): string => HEX[buf[p + i]!]!;
  return (
    '{' + h(3) + h(2) + h(1) + h(0) + '-' + h(5) + h(4) + '-' + h(7) + h(6) + '-' + h(8) + h(9) + '-' +
    h(10) + h(11) + h(12) + h(13) + h(14) + h(15) + '}'
  );
}

/** FILETIME rendered like the reference (Rust evtx): 9 fractional digits. */
function filetimeRust(lo: number, hi: number): string {
  const iso = filetimeToIso(lo, hi);
  if (iso === null) return hex64(lo, hi);
  return iso.slice(0, -1) + '00Z';
}

function systemtime(buf: Buffer, p: number): string {
  const y = buf.readUInt16LE(p);
  const mo = buf.readUInt16LE(p + 2);
  const d = buf.readUInt16LE(p + 6);
  const h = buf.readUInt16LE(p + 8);
  const mi = buf.readUInt16LE(p + 10);
  const s = buf.readUInt16LE(p + 12);
  const ms = buf.readUInt16LE(p + 14);
  const z = (v: number, n: number): string => String(v).padStart(n, '0');
  return `${z(y, 4)}-${z(mo, 2)}-${z(d, 2)}T${z(h, 2)}:${z(mi, 2)}:${z(s, 2)}.${z(ms, 3)}Z`;
}

/** SID: revision(1) sub-authority count(1) authority(6, big-endian) sub-authorities(4 each, LE). */
export function sid(buf: Buffer, p: number, size: number): string {
  if (size < 8) return binHex(buf, p, size);
  const rev = buf[p]!;
  const cnt = buf[p + 1]!;
  const auth = buf.readUIntBE(p + 2, 6);
  let s = `S-${rev}-${auth}`;
  for (let i = 0; i < cnt && p + 8 + i * 4 + 4 <= p + size; i++) s += '-' + buf.readUInt32LE(p + 8 + i * 4);
  return s;
}
