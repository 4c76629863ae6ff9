/**
 * The records a reader hands on: the raw text plus a shared header; fields are split on the first `get()`.
 */
import type { FieldValue } from '../model/record.js';
import { parseBag, splitCsv, splitW3c } from './fields.js';
import type { Header } from './header.js';
import { parseIsoTime, parseW3cDateTime } from './timestamp.js';
import type { LogRecord } from './types.js';

const NO_FIELDS: readonly string[] = Object.freeze([]);

/** Index of the quote closing the quoted cell opened at `open` (`""` skipped), or the string length. */
function closingQuote(s: string, open: number): number {
  let j = open + 1;
  for (;;) {
    const k = s.indexOf('"', j);
    if (k < 0) return s.length;
    if (s.charCodeAt(k + 1) === 0x22) {
      j = k + 2;
      continue;
    }
    return k;
  }
}

/** A line with no fields (kind `text`, or a CSV-kind file without any header). */
export class TextRecord implements LogRecord {
  constructor(
    readonly raw: string,
    readonly line: number,
    readonly offset: number,
    private readonly t: number,
  ) {}
  get(_field: string): FieldValue {
    return undefined;
  }
  fieldNames(): readonly string[] {
    return NO_FIELDS;
  }
  time(): number | undefined {
    return Number.isNaN(this.t) ? undefined : this.t;
  }
}

/** A CSV or W3C record under a header. */
export class FieldRecord implements LogRecord {
  private values: string[] | undefined;
  private bag: Map<string, [string, string]> | undefined;
  /** Quote-free records: separator positions found so far (cells are cut on demand, not all at once). */
  private seps: number[] | undefined;

  /** `t`: the time parsed during the scan, NaN when none; `undefined` = not computed yet (lazy). */
  constructor(
    readonly raw: string,
    readonly line: number,
    readonly offset: number,
    readonly header: Header,
    private t: number | undefined,
  ) {}

  /** The record's cells in column order (split on first use). */
  cells(): readonly string[] {
    if (this.values === undefined) this.values = this.header.w3c ? splitW3c(this.raw) : splitCsv(this.raw);
    return this.values;
  }

  private bagMap(): Map<string, [string, string]> {
    if (this.bag === undefined) {
      const h = this.header;
      const v = this.cells();
      let src = v[h.bagCol] ?? '';
      // An unquoted EventData holding commas spills into extra cells: it is the last column, so take the rest.
      if (v.length > h.names.length && h.bagCol === h.names.length - 1) src = v.slice(h.bagCol).join(',');
      this.bag = parseBag(src);
    }
    return this.bag;
  }

  /**
   * Cell `i`, scanning separators only as far as needed (RFC-4180 aware: a `"` at a cell start opens a
   * quoted cell, `""` inside is a quote), so a rule reading two columns does not split all 74.
   */
  private cell(i: number): string | undefined {
    const raw = this.raw;
    const w3c = this.header.w3c;
    const sep = w3c ? ' ' : ',';
    const seps = (this.seps ??= [-1]);
    while (seps.length <= i + 1) {
      const last = seps[seps.length - 1]!;
      if (last >= raw.length) break;
      let from = last + 1;
      if (!w3c && raw.charCodeAt(from) === 0x22) from = closingQuote(raw, from) + 1;
      const p = raw.indexOf(sep, from);
      seps.push(p < 0 ? raw.length : p);
    }
    if (seps.length <= i + 1) return undefined;
    const start = seps[i]! + 1;
    const end = seps[i + 1]!;
    if (w3c) {
      const v = raw.slice(start, end);
      return v === '-' ? '' : v;
    }
    if (raw.charCodeAt(start) !== 0x22) return raw.slice(start, end);
    const q = closingQuote(raw, start);
    const inner = raw.slice(start + 1, Math.min(q, end));
    return (inner.includes('""') ? inner.replace(/""/g, '"') : inner) + (q + 1 < end ? raw.slice(q + 1, end) : '');
  }

  get(field: string): FieldValue {
    const key = field.toLowerCase();
    const i = this.header.index.get(key);
    if (i !== undefined) {
      if (this.values === undefined && i !== this.header.bagCol) return this.cell(i);
      const v = this.cells();
      if (i === this.header.bagCol && v.length > this.header.names.length && i === this.header.names.length - 1) {
        return v.slice(i).join(',');
      }
      return v[i];
    }
    if (this.header.bagCol >= 0) return this.bagMap().get(key)?.[1];
    return undefined;
  }

  fieldNames(): readonly string[] {
    if (this.header.bagCol < 0) return this.header.names;
    const extra: string[] = [];
    for (const [k, [name]] of this.bagMap()) if (!this.header.index.has(k)) extra.push(name);
    return extra.length ? [...this.header.names, ...extra] : this.header.names;
  }

  time(): number | undefined {
    if (this.t === undefined) {
      const h = this.header;
      const v = this.cells();
      const t = h.w3c ? parseW3cDateTime(v[h.dateCol], v[h.timeCol]) : parseIsoTime(v[h.timeCol]);
      this.t = t ?? NaN;
    }
    return Number.isNaN(this.t) ? undefined : this.t;
  }
}
