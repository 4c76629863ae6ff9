/**
 * Byte-level literal pre-filter: decides whether a record's raw bytes contain at least one of a set of
 * literals, without decoding the record. Occurrences are found with `Buffer.indexOf` over the whole window
 * and cached, so a window with no candidate costs one memchr-speed search per literal (ripgrep's trick).
 *
 * Case-insensitive matching folds ASCII letters only; a literal's non-ASCII characters are dropped (its
 * longest ASCII part is searched), so the test stays a necessary condition for `raw.toLowerCase()
 * .includes(literal.toLowerCase())`, to be confirmed by the full matcher. Known gap: the few non-ASCII
 * characters whose lower case is ASCII (U+212A KELVIN SIGN → `k`, U+0130 → `i̇`) are not folded. For a literal it
 * searches an anchor that case does not change (the longest run of non-letters, if it is 2+ bytes long or a
 * rare character such as `~`), else its rarest 2-byte window in every case variant, and verifies each candidate.
 */

export interface LiteralFilter {
  /** Records whose raw bytes contain none of these are counted but not decoded nor handed on. */
  literals: readonly string[];
  caseSensitive: boolean;
}

interface Needle {
  bytes: Buffer;
  /** Offset of the anchor inside the literal. */
  off: number;
  lit: Buffer;
  verify: boolean;
  /** Cached next occurrence of `bytes` in the current window (-1 = unknown, Infinity = none). */
  next: number;
}

const RARE_SINGLE = new Set('~]@#$<>|^!{}[\\\'"%*`'.split('').map((c) => c.charCodeAt(0)));
const LETTER_RARITY = 'qzjxkvbywgfpmuhdlcrsnioate';

function isLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 32 : c;
}

/** Needles for one literal; `null` = this literal cannot be pre-filtered (every record must pass). */
function needlesFor(literal: string, caseSensitive: boolean): Needle[] | null {
  if (!caseSensitive && /[^\x00-\x7f]/.test(literal)) {
    // Unicode case folding is not done on bytes: keep the longest ASCII part (a necessary condition)
    literal = literal.split(/[^\x00-\x7f]+/).reduce((a, b) => (b.length > a.length ? b : a), '');
  }
  const lit = Buffer.from(literal, 'utf8');
  if (lit.length === 0) return null;
  if (caseSensitive || !lit.some(isLetter)) return [{ bytes: lit, off: 0, lit, verify: false, next: -1 }];
  // longest run of non-letters
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < lit.length; ) {
    if (isLetter(lit[i]!)) {
      i++;
      continue;
    }
    let j = i;
    while (j < lit.length && !isLetter(lit[j]!)) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best >= 0 && (bestLen >= 2 || RARE_SINGLE.has(lit[best]!))) {
    return [{ bytes: lit.subarray(best, best + bestLen), off: best, lit, verify: true, next: -1 }];
  }
  // else: the rarest 2-byte window, in every case variant (at most 4 needles)
  if (lit.length === 1) {
    const lc = lower(lit[0]!);
    return [lc, lc - 32].map((c) => ({ bytes: Buffer.from([c]), off: 0, lit, verify: true, next: -1 }));
  }
  let pick = 0;
  let score = Infinity;
  for (let i = 0; i + 1 < lit.length; i++) {
    const sc = rarity(lit[i]!) + rarity(lit[i + 1]!);
    if (sc < score) {
      score = sc;
      pick = i;
    }
  }
  const variants = (c: number): number[] => (isLetter(c) ? [lower(c), lower(c) - 32] : [c]);
  const out: Needle[] = [];
  for (const x of variants(lit[pick]!)) {
    for (const y of variants(lit[pick + 1]!)) out.push({ bytes: Buffer.from([x, y]), off: pick, lit, verify: true, next: -1 });
  }
  return out;
}

/** Rough byte rarity in Exchange/IIS logs: lower is rarer. */
function rarity(c: number): number {
  if (isLetter(c)) return LETTER_RARITY.indexOf(String.fromCharCode(lower(c)));
  if (RARE_SINGLE.has(c)) return 0;
  if (c >= 0x30 && c <= 0x39) return 22;
  if (c >= 0x80) return 5;
  return 24;
}

function equalsFolded(buf: Uint8Array, p: number, lit: Buffer): boolean {
  for (let i = 0; i < lit.length; i++) if (lower(buf[p + i]!) !== lower(lit[i]!)) return false;
  return true;
}

export class LiteralScanner {
  private readonly needles: Needle[] = [];
  /** A literal that cannot be pre-filtered (empty, or no ASCII part when case-insensitive): pass everything. */
  readonly passAll: boolean = false;
  private buf: Buffer | null = null;

  constructor(filter: LiteralFilter) {
    for (const l of filter.literals) {
      const n = needlesFor(l, filter.caseSensitive);
      if (n === null) this.passAll = true;
      else this.needles.push(...n);
    }
  }

  /** Does [s, e) of `buf` contain one of the literals? Calls must move forward within a window. */
  test(buf: Buffer, s: number, e: number): boolean {
    if (this.passAll) return true;
    if (buf !== this.buf) {
      this.buf = buf;
      for (const n of this.needles) n.next = -1;
    }
    for (const n of this.needles) {
      const min = s + n.off;
      if (n.next < min) {
        if (n.next === Infinity) continue;
        const q = buf.indexOf(n.bytes, min);
        n.next = q < 0 ? Infinity : q;
      }
      while (n.next < e) {
        const start = n.next - n.off;
        if (start + n.lit.length <= e && (!n.verify || equalsFolded(buf, start, n.lit))) return true;
        const q = buf.indexOf(n.bytes, n.next + 1);
        n.next = q < 0 ? Infinity : q;
      }
    }
    return false;
  }
}
