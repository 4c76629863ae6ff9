/**
 * Streaming reader for Exchange CSV logs, IIS / HTTPERR W3C logs and plain text lines.
 *
 * How a stream is cut into records (bytes, never strings, until a record is handed on):
 * - Records end at `\n` (`Buffer.indexOf`), a trailing `\r` is dropped. In CSV kinds a record whose line
 *   holds a `"` is scanned with a small RFC-4180 state machine (a `"` opens a quoted field only at the
 *   start of a field) so that a quoted newline never splits a record; `line` is the record's first line.
 *   Positions of the next `"` and NUL are cached, so lines without them cost one `indexOf` for `\n`.
 * - Lines starting with `#` are directives (`#Software:`, `#Version:`, `#Log-type:`, `#Fields:`) or comments,
 *   never records (except in kind `text`). A `#Fields:` line (also `# Fields:`) replaces the header for the
 *   records after it (`headerBlocks`).
 * - No header yet at the first data line: the kind's default header is assumed if the line starts with a
 *   timestamp (`assumedHeader`); else, in CSV kinds, a line of column names (`DateTime,RequestId` or
 *   `"DateTime","RequestId"`) is the header; else the file is read as text records.
 * - A record longer than `maxRecordBytes` is cut: its first `maxRecordBytes` bytes are handed on (fields
 *   parsed from them), the rest is skipped without being buffered (`longRecords`). A quote still open after
 *   `maxRecordBytes` (or at the end of the stream) is taken as corruption: the record's first line becomes
 *   a record (`malformed`) and reading resumes on the next line, so an odd `"` cannot hide what follows.
 * - Memory: one chunk + at most `maxRecordBytes` of carried-over bytes, whatever the input.
 * - Times are parsed from the bytes of the record start (hour cached), for every record, before the
 *   prefilter; they feed `firstTime`/`lastTime`/`hours` and `time()`.
 * - Decoding is UTF-8; invalid sequences become U+FFFD and count as `malformed`. A UTF-8 BOM is skipped.
 */
import { open } from 'node:fs/promises';
import { openSync, readSync, closeSync, constants as fsConstants } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { defaultFields } from './default-headers.js';
import { splitCsv } from './fields.js';
import { type Header, isW3cKind, makeHeader } from './header.js';
import { LiteralScanner } from './literal-filter.js';
import { TeddyScanner, literalTable } from './teddy.js';
import { FieldRecord, TextRecord } from './log-record.js';
import { TimestampParser } from './timestamp.js';
import { DEFAULT_MAX_RECORD_BYTES, type LogKind, type ReadOptions, type ReaderStats } from './types.js';

const NL = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const HASH = 0x23;
const COMMA = 0x2c;

/** Scan results besides a record end index. */
const NEED_MORE_IN_QUOTE = -1;
const NEED_MORE = -2;
/** A quoted field runs past `maxRecordBytes` from the record start (or is still open at the end). */
const BROKEN_QUOTE = -3;

const HEADER_NAME = /^[A-Za-z_][A-Za-z0-9_\-().]*$/;

/** `passed`, when present: after a `true`, the rules whose clauses the record satisfies. */
type Tester = { test(buf: Buffer, s: number, e: number): boolean; readonly passed?: readonly number[] };
const testers = new WeakMap<object, Tester>();

/**
 * A few literals: native `indexOf` on rare anchors. Many: one Teddy pass (WebAssembly SIMD) for those of
 * 3 bytes or more, anchors for shorter ones. Without WebAssembly (`node --jitless`), anchors for all.
 * With per-rule clauses (and every literal fit for Teddy), a record passes only if it holds a literal of
 * every clause of some rule; otherwise the clauses are dropped and the union alone is tested (sound:
 * the union is implied by any rule's clauses).
 *
 * Testers are shared by the files of a thread that have the same filter (one per log kind): building
 * one costs more than reading a small file.
 */
function literalTester(lf: NonNullable<ReadOptions['literalFilter']>): Tester {
  let t = testers.get(lf);
  if (t) return t;
  t = makeTester(lf);
  // A LiteralScanner is cheap to build and calibrates per stream (its choices are cached by literal set).
  if (!(t instanceof LiteralScanner)) testers.set(lf, t);
  return t;
}

function makeTester(lf: NonNullable<ReadOptions['literalFilter']>): Tester {
  if (lf.literals.length <= 2 || !TeddyScanner.available()) return new LiteralScanner(lf);
  if (lf.rules && TeddyScanner.usable(lf.literals)) return new ClauseTester(lf.rules);
  const long = lf.literals.filter((l) => l.length >= 3 && /^[\x00-\x7f]*$/.test(l));
  const short = lf.literals.filter((l) => !long.includes(l));
  if (long.length < 2) return new LiteralScanner(lf);
  const multi = new TeddyScanner(long, lf.caseSensitive);
  if (!short.length) return multi;
  const few = new LiteralScanner({ literals: short, caseSensitive: lf.caseSensitive });
  return { test: (buf, s, e) => few.test(buf, s, e) || multi.test(buf, s, e) };
}

/** Sample for the clause plan: the first bytes of the first window read with this filter. */
const PLAN_SAMPLE_BYTES = 256 * 1024;
/** A clause in at most one sampled line in this many is rare: always searched. */
const RARE_LINE_SHARE = 64;
/** Plans are renewed after this many windows (content drifts between a server's log folders). */
const REPLAN_WINDOWS = 4096;

/**
 * Records that satisfy every clause of some rule. Which clauses are searched depends on the data: a
 * clause whose literals fill the log (`post` in IIS logs of Outlook clients, `owa` on an OWA-heavy
 * server) would flood the Teddy pass with occurrences that rule nothing out. So the first window is
 * sampled: per rule, its two rarest clauses and every clause rare in the sample are searched (each literal
 * carries a bit per (rule, clause); a record ORs the bits of the literals found in it), and the rule's
 * common clauses are checked in the record's own bytes, only when its searched bits are all set.
 * Records without any occurrence (most lines) cost one comparison. Every rule has a searched clause, so
 * a record with no occurrence passes no rule.
 */
class ClauseTester {
  private teddy!: TeddyScanner;
  private words = 1;
  /** Per Teddy literal id: its (rule, clause) bits, `words` 32-bit words each. */
  private bits = new Uint32Array(0);
  /** Per rule: the bits it needs. */
  private needs = new Uint32Array(0);
  private acc = new Uint32Array(1);
  /** Per rule: clauses checked in the record's bytes (common in the sample). */
  private checks: ClauseSearch[][] = [];
  /** Per Teddy literal id: the rules one of whose searched clauses holds it (ascending). */
  private rulesOf: Int32Array[] = [];
  /** Rules touched by the current record's literals (`touched[r] === stamp`), listed in `cand`. */
  private touched = new Int32Array(0);
  private stamp = 0;
  private cand = new Int32Array(0);
  private planned = false;
  private lastWindow: Buffer | null = null;
  private windows = 0;
  /** After `test` returned true: the rules whose clauses the record satisfies (the hunt evaluates only those). */
  passed: number[] = [];

  constructor(private readonly rules: ReadonlyArray<ReadonlyArray<readonly string[]>>) {}

  private plan(sample: Buffer): void {
    const text = sample.toString('latin1').toLowerCase();
    let lines = 1;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
    const freq = new Map<string, number>();
    const count = (l: string): number => {
      let n = freq.get(l);
      if (n === undefined) {
        n = 0;
        for (let i = text.indexOf(l); i >= 0 && n <= lines; i = text.indexOf(l, i + 1)) n++;
        freq.set(l, n);
      }
      return n;
    };
    const searched: Array<Array<readonly string[]>> = [];
    this.checks = this.rules.map((clauses) => {
      const ranked = clauses.map((lits) => ({ lits, n: lits.reduce((sum, l) => sum + count(l.toLowerCase()), 0) })).sort((a, b) => a.n - b.n);
      // The two rarest clauses, so that two common words that rarely meet (`powershell`, `.aspx`) still rule
      // most records out in the Teddy pass (checking the second in every record holding the first cost
      // more, measured), and any clause rare in the sample.
      const keep = ranked.filter((c, i) => i < 2 || c.n <= lines / RARE_LINE_SHARE);
      searched.push(keep.map((c) => c.lits));
      return ranked.filter((c) => !keep.includes(c)).map((c) => new ClauseSearch(c.lits));
    });
    const lits = [...new Set(searched.flatMap((clauses) => clauses.flatMap((c) => c.map((l) => l.toLowerCase()))))];
    this.teddy = new TeddyScanner(lits, false);
    const ids = new Map(this.teddy.literals().map((l, i) => [l, i]));
    const total = searched.reduce((n, r) => n + r.length, 0);
    this.words = Math.max(1, Math.ceil(total / 32));
    this.bits = new Uint32Array(ids.size * this.words);
    this.needs = new Uint32Array(searched.length * this.words);
    this.acc = new Uint32Array(this.words);
    let bit = 0;
    const rulesOf: number[][] = Array.from({ length: ids.size }, () => []);
    searched.forEach((clauses, r) => {
      for (const clause of clauses) {
        const word = bit >>> 5;
        const mask = 1 << (bit & 31);
        this.needs[r * this.words + word]! |= mask;
        for (const l of clause) {
          const id = ids.get(l.toLowerCase())!;
          this.bits[id * this.words + word]! |= mask;
          const list = rulesOf[id]!;
          if (list[list.length - 1] !== r) list.push(r);
        }
        bit++;
      }
    });
    this.rulesOf = rulesOf.map((l) => Int32Array.from(l));
    this.touched = new Int32Array(searched.length);
    this.stamp = 0;
    this.cand = new Int32Array(searched.length);
    this.planned = true;
  }

  test(buf: Buffer, s: number, e: number): boolean {
    if (buf !== this.lastWindow) {
      this.lastWindow = buf;
      if (!this.planned || ++this.windows % REPLAN_WINDOWS === 0) this.plan(buf.subarray(0, PLAN_SAMPLE_BYTES));
    }
    // Occurrences walked inline (this runs for every record): most records have none in [s, e).
    const t = this.teddy;
    let j = t.from(buf, s);
    const starts = t.occStarts;
    const n = t.occCount;
    if (j >= n || starts[j]! >= e) return false;
    const ends = t.occEnds;
    const ids = t.occIds;
    const w = this.words;
    const acc = this.acc;
    const bits = this.bits;
    for (let i = 0; i < w; i++) acc[i] = 0;
    // Only the rules whose searched clauses hold a literal found here can pass: a record holds a few
    // literals of a few rules, not all of a log kind's rules (~1 record in 2 has an occurrence on IIS logs).
    if (this.stamp === 0x7fffffff) {
      this.touched.fill(0);
      this.stamp = 0;
    }
    const stamp = ++this.stamp;
    const touched = this.touched;
    const cand = this.cand;
    let nc = 0;
    for (; j < n && starts[j]! < e; j++) {
      if (ends[j]! > e) continue;
      const id = ids[j]!;
      const base = id * w;
      for (let i = 0; i < w; i++) acc[i]! |= bits[base + i]!;
      const rs = this.rulesOf[id]!;
      for (let k = 0; k < rs.length; k++) {
        const r = rs[k]!;
        if (touched[r] !== stamp) {
          touched[r] = stamp;
          // Kept in ascending order, as the hunt has always been given them: inserted in place (a few
          // rules at most; a typed-array sort per record cost a subarray and a native call).
          let p = nc++;
          while (p > 0 && cand[p - 1]! > r) {
            cand[p] = cand[p - 1]!;
            p--;
          }
          cand[p] = r;
        }
      }
    }
    if (nc === 0) return false;
    // A fresh list only after a pass (a record holding some literal but passing no rule is the common case).
    if (this.passed.length) this.passed = [];
    const passed = this.passed;
    const needs = this.needs;
    for (let c = 0; c < nc; c++) {
      const r = cand[c]!;
      let ok = true;
      for (let i = 0; i < w && ok; i++) {
        const need = needs[r * w + i]!;
        ok = (need & ~acc[i]!) === 0; // not `(acc & need) === need`: `&` is signed, bit 31 would never compare equal
      }
      if (!ok) continue;
      for (const check of this.checks[r]!) if (!(ok = check.test(buf, s, e, this.teddy))) break;
      if (ok) passed.push(r);
    }
    return passed.length > 0;
  }
}

/**
 * Does a byte range hold one of a few lower-case ASCII literals (ASCII case folded)? Asked of the window
 * copy the clause tester's Teddy pass left in WebAssembly memory (`TeddyScanner.contains`) when the
 * literals fit its table; else one pass over the record here, a first-byte table. (LiteralScanner answers
 * the same question with anchors cached across a window; for these few records of common words it measured
 * slower on IIS logs: 0.78–1.12 s against 0.56–0.66 s per 270 MB.) Exported for its tests.
 */
export class ClauseSearch {
  private readonly lits: Uint8Array[];
  private readonly first = new Uint8Array(256);
  private readonly minLen: number;

  /** The literals for the WebAssembly search (null: searched here). */
  private readonly table: Uint8Array | null;

  constructor(literals: readonly string[]) {
    this.table = literalTable(literals);
    this.lits = literals.map((l) => Uint8Array.from(Buffer.from(l.toLowerCase(), 'latin1')));
    this.minLen = Math.min(...this.lits.map((l) => l.length));
    for (const l of this.lits) {
      const c = l[0]!;
      this.first[c] = 1;
      if (c >= 0x61 && c <= 0x7a) this.first[c - 32] = 1;
    }
  }

  /** `teddy`: the scanner whose pass over this window is in WebAssembly memory, searched there when it can. */
  test(buf: Buffer, s: number, e: number, teddy?: TeddyScanner): boolean {
    if (this.table !== null && teddy !== undefined) {
      const r = teddy.contains(buf, s, e, this.table);
      if (r !== null) return r;
    }
    const first = this.first;
    const lits = this.lits;
    for (let i = s, last = e - this.minLen; i <= last; i++) {
      if (first[buf[i]!] === 0) continue;
      for (let j = 0; j < lits.length; j++) {
        const l = lits[j]!;
        if (i + l.length > e) continue;
        let k = 0;
        while (k < l.length) {
          let c = buf[i + k]!;
          if (c >= 0x41 && c <= 0x5a) c += 32;
          if (c !== l[k]) break;
          k++;
        }
        if (k === l.length) return true;
      }
    }
    return false;
  }
}

/** Headers are immutable and shared by the readers of a thread (keyed by kind and `#Fields:` text). */
const headerCache = new Map<string, Header>();
const MAX_CACHED_HEADERS = 256;
/** Per log kind, the last `#Fields:` line's bytes and its header (one entry per kind). */
const lastFields = new Map<LogKind, { bytes: Buffer; header: Header }>();

function newStats(): ReaderStats {
  return {
    bytes: 0,
    records: 0,
    lines: 0,
    headerBlocks: 0,
    malformed: 0,
    longRecords: 0,
    truncatedTail: false,
    assumedHeader: false,
    hours: new Set<number>(),
  };
}

/** Back `end` off so that a cut does not split a UTF-8 sequence. */
function utf8Boundary(b: Buffer, start: number, end: number): number {
  let e = end;
  // continuation bytes are 10xxxxxx; step back to the lead byte (at most 3)
  for (let k = 0; k < 3 && e > start && ((b[e] ?? 0) & 0xc0) === 0x80; k++) e--;
  return e;
}

class StreamReader {
  readonly stats = newStats();
  private readonly kind: LogKind;
  private readonly max: number;
  private readonly prefilter: ((raw: string) => boolean) | undefined;
  private readonly literals: Tester | undefined;
  private readonly onRecord: ReadOptions['onRecord'];
  private readonly ts = new TimestampParser();
  private readonly textKind: boolean;
  private readonly csvKind: boolean;

  private header: Header | null = null;
  /** `undecided` until the first data line (or a header) is seen. */
  private mode: 'undecided' | 'fields' | 'text' = 'undecided';
  /** CSV quote tracking is on (a CSV header is active, or undecided in a CSV kind). */
  private quotes: boolean;

  private line = 1;
  /** Absolute offset of the current window's byte 0. */
  private base = 0;
  private leftover: Buffer | null = null;
  private skipping = false;
  private atStart = true;
  private lastHour = NaN;

  // per-window caches
  private nextQuote = -1;
  private nextNul = -1;
  private windowUtf8Ok = true;
  private windowUtf8End = 0;

  constructor(opts: ReadOptions) {
    this.kind = opts.kind;
    this.max = Math.max(64, opts.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES);
    this.prefilter = opts.prefilter;
    this.literals = opts.literalFilter ? literalTester(opts.literalFilter) : undefined;
    this.onRecord = opts.onRecord;
    this.textKind = opts.kind === 'text';
    this.csvKind = !this.textKind && !isW3cKind(opts.kind);
    this.quotes = this.csvKind;
  }

  /** The largest carried-over tail: `maxRecordBytes` (+3 bytes at the very start, for the BOM check). */
  get maxLeftover(): number {
    return this.max + 4;
  }

  push(chunk: Uint8Array): void {
    this.stats.bytes += chunk.byteLength;
    const view = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const window = this.leftover ? Buffer.concat([this.leftover, view]) : view;
    this.leftover = null;
    this.process(window, false);
  }

  /** Hands over the carried-over tail (the caller puts it in front of the next bytes and calls `pushWindow`). */
  takeLeftover(): Buffer | null {
    const l = this.leftover;
    this.leftover = null;
    return l;
  }

  /** `window` = the tail from `takeLeftover()` followed by `fresh` new bytes. */
  pushWindow(window: Buffer, fresh: number): void {
    this.stats.bytes += fresh;
    this.process(window, false);
  }

  restoreLeftover(l: Buffer | null): void {
    this.leftover = l;
  }

  finish(): ReaderStats {
    if (this.leftover) {
      const w = this.leftover;
      this.leftover = null;
      this.process(w, true);
    } else if (this.skipping) {
      this.stats.truncatedTail = true;
      this.line++;
      this.skipping = false;
    }
    this.stats.lines = this.line - 1;
    return this.stats;
  }

  private process(buf: Buffer, final: boolean): void {
    let pos = 0;
    const len = buf.length;
    if (this.atStart) {
      if (len < 3 && !final) {
        this.leftover = Buffer.from(buf);
        return;
      }
      this.atStart = false;
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) pos = 3;
    }
    this.nextQuote = -1;
    this.nextNul = -1;
    const lastNl = buf.lastIndexOf(NL);
    this.windowUtf8End = lastNl + 1;
    this.windowUtf8Ok = lastNl < 0 ? true : isUtf8(buf.subarray(pos, lastNl + 1));
    if (lastNl < 0) this.windowUtf8End = 0;

    while (pos < len) {
      if (this.skipping) {
        const nl = buf.indexOf(NL, pos);
        if (nl < 0) {
          pos = len;
          break;
        }
        this.skipping = false;
        this.line++;
        pos = nl + 1;
        continue;
      }
      const nl = buf.indexOf(NL, pos);
      let end = nl;
      let brokenQuote = false;
      if (this.quotes && this.hasQuote(buf, pos, nl < 0 ? len : nl)) {
        const r = this.scanQuoted(buf, pos, len, final);
        if (r >= 0) {
          end = r;
        } else if (r === NEED_MORE_IN_QUOTE) {
          if (!final) break; // wait for more data
          brokenQuote = true; // quote still open at the end of the stream
        } else if (r === BROKEN_QUOTE) {
          // a quoted field longer than maxRecordBytes: corruption; take the first physical line alone
          brokenQuote = true;
        } else {
          end = -1; // outside quotes, no newline yet
        }
      }
      if (end < 0) {
        if (!final) {
          if (len - pos > this.max) {
            // over-long line: hand on its first part, skip the rest
            this.record(buf, pos, utf8Boundary(buf, pos, pos + this.max), true, brokenQuote);
            this.line += this.countNl(buf, pos, len); // newlines inside closed quotes of this record
            this.skipping = true;
            pos = len;
          }
          break;
        }
        // last line without a newline
        this.stats.truncatedTail = true;
        let e = len;
        if (e > pos && buf[e - 1] === CR) e--;
        const long = e - pos > this.max;
        this.record(buf, pos, long ? utf8Boundary(buf, pos, pos + this.max) : e, long, brokenQuote);
        this.line += 1 + this.countNl(buf, pos, len);
        pos = len;
        break;
      }
      let e = end;
      if (e > pos && buf[e - 1] === CR) e--;
      const long = e - pos > this.max;
      const extra = end > nl ? this.countNl(buf, pos, end) : 0;
      this.record(buf, pos, long ? utf8Boundary(buf, pos, pos + this.max) : e, long, brokenQuote);
      this.line += 1 + extra;
      pos = end + 1;
    }
    if (pos < len) this.leftover = Buffer.from(buf.subarray(pos));
    this.base += pos;
  }

  private countNl(buf: Buffer, s: number, e: number): number {
    let n = 0;
    let p = buf.indexOf(NL, s);
    while (p >= 0 && p < e) {
      n++;
      p = buf.indexOf(NL, p + 1);
    }
    return n;
  }

  /** Is there a `"` in [s, e)? (cached next-quote position) */
  private hasQuote(buf: Buffer, s: number, e: number): boolean {
    if (this.nextQuote < s) {
      if (this.nextQuote === Infinity) return false;
      const q = buf.indexOf(QUOTE, s);
      this.nextQuote = q < 0 ? Infinity : q;
    }
    return this.nextQuote < e;
  }

  private hasNul(buf: Buffer, s: number, e: number): boolean {
    if (this.nextNul < s) {
      if (this.nextNul === Infinity) return false;
      const q = buf.indexOf(0, s);
      this.nextNul = q < 0 ? Infinity : q;
    }
    return this.nextNul < e;
  }

  /**
   * RFC-4180 record scan from `s`: index of the `\n` ending the record, or NEED_MORE_IN_QUOTE / NEED_MORE /
   * BROKEN_QUOTE (a quoted field ending more than `maxRecordBytes` after the record start).
   * Jumps from `"` to `"`: a quote opens a quoted field only at a field start (record start or after `,`);
   * other quotes are literal. Cost is proportional to the number of quotes, not of bytes.
   */
  private scanQuoted(buf: Buffer, s: number, len: number, final: boolean): number {
    let from = s;
    for (;;) {
      const nl = buf.indexOf(NL, from);
      const lineEnd = nl < 0 ? len : nl;
      let q = buf.indexOf(QUOTE, from);
      // find the next quote at a field start before the end of this physical line
      while (q >= 0 && q < lineEnd && q !== s && buf[q - 1] !== COMMA) q = buf.indexOf(QUOTE, q + 1);
      if (q < 0 || q >= lineEnd) return nl < 0 ? NEED_MORE : nl;
      // quoted field: find its closing quote (`""` is an escaped quote), newlines included
      let j = q + 1;
      for (;;) {
        const k = buf.indexOf(QUOTE, j);
        if ((k < 0 ? len : k) - s > this.max) return BROKEN_QUOTE; // same answer whatever the chunking
        if (k < 0 || (k + 1 >= len && !final)) return NEED_MORE_IN_QUOTE;
        if (buf[k + 1] === QUOTE) {
          j = k + 2;
          continue;
        }
        from = k + 1;
        break;
      }
    }
  }

  /** One physical record [s, e) (already cut to max). */
  private record(buf: Buffer, s: number, e: number, long: boolean, brokenQuote: boolean): void {
    const st = this.stats;
    if (brokenQuote) {
      st.malformed++;
      // re-read the first physical line alone: cut at its newline and resume after it
      const nl = buf.indexOf(NL, s);
      if (nl >= 0 && nl < e) e = nl > s && buf[nl - 1] === CR ? nl - 1 : nl;
    }
    if (e <= s) return; // empty line
    const first = buf[s];
    if (first === HASH && !this.textKind) {
      // Every hourly file repeats its kind's `#Fields:` line: the same bytes as last time are the same header.
      const known = lastFields.get(this.kind);
      if (known !== undefined && e - s === known.bytes.length && buf.compare(known.bytes, 0, known.bytes.length, s, e) === 0) {
        this.useHeader(known.header);
        this.stats.headerBlocks++;
        return;
      }
      this.directive(buf.toString('utf8', s, e), buf.subarray(s, e));
      return;
    }
    if (this.mode === 'undecided' && this.decide(buf, s, e)) return;

    st.records++;
    if (long) st.longRecords++;
    if (this.hasNul(buf, s, e)) {
      st.malformed++;
      return;
    }
    const h = this.header;
    let t = NaN;
    let lazy = false;
    if (h === null) {
      t = this.ts.parseBytes(buf, s, e);
    } else if (h.timeAt === 'start') {
      t = this.ts.parseBytes(buf, s, e);
      if (Number.isNaN(t)) st.malformed++;
    } else if (h.timeAt === 'fields') {
      lazy = true;
    }
    if (!(this.windowUtf8Ok && e <= this.windowUtf8End) && !isUtf8(buf.subarray(s, e))) st.malformed++;
    const offset = this.base + s;
    let rec: FieldRecord | TextRecord | undefined;
    let raw: string | undefined;
    if (lazy && h !== null) {
      raw = buf.toString('utf8', s, e);
      rec = new FieldRecord(raw, this.line, offset, h, undefined);
      t = rec.time() ?? NaN;
    }
    if (!Number.isNaN(t)) {
      if (st.firstTime === undefined || t < st.firstTime) st.firstTime = t;
      if (st.lastTime === undefined || t > st.lastTime) st.lastTime = t;
      const hour = Math.floor(t / 3.6e6);
      if (hour !== this.lastHour) {
        this.lastHour = hour;
        st.hours.add(hour);
      }
    }
    if (this.literals !== undefined && !this.literals.test(buf, s, e)) return;
    raw ??= buf.toString('utf8', s, e);
    if (this.prefilter !== undefined && !this.prefilter(raw)) return;
    if (rec === undefined) rec = h === null ? new TextRecord(raw, this.line, offset, t) : new FieldRecord(raw, this.line, offset, h, t);
    this.onRecord(rec, this.literals?.passed);
  }

  private directive(text: string, bytes: Buffer): void {
    const m = /^#\s*([A-Za-z-]+):\s?(.*)$/.exec(text);
    if (!m) return; // comment
    const name = (m[1] ?? '').toLowerCase();
    const value = (m[2] ?? '').trim();
    const st = this.stats;
    switch (name) {
      case 'software':
        st.software ??= value;
        break;
      case 'version':
        st.version ??= value;
        break;
      case 'log-type':
        st.logType ??= value;
        break;
      case 'fields': {
        // Thousands of small files repeat the same few headers: parse each once per thread.
        const key = `${this.kind}\u0000${value}`;
        let h = headerCache.get(key);
        if (!h) {
          const names = isW3cKind(this.kind) ? value.split(/\s+/).filter(Boolean) : splitCsv(value).map((x) => x.trim());
          h = makeHeader(names, this.kind);
          if (headerCache.size >= MAX_CACHED_HEADERS) headerCache.clear();
          headerCache.set(key, h);
        }
        this.useHeader(h);
        lastFields.set(this.kind, { bytes: Buffer.from(bytes), header: h });
        st.headerBlocks++;
        break;
      }
      default:
        break;
    }
  }

  private setHeader(names: string[]): void {
    this.useHeader(makeHeader(names, this.kind));
  }

  private useHeader(h: Header): void {
    this.header = h;
    this.mode = 'fields';
    this.quotes = !this.header.w3c;
  }

  /** First data line without a header: assume the default, take it as a header row, or go text. */
  private decide(buf: Buffer, s: number, e: number): boolean {
    if (this.textKind) {
      this.mode = 'text';
      this.quotes = false;
      return false;
    }
    const def = defaultFields(this.kind);
    const startsWithTime = !Number.isNaN(new TimestampParser().parseBytes(buf, s, e));
    if (def && startsWithTime) {
      this.setHeader([...def]);
      this.stats.assumedHeader = true;
      return false;
    }
    if (this.csvKind && !startsWithTime) {
      const text = buf.toString('utf8', s, e);
      const names = splitCsv(text).map((x) => x.trim());
      if (names.length >= 2 && names.every((n) => HEADER_NAME.test(n))) {
        this.setHeader(names);
        this.stats.headerBlocks++;
        return true;
      }
    }
    this.mode = 'text';
    this.quotes = false;
    return false;
  }
}

/** Reads a log from a stream of byte chunks. Never throws on bad content; rejects only on abort or a stream error. */
export async function readLog(chunks: AsyncIterable<Uint8Array>, opts: ReadOptions): Promise<ReaderStats> {
  const r = new StreamReader(opts);
  const signal = opts.signal;
  signal?.throwIfAborted();
  let total = 0;
  for await (const chunk of chunks) {
    r.push(chunk);
    total += chunk.byteLength;
    opts.onBytes?.(total);
    signal?.throwIfAborted();
  }
  return r.finish();
}

/** Chunk size for file reads. */
export const FILE_CHUNK_BYTES = 2 * 1024 * 1024;

/** Reads a file's bytes in chunks, opened read-only. */
export async function* fileChunks(path: string, chunkBytes = FILE_CHUNK_BYTES): AsyncGenerator<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    for (;;) {
      const buf = Buffer.allocUnsafe(chunkBytes);
      const { bytesRead } = await fh.read(buf, 0, chunkBytes, null);
      if (bytesRead === 0) return;
      yield bytesRead === chunkBytes ? buf : buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}

/**
 * Reads a log file (opened read-only, 2 MiB reads). Reads straight into one reused window buffer behind the
 * carried-over tail, so no chunk is copied.
 */
/**
 * Read buffers are reused across files: a server's logs are thousands of small files, and a fresh
 * 3 MiB buffer per file costs more in garbage collection than the reading itself.
 */
const freeBuffers: Buffer[] = [];
const MAX_FREE_BUFFERS = 4;

function takeBuffer(size: number): Buffer {
  const i = freeBuffers.findIndex((b) => b.length >= size);
  return i >= 0 ? freeBuffers.splice(i, 1)[0]! : Buffer.allocUnsafe(size);
}

function giveBuffer(b: Buffer): void {
  if (freeBuffers.length < MAX_FREE_BUFFERS) freeBuffers.push(b);
}

export async function readLogFile(path: string, opts: ReadOptions): Promise<ReaderStats> {
  const r = new StreamReader(opts);
  const signal = opts.signal;
  signal?.throwIfAborted();
  const fh = await open(path, 'r');
  const buf = takeBuffer(FILE_CHUNK_BYTES + r.maxLeftover);
  try {
    for (;;) {
      const tail = r.takeLeftover();
      const n0 = tail ? tail.copy(buf, 0) : 0;
      const { bytesRead } = await fh.read(buf, n0, FILE_CHUNK_BYTES, null);
      if (bytesRead === 0) {
        r.restoreLeftover(tail);
        break;
      }
      r.pushWindow(buf.subarray(0, n0 + bytesRead), bytesRead);
      signal?.throwIfAborted();
    }
    return r.finish();
  } finally {
    await fh.close();
    // Only now: the reader's leftover may point into the buffer until finish().
    giveBuffer(buf);
  }
}

/**
 * `readLogFile` with blocking reads, for worker threads (and CLIs) reading thousands of small files:
 * it saves two thread-pool round trips per read, which dominate on small files. Same results.
 */
export function readLogFileSync(path: string | { fd: number }, opts: ReadOptions): ReaderStats {
  const r = new StreamReader(opts);
  opts.signal?.throwIfAborted();
  // An open descriptor stays the caller's (read from its current offset, not closed here).
  const fd = typeof path === 'string' ? openSync(path, fsConstants.O_RDONLY) : path.fd;
  const buf = takeBuffer(FILE_CHUNK_BYTES + r.maxLeftover);
  let total = 0;
  try {
    for (;;) {
      const tail = r.takeLeftover();
      const n0 = tail ? tail.copy(buf, 0) : 0;
      const bytesRead = readSync(fd, buf, n0, FILE_CHUNK_BYTES, null);
      if (bytesRead === 0) {
        r.restoreLeftover(tail);
        break;
      }
      r.pushWindow(buf.subarray(0, n0 + bytesRead), bytesRead);
      total += bytesRead;
      opts.onBytes?.(total);
      opts.signal?.throwIfAborted();
    }
    return r.finish();
  } finally {
    if (typeof path === 'string') closeSync(fd);
    giveBuffer(buf);
  }
}
