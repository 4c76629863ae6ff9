/**
 * Sigma string values: wildcard parsing and a linear-time matcher.
 *
 * Sigma strings use `*` (any run of characters, possibly empty) and `?` (exactly one character), and
 * `\` escapes `*`, `?` and `\` itself; a backslash before any other character is a literal backslash
 * (so `C:\Windows\` needs no doubling, and a trailing `\` is literal). This is the Sigma specification's
 * (and pySigma's) reading.
 *
 * Matching never uses a backtracking regex: a pattern is split at `*` into segments, the first and last
 * segments are anchored when the pattern is, and the middle ones are found leftmost-first, which is
 * correct for `*`-only globs and costs O(value length × longest segment) in the worst case — the segment
 * length is fixed when the rule is compiled, so the work per record is bounded by the record's length.
 * Common shapes (equals, prefix, suffix, contains) get `===`/`startsWith`/`endsWith`/`indexOf` fast paths.
 */

/** A parsed Sigma string: literal text, or a wildcard. Adjacent `*` are merged. */
export type WildToken = string | typeof STAR | typeof QMARK;
export const STAR: unique symbol = Symbol('*');
export const QMARK: unique symbol = Symbol('?');

/** Parse Sigma wildcard syntax (see module comment for the escape rules). */
export function parseWildcards(value: string): WildToken[] {
  const out: WildToken[] = [];
  let lit = '';
  const flush = (): void => {
    if (lit) out.push(lit);
    lit = '';
  };
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\') {
      const n = value[i + 1];
      if (n === '*' || n === '?' || n === '\\') {
        lit += n;
        i++;
      } else {
        lit += '\\';
      }
    } else if (c === '*') {
      flush();
      if (out[out.length - 1] !== STAR) out.push(STAR);
    } else if (c === '?') {
      flush();
      out.push(QMARK);
    } else {
      lit += c;
    }
  }
  flush();
  return out;
}

/** True when the tokens contain a `*` or `?`. */
export function hasWildcards(tokens: readonly WildToken[]): boolean {
  return tokens.some((t) => typeof t !== 'string');
}

/** The literal text of wildcard-free tokens. */
export function tokensToLiteral(tokens: readonly WildToken[]): string {
  return tokens.filter((t): t is string => typeof t === 'string').join('');
}

/** Literal runs of a pattern: every one of them must occur in any value the pattern matches. */
export function literalPieces(tokens: readonly WildToken[]): string[] {
  return tokens.filter((t): t is string => typeof t === 'string' && t.length > 0);
}

export type MatchMode = 'equals' | 'contains' | 'startswith' | 'endswith';

/** A compiled string test. `test` receives the value already lower-cased when `cased` is false. */
export interface StringMatcher {
  readonly cased: boolean;
  /** Literal runs of the pattern (lower-cased when not cased), for the pre-filter. */
  readonly pieces: readonly string[];
  test(value: string): boolean;
}

/** One `*`-free segment; `?` positions are marked in `any` (null when the segment has none). */
interface Segment {
  text: string;
  any: Uint8Array | null;
}

/** Build a matcher for tokens under a Sigma match mode (contains = implicit `*` at both ends, ...). */
export function compileWildcard(tokens: readonly WildToken[], mode: MatchMode, cased: boolean): StringMatcher {
  const t: WildToken[] = tokens.map((x) => (typeof x === 'string' && !cased ? x.toLowerCase() : x));
  if ((mode === 'contains' || mode === 'endswith') && t[0] !== STAR) t.unshift(STAR);
  if ((mode === 'contains' || mode === 'startswith') && t[t.length - 1] !== STAR) t.push(STAR);
  const pieces = literalPieces(t);

  // Split into segments at `*`.
  const segments: Segment[] = [];
  let text = '';
  let any: number[] = [];
  const anchoredStart = t[0] !== STAR;
  const anchoredEnd = t[t.length - 1] !== STAR || t.length === 0;
  const pushSeg = (): void => {
    const mask = any.length ? new Uint8Array(text.length) : null;
    for (const i of any) mask![i] = 1;
    segments.push({ text, any: mask });
    text = '';
    any = [];
  };
  for (const tok of t) {
    if (tok === STAR) {
      pushSeg();
    } else if (tok === QMARK) {
      any.push(text.length);
      text += '?';
    } else {
      text += tok;
    }
  }
  pushSeg();
  // With a leading `*` the first segment is '' (and likewise at the end); keep them for uniform indexing.

  const simple = segments.every((s) => s.any === null);
  if (simple && segments.length === 1) {
    const lit = segments[0]!.text;
    return { cased, pieces, test: (v) => v === lit };
  }
  if (simple && segments.length === 2) {
    const a = segments[0]!.text;
    const b = segments[1]!.text;
    if (b === '') return { cased, pieces, test: (v) => v.startsWith(a) };
    if (a === '') return { cased, pieces, test: (v) => v.endsWith(b) };
    return { cased, pieces, test: (v) => v.length >= a.length + b.length && v.startsWith(a) && v.endsWith(b) };
  }
  if (simple && segments.length === 3 && segments[0]!.text === '' && segments[2]!.text === '') {
    const m = segments[1]!.text;
    return { cased, pieces, test: (v) => v.includes(m) };
  }
  return { cased, pieces, test: (v) => globMatch(segments, anchoredStart, anchoredEnd, v) };
}

function segAt(seg: Segment, v: string, pos: number): boolean {
  const s = seg.text;
  if (pos < 0 || pos + s.length > v.length) return false;
  if (seg.any === null) return v.startsWith(s, pos);
  for (let i = 0; i < s.length; i++) {
    if (seg.any[i] === 0 && s.charCodeAt(i) !== v.charCodeAt(pos + i)) return false;
  }
  return true;
}

function segFind(seg: Segment, v: string, from: number): number {
  if (seg.any === null) return v.indexOf(seg.text, from);
  const last = v.length - seg.text.length;
  for (let p = from; p <= last; p++) if (segAt(seg, v, p)) return p;
  return -1;
}

function globMatch(segs: readonly Segment[], anchoredStart: boolean, anchoredEnd: boolean, v: string): boolean {
  const n = segs.length;
  if (n === 1) {
    // No `*` at all: exact length, every position must match.
    const s = segs[0]!;
    return s.text.length === v.length && segAt(s, v, 0);
  }
  let pos = 0;
  let first = 0;
  let lastIdx = n - 1;
  if (anchoredStart) {
    if (!segAt(segs[0]!, v, 0)) return false;
    pos = segs[0]!.text.length;
    first = 1;
  }
  let endLimit = v.length;
  if (anchoredEnd) {
    const last = segs[lastIdx]!;
    const at = v.length - last.text.length;
    if (at < pos || !segAt(last, v, at)) return false;
    endLimit = at;
    lastIdx--;
  }
  for (let i = first; i <= lastIdx; i++) {
    const s = segs[i]!;
    if (s.text.length === 0) continue;
    const at = segFind(s, v, pos);
    if (at < 0 || at + s.text.length > endLimit) return false;
    pos = at + s.text.length;
  }
  return true;
}
