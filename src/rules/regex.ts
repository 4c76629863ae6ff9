/**
 * Regex policy: every rule regex (`|re`, `exhunt.extract`) is compiled with re2js, a linear-time RE2
 * port, once, when the rule is compiled. Patterns RE2 rejects (look-around, backreferences, possessive
 * quantifiers) make the rule "unsupported"; there is deliberately no fallback to a backtracking engine,
 * because log fields are attacker-controlled.
 */
import { RE2JS } from 're2js';
import { RuleProblem } from './problem.js';

/** RE2 program-size ceiling: keeps the per-record cost of a single regex bounded and predictable. */
export const MAX_PROGRAM_SIZE = 20_000;

export interface ReFlags {
  i?: boolean;
  m?: boolean;
  s?: boolean;
}

/** What rules use of a compiled regex. */
export interface Re2 {
  test(input: string): boolean;
  matcher(input: string): ReturnType<RE2JS['matcher']>;
  namedGroups(): Record<string, number>;
}

/**
 * Worker threads compile rules the main thread has already compiled and validated: there, a regex is
 * compiled on first use, so the many a scan never reaches (rules of other log kinds, records the literal
 * pre-filter drops) cost nothing at start-up. RE2 compilation is most of a rule pack's load time.
 */
let deferCompile = false;

export function deferRegexCompilation(on: boolean): void {
  deferCompile = on;
}

class DeferredRe2 implements Re2 {
  private re: RE2JS | undefined;
  constructor(
    private readonly pattern: string,
    private readonly flags: number,
  ) {}
  private get(): RE2JS {
    return (this.re ??= RE2JS.compile(this.pattern, this.flags));
  }
  test(input: string): boolean {
    return this.get().test(input);
  }
  matcher(input: string): ReturnType<RE2JS['matcher']> {
    return this.get().matcher(input);
  }
  /** Read from the pattern (already validated where it was compiled), so asking does not compile. */
  namedGroups(): Record<string, number> {
    const out: Record<string, number> = {};
    const p = this.pattern;
    let group = 0;
    let inClass = false;
    for (let i = 0; i < p.length; i++) {
      const c = p[i];
      if (c === '\\') {
        i++;
      } else if (inClass) {
        if (c === ']') inClass = false;
      } else if (c === '[') {
        inClass = true;
      } else if (c === '(') {
        if (p[i + 1] !== '?') {
          group++;
          continue;
        }
        const m = /^\?P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(p.slice(i + 1, i + 40));
        if (m) out[m[1]!] = ++group;
      }
    }
    return out;
  }
}

export function compileRe2(pattern: string, flags: ReFlags = {}, what = 'regex'): Re2 {
  let f = 0;
  if (flags.i) f |= RE2JS.CASE_INSENSITIVE;
  if (flags.m) f |= RE2JS.MULTILINE;
  if (flags.s) f |= RE2JS.DOTALL;
  if (deferCompile) return new DeferredRe2(pattern, f);
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern, f);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    const hint = /\(\?<?[=!]/.test(pattern)
      ? ' (look-around is not available in RE2)'
      : /\\[1-9]/.test(pattern) ? ' (backreferences are not available in RE2)' : '';
    throw new RuleProblem(`${what} /${pattern}/ is not RE2 syntax${hint}: ${why}`, 'unsupported');
  }
  if (re.programSize() > MAX_PROGRAM_SIZE) {
    throw new RuleProblem(`${what} /${pattern}/ is too large (RE2 program size ${re.programSize()} > ${MAX_PROGRAM_SIZE})`, 'unsupported');
  }
  return re;
}

/**
 * Literal runs that every match of `pattern` must contain, or null when none can be proven. Only a
 * top-level concatenation is analysed: any `|` outside a character class, or anything unusual, gives
 * up on the parts it cannot read. Groups are skipped (their content may be optional or alternated);
 * a literal character followed by `?`, `*` or `{0` is dropped. Conservative on purpose.
 *
 * Returns `caseInsensitive` when the pattern turns on `(?i` anywhere.
 */
export function regexLiterals(pattern: string): { pieces: string[]; caseInsensitive: boolean } | null {
  const caseInsensitive = /\(\?[a-zA-Z]*i/.test(pattern);
  const pieces: string[] = [];
  let cur = '';
  let depth = 0;
  let inClass = false;
  const cut = (): void => {
    if (cur) pieces.push(cur);
    cur = '';
  };
  // Append a literal char, unless a following quantifier makes it optional.
  const lit = (ch: string, next: number): void => {
    const q = pattern[next];
    if (q === '?' || q === '*' || (q === '{' && /^\{0[,}]/.test(pattern.slice(next)))) {
      cut();
    } else if (q === '+' || q === '{') {
      cur += ch; // at least once: the char is required, but what follows it is not adjacent
      cut();
    } else {
      cur += ch;
    }
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (inClass) {
      if (c === '\\') i++;
      else if (c === ']') inClass = false;
      continue;
    }
    if (c === '\\') {
      const n = pattern[i + 1];
      if (n === undefined) return null;
      i++;
      if (depth === 0 && /[^A-Za-z0-9]/.test(n) && n.charCodeAt(0) < 128) lit(n, i + 1);
      else if (depth === 0) {
        cut();
        if (n === 'Q' || n === 'x' || n === 'p' || n === 'P') {
          // \Q..\E, \x{..}, \p{..}: not worth parsing for a pre-filter; stop here.
          return pieces.length ? { pieces, caseInsensitive } : null;
        }
      }
      continue;
    }
    if (c === '[') {
      inClass = true;
      if (depth === 0) cut();
      continue;
    }
    if (c === '(') {
      depth++;
      if (depth === 1) cut();
      continue;
    }
    if (c === ')') {
      depth--;
      if (depth < 0) return null;
      if (depth === 0) {
        // A group followed by an optional quantifier: previous literal stays valid; nothing to add.
      }
      continue;
    }
    if (depth > 0) {
      continue;
    }
    if (c === '|') return null; // top-level alternation: no common literal without real analysis
    if ('.^$*+?{}'.includes(c)) {
      cut();
      if (c === '{') {
        const close = pattern.indexOf('}', i);
        if (close > 0) i = close;
      }
      continue;
    }
    lit(c, i + 1);
  }
  cut();
  // A `|` inside a group does not matter (we skipped groups), but one at top level returned null above.
  return pieces.length ? { pieces, caseInsensitive } : null;
}
