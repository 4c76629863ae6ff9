/**
 * Single-pass search for many literals at once (Wu–Manber over byte pairs), ASCII case-folded or exact.
 *
 * Searching N literals with N `indexOf` passes costs N passes per window; a server's IIS rules give
 * 20–30 literals. This scanner slides an m-byte window (m = shortest literal) and looks only at the
 * window's last byte pair: when no literal's chosen m-byte piece ends with that pair it skips ahead by
 * up to m-1 bytes; otherwise it verifies the literals whose piece ends there. Each literal's piece is
 * the m bytes whose closing pair is rarest in the first 64 KiB of the stream (calibration), so common
 * pairs such as `/o` or `as` rarely stop the scan. One pass, whatever N; results are identical to a
 * substring search per literal (tested against it), only speed differs.
 */
const SAMPLE_BYTES = 64 * 1024;

interface Plan {
  m: number;
  shift: Uint8Array;
  /**
   * For a closing pair: a 32-bit mask of the (folded, mod 32) bytes that precede it in some piece.
   * Checked before the buckets, it drops most windows that end in a common pair by chance.
   */
  third: Uint32Array;
  /** For a closing pair: literals (index) and their piece offsets, as a flat list. */
  bucketStart: Int32Array;
  bucketLen: Uint16Array;
  bucketLit: Int32Array;
  bucketOff: Int32Array;
}

const plans = new Map<string, { plan: Plan; uses: number }>();
const RECALIBRATE = 512;

export class MultiLiteralScanner {
  private readonly fold: Uint8Array;
  private readonly lits: Uint8Array[];
  private plan: Plan | null = null;
  private buf: Uint8Array | null = null;
  /** Start/end of the next occurrence found at or after the last search start (Infinity: none). */
  private nextStart = -1;
  private nextEnd = -1;
  private readonly key: string;

  constructor(literals: readonly string[], caseSensitive: boolean) {
    this.fold = new Uint8Array(256);
    for (let c = 0; c < 256; c++) this.fold[c] = !caseSensitive && c >= 0x41 && c <= 0x5a ? c + 32 : c;
    this.lits = literals.map((l) => Uint8Array.from(Buffer.from(l, 'latin1'), (c) => this.fold[c]!));
    if (!this.lits.every((l) => l.length >= 2)) throw new RangeError('MultiLiteralScanner needs literals of 2 bytes or more');
    this.key = `${caseSensitive ? 'c' : 'i'}\u0000${literals.join('\u0000')}`;
  }

  static usable(literals: readonly string[]): boolean {
    return literals.length > 0 && literals.every((l) => l.length >= 2 && /^[\x00-\x7f]*$/.test(l));
  }

  private calibrate(sample: Uint8Array): Plan {
    const cached = plans.get(this.key);
    if (cached && cached.uses++ < RECALIBRATE) return cached.plan;
    const fold = this.fold;
    const pairCount = new Uint32Array(65536);
    for (let i = 1; i < sample.length; i++) pairCount[(fold[sample[i - 1]!]! << 8) | fold[sample[i]!]!]!++;
    const m = Math.min(...this.lits.map((l) => l.length));
    // Each literal's piece: the m-byte window whose closing pair is rarest in the sample.
    const pieces = this.lits.map((lit) => {
      let best = 0;
      let bestCount = Infinity;
      for (let o = 0; o + m <= lit.length; o++) {
        const c = pairCount[(lit[o + m - 2]! << 8) | lit[o + m - 1]!]!;
        if (c < bestCount) [best, bestCount] = [o, c];
      }
      return best;
    });
    const shift = new Uint8Array(65536).fill(Math.min(255, m - 1));
    const third = new Uint32Array(65536);
    const byPair = new Map<number, Array<[number, number]>>();
    this.lits.forEach((lit, idx) => {
      const o = pieces[idx]!;
      const closing = (lit[o + m - 2]! << 8) | lit[o + m - 1]!;
      // m ≥ 3 has a byte before the closing pair inside the piece; m = 2 cannot filter (all bits set).
      third[closing]! |= m >= 3 ? 1 << (lit[o + m - 3]! & 31) : 0xffffffff;
      for (let j = 0; j + 1 < m; j++) {
        const pair = (lit[o + j]! << 8) | lit[o + j + 1]!;
        const sh = m - 2 - j;
        if (sh < shift[pair]!) shift[pair] = sh;
      }
      const last = (lit[o + m - 2]! << 8) | lit[o + m - 1]!;
      let b = byPair.get(last);
      if (!b) byPair.set(last, (b = []));
      b.push([idx, o]);
    });
    const bucketStart = new Int32Array(65536);
    const bucketLen = new Uint16Array(65536);
    const total = [...byPair.values()].reduce((n, b) => n + b.length, 0);
    const bucketLit = new Int32Array(total);
    const bucketOff = new Int32Array(total);
    let k = 0;
    for (const [pair, b] of byPair) {
      bucketStart[pair] = k;
      bucketLen[pair] = b.length;
      for (const [idx, o] of b) {
        bucketLit[k] = idx;
        bucketOff[k++] = o;
      }
    }
    const plan = { m, shift, third, bucketStart, bucketLen, bucketLit, bucketOff };
    if (plans.size > 64) plans.clear();
    plans.set(this.key, { plan, uses: 0 });
    return plan;
  }

  /** First occurrence starting at or after `from` and ending by `limit`; sets nextStart/nextEnd. */
  private find(buf: Uint8Array, from: number, limit: number): void {
    const plan = (this.plan ??= this.calibrate(buf.subarray(0, SAMPLE_BYTES)));
    const { m, shift, third, bucketStart, bucketLen, bucketLit, bucketOff } = plan;
    const fold = this.fold;
    const lits = this.lits;
    let pos = from + m - 1;
    let bestStart = Infinity;
    let bestEnd = Infinity;
    while (pos < limit) {
      const pair = (fold[buf[pos - 1]!]! << 8) | fold[buf[pos]!]!;
      const sh = shift[pair]!;
      if (sh !== 0) {
        pos += sh;
        continue;
      }
      if ((third[pair]! & (1 << (fold[buf[pos - 2]!]! & 31))) === 0) {
        pos++;
        continue;
      }
      const n = bucketLen[pair]!;
      if (n !== 0) {
        const b0 = bucketStart[pair]!;
        const winStart = pos - m + 1;
        for (let q = b0; q < b0 + n; q++) {
          const lit = lits[bucketLit[q]!]!;
          const start = winStart - bucketOff[q]!;
          const end = start + lit.length;
          if (start < from || end > limit) continue;
          let k = 0;
          while (k < lit.length && fold[buf[start + k]!] === lit[k]) k++;
          if (k === lit.length && (start < bestStart || (start === bestStart && end < bestEnd))) [bestStart, bestEnd] = [start, end];
        }
        // A piece can sit anywhere in its literal: an occurrence found here may start before one
        // found at a later window position, never after the later one's own start minus the longest
        // offset. Stop once no later window can give an earlier start.
        if (bestStart !== Infinity && pos - m + 1 - this.maxOff() > bestStart) break;
      }
      pos++;
    }
    this.nextStart = bestStart;
    this.nextEnd = bestEnd;
  }

  private maxOffCache = -1;
  private maxOff(): number {
    if (this.maxOffCache < 0) this.maxOffCache = Math.max(0, ...this.plan!.bucketOff);
    return this.maxOffCache;
  }

  /** Does [s, e) of `buf` contain one of the literals? Calls must move forward within a window. */
  test(buf: Uint8Array, s: number, e: number): boolean {
    if (buf !== this.buf) {
      this.buf = buf;
      this.nextStart = -1;
    }
    for (;;) {
      if (this.nextStart < s) this.find(buf, s, buf.length);
      if (this.nextStart >= e) return false;
      if (this.nextEnd <= e) return true;
      // An occurrence that runs past the record's end belongs to no record: look further.
      this.find(buf, this.nextStart + 1, buf.length);
    }
  }
}
