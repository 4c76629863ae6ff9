/**
 * Byte-level literal pre-filter: decides whether a record's raw bytes contain at least one of a set of
 * literals, without decoding the record. Occurrences are found with `Buffer.indexOf` over the whole window
 * and cached, so a window with no candidate costs one memchr-speed search per literal (ripgrep's trick).
 *
 * Case-insensitive matching folds ASCII letters only (bytes ≥ 0x80 compare exactly): it is a necessary
 * condition for an ASCII-case-insensitive match, to be confirmed by the full matcher. For a literal it
 * searches an anchor that case does not change (the longest run of non-letters, if it is 2+ bytes long or a
 * rare character such as `~`), else its rarest letter in both cases, and verifies each candidate.
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

function needlesFor(literal: string, caseSensitive: boolean): Needle[] {
  const lit = Buffer.from(literal, 'utf8');
  if (lit.length === 0) return [];
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
  let pick = -1;
  let rank = Infinity;
  for (let i = 0; i < lit.length; i++) {
    const c = lit[i]!;
    if (!isLetter(c)) continue;
    const r = LETTER_RARITY.indexOf(String.fromCharCode(lower(c)));
    if (r < rank) {
      rank = r;
      pick = i;
    }
  }
  const lc = lower(lit[pick]!);
  return [lc, lc - 32].map((c) => ({ bytes: Buffer.from([c]), off: pick, lit, verify: true, next: -1 }));
}

function equalsFolded(buf: Uint8Array, p: number, lit: Buffer): boolean {
  for (let i = 0; i < lit.length; i++) if (lower(buf[p + i]!) !== lower(lit[i]!)) return false;
  return true;
}

export class LiteralScanner {
  private readonly needles: Needle[];
  private buf: Buffer | null = null;

  constructor(filter: LiteralFilter) {
    this.needles = filter.literals.flatMap((l) => needlesFor(l, filter.caseSensitive));
  }

  /** True when the filter can never pass anything (no literals). */
  get empty(): boolean {
    return this.needles.length === 0;
  }

  /** Does [s, e) of `buf` contain one of the literals? Calls must move forward within a window. */
  test(buf: Buffer, s: number, e: number): boolean {
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
