/**
 * Byte-level literal pre-filter: decides whether a record's raw bytes contain at least one of a set of
 * literals, without decoding the record. Occurrences are found with `Buffer.indexOf` over the whole window
 * and cached, so a window with no candidate costs one fast search per needle (ripgrep's trick).
 *
 * Case-sensitive literals are searched as they are. Case-insensitive ones fold ASCII letters only; a
 * literal's non-ASCII characters are dropped (its longest ASCII part is searched), so the test stays a
 * necessary condition for `raw.toLowerCase().includes(literal.toLowerCase())`, to be confirmed by the full
 * matcher. Known gap: the few non-ASCII characters whose lower case is ASCII (U+212A KELVIN SIGN → `k`,
 * U+0130 → `i̇`) are not folded.
 *
 * Anchor choice: a 1–4 byte window of the literal is searched (case-insensitive: in each of its case variants,
 * a letter having two) and every hit is verified against the whole literal. The window is chosen on the first
 * bytes of the stream (byte and byte-pair counts of up to 64 KiB): cost ≈ number of variants (one search pass
 * each) + expected hits × verification cost. So `ServerInfo~` is searched as `~` when
 * `~` is rare in this file, and `python-requests` avoids `qu` in logs full of `Request`.
 */

export interface LiteralFilter {
  /** Records whose raw bytes contain none of these are counted but not decoded nor handed on. */
  literals: readonly string[];
  caseSensitive: boolean;
  /**
   * Per rule, clauses of lower-case literals (all among `literals`): when present, a record passes only
   * if every clause of some rule has a literal in it (compared case-insensitively).
   */
  rules?: ReadonlyArray<ReadonlyArray<readonly string[]>>;
}

interface Needle {
  /** The anchor: a single byte (searched as a number: memchr) or a short byte string. */
  bytes: Buffer | number;
  /** Offset of the anchor inside the literal. */
  off: number;
  lit: Buffer;
  /** Compare case-insensitively (ASCII). */
  fold: boolean;
  /** Cached next occurrence of `bytes` in the current window (-1 = unknown, Infinity = none). */
  next: number;
}

/**
 * Cost model, in bytes of single-byte (memchr) search: a 2–4 byte needle searches ~1.5× slower; one hit
 * (an `indexOf` call + verification, ~0.2 µs) costs like ~1000 bytes of search. (Long needles are slower
 * still in Node — ~0.8 GB/s for 11 bytes against 3–5 GB/s for 1–2 — hence short anchors even when
 * case-sensitive.)
 */
const MULTI_BYTE_PASS = 1.5;
const HIT_COST = 1000;
const SAMPLE_BYTES = 64 * 1024;

function isLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 32 : c;
}

/** Case-folded byte and byte-pair counts of a sample. */
interface Sample {
  n: number;
  single: Uint32Array;
  pair: Uint32Array;
}

let scratchPair: Uint32Array | undefined;

function measure(sample: Uint8Array): Sample {
  const single = new Uint32Array(256);
  const pair = (scratchPair ??= new Uint32Array(65536));
  pair.fill(0);
  let prev = -1;
  for (let i = 0; i < sample.length; i++) {
    const c = lower(sample[i]!);
    single[c]!++;
    if (prev >= 0) pair[(prev << 8) | c]!++;
    prev = c;
  }
  return { n: sample.length, single, pair };
}

/** Estimated share of sample positions where the folded window lit[off, off+len) occurs. */
function share(lit: Buffer, off: number, len: number, m: Sample): number {
  let count: number;
  if (len === 1) count = m.single[lower(lit[off]!)]!;
  else {
    count = Infinity; // at most the rarest of its consecutive pairs
    for (let i = off; i + 1 < off + len; i++) count = Math.min(count, m.pair[(lower(lit[i]!) << 8) | lower(lit[i + 1]!)]!);
  }
  return (count + 0.5) / (m.n + 1);
}

/** Needles for one literal; `null` = this literal cannot be pre-filtered (every record must pass). */
function needlesFor(literal: string, caseSensitive: boolean, m: Sample): Needle[] | null {
  if (!caseSensitive && /[^\x00-\x7f]/.test(literal)) {
    // Unicode case folding is not done on bytes: keep the longest ASCII part (a necessary condition)
    literal = literal.split(/[^\x00-\x7f]+/).reduce((a, b) => (b.length > a.length ? b : a), '');
  }
  const lit = Buffer.from(literal, 'utf8');
  if (lit.length === 0) return null;
  const fold = !caseSensitive && lit.some(isLetter);
  let best = { off: 0, len: 1, cost: Infinity };
  for (let len = 1; len <= Math.min(4, lit.length); len++) {
    for (let off = 0; off + len <= lit.length; off++) {
      let variants = 1;
      for (let i = off; i < off + len; i++) if (fold && isLetter(lit[i]!)) variants *= 2;
      // hits of all variants together = the folded count; a needle longer than 2 is not searched faster
      const cost = variants * (len === 1 ? 1 : MULTI_BYTE_PASS) + share(lit, off, len, m) * HIT_COST;
      if (cost < best.cost - 1e-9) best = { off, len, cost };
    }
  }
  let forms: number[][] = [[]];
  for (let i = best.off; i < best.off + best.len; i++) {
    const c = lit[i]!;
    const alts = fold && isLetter(c) ? [lower(c), lower(c) - 32] : [c];
    forms = forms.flatMap((f) => alts.map((a) => [...f, a]));
  }
  return forms.map((f) => ({ bytes: f.length === 1 ? f[0]! : Buffer.from(f), off: best.off, lit, fold, next: -1 }));
}

function equalsExact(buf: Uint8Array, p: number, lit: Buffer): boolean {
  for (let i = 0; i < lit.length; i++) if (buf[p + i] !== lit[i]) return false;
  return true;
}

function equalsFolded(buf: Uint8Array, p: number, lit: Buffer): boolean {
  for (let i = 0; i < lit.length; i++) if (lower(buf[p + i]!) !== lower(lit[i]!)) return false;
  return true;
}

/**
 * Calibrations are reused across streams with the same literal set: a server's logs are thousands of
 * small files of a few kinds, and measuring each one's first 64 KiB would cost as much as reading it.
 * Each choice is recalibrated after `RECALIBRATE` streams; the choice affects speed only, never results.
 */
const calibrations = new Map<string, { needles: Needle[]; passAll: boolean; uses: number }>();
const RECALIBRATE = 512;
const MAX_CALIBRATIONS = 64;

export class LiteralScanner {
  private needles: Needle[] | null = null;
  private passAll = false;
  private buf: Buffer | null = null;

  constructor(private readonly filter: LiteralFilter) {}

  /** Builds the needles, calibrated on the first window (or taken from a recent calibration). */
  private init(sample: Uint8Array): Needle[] {
    const key = `${this.filter.caseSensitive ? 'c' : 'i'}\u0000${this.filter.literals.join('\u0000')}`;
    const cached = calibrations.get(key);
    if (cached && cached.uses++ < RECALIBRATE) {
      this.passAll = cached.passAll;
      return cached.needles.map((n) => ({ ...n, next: -1 }));
    }
    const m = measure(sample.subarray(0, SAMPLE_BYTES));
    const out: Needle[] = [];
    for (const l of this.filter.literals) {
      const n = needlesFor(l, this.filter.caseSensitive, m);
      if (n === null) this.passAll = true;
      else out.push(...n);
    }
    if (calibrations.size >= MAX_CALIBRATIONS) calibrations.clear();
    calibrations.set(key, { needles: out.map((n) => ({ ...n, next: -1 })), passAll: this.passAll, uses: 0 });
    return out;
  }

  /** Does [s, e) of `buf` contain one of the literals? Calls must move forward within a window. */
  test(buf: Buffer, s: number, e: number): boolean {
    const needles = (this.needles ??= this.init(buf));
    if (this.passAll) return true;
    if (buf !== this.buf) {
      this.buf = buf;
      for (const n of needles) n.next = -1;
    }
    for (const n of needles) {
      const min = s + n.off;
      if (n.next < min) {
        if (n.next === Infinity) continue;
        const q = buf.indexOf(n.bytes, min);
        n.next = q < 0 ? Infinity : q;
      }
      while (n.next < e) {
        const start = n.next - n.off;
        if (start >= s && start + n.lit.length <= e && (n.fold ? equalsFolded(buf, start, n.lit) : equalsExact(buf, start, n.lit))) return true;
        const q = buf.indexOf(n.bytes, n.next + 1);
        n.next = q < 0 ? Infinity : q;
      }
    }
    return false;
  }
}
