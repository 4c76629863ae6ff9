/**
 * Sigma condition parser.
 *
 * Grammar (precedence `not` > `and` > `or`, all keywords case-insensitive):
 *
 *   expr    := andExpr ( 'or' andExpr )*
 *   andExpr := notExpr ( 'and' notExpr )*
 *   notExpr := 'not' notExpr | primary
 *   primary := '(' expr ')' | quant 'of' target | IDENT
 *   quant   := NUMBER | 'all' | 'any'          ('any' is the old spelling of '1')
 *   target  := 'them' | IDENT-with-* wildcards
 *
 * `of them` ignores identifiers starting with `_` (Sigma's convention for helper selections).
 * Aggregations (`| count() > 5`) and `near` are reported as unsupported.
 */
import { RuleProblem } from './problem.js';

export type CondNode =
  | { t: 'id'; name: string }
  | { t: 'and'; items: CondNode[] }
  | { t: 'or'; items: CondNode[] }
  | { t: 'not'; item: CondNode }
  /** `n` = how many must match; `'all'` = every one. `names` are the resolved identifiers. */
  | { t: 'of'; n: number | 'all'; names: string[]; pattern: string };

interface Tok {
  v: string;
  pos: number;
}

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      out.push({ v: c, pos: i });
      i++;
    } else if (c === '|') {
      throw new RuleProblem(`aggregation in condition ('${src.slice(i).trim()}')`, 'unsupported');
    } else {
      const start = i;
      while (i < src.length && !/[\s()|]/.test(src[i]!)) i++;
      out.push({ v: src.slice(start, i), pos: start });
    }
  }
  return out;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'of', 'them', 'all', 'any', 'near']);

/** Glob over identifiers (only `*` is special in condition patterns). */
function identMatcher(pattern: string): (name: string) => boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return (n) => n === pattern;
  return (n) => {
    if (!n.startsWith(parts[0]!)) return false;
    let pos = parts[0]!.length;
    for (let k = 1; k < parts.length - 1; k++) {
      const at = n.indexOf(parts[k]!, pos);
      if (at < 0) return false;
      pos = at + parts[k]!.length;
    }
    const last = parts[parts.length - 1]!;
    return n.length - last.length >= pos && n.endsWith(last);
  };
}

/**
 * Parse `condition` against the rule's selection names. Throws RuleProblem on syntax errors, unknown
 * identifiers or patterns that match nothing.
 */
export function parseCondition(src: string, selections: readonly string[]): CondNode {
  const toks = tokenize(src);
  let p = 0;
  const known = new Set(selections);
  const peek = (): string | undefined => toks[p]?.v;
  const lower = (): string | undefined => toks[p]?.v.toLowerCase();
  const fail = (msg: string): never => {
    const at = toks[p]?.pos ?? src.length;
    throw new RuleProblem(`condition '${src}': ${msg} at column ${at + 1}`, 'invalid');
  };

  function expr(): CondNode {
    const items = [andExpr()];
    while (lower() === 'or') {
      p++;
      items.push(andExpr());
    }
    return items.length === 1 ? items[0]! : { t: 'or', items };
  }
  function andExpr(): CondNode {
    const items = [notExpr()];
    while (lower() === 'and') {
      p++;
      items.push(notExpr());
    }
    return items.length === 1 ? items[0]! : { t: 'and', items };
  }
  function notExpr(): CondNode {
    if (lower() === 'not') {
      p++;
      return { t: 'not', item: notExpr() };
    }
    return primary();
  }
  function primary(): CondNode {
    const v = peek();
    if (v === undefined) return fail('unexpected end');
    if (v === '(') {
      p++;
      const e = expr();
      if (peek() !== ')') fail(`expected ')'`);
      p++;
      return e;
    }
    const lv = v.toLowerCase();
    if (lv === 'near') throw new RuleProblem(`'near' in condition`, 'unsupported');
    const isQuant = lv === 'all' || lv === 'any' || /^\d+$/.test(v);
    if (isQuant && toks[p + 1]?.v.toLowerCase() === 'of') {
      p += 2;
      const target = peek();
      if (target === undefined || target === '(' || target === ')') return fail(`expected a name or 'them' after 'of'`);
      p++;
      const n: number | 'all' = lv === 'all' ? 'all' : lv === 'any' ? 1 : Number(v);
      if (n !== 'all' && n < 1) fail(`'${v} of' needs a count of at least 1`);
      let names: string[];
      if (target.toLowerCase() === 'them') {
        names = selections.filter((s) => !s.startsWith('_'));
      } else {
        const m = identMatcher(target);
        names = selections.filter(m);
        if (names.length === 0) fail(`'${target}' matches no selection`);
      }
      if (names.length === 0) fail(`no selections for 'of'`);
      return { t: 'of', n, names, pattern: target };
    }
    if (KEYWORDS.has(lv) || v === ')') return fail(`unexpected '${v}'`);
    if (!known.has(v)) return fail(`unknown selection '${v}'`);
    p++;
    return { t: 'id', name: v };
  }

  if (toks.length === 0) throw new RuleProblem('empty condition', 'invalid');
  const root = expr();
  if (p < toks.length) fail(`unexpected '${peek()}'`);
  return root;
}

/** Every selection name a condition reads. */
export function conditionNames(node: CondNode, out: Set<string> = new Set()): Set<string> {
  switch (node.t) {
    case 'id': out.add(node.name); break;
    case 'of': for (const n of node.names) out.add(n); break;
    case 'not': conditionNames(node.item, out); break;
    default: for (const i of node.items) conditionNames(i, out);
  }
  return out;
}
