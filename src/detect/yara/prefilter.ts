/**
 * A sound pre-filter for YARA rule sets: "can any rule match these bytes?", answered without the engine.
 * YARA itself works this way (atoms, then conditions); we need it outside yara-x because a yara-x scan has a
 * large fixed cost in its WebAssembly build (engine.ts).
 *
 * For each rule we derive, from its source, a monotone formula over "string $x is present" that the
 * rule's condition implies: `all of them` → AND, `any of ($a*)` → OR, `$a and (filesize < 1KB or $b)` →
 * $a and (size < 1024 or $b), anything we do not understand → true (no constraint). `filesize` compared
 * with a number is decided exactly: the buffer is what yara-x scans (the file, or its scanned head). A
 * string is "present" when one of its atoms (a literal of ≥ 4 bytes that every match must contain,
 * compared ASCII-case-insensitively) occurs. Strings
 * without such an atom (xor, base64, short or wildcard-only) count as always present. So:
 *   rule matches ⇒ its formula holds on the atoms found,
 * and a buffer where no public rule's formula holds cannot produce a match: it is cleared without a scan.
 * Otherwise yara-x scans it with all rules, so the results are always the engine's.
 *
 * The parser is tolerant: it only has to find rules, their strings and the boolean skeleton of conditions;
 * syntax errors are the compiler's business (an unparsable part just becomes "true").
 */

/** `size`: `filesize <op> n`, decided exactly by the buffer's length. */
type F = { k: 'true' } | { k: 'false' } | { k: 'var'; v: number } | { k: 'size'; op: string; n: number } | { k: 'and' | 'or'; xs: F[] };

const TRUE: F = { k: 'true' };
const FALSE: F = { k: 'false' };

function and(xs: F[]): F {
  const out: F[] = [];
  for (const x of xs) {
    if (x.k === 'false') return FALSE;
    if (x.k !== 'true') out.push(x);
  }
  return out.length === 0 ? TRUE : out.length === 1 ? out[0]! : { k: 'and', xs: out };
}

function or(xs: F[]): F {
  const out: F[] = [];
  for (const x of xs) {
    if (x.k === 'true') return TRUE;
    if (x.k !== 'false') out.push(x);
  }
  return out.length === 0 ? FALSE : out.length === 1 ? out[0]! : { k: 'or', xs: out };
}

/* ------------------------------------------------------------------ tokenizer */

interface Tok {
  t: 'id' | 'str' | 're' | 'hex' | 'num' | 'p';
  v: string;
}

/** Tokens of a YARA source. `/` starts a regex only after `=` or `matches` (else it is division). */
function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  const n = src.length;
  let i = 0;
  while (i < n) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
    } else if (c === '/' && src[i + 1] === '/') {
      while (i < n && src[i] !== '\n') i++;
    } else if (c === '/' && src[i + 1] === '*') {
      const e = src.indexOf('*/', i + 2);
      i = e < 0 ? n : e + 2;
    } else if (c === '"') {
      let j = i + 1;
      while (j < n && src[j] !== '"' && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1;
      out.push({ t: 'str', v: src.slice(i + 1, j) });
      i = j + 1;
    } else if (c === '/' && out.length && (out[out.length - 1]!.v === '=' || out[out.length - 1]!.v === 'matches')) {
      let j = i + 1;
      let cls = false;
      while (j < n && src[j] !== '\n' && (cls || src[j] !== '/')) {
        if (src[j] === '\\') j++;
        else if (src[j] === '[') cls = true;
        else if (src[j] === ']') cls = false;
        j++;
      }
      let k = j + 1;
      while (k < n && /[a-z]/.test(src[k]!)) k++;
      out.push({ t: 're', v: src.slice(i + 1, j) });
      i = k;
    } else if (c === '{' && out.length && out[out.length - 1]!.v === '=') {
      const e = src.indexOf('}', i);
      out.push({ t: 'hex', v: src.slice(i + 1, e < 0 ? n : e) });
      i = e < 0 ? n : e + 1;
    } else if (/[A-Za-z_$#@!]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_*]/.test(src[j]!)) j++;
      out.push({ t: 'id', v: src.slice(i, j) });
      i = j;
    } else if (/[0-9]/.test(c)) {
      let j = i + 1;
      while (j < n && /[0-9A-Za-z.]/.test(src[j]!) && !(src[j] === '.' && src[j + 1] === '.')) j++;
      out.push({ t: 'num', v: src.slice(i, j) });
      i = j;
    } else {
      const two = src.slice(i, i + 2);
      if (['==', '!=', '<=', '>=', '..', '<<', '>>'].includes(two)) {
        out.push({ t: 'p', v: two });
        i += 2;
      } else {
        out.push({ t: 'p', v: c });
        i++;
      }
    }
  }
  return out;
}

/* ------------------------------------------------------------------ atoms */

const enc = new TextEncoder();
/** Literals shorter than this gate nothing. 2–3 byte atoms go through a direct 2-byte table. */
const MIN_ATOM = 2;

function fold(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 32 : c;
}

function utf8(s: string): number[] {
  return [...enc.encode(s)];
}

/** Bytes of a text string's body (escapes decoded). */
function textBytes(body: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      out.push(...utf8(c));
      continue;
    }
    const d = body[++i];
    if (d === 'x') {
      out.push(parseInt(body.slice(i + 1, i + 3), 16) & 0xff);
      i += 2;
    } else if (d === 'n') out.push(10);
    else if (d === 't') out.push(9);
    else if (d === 'r') out.push(13);
    else if (d !== undefined) out.push(...utf8(d));
  }
  return out;
}

/** Longest run of fixed bytes of a hex string outside alternatives, jumps and wildcards. */
function hexRun(body: string): number[] {
  let best: number[] = [];
  let cur: number[] = [];
  const cut = (): void => {
    if (cur.length > best.length) best = cur;
    cur = [];
  };
  let depth = 0;
  const s = body.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, ' ');
  for (let i = 0; i < s.length; ) {
    const c = s[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(') {
      depth++;
      cut();
      i++;
    } else if (c === ')') {
      depth--;
      cut();
      i++;
    } else if (c === '[' || c === '|' || c === '~') {
      cut();
      if (c === '[') {
        const e = s.indexOf(']', i);
        i = e < 0 ? s.length : e + 1;
      } else if (c === '~') {
        i += 3;
      } else i++;
    } else {
      const pair = s.slice(i, i + 2);
      if (depth === 0 && /^[0-9A-Fa-f]{2}$/.test(pair)) cur.push(parseInt(pair, 16));
      else cut();
      i += 2;
    }
  }
  cut();
  return best;
}

/** Splits a regex (or group body) at its top-level `|`. */
function alternatives(re: string): string[] {
  const out: string[] = [];
  let d = 0;
  let cls = false;
  let from = 0;
  for (let i = 0; i < re.length; i++) {
    const c = re[i];
    if (c === '\\') i++;
    else if (cls) cls = c !== ']';
    else if (c === '[') cls = true;
    else if (c === '(') d++;
    else if (c === ')') d--;
    else if (c === '|' && d === 0) {
      out.push(re.slice(from, i));
      from = i + 1;
    }
  }
  out.push(re.slice(from));
  return out;
}

/**
 * What every match of a regex must contain, as a formula over literals (`mk` turns a literal into an atom
 * formula): a sequence is the AND of its literal runs and mandatory groups, a group or the whole regex with
 * alternatives the OR of theirs. Anything optional or not fixed contributes nothing.
 */
function regexF(re: string, mk: (lit: number[]) => F, depth = 0): F {
  if (depth > 16) return TRUE;
  const alts = alternatives(re);
  if (alts.length > 1) return or(alts.map((a) => regexF(a, mk, depth + 1)));
  const parts: F[] = [];
  let cur: number[] = [];
  const cut = (): void => {
    if (cur.length >= MIN_ATOM) parts.push(mk(cur));
    cur = [];
  };
  let i = 0;
  /** The last element's bytes, so a following quantifier can take it back. */
  let last: number[] | null = null;
  /** The last group's formula, until we know whether a quantifier makes it optional. */
  let pendingGroup: F | null = null;
  const flushGroup = (): void => {
    if (pendingGroup) parts.push(pendingGroup);
    pendingGroup = null;
  };
  while (i < re.length) {
    const c = re[i]!;
    let elem: number[] | null = null;
    if (c === '*' || c === '?' || c === '+' || c === '{') {
      // Quantifier on the previous element.
      let min = c === '+' ? 1 : 0;
      if (c === '{') {
        const e = re.indexOf('}', i);
        const m = /^\{(\d*)/.exec(re.slice(i, e < 0 ? re.length : e + 1));
        min = m && m[1] ? Number(m[1]) : 0;
        i = e < 0 ? re.length : e + 1;
      } else i++;
      if (re[i] === '?' || re[i] === '+') i++;
      if (last && min === 0) cur.splice(cur.length - last.length, last.length);
      cut();
      if (min === 0) pendingGroup = null;
      flushGroup();
      last = null;
      continue;
    }
    flushGroup();
    if (c === '\\') {
      const d = re[i + 1];
      if (d === undefined) break;
      if (d === 'x') {
        elem = [parseInt(re.slice(i + 2, i + 4), 16) & 0xff];
        i += 4;
      } else if (d === 'n' || d === 't' || d === 'r') {
        elem = [d === 'n' ? 10 : d === 't' ? 9 : 13];
        i += 2;
      } else if (/[A-Za-z0-9]/.test(d)) {
        i += 2; // \d \w \s \b ... : not a fixed byte
      } else {
        elem = utf8(d);
        i += 2;
      }
    } else if (c === '[') {
      let j = i + 1;
      if (re[j] === '^') j++;
      if (re[j] === ']') j++;
      while (j < re.length && re[j] !== ']') j += re[j] === '\\' ? 2 : 1;
      i = j + 1;
    } else if (c === '(') {
      let d = 0;
      let j = i;
      let cls = false;
      for (; j < re.length; j++) {
        const e = re[j];
        if (e === '\\') j++;
        else if (cls) cls = e !== ']';
        else if (e === '[') cls = true;
        else if (e === '(') d++;
        else if (e === ')' && --d === 0) break;
      }
      let inner = re.slice(i + 1, j);
      i = j + 1;
      cut();
      last = null;
      if (inner.startsWith('?:')) inner = inner.slice(2);
      pendingGroup = inner.startsWith('?') ? null : regexF(inner, mk, depth + 1);
      continue;
    } else if (c === '.' || c === '^' || c === '$') {
      i++;
    } else {
      elem = utf8(c);
      i++;
    }
    if (elem) {
      cur.push(...elem);
      last = elem;
    } else {
      cut();
      last = null;
    }
  }
  cut();
  flushGroup();
  return and(parts);
}

function wide(bytes: number[]): number[] {
  const out: number[] = [];
  for (const b of bytes) out.push(b, 0);
  return out;
}

/** What every match of one string contains, as a formula over atoms (`atom` registers one literal). */
function stringF(kind: Tok['t'], body: string, mods: Set<string>, atom: (lit: number[]) => F): F {
  if (mods.has('xor') || mods.has('base64') || mods.has('base64wide')) return TRUE;
  const mk = (lit: number[]): F => {
    const alts: F[] = [];
    if (mods.has('wide')) alts.push(atom(wide(lit)));
    if (!mods.has('wide') || mods.has('ascii')) alts.push(atom(lit));
    return or(alts);
  };
  if (kind === 're') return regexF(body, mk);
  const lit = kind === 'str' ? textBytes(body) : hexRun(body);
  return lit.length < MIN_ATOM ? TRUE : mk(lit);
}

/* ------------------------------------------------------------------ rules and conditions */

interface ParsedRule {
  name: string;
  isPrivate: boolean;
  formula: F;
}

const OPS = new Set(['==', '!=', '<', '>', '<=', '>=']);

class SourceParser {
  private pos = 0;
  constructor(
    private readonly toks: Tok[],
    private readonly atom: (lit: number[]) => F,
  ) {}

  rules(): ParsedRule[] {
    const out: ParsedRule[] = [];
    const known = new Map<string, F>();
    const t = this.toks;
    while (this.pos < t.length) {
      const start = this.pos;
      let isPrivate = false;
      while (t[this.pos]?.t === 'id' && (t[this.pos]!.v === 'private' || t[this.pos]!.v === 'global')) {
        if (t[this.pos]!.v === 'private') isPrivate = true;
        this.pos++;
      }
      if (!(t[this.pos]?.t === 'id' && t[this.pos]!.v === 'rule')) {
        this.pos = start + 1;
        continue;
      }
      const name = t[this.pos + 1]?.v ?? '';
      // Skip to the rule body.
      while (this.pos < t.length && t[this.pos]!.v !== '{') this.pos++;
      const bodyStart = ++this.pos;
      let d = 1;
      while (this.pos < t.length && d > 0) {
        const v = t[this.pos]!;
        if (v.t === 'p' && v.v === '{') d++;
        else if (v.t === 'p' && v.v === '}') d--;
        this.pos++;
      }
      const body = t.slice(bodyStart, this.pos - 1);
      const formula = this.rule(body, known);
      known.set(name, formula);
      out.push({ name, isPrivate, formula });
    }
    return out;
  }

  private rule(body: Tok[], known: Map<string, F>): F {
    const sec = (name: string): number => body.findIndex((x, i) => x.t === 'id' && x.v === name && body[i + 1]?.v === ':');
    const si = sec('strings');
    const ci = sec('condition');
    if (ci < 0) return TRUE;
    const vars = new Map<string, F>();
    if (si >= 0) {
      let i = si + 2;
      while (i < ci) {
        const id = body[i];
        if (!(id?.t === 'id' && id.v.startsWith('$') && body[i + 1]?.v === '=')) {
          i++;
          continue;
        }
        const val = body[i + 2];
        i += 3;
        const mods = new Set<string>();
        while (i < ci && body[i]!.t === 'id' && !body[i]!.v.startsWith('$')) {
          mods.add(body[i]!.v);
          i++;
          if (body[i]?.v === '(') {
            while (i < ci && body[i]!.v !== ')') i++;
            i++;
          }
        }
        const f = val && (val.t === 'str' || val.t === 'hex' || val.t === 're') ? stringF(val.t, val.v, mods, this.atom) : TRUE;
        // Anonymous strings (`$`) can only be used through `them`/sets: give them unique keys.
        vars.set(id.v === '$' ? `$#${vars.size}` : id.v, f);
      }
    }
    const cond = body.slice(ci + 2);
    return this.expr(cond, vars, known);
  }

  /** Splits on a keyword at parenthesis depth 0. */
  private split(ts: Tok[], kw: string): Tok[][] {
    const parts: Tok[][] = [[]];
    let d = 0;
    for (const x of ts) {
      if (x.t === 'p' && x.v === '(') d++;
      if (x.t === 'p' && x.v === ')') d--;
      if (d === 0 && x.t === 'id' && x.v === kw) parts.push([]);
      else parts[parts.length - 1]!.push(x);
    }
    return parts;
  }

  private expr(ts: Tok[], vars: Map<string, F>, known: Map<string, F>): F {
    const ors = this.split(ts, 'or');
    if (ors.length > 1) return or(ors.map((p) => this.expr(p, vars, known)));
    const ands = this.split(ts, 'and');
    if (ands.length > 1) return and(ands.map((p) => this.expr(p, vars, known)));
    return this.term(ts, vars, known);
  }

  private term(ts: Tok[], vars: Map<string, F>, known: Map<string, F>): F {
    if (!ts.length) return TRUE;
    const [a, b] = ts;
    if (a!.t === 'id' && (a!.v === 'not' || a!.v === 'for' || a!.v === 'with' || a!.v === 'defined')) return TRUE;
    // ( expr ) as a whole
    if (a!.v === '(' && this.closes(ts, 0) === ts.length - 1) return this.expr(ts.slice(1, -1), vars, known);
    if (a!.t === 'id' && a!.v.startsWith('$') && !a!.v.includes('*')) {
      if (ts.length === 1 || b!.v === 'at' || b!.v === 'in') return vars.get(a!.v) ?? TRUE;
      return TRUE;
    }
    // (#a + #b + ...) > N  or  #a + #b > N: at least one of the strings (N ≥ 0).
    {
      const op = ts[ts.length - 2]?.v ?? '';
      const num = ts[ts.length - 1]!;
      let sum = ts.slice(0, -2);
      if (sum[0]?.v === '(' && this.closes(sum, 0) === sum.length - 1) sum = sum.slice(1, -1);
      const ids = sum.filter((_, i) => i % 2 === 0);
      const plus = sum.filter((_, i) => i % 2 === 1);
      if (
        ids.length >= 1 &&
        ids.every((x) => x.t === 'id' && x.v.startsWith('#') && !x.v.includes('*')) &&
        plus.every((x) => x.v === '+') &&
        num.t === 'num' &&
        /^\d+$/.test(num.v) &&
        ((op === '>' && Number(num.v) >= 0) || ((op === '>=' || op === '==') && Number(num.v) >= 1))
      ) {
        return or(ids.map((x) => vars.get(`$${x.v.slice(1)}`) ?? TRUE));
      }
    }
    if (a!.t === 'id' && a!.v.startsWith('#') && ts.length >= 3) {
      const op = ts[ts.length - 2]!.v;
      const num = ts[ts.length - 1]!;
      const inner = ts.slice(1, -2);
      const simple = inner.length === 0 || (inner[0]!.v === 'in' && inner[1]?.v === '(' && this.closes(inner, 1) === inner.length - 1);
      if (simple && OPS.has(op) && num.t === 'num' && /^\d+$/.test(num.v)) {
        const n = Number(num.v);
        const needs = (op === '>' && n >= 0) || ((op === '>=' || op === '==') && n >= 1);
        if (needs) return vars.get(`$${a!.v.slice(1)}`) ?? TRUE;
      }
      return TRUE;
    }
    // quantifier `of` set
    if (b?.v === 'of' || (ts[1]?.v === '%' && ts[2]?.v === 'of')) {
      const q = a!.v;
      const ofAt = b?.v === 'of' ? 1 : 2;
      const n = a!.t === 'num' ? Number(q) : NaN;
      const kind = q === 'all' ? 'all' : q === 'any' || (Number.isFinite(n) && n >= 1) ? 'any' : null;
      if (!kind) return TRUE;
      const set = this.setOf(ts.slice(ofAt + 1), vars);
      if (!set) return TRUE;
      return kind === 'all' && ofAt === 1 ? and(set) : or(set);
    }
    // filesize <op> N (N in bytes, KB or MB)
    if (ts.length === 3 && a!.t === 'id' && a!.v === 'filesize' && OPS.has(b!.v) && ts[2]!.t === 'num') {
      const m = /^(\d+)(KB|MB)?$/.exec(ts[2]!.v);
      if (m) return { k: 'size', op: b!.v, n: Number(m[1]) * (m[2] === 'MB' ? 1 << 20 : m[2] === 'KB' ? 1024 : 1) };
      return TRUE;
    }
    if (ts.length === 1 && a!.t === 'id') {
      if (a!.v === 'false') return FALSE;
      const r = known.get(a!.v);
      if (r) return r;
    }
    return TRUE;
  }

  /** Index of the `)` closing the `(` at `open`, or -1. */
  private closes(ts: Tok[], open: number): number {
    let d = 0;
    for (let i = open; i < ts.length; i++) {
      if (ts[i]!.t === 'p' && ts[i]!.v === '(') d++;
      if (ts[i]!.t === 'p' && ts[i]!.v === ')' && --d === 0) return i;
    }
    return -1;
  }

  /** `them` or `($a, $b*, ...)` followed by nothing or by `in (...)` / `at N`; null if it is anything else. */
  private setOf(ts: Tok[], vars: Map<string, F>): F[] | null {
    let items: Tok[];
    let rest: Tok[];
    if (ts[0]?.v === 'them') {
      items = [];
      rest = ts.slice(1);
      if (!vars.size) return null;
      if (rest.length && rest[0]!.v !== 'in' && rest[0]!.v !== 'at') return null;
      return [...vars.values()];
    }
    if (ts[0]?.v !== '(') return null;
    const e = this.closes(ts, 0);
    if (e < 0) return null;
    items = ts.slice(1, e);
    rest = ts.slice(e + 1);
    if (rest.length && rest[0]!.v !== 'in' && rest[0]!.v !== 'at') return null;
    const out: F[] = [];
    for (const it of items) {
      if (it.t === 'p' && it.v === ',') continue;
      if (!(it.t === 'id' && it.v.startsWith('$'))) return null;
      if (it.v.endsWith('*')) {
        const pre = it.v.slice(0, -1);
        const ms = [...vars.entries()].filter(([k]) => k.startsWith(pre) && !k.startsWith('$#'));
        if (!ms.length) return null;
        out.push(...ms.map(([, f]) => f));
      } else {
        const f = vars.get(it.v);
        if (!f) return null;
        out.push(f);
      }
    }
    return out.length ? out : null;
  }
}

/* ------------------------------------------------------------------ the matcher */

export interface Prefilter {
  ruleCount: number;
  /** Public rules that no atom gates ("namespace:rule"): while there is one, every buffer is scanned. */
  ungated: string[];
  /** False only if no rule can match these bytes. */
  mayMatch(bytes: Uint8Array): boolean;
  /** The public rules ("namespace:rule") whose gate these bytes pass (for tuning rules and atoms). */
  candidates(bytes: Uint8Array): string[];
}

const BLOOM_BITS = 20;

/** Builds the pre-filter for these sources. */
export function buildPrefilter(sources: { name: string; text: string }[]): Prefilter {
  const atoms: Uint8Array[] = [];
  const atomIds = new Map<string, number>();
  /** One variable per distinct (folded) literal. */
  const atom = (lit: number[]): F => {
    const a = Uint8Array.from(lit, fold);
    const key = Buffer.from(a).toString('latin1');
    let v = atomIds.get(key);
    if (v === undefined) {
      v = atoms.length;
      atoms.push(a);
      atomIds.set(key, v);
    }
    return { k: 'var', v };
  };
  const gates: F[] = [];
  const gateNames: string[] = [];
  const ungated: string[] = [];
  let ruleCount = 0;
  for (const s of sources) {
    let rules: ParsedRule[];
    try {
      rules = new SourceParser(tokenize(s.text), atom).rules();
    } catch {
      rules = [{ name: '*', isPrivate: false, formula: TRUE }];
    }
    if (/^\s*include\s/m.test(s.text)) rules.push({ name: 'include', isPrivate: false, formula: TRUE });
    for (const r of rules) {
      if (r.name !== 'include' && r.name !== '*') ruleCount++;
      if (r.isPrivate) continue;
      if (r.formula.k === 'true') ungated.push(`${s.name}:${r.name}`);
      else if (r.formula.k !== 'false') {
        gates.push(r.formula);
        gateNames.push(`${s.name}:${r.name}`);
      }
    }
  }

  // Each atom is looked up by a 4-byte window (chosen to avoid the most common bytes of web text), through
  // a Bloom bitmap and a hash map from window to atoms; a hit is verified against the whole atom.
  const COMMON = new Set([...' \t\r\n\0etaoinsrhl<>="/'].map((c) => c.charCodeAt(0)));
  const bloom = new Uint32Array(1 << (BLOOM_BITS - 5));
  const byKey = new Map<number, { atom: number; off: number }[]>();
  const hash = (k: number): number => Math.imul(k, 0x9e3779b1) >>> (32 - BLOOM_BITS);
  /** Atoms of 2–3 bytes, by their first two bytes. */
  const short = new Map<number, number[]>();
  const shortFlag = new Uint8Array(65536);
  for (let ai = 0; ai < atoms.length; ai++) {
    const a = atoms[ai]!;
    if (a.length < 4) {
      const k2 = (a[0]! << 8) | a[1]!;
      shortFlag[k2] = 1;
      const l = short.get(k2) ?? [];
      l.push(ai);
      short.set(k2, l);
      continue;
    }
    let best = 0;
    let bestScore = -1;
    for (let o = 0; o + 4 <= a.length; o++) {
      let score = 0;
      for (let j = 0; j < 4; j++) score += COMMON.has(a[o + j]!) ? 0 : 2;
      if (new Set(a.subarray(o, o + 4)).size === 4) score++;
      if (score > bestScore) {
        bestScore = score;
        best = o;
      }
    }
    const key = ((a[best]! << 24) | (a[best + 1]! << 16) | (a[best + 2]! << 8) | a[best + 3]!) >>> 0;
    const h = hash(key);
    bloom[h >>> 5]! |= 1 << (h & 31);
    const list = byKey.get(key) ?? [];
    list.push({ atom: ai, off: best });
    byKey.set(key, list);
  }
  const hasShort = short.size > 0;
  const foldTable = new Uint8Array(256);
  for (let c = 0; c < 256; c++) foldTable[c] = fold(c);
  const present = new Uint8Array(atoms.length);
  const evalF = (f: F): boolean => {
    switch (f.k) {
      case 'true':
        return true;
      case 'false':
        return false;
      case 'var':
        return present[f.v] === 1;
      case 'size':
        return sizeHolds(f.op, size, f.n);
      case 'and':
        return f.xs.every(evalF);
      case 'or':
        return f.xs.some(evalF);
    }
  };
  const alwaysScan = ungated.length > 0;
  let size = 0;
  /** A gate that holds with no atom for some size (`filesize < 512 or $a`). */
  const sizeOnly = gates.some(function anySize(f: F): boolean {
    return f.k === 'size' || ((f.k === 'and' || f.k === 'or') && f.xs.some(anySize));
  });

  return {
    ruleCount,
    ungated,
    mayMatch(bytes: Uint8Array): boolean {
      if (alwaysScan) return true;
      size = bytes.length;
      // With no atom found only a gate that some size alone satisfies can hold: skip the walk otherwise.
      return (findAtoms(bytes) || sizeOnly) && gates.some(evalF);
    },
    candidates(bytes: Uint8Array): string[] {
      size = bytes.length;
      findAtoms(bytes);
      return [...ungated, ...gateNames.filter((_, i) => evalF(gates[i]!))];
    },
  };

  /** Marks the atoms present in `bytes`; false if there is none. */
  function findAtoms(bytes: Uint8Array): boolean {
    {
      present.fill(0);
      if (!gates.length || bytes.length < MIN_ATOM) return false;
      let found = false;
      const n = bytes.length;
      const verify = (ai: number, s: number): void => {
        const a = atoms[ai]!;
        if (s < 0 || s + a.length > n) return;
        let j = 0;
        while (j < a.length && foldTable[bytes[s + j]!] === a[j]) j++;
        if (j === a.length) {
          present[ai] = 1;
          found = true;
        }
      };
      let k = foldTable[bytes[0]!]!;
      for (let i = 1; i < n; i++) {
        k = ((k << 8) | foldTable[bytes[i]!]!) >>> 0;
        if (hasShort && shortFlag[k & 0xffff] === 1) for (const ai of short.get(k & 0xffff)!) verify(ai, i - 1);
        if (i < 3) continue;
        const h = Math.imul(k, 0x9e3779b1) >>> (32 - BLOOM_BITS);
        if ((bloom[h >>> 5]! & (1 << (h & 31))) === 0) continue;
        const list = byKey.get(k);
        if (!list) continue;
        for (const { atom, off } of list) verify(atom, i - 3 - off);
      }
      return found;
    }
  }
}

function sizeHolds(op: string, size: number, n: number): boolean {
  switch (op) {
    case '<':
      return size < n;
    case '<=':
      return size <= n;
    case '>':
      return size > n;
    case '>=':
      return size >= n;
    case '==':
      return size === n;
    default:
      return size !== n;
  }
}
