/**
 * Many literals at once: a Teddy-style SIMD candidate filter in WebAssembly (teddy.wat), whose candidates
 * are verified there too (`verify`; the JavaScript loop below is the reference and the fallback). A
 * JavaScript Wu–Manber pass over IIS logs with ~25 literals of the rules ran at ~0.45 GB/s per core; the
 * 16-bucket kernel alone runs at ~1.2 GB/s on the simulator's IIS logs (110 literals; relaxed SIMD), the
 * 8-bucket one faster on its HttpProxy logs (77 literals). The same memory serves `contains`, a few common
 * words searched in one record of the window (the clause checks of read-log.ts).
 *
 * Each literal (ASCII, ≥ 3 bytes) gets a 3-byte fingerprint: the window whose bytes are rarest in the
 * first 128 KiB the scanner sees (calibration, renewed every few thousand windows), so common starts such
 * as `/a` do not flood the verifier. Literals with the same fingerprint share a bucket; the other
 * fingerprints go to the bucket (of 8 or 16) where they add the fewest accepted positions of the sample.
 * Case-insensitive tables accept both cases of a letter (an exact per-byte test: upper and lower case
 * differ in the high nibble only).
 *
 * Results equal a substring search per literal (tested against it): a window is scanned once, every
 * occurrence verified and listed in order; `test` then walks the list as records move forward.
 */
import { TEDDY_RELAXED_WASM_BASE64, TEDDY_WASM_BASE64 } from './teddy-wasm.js';

/**
 * Bytes of a window the calibration samples. 128 KiB chose plans as good as 256 KiB on the simulator's
 * HttpProxy and IIS logs (7.6 M against 7.7 M candidates over 2 GB) in half the counting, which a cold
 * worker pays once per log kind before its first byte is scanned.
 */
const SAMPLE_BYTES = 128 * 1024;
/** Most entries one occurrence insertion may move (see `add`). */
const MAX_SHIFT = 64;
/** Triples of the sample that bucket choice weighs (the most frequent ones). */
const CALIBRATION_TRIPLES = 8192;
/**
 * Costs that choose between 8 and 16 buckets, measured on this machine (node 20, x64): the 16-bucket
 * kernel runs at ~1.8 GB/s, the 8-bucket one at ~3 GB/s, and verifying a candidate in JavaScript costs
 * ~40 ns (candidates are verified in WebAssembly now, for less; the constant was not re-measured, so the
 * choice still leans towards 16 buckets as before). Only speed depends on them.
 */
const KERNEL16_NS = 0.55;
const KERNEL8_NS = 0.33;
const VERIFY_NS = 40;
/**
 * Memory layout (teddy.wat, byte addresses): the bucket tables at 0 (192 bytes), the fold table at 256,
 * candidate positions at 1024 (4 bytes each, OUT_CAP), the plan's fingerprint table and literals for
 * `verify` at PLAN_AT (PLAN_MAX bytes at most), the literal table for `contains` at TABLE_AT
 * (TABLE_LITERALS of 32 bytes), verified occurrences at OCC_AT (12 bytes each, OCC_CAP), the input at
 * IN_BASE, which follows them all.
 */
const OUT_CAP = 16384;
const PLAN_AT = 69632; // 1024 + 4 × OUT_CAP, rounded up to 4 KiB
const PLAN_MAX = 65536;
const TABLE_AT = PLAN_AT + PLAN_MAX;
const TABLE_LITERALS = 64;
const OCC_AT = TABLE_AT + 32 * TABLE_LITERALS;
const OCC_CAP = 65536;
const IN_BASE = Math.ceil((OCC_AT + 12 * OCC_CAP) / 65536) * 65536;
/** What this thread's instance memory holds now (scanners of a thread take turns): a plan's verification data, a window, a literal table. */
let loadedPlan: Plan | null = null;
let loadedWindow: Uint8Array | null = null;
let loadedTable: Uint8Array | null = null;

const ASCII = /^[\x00-\x7f]*$/;

/**
 * A few literals as teddy.wat `contains` reads them (32 bytes each: length, lower-cased bytes), or null when
 * one is not ASCII of 3 to 31 bytes, or there are more than TABLE_LITERALS.
 */
export function literalTable(literals: readonly string[]): Uint8Array | null {
  if (literals.length > TABLE_LITERALS || literals.some((l) => l.length < 3 || l.length > 31 || !ASCII.test(l))) return null;
  const t = new Uint8Array(32 * literals.length);
  literals.forEach((l, i) => {
    t[32 * i] = l.length;
    t.set(Buffer.from(l.toLowerCase(), 'latin1'), 32 * i + 1);
  });
  return t;
}
const PAD = 64;
/**
 * A plan serves this many windows before it is recomputed (content drifts between a server's log
 * folders). Scanners are long-lived: the reader keeps one per literal set and thread.
 */
const RECALIBRATE = 4096;

interface Exports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  resume: { value: unknown };
  scan(p: number, end: number, base: number, cap: number): number;
  scan8(p: number, end: number, base: number, cap: number): number;
  verify(n: number, base: number, len: number, plan: number, out: number, cap: number): number;
  contains(p: number, end: number, tab: number, n: number): number;
}

/** The few WebAssembly APIs used here (the ES2022 lib the project compiles against has no WebAssembly types). */
const WA = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => object; Instance: new (m: object, imports: object) => { exports: unknown } } }).WebAssembly;

/** One instance per thread: scanners take turns (their tables are written before each window). */
let instance: Exports | null = null;

/** The relaxed-SIMD build when the engine has it (one `pshufb` per table lookup on x64, ~20% faster kernel), else the strict one. */
function wasm(): Exports {
  if (instance) return instance;
  let mod: object;
  try {
    mod = new WA.Module(Buffer.from(TEDDY_RELAXED_WASM_BASE64, 'base64'));
  } catch {
    // Relaxed SIMD off (Node 20 without the CLI's `--experimental-wasm-relaxed-simd`): same results, slower.
    mod = new WA.Module(Buffer.from(TEDDY_WASM_BASE64, 'base64'));
  }
  instance = new WA.Instance(mod, {}).exports as unknown as Exports;
  return instance;
}

interface Plan {
  /** LO0 HI0 LO1 HI1 LO2 HI2 for buckets 0-7, then for 8-15. */
  tables: Uint8Array;
  /**
   * Folded fingerprint (3 bytes as one number) → literal indexes and fingerprint offsets, flat pairs: a
   * candidate is looked up by the bytes it starts with, so only literals with that exact fingerprint are
   * compared, however crowded its bucket (forty `%xx` escapes share one).
   */
  fingerprints: FingerprintTable;
  /** 8: only the first table set is used (`scan8`). */
  buckets: 8 | 16;
  /** The fingerprint table and literals as `verify` reads them, or null when over PLAN_MAX (JS verifies). */
  layout: Uint8Array | null;
}

/**
 * The plan's verification data for teddy.wat `verify`: eight i32 (mask, then byte offsets from the start
 * of keys, first, count, pairs, literal starts, literal lengths, literal bytes), then those arrays.
 */
function planLayout(fps: FingerprintTable, lits: readonly Uint8Array[]): Uint8Array | null {
  const words = [fps.keys, fps.first, fps.count, fps.pairs];
  const starts = new Int32Array(lits.length);
  const lengths = new Int32Array(lits.length);
  let bytes = 0;
  lits.forEach((l, i) => {
    starts[i] = bytes;
    lengths[i] = l.length;
    bytes += l.length;
  });
  const parts: Int32Array[] = [...words, starts, lengths];
  let off = 32;
  const offsets: number[] = [];
  for (const a of parts) {
    offsets.push(off);
    off += a.byteLength;
  }
  offsets.push(off);
  const size = off + bytes;
  if (size > PLAN_MAX) return null;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setInt32(0, fps.mask, true);
  offsets.forEach((o, i) => view.setInt32(4 + 4 * i, o, true));
  parts.forEach((a, i) => out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), offsets[i]!));
  lits.forEach((l, i) => out.set(l, off + starts[i]!));
  return out;
}

/**
 * Folded fingerprint (3 bytes as one number) → (literal, offset) pairs, in typed arrays with open
 * addressing: looked up once per candidate, the hottest lookup of the scan (a Map was several times slower).
 */
class FingerprintTable {
  readonly keys: Int32Array;
  /** Per slot: first pair index in `pairs` and pair count. */
  readonly first: Int32Array;
  readonly count: Int32Array;
  /** Flat (literal index, offset of the fingerprint in the literal) pairs, grouped by key. */
  readonly pairs: Int32Array;
  readonly mask: number;

  constructor(entries: ReadonlyArray<{ key: number; lit: number; off: number }>) {
    let size = 16;
    while (size < entries.length * 4) size <<= 1;
    this.mask = size - 1;
    this.keys = new Int32Array(size).fill(-1);
    this.first = new Int32Array(size);
    this.count = new Int32Array(size);
    const byKey = new Map<number, Array<{ lit: number; off: number }>>();
    for (const e of entries) {
      const l = byKey.get(e.key);
      if (l) l.push(e);
      else byKey.set(e.key, [e]);
    }
    this.pairs = new Int32Array(entries.length * 2);
    let n = 0;
    for (const [key, list] of byKey) {
      let h = this.hash(key);
      while (this.keys[h] !== -1) h = (h + 1) & this.mask;
      this.keys[h] = key;
      this.first[h] = n;
      this.count[h] = list.length;
      for (const e of list) {
        this.pairs[n * 2] = e.lit;
        this.pairs[n * 2 + 1] = e.off;
        n++;
      }
    }
  }

  private hash(key: number): number {
    return (Math.imul(key, 0x9e3779b1) >>> 16) & this.mask;
  }

  /** Slot of `key`, or -1. `firstOf`/`countOf` then give its pairs. */
  slot(key: number): number {
    for (let h = this.hash(key); ; h = (h + 1) & this.mask) {
      const k = this.keys[h]!;
      if (k === key) return h;
      if (k === -1) return -1;
    }
  }

  firstOf(slot: number): number {
    return this.first[slot]!;
  }

  countOf(slot: number): number {
    return this.count[slot]!;
  }
}

/** Counts of 24-bit byte triples: open addressing in typed arrays (a Map is several times slower here). */
class TripleCounts {
  private readonly keys: Int32Array;
  private readonly counts: Uint32Array;
  /** Room for `triples` distinct triples, at most half full (a power of two: masked probing). */
  constructor(triples: number) {
    let size = 1024;
    while (size < 2 * triples) size <<= 1;
    this.keys = new Int32Array(size).fill(-1);
    this.counts = new Uint32Array(size);
  }
  private slot(t: number): number {
    const mask = this.keys.length - 1;
    let h = Math.imul(t, 0x9e3779b1) >>> 13;
    for (;;) {
      h &= mask;
      const k = this.keys[h]!;
      if (k === t || k === -1) return h;
      h++;
    }
  }
  add(t: number): void {
    const h = this.slot(t);
    this.keys[h] = t;
    this.counts[h]!++;
  }
  get(t: number): number {
    return this.counts[this.slot(t)]!;
  }
  /**
   * The `limit` most frequent triples seen at least `min` times (ties: smaller triple first), most frequent
   * first. Packed into doubles and sorted natively: no comparator calls, which a cold worker runs slowly.
   */
  top(min: number, limit: number): { keys: Int32Array; counts: Uint32Array } {
    const packed: number[] = [];
    for (let h = 0; h < this.keys.length; h++) {
      const c = this.counts[h]!;
      if (this.keys[h] !== -1 && c >= min) packed.push((COUNT_CEIL - c) * TRIPLE_SPAN + this.keys[h]!);
    }
    const order = Float64Array.from(packed).sort();
    const n = Math.min(limit, order.length);
    const keys = new Int32Array(n);
    const counts = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const v = order[i]!;
      const key = v % TRIPLE_SPAN;
      keys[i] = key;
      counts[i] = COUNT_CEIL - (v - key) / TRIPLE_SPAN;
    }
    return { keys, counts };
  }
}

/** A 24-bit triple's range, and a bound above any triple count (a sample has fewer triples than this). */
const TRIPLE_SPAN = 1 << 24;
const COUNT_CEIL = 1 << 24;

export class TeddyScanner {
  private readonly fold: Uint8Array;
  private readonly lits: Uint8Array[];
  private readonly caseSensitive: boolean;
  private plan: Plan | null = null;
  private windows = 0;
  private buf: Uint8Array | null = null;
  /** Occurrences in the current window, ordered by start (then end): the first `n` entries. */
  private starts = new Int32Array(1024);
  private ends = new Int32Array(1024);
  /** Literal of each occurrence (index into `literals()`). */
  private ids = new Int32Array(1024);
  private n = 0;
  private k = 0;
  /** The current window's list was appended to past `MAX_SHIFT` and is sorted when the window is done. */
  private unordered = false;

  /** `buckets`: force 8 or 16 (tests); by default the calibration chooses. */
  constructor(literals: readonly string[], caseSensitive: boolean, private readonly buckets: 8 | 16 | 'auto' = 'auto') {
    if (!TeddyScanner.usable(literals)) throw new RangeError('TeddyScanner needs ASCII literals of 3 bytes or more');
    this.caseSensitive = caseSensitive;
    this.fold = new Uint8Array(256);
    for (let c = 0; c < 256; c++) this.fold[c] = !caseSensitive && c >= 0x41 && c <= 0x5a ? c + 32 : c;
    const uniq = [...new Set(literals.map((l) => (caseSensitive ? l : l.toLowerCase())))];
    this.lits = uniq.map((l) => Uint8Array.from(Buffer.from(l, 'latin1')));
  }

  /** Can this runtime run the WebAssembly module (not under `--jitless`)? */
  static available(): boolean {
    try {
      wasm();
      return true;
    } catch {
      return false;
    }
  }

  /** The distinct literals searched (lower-cased unless case-sensitive); occurrence ids index this. */
  literals(): string[] {
    return this.lits.map((l) => Buffer.from(l).toString('latin1'));
  }

  static usable(literals: readonly string[]): boolean {
    return literals.length > 0 && literals.every((l) => l.length >= 3 && ASCII.test(l));
  }

  private calibrate(sample: Uint8Array): Plan {
    const fold = this.fold;
    // Folded byte triples of the sample and how often each occurs.
    const counts = new TripleCounts(sample.length);
    for (let i = 2; i < sample.length; i++) counts.add((fold[sample[i - 2]!]! << 16) | (fold[sample[i - 1]!]! << 8) | fold[sample[i]!]!);
    // The most frequent triples (seen more than once), as nibble indexes (typed arrays: this runs for every
    // bucket and group). They carry nearly all of a bucket's load: on IIS logs the 8,192 most frequent give
    // the same plan as all of them, for a quarter less time (2,048 gave half again as many candidates).
    const top = counts.top(2, CALIBRATION_TRIPLES);
    // Grouped by first byte (`byByte[b]..byByte[b+1]`, a counting sort): a bucket's test then visits only
    // the triples whose first byte its first two nibble sets accept, a few percent of them (calibration ran
    // ~0.2 s per log kind and worker before). Per triple, the other four nibbles as one-hot 16-bit masks.
    const n = top.keys.length;
    const byByte = new Uint32Array(257);
    for (let i = 0; i < n; i++) byByte[(top.keys[i]! >> 16) + 1]!++;
    for (let b = 0; b < 256; b++) byByte[b + 1]! += byByte[b]!;
    const fill = byByte.slice(0, 256);
    const oh = Array.from({ length: 4 }, () => new Uint16Array(n));
    const weight = new Uint32Array(n);
    for (let k = 0; k < n; k++) {
      const t = top.keys[k]!;
      const i = fill[t >> 16]!++;
      const b1 = (t >> 8) & 255;
      const b2 = t & 255;
      oh[0]![i] = 1 << (b1 & 15);
      oh[1]![i] = 1 << (b1 >> 4);
      oh[2]![i] = 1 << (b2 & 15);
      oh[3]![i] = 1 << (b2 >> 4);
      weight[i] = top.counts[k]!;
    }
    const [oh2, oh3, oh4, oh5] = oh as [Uint16Array, Uint16Array, Uint16Array, Uint16Array];
    /** Sum of the weights of the triples one bucket's nibble sets accept, or (with `seen`) of those not yet marked in `seen`, marking them. */
    const accepted = (sets: readonly number[], seen?: Uint8Array): number => {
      const [s0, s1, s2, s3, s4, s5] = sets as [number, number, number, number, number, number];
      let sum = 0;
      for (let lo = 0; lo < 16; lo++) {
        if (((s0 >> lo) & 1) === 0) continue;
        for (let hi = 0; hi < 16; hi++) {
          if (((s1 >> hi) & 1) === 0) continue;
          const b = (hi << 4) | lo;
          for (let i = byByte[b]!, end = byByte[b + 1]!; i < end; i++) {
            if ((s2 & oh2[i]!) !== 0 && (s3 & oh3[i]!) !== 0 && (s4 & oh4[i]!) !== 0 && (s5 & oh5[i]!) !== 0) {
              if (seen === undefined) sum += weight[i]!;
              else if (seen[i] === 0) {
                seen[i] = 1;
                sum += weight[i]!;
              }
            }
          }
        }
      }
      return sum;
    };
    const variants = (c: number) => (!this.caseSensitive && c >= 0x61 && c <= 0x7a ? [c, c - 32] : [c]);
    // Nibble sets of a bucket: [lo0, hi0, lo1, hi1, lo2, hi2] as 16-bit masks.
    const widen = (sets: number[], fp: number[]): number[] =>
      sets.map((m, j) => {
        let out = m;
        for (const v of variants(fp[j >> 1]!)) out |= 1 << (j & 1 ? v >> 4 : v & 15);
        return out;
      });
    // Fingerprint: the literal's rarest 3-byte window in the sample. Most windows of a rare literal never
    // occur in the sample, so ties go to the window whose byte pairs are rarest.
    const pairs = new Uint32Array(65536);
    for (let i = 1; i < sample.length; i++) pairs[(fold[sample[i - 1]!]! << 8) | fold[sample[i]!]!]!++;
    const fps = this.lits.map((lit) => {
      let best = 0;
      let bestScore = Infinity;
      let bestCount = 0;
      for (let o = 0; o + 3 <= lit.length; o++) {
        const c = counts.get((lit[o]! << 16) | (lit[o + 1]! << 8) | lit[o + 2]!);
        const score = c * 4 * sample.length + pairs[(lit[o]! << 8) | lit[o + 1]!]! + pairs[(lit[o + 1]! << 8) | lit[o + 2]!]!;
        if (score < bestScore) [best, bestScore, bestCount] = [o, score, c];
      }
      return { off: best, count: bestCount, fp: [lit[best]!, lit[best + 1]!, lit[best + 2]!] };
    });
    // Equal fingerprints share a bucket; each group goes where it adds the fewest sampled candidates.
    const groups = new Map<string, number[]>();
    fps.forEach((f, i) => {
      const key = f.fp.join(',');
      const g = groups.get(key);
      if (g) g.push(i);
      else groups.set(key, [i]);
    });
    const order = [...groups.values()].sort((a, b) => fps[b[0]!]!.count - fps[a[0]!]!.count || a[0]! - b[0]!);
    const assign = (nb: number): number[][] => {
      const sets: number[][] = Array.from({ length: nb }, () => [0, 0, 0, 0, 0, 0]);
      const load: number[] = new Array<number>(nb).fill(0);
      const members = new Array<number>(nb).fill(0);
      for (const group of order) {
        const fp = fps[group[0]!]!.fp;
        let bestB = 0;
        let bestCost = Infinity;
        let bestSets = sets[0]!;
        let bestLoad = 0;
        // Every empty bucket gives the same count, and a bucket whose masks already hold the fingerprint keeps its own.
        let emptyHits = -1;
        for (let b = 0; b < nb; b++) {
          // Its cost is at least load × group size: a bucket that cannot beat the best is not counted.
          if (load[b]! * group.length >= bestCost) continue;
          const cur = sets[b]!;
          const next = widen(cur, fp);
          const empty = members[b] === 0;
          const l = next.every((m, j) => m === cur[j]) ? load[b]! : empty && emptyHits >= 0 ? emptyHits : accepted(next);
          if (empty) emptyHits = l;
          // Extra sample positions to verify; an empty bucket costs only its own fingerprint's hits.
          const cost = (l - load[b]!) * (members[b]! + group.length) + load[b]! * group.length;
          if (cost < bestCost) [bestB, bestCost, bestSets, bestLoad] = [b, cost, next, l];
        }
        sets[bestB] = bestSets;
        load[bestB] = bestLoad;
        members[bestB]! += group.length;
      }
      return sets;
    };
    // Sampled positions some bucket accepts: each is one candidate for the verifier.
    const candidates = (sets: number[][]): number => {
      const seen = new Uint8Array(n);
      let sum = 0;
      for (const b of sets) sum += accepted(b, seen);
      return sum;
    };
    // 8 buckets scan with half the lookups; they win unless their extra candidates cost more to verify.
    const sets16 = assign(16);
    const sets8 = this.buckets === 16 ? null : assign(8);
    const extra = sets8 ? candidates(sets8) - candidates(sets16) : Infinity;
    const use8 = this.buckets === 8 || (sets8 !== null && extra * VERIFY_NS <= sample.length * (KERNEL16_NS - KERNEL8_NS));
    const sets = use8 ? sets8! : sets16;
    // Buckets 0-7 in the first 96 bytes, 8-15 in the next 96 (one bit each).
    const tables = new Uint8Array(192);
    for (let b = 0; b < sets.length; b++) {
      for (let j = 0; j < 6; j++) for (let v = 0; v < 16; v++) if ((sets[b]![j]! >> v) & 1) tables[(b >> 3) * 96 + j * 16 + v]! |= 1 << (b & 7);
    }
    const fingerprints = new FingerprintTable(fps.map((f, i) => ({ key: (f.fp[0]! << 16) | (f.fp[1]! << 8) | f.fp[2]!, lit: i, off: f.off })));
    return { tables, fingerprints, buckets: use8 ? 8 : 16, layout: planLayout(fingerprints, this.lits) };
  }

  /** Finds and verifies every occurrence in `buf`. */
  private scanWindow(buf: Uint8Array): void {
    if (this.plan === null || this.windows++ >= RECALIBRATE) {
      this.plan = this.calibrate(buf.subarray(0, SAMPLE_BYTES));
      this.windows = 0;
    }
    const plan = this.plan;
    const w = wasm();
    const need = IN_BASE + buf.length + PAD;
    if (w.memory.buffer.byteLength < need) w.memory.grow(Math.ceil((need - w.memory.buffer.byteLength) / 65536));
    const mem = new Uint8Array(w.memory.buffer);
    mem.set(plan.tables, 0);
    mem.set(this.fold, 256);
    if (plan.layout !== null && loadedPlan !== plan) {
      mem.set(plan.layout, PLAN_AT);
      loadedPlan = plan;
    }
    mem.set(buf, IN_BASE);
    mem.fill(0, IN_BASE + buf.length, IN_BASE + buf.length + PAD);
    loadedWindow = buf;
    const positions = new Uint32Array(w.memory.buffer, 1024, OUT_CAP);
    const fps = plan.fingerprints;
    const pairs = fps.pairs;
    const fold = this.fold;
    const lits = this.lits;
    const len = buf.length;
    this.n = 0;
    this.k = 0;
    let p = IN_BASE;
    const end = IN_BASE + len;
    while (p < end) {
      const n = plan.buckets === 8 ? w.scan8(p, end, IN_BASE, OUT_CAP) : w.scan(p, end, IN_BASE, OUT_CAP);
      p = w.resume.value as number;
      // Verified in WebAssembly when the plan fits there (always, for the rules' literal sets); the loop
      // below is the reference and the fallback (an over-full occurrence buffer redoes the batch here).
      if (plan.layout !== null) {
        const m = w.verify(n, IN_BASE, len, PLAN_AT, OCC_AT, OCC_CAP);
        if (m < OCC_CAP) {
          const occ = new Int32Array(w.memory.buffer, OCC_AT, m * 3);
          for (let i = 0; i < m * 3; i += 3) this.add(occ[i]!, occ[i + 1]!, occ[i + 2]!);
          continue;
        }
      }
      for (let c = 0; c < n; c++) {
        const pos = positions[c]!;
        if (pos + 3 > len) continue;
        const slot = fps.slot((fold[buf[pos]!]! << 16) | (fold[buf[pos + 1]!]! << 8) | fold[buf[pos + 2]!]!);
        if (slot < 0) continue;
        for (let q = fps.firstOf(slot), qEnd = q + fps.countOf(slot); q < qEnd; q++) {
          const id = pairs[q * 2]!;
          const lit = lits[id]!;
          const start = pos - pairs[q * 2 + 1]!;
          const stop = start + lit.length;
          if (start < 0 || stop > len) continue;
          let i = 0;
          while (i < lit.length && fold[buf[start + i]!] === lit[i]) i++;
          if (i === lit.length) this.add(start, stop, id);
        }
      }
    }
    if (this.unordered) this.order();
  }

  /** Sorts the window's occurrences by (start, end) once (hostile text made insertion too long). */
  private order(): void {
    const n = this.n;
    const starts = this.starts.slice(0, n);
    const ends = this.ends.slice(0, n);
    const ids = this.ids.slice(0, n);
    const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => starts[a]! - starts[b]! || ends[a]! - ends[b]!);
    for (let i = 0; i < n; i++) {
      this.starts[i] = starts[idx[i]!]!;
      this.ends[i] = ends[idx[i]!]!;
      this.ids[i] = ids[idx[i]!]!;
    }
    this.unordered = false;
  }

  /**
   * Adds an occurrence, keeping the list ordered by (start, end): found in fingerprint order, a literal's
   * fingerprint may sit anywhere in it, so an occurrence may start a few bytes before the previous ones.
   * Insertion moves at most `MAX_SHIFT` entries: text crafted to stack many overlapping occurrences would
   * make it quadratic, so past that the window's list is appended to and sorted once at its end.
   */
  private add(start: number, stop: number, id: number): void {
    if (this.n === this.starts.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.starts = grow(this.starts);
      this.ends = grow(this.ends);
      this.ids = grow(this.ids);
    }
    const starts = this.starts;
    const ends = this.ends;
    const ids = this.ids;
    let j = this.n++;
    if (!this.unordered) {
      const floor = j - MAX_SHIFT;
      while (j > 0 && (starts[j - 1]! > start || (starts[j - 1] === start && ends[j - 1]! > stop))) {
        if (j === floor) {
          // Undo this insertion's shifts, append, and sort the window once at its end.
          for (let k = j; k < this.n - 1; k++) {
            starts[k] = starts[k + 1]!;
            ends[k] = ends[k + 1]!;
            ids[k] = ids[k + 1]!;
          }
          j = this.n - 1;
          this.unordered = true;
          break;
        }
        starts[j] = starts[j - 1]!;
        ends[j] = ends[j - 1]!;
        ids[j] = ids[j - 1]!;
        j--;
      }
    }
    starts[j] = start;
    ends[j] = stop;
    ids[j] = id;
  }

  /**
   * Index of the first occurrence starting at or after `s` in `buf` (scanning a new window first);
   * calls must move forward within a window.
   */
  private seek(buf: Uint8Array, s: number): number {
    if (buf !== this.buf) {
      this.buf = buf;
      this.scanWindow(buf);
    }
    const starts = this.starts;
    const n = this.n;
    let k = this.k;
    while (k < n && starts[k]! < s) k++;
    return (this.k = k);
  }

  /**
   * The occurrences inside [s, e) of `buf`, walked by the caller (no callback per occurrence, this runs per
   * record): the index of the first occurrence starting at or after `s`, then the `occ*` arrays while
   * `start < e`; an occurrence is inside when its end is `<= e`; its literal is `literals()[id]`. Calls must
   * move forward within a window; the arrays are valid until the next window.
   */
  from(buf: Uint8Array, s: number): number {
    return this.seek(buf, s);
  }

  get occStarts(): Int32Array {
    return this.starts;
  }

  get occEnds(): Int32Array {
    return this.ends;
  }

  get occIds(): Int32Array {
    return this.ids;
  }

  get occCount(): number {
    return this.n;
  }

  /**
   * Does [s, e) of `buf` hold one of the literals of `table` (`literalTable`), ASCII case folded? Asked of
   * the copy of the window this scanner's pass left in WebAssembly memory; null when it is not there (the
   * caller searches itself).
   */
  contains(buf: Uint8Array, s: number, e: number, table: Uint8Array): boolean | null {
    if (buf !== this.buf || loadedWindow !== buf) return null;
    const w = wasm();
    if (loadedTable !== table) {
      new Uint8Array(w.memory.buffer).set(table, TABLE_AT);
      loadedTable = table;
    }
    return w.contains(IN_BASE + s, IN_BASE + e, TABLE_AT, table.length >> 5) === 1;
  }

  /** Does [s, e) of `buf` contain one of the literals? Calls must move forward within a window. */
  test(buf: Uint8Array, s: number, e: number): boolean {
    for (let j = this.seek(buf, s); j < this.n && this.starts[j]! < e; j++) if (this.ends[j]! <= e) return true;
    return false;
  }
}
