/**
 * Compiles Sigma `detection` selections into predicates over an EvalState, each with its pre-filter
 * literal set.
 *
 * Semantics (Sigma specification):
 * - a map is an AND of its field entries; a list of maps is an OR of the maps;
 * - a list of plain values (strings/numbers) is a keyword selection: OR of "raw text contains";
 * - a field's value list is an OR (AND with `|all`);
 * - `null` matches a field that is absent or empty (`-` too for IIS, see mappings);
 * - string comparisons are case-insensitive unless `|cased`; `|re` is case-sensitive unless `|i` or
 *   `(?i)`; numbers compare numerically when both sides are decimal numbers.
 */
import { RuleProblem } from './problem.js';
import { parseFieldKey, windashVariants, applyByteTransforms, type FieldSpec } from './modifiers.js';
import { parseWildcards, compileWildcard, hasWildcards, tokensToLiteral, type StringMatcher, type MatchMode } from './wildcard.js';
import { compileRe2, regexLiterals, type Re2 } from './regex.js';
import { parseCidr, parseIp, inNetwork, type Network } from './cidr.js';
import { resolveField, VIRTUAL_FIELDS, type SourceMapping } from './mappings.js';
import { fromPieces, orSets, andSets, setCost, type LitSet } from './prefilter.js';
import { percentVariants } from './decode.js';
import type { EvalState, SlotTable } from './evalstate.js';

export type Pred = (st: EvalState) => boolean;

export interface CompiledSelection {
  test: Pred;
  lits: LitSet | null;
}

/** Where a Sigma field's value comes from: see mappings.ts. */
export interface Accessor {
  sigma: string;
  primary: number[];
  also: number[];
  /** Characters virtual fields insert (literal cut points for the pre-filter). */
  joiners: string;
  /** The field is URL-decoded: its literals may be percent-encoded in the raw text. */
  urlDecoded?: boolean;
}

export interface CompileEnv {
  mapping: SourceMapping;
  slots: SlotTable;
  /** Sigma field names read, for CompiledRule.fields. */
  fields: Set<string>;
}

export function accessorFor(env: CompileEnv, sigma: string): Accessor {
  if (sigma === '' || sigma === '_raw') {
    return { sigma: '_raw', primary: [env.slots.slot('_raw')], also: [], joiners: '' };
  }
  env.fields.add(sigma);
  const fm = resolveField(env.mapping, sigma);
  let joiners = '';
  let urlDecoded = false;
  for (const n of [...fm.names, ...(fm.also ?? [])]) {
    if (!n.startsWith('@')) continue;
    joiners += VIRTUAL_FIELDS[n]?.joiners ?? '';
    if (VIRTUAL_FIELDS[n]?.urlDecoded) urlDecoded = true;
  }
  return {
    sigma,
    primary: fm.names.map((n) => env.slots.slot(n)),
    also: (fm.also ?? []).map((n) => env.slots.slot(n)),
    joiners,
    ...(urlDecoded ? { urlDecoded } : {}),
  };
}

/** First present primary slot, or -1. */
function primarySlot(st: EvalState, acc: Accessor): number {
  const p = acc.primary;
  for (let k = 0; k < p.length; k++) if (st.str(p[k]!) !== undefined) return p[k]!;
  return -1;
}

/** A test on one value of a field. */
interface ValueTest {
  /** Also try the mapping's `also` fields (string and regex tests). */
  widen: boolean;
  /** Result when the field is absent. */
  missing: boolean;
  test(st: EvalState, slot: number): boolean;
  /**
   * For plain case-insensitive string tests: the matcher over the lower-cased value, so a value list
   * lower-cases the field once and runs the matchers back to back.
   */
  onLower?: (lowered: string) => boolean;
  lits: LitSet | null;
}

/**
 * OR over value tests of one field (the common value-list case): the field is resolved once, and the
 * lower-cased value is handed to every plain string matcher in turn.
 */
function anyFieldTest(acc: Accessor, vts: readonly ValueTest[]): Pred {
  if (vts.length === 1) return fieldTest(acc, vts[0]!);
  const missing = vts.some((v) => v.missing);
  const lowerFns = vts.filter((v) => v.onLower).map((v) => v.onLower!);
  const others = vts.filter((v) => !v.onLower);
  const othersWiden = others.filter((v) => v.widen);
  const also = acc.also;
  const check = (st: EvalState, slot: number, rest: readonly ValueTest[]): boolean => {
    if (lowerFns.length) {
      const s = st.lower(slot)!;
      for (let k = 0; k < lowerFns.length; k++) if (lowerFns[k]!(s)) return true;
    }
    for (let k = 0; k < rest.length; k++) if (rest[k]!.test(st, slot)) return true;
    return false;
  };
  return (st) => {
    const p = primarySlot(st, acc);
    if (p < 0) {
      if (missing) return true;
    } else if (check(st, p, others)) {
      return true;
    }
    for (let k = 0; k < also.length; k++) {
      const a = also[k]!;
      if (st.str(a) !== undefined && check(st, a, othersWiden)) return true;
    }
    return false;
  };
}

function fieldTest(acc: Accessor, vt: ValueTest): Pred {
  const also = acc.also;
  return (st) => {
    const p = primarySlot(st, acc);
    if (p < 0) {
      if (vt.missing) return true;
    } else if (vt.test(st, p)) {
      return true;
    }
    if (vt.widen) for (let k = 0; k < also.length; k++) if (st.str(also[k]!) !== undefined && vt.test(st, also[k]!)) return true;
    return false;
  };
}

// ---------------------------------------------------------------------------------------------------
// Value tests

/**
 * Strict decimal number: optional sign, digits, optional fraction; no exponent, no hex, at most 15
 * digits (so the double is exact and two different numbers never compare equal).
 */
export function decimal(s: string): number | undefined {
  if (s.length === 0 || s.length > 17) return undefined;
  let i = s[0] === '-' || s[0] === '+' ? 1 : 0;
  let digits = 0;
  let dot = false;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (++digits > 15) return undefined;
    }
    else if (c === 46 && !dot && digits > 0 && i < s.length - 1) dot = true;
    else return undefined;
  }
  return digits > 0 ? Number(s) : undefined;
}

function numericOf(st: EvalState, slot: number): number | undefined {
  const v = st.value(slot);
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  const s = st.str(slot);
  return s === undefined ? undefined : decimal(s.trim());
}

function stringTest(m: StringMatcher, acc: Accessor, numeric: number | undefined): ValueTest {
  let lits = fromPieces(m.pieces, m.cased, acc.joiners);
  if (numeric !== undefined) {
    // `401` also equals `401.0` or `0401` numerically; those all contain the canonical digits.
    const canon = String(numeric);
    lits = /e/i.test(canon) ? null : fromPieces([canon.replace(/^-/, '')], false, acc.joiners);
  }
  if (acc.urlDecoded) lits = encodedLits(lits);
  return {
    widen: true,
    missing: false,
    lits,
    ...(numeric === undefined && !m.cased ? { onLower: m.test } : {}),
    test: numeric === undefined
      ? (m.cased ? (st, i) => m.test(st.str(i)!) : (st, i) => m.test(st.lower(i)!))
      : (st, i) => {
          const n = numericOf(st, i);
          if (n !== undefined) return n === numeric;
          return m.cased ? m.test(st.str(i)!) : m.test(st.lower(i)!);
        },
  };
}

/**
 * A literal of a URL-decoded value is in the raw text as written, or one of its characters was
 * percent-encoded there: the set becomes the literal plus those escapes (case-insensitive, since escapes
 * may use either hex case).
 */
function encodedLits(s: LitSet | null): LitSet | null {
  if (s === null) return null;
  // Any substring of a required literal is required too. Punctuation is what clients escape anyway
  // (`/` as `%2f`, common in benign URLs), so keep the rarest run of letters and digits and expand only it.
  const core = (l: string): string => {
    let best = '';
    for (const run of l.split(/[^A-Za-z0-9]+/)) {
      if (!run) continue;
      if (!best || setCost({ lits: [run], cased: false }) < setCost({ lits: [best], cased: false })) best = run;
    }
    return best || l;
  };
  const enc = (x: LitSet): LitSet => ({ lits: x.lits.flatMap((l) => percentVariants(core(l))), cased: false });
  return s.also ? { ...enc(s), also: s.also.map(enc) } : enc(s);
}

function scalarText(v: unknown, key: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new RuleProblem(`'${key}' has a value of type ${Array.isArray(v) ? 'list' : typeof v}; expected a string, number, boolean or null`, 'invalid');
}

/** Value tests for one entry value (several for windash/base64offset expansions). */
function valueTests(spec: FieldSpec, key: string, v: unknown, acc: Accessor, env: CompileEnv): ValueTest[] {
  if (v === null) {
    if (spec.kind !== 'equals' || spec.transforms.length) throw new RuleProblem(`'${key}': null cannot take modifiers`, 'invalid');
    if (acc.sigma === '_raw') throw new RuleProblem(`keyword selection cannot be null`, 'invalid');
    const empties = env.mapping.emptyValues;
    return [{ widen: false, missing: true, lits: null, test: (st, i) => { const s = st.str(i)!; return s === '' || empties.includes(s); } }];
  }
  switch (spec.kind) {
    case 'exists': {
      if (typeof v !== 'boolean') throw new RuleProblem(`'${key}': exists needs true or false`, 'invalid');
      return [{ widen: false, missing: !v, lits: null, test: () => v }];
    }
    case 'gt': case 'gte': case 'lt': case 'lte': {
      const n = typeof v === 'number' ? v : decimal(scalarText(v, key));
      if (n === undefined || !Number.isFinite(n)) throw new RuleProblem(`'${key}': ${spec.kind} needs a number, got '${String(v)}'`, 'invalid');
      const op = spec.kind;
      return [{
        widen: false, missing: false, lits: null,
        test: (st, i) => {
          const x = numericOf(st, i);
          if (x === undefined) return false;
          return op === 'gt' ? x > n : op === 'gte' ? x >= n : op === 'lt' ? x < n : x <= n;
        },
      }];
    }
    case 'cidr': {
      const net: Network = parseCidr(scalarText(v, key));
      const scratch = new Uint8Array(16);
      return [{ widen: false, missing: false, lits: null, test: (st, i) => parseIp(st.str(i)!, scratch) && inNetwork(scratch, net) }];
    }
    case 'fieldref': {
      const other = accessorFor(env, scalarText(v, key));
      const mode = spec.refMode;
      const cased = spec.cased;
      return [{
        widen: false, missing: false, lits: null,
        test: (st, i) => {
          const o = primarySlot(st, other);
          if (o < 0) return false;
          const a = cased ? st.str(i)! : st.lower(i)!;
          const b = cased ? st.str(o)! : st.lower(o)!;
          return mode === 'equals' ? a === b : mode === 'contains' ? a.includes(b) : mode === 'startswith' ? a.startsWith(b) : a.endsWith(b);
        },
      }];
    }
    case 're': {
      const pattern = scalarText(v, key);
      const re: Re2 = compileRe2(pattern, spec.reFlags, `'${key}' regex`);
      const found = regexLiterals(pattern);
      const ci = spec.reFlags.i || (found?.caseInsensitive ?? false);
      const lits = found ? fromPieces(found.pieces, !ci, acc.joiners) : null;
      return [{
        widen: true, missing: false,
        lits: acc.urlDecoded ? encodedLits(lits) : lits,
        test: (st, i) => re.test(st.str(i)!),
      }];
    }
    default: {
      const text = scalarText(v, key);
      const mode = spec.kind as MatchMode;
      const variants = spec.transforms.includes('windash') ? windashVariants(text) : [text];
      const bytes = spec.transforms.filter((t) => t !== 'windash');
      const out: ValueTest[] = [];
      for (const variant of variants) {
        const tokens = parseWildcards(variant);
        if (bytes.length) {
          if (hasWildcards(tokens)) throw new RuleProblem(`'${key}': wildcards cannot be combined with ${bytes.join(', ')}`, 'invalid');
          // Encoded output is data, not text: match it exactly as produced (case-sensitive), never as a pattern.
          const base64 = bytes.includes('base64') || bytes.includes('base64offset');
          for (const enc of applyByteTransforms(tokensToLiteral(tokens), spec.transforms)) {
            out.push(stringTest(compileWildcard([enc], mode, spec.cased || base64), acc, undefined));
          }
        } else {
          const numeric = mode === 'equals' && !spec.cased && !hasWildcards(tokens) && typeof v !== 'boolean'
            ? decimal(text.trim()) : undefined;
          out.push(stringTest(compileWildcard(tokens, mode, spec.cased), acc, numeric));
        }
      }
      return out;
    }
  }
}

/** One `field|mods: value(s)` entry. */
function compileEntry(key: string, value: unknown, env: CompileEnv): CompiledSelection {
  const spec = parseFieldKey(key);
  // Keywords (no field) match anywhere in the raw text.
  if (spec.field === '' && spec.kind === 'equals') spec.kind = 'contains';
  const acc = accessorFor(env, spec.field);
  const values = Array.isArray(value) ? value : [value];
  if (values.length === 0) throw new RuleProblem(`'${key}' has an empty value list`, 'invalid');
  // A list of values is an OR; `|all` makes it an AND. Expansions of one value (windash,
  // base64offset) are always an OR among themselves.
  const groups: ValueTest[][] = values.map((v) => {
    if (v !== null && typeof v === 'object') throw new RuleProblem(`'${key}' has a nested ${Array.isArray(v) ? 'list' : 'map'} value`, 'invalid');
    return valueTests(spec, key, v, acc, env);
  });
  if (!spec.all || groups.length === 1) {
    const flat = groups.flat();
    return { test: anyFieldTest(acc, flat), lits: orSets(flat.map((vt) => vt.lits)) };
  }
  // `|all`: every value (each with its expansions as an OR) must hold.
  const preds = groups.map((g) => anyFieldTest(acc, g));
  return {
    test: (st) => { for (const p of preds) if (!p(st)) return false; return true; },
    lits: andSets(groups.map((g) => orSets(g.map((vt) => vt.lits)))),
  };
}

function compileMap(map: Record<string, unknown>, env: CompileEnv, where: string): CompiledSelection {
  const keys = Object.keys(map);
  if (keys.length === 0) throw new RuleProblem(`${where} is an empty map`, 'invalid');
  const entries = keys.map((k) => compileEntry(k, map[k], env));
  const preds = entries.map((e) => e.test);
  return {
    test: preds.length === 1 ? preds[0]! : (st) => { for (const p of preds) if (!p(st)) return false; return true; },
    lits: andSets(entries.map((e) => e.lits)),
  };
}

/** Compile one named selection (`selection:`, `filter_x:`, `keywords:`). */
export function compileSelection(name: string, value: unknown, env: CompileEnv): CompiledSelection {
  const where = `selection '${name}'`;
  if (value === null || value === undefined) throw new RuleProblem(`${where} is empty`, 'invalid');
  if (typeof value === 'string' || typeof value === 'number') return compileEntry('', [value], env);
  if (Array.isArray(value)) {
    if (value.length === 0) throw new RuleProblem(`${where} is an empty list`, 'invalid');
    const scalars = value.filter((v) => typeof v === 'string' || typeof v === 'number');
    const parts: CompiledSelection[] = [];
    if (scalars.length) parts.push(compileEntry('', scalars, env));
    for (const v of value) {
      if (typeof v === 'string' || typeof v === 'number') continue;
      if (v === null || typeof v !== 'object' || Array.isArray(v)) {
        throw new RuleProblem(`${where} mixes keywords with a ${v === null ? 'null' : Array.isArray(v) ? 'list' : typeof v}`, 'invalid');
      }
      parts.push(compileMap(v as Record<string, unknown>, env, where));
    }
    if (parts.length === 1) return parts[0]!;
    const preds = parts.map((p) => p.test);
    return { test: (st) => { for (const p of preds) if (p(st)) return true; return false; }, lits: orSets(parts.map((p) => p.lits)) };
  }
  if (typeof value === 'object') return compileMap(value as Record<string, unknown>, env, where);
  throw new RuleProblem(`${where} has a value of type ${typeof value}`, 'invalid');
}
