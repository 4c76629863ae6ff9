/**
 * Literal pre-filters.
 *
 * A rule's pre-filter is a set of literals such that any record the rule matches contains at least one
 * of them in its raw text. The hunt engine scans large chunks for these before any per-line work, so
 * the set must be *sound* (never drop a record the rule would match) and should be *selective*.
 *
 * Algebra over "literal sets" (`null` = no guarantee):
 * - a string test contributes one literal: its longest safe literal run (every run of a wildcard
 *   pattern must occur in a matching value, and a field value occurs verbatim in the raw text);
 * - OR (value lists, `1 of`, `or`) = union, and `null` if any branch is `null`;
 * - AND (selection fields, `|all`, `all of`, `and`) = the single most selective non-null branch;
 * - `not`, null checks, `exists`, numeric comparisons, `cidr`, `fieldref` and regexes without a
 *   provable literal are `null`.
 *
 * Safety cuts, because a field value is not always written byte-for-byte in the raw line:
 * - literals are ASCII only (non-ASCII characters split them), so scanners can fold case bytewise and
 *   Unicode case mapping cannot shift positions;
 * - `"` splits literals (CSV writers double it inside quoted fields);
 * - characters a virtual field inserts (`?` in `@uri` = stem + `?` + query) split literals.
 *
 * Case: literals are lower-cased and compared case-insensitively unless every literal in the final
 * set comes from a case-sensitive test (`|cased`, base64 output, regexes without `i`).
 */
import type { CompiledRule } from './types.js';

export interface LitSet {
  lits: string[];
  cased: boolean;
  /**
   * Further sets the record must ALSO satisfy (from an AND): `/owa/` and `powershell` are each in
   * thousands of benign lines, together in none. The hunt's scanner checks them per record.
   */
  also?: LitSet[];
}

/** At most this many clauses besides the primary set are kept per rule. */
const MAX_ALSO = 3;

/**
 * Benign lines typical of the logs we scan (written for this purpose, not copied from any log). A
 * literal that occurs in them matches nearly every line and is a poor pre-filter.
 */
const TYPICAL = [
  '2021-03-02 22:41:07 10.0.0.5 POST /owa/auth.owa - 443 - 203.0.113.24 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/89.0.4389.82+Safari/537.36 https://mail.example.com/owa/auth/logon.aspx?replaceCurrent=1&url=https%3a%2f%2fmail.example.com%2fowa%2f 302 0 0 15',
  '2021-03-02 22:41:08 10.0.0.5 GET /ecp/default.aspx - 443 EXAMPLE\\user 203.0.113.24 Microsoft+Office/16.0+(Windows+NT+10.0;+Microsoft+Outlook+16.0.13801;+Pro) - 200 0 0 31',
  '2021-03-02T22:41:09.123Z,a1b2c3d4-0000-0000-0000-000000000000,15,2,792,3,,Ews,true,user@example.com,example.com,,Microsoft Office/16.0,HTTP/1.1,Kerberos,true,POST,,200,200,,10.0.0.5,MX1.example.local,ServerRequest,https://mx1.example.local:444/ews/exchange.asmx,,,,,,',
  // Autodiscover requests are in every HttpProxy log.
  '2021-03-02T22:41:10.000Z,d4c3b2a1-0000-0000-0000-000000000000,15,1,2176,2,,Autodiscover,mail.example.com,/autodiscover/autodiscover.xml,,Negotiate,true,EXAMPLE\\user,,Smtp~user@example.com,Microsoft Office/16.0,203.0.113.24,MX1,200,200,,POST',
  // Remote PowerShell health probes and OWA's static scripts fill IIS logs.
  '2021-03-02 22:41:11 ::1 POST /powershell clientApplication=ActiveMonitor;PSVersion=5.1.17763.1 80 EXAMPLE\\HealthMailbox0a1b2c Microsoft+WinRM+Client - 200 0 0 9',
  '2021-03-02 22:41:12 10.0.0.5 GET /owa/prem/15.2.792.3/scripts/boot.worldwide.0.mouse.js - 443 EXAMPLE\\user 203.0.113.24 Mozilla/5.0 - 200 0 0 3',
  // File inventory records (product: exhunt, category: file): common folders are not selective.
  'C:\\Windows\\Temp\\tmp5A1F.tmp tmp5A1F.tmp .tmp C:\\Windows\\Temp 4096 2021-03-02T22:41:07.000Z',
  'C:\\ProgramData\\Microsoft\\Windows\\WER\\Temp\\report.wer C:\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\HttpProxy\\owa\\auth\\logon.aspx C:\\inetpub\\wwwroot\\aspnet_client\\system_web\\',
].map((s) => s.toLowerCase());

function cost(lit: string): number {
  const l = lit.toLowerCase();
  if (TYPICAL.some((t) => t.includes(l))) return 1;
  // A percent-escape of a letter or digit (from a URL-decoded field, src/rules/decode.ts): clients never
  // need to escape those, so it is as rare as a much longer literal.
  if (/^%(u00)?([46][1-9a-f]|[57][0-9a]|3[0-9])$/.test(l)) return 1 / 64;
  return 1 / ((1 + lit.length) * (1 + lit.length));
}

export function setCost(s: LitSet): number {
  let c = 0;
  for (const l of s.lits) c += cost(l);
  return c;
}

/** Split a literal at characters that may not appear verbatim in the raw text; keep the best piece. */
export function safePieces(text: string, joiners = ''): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const code = text.charCodeAt(i);
    if (code > 0x7f || c === '"' || joiners.includes(c)) {
      if (cur) out.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  if (cur) out.push(cur);
  return out;
}

/**
 * The pre-filter of one test with known required literal runs, or null if none survives the cuts. Every
 * run is required, so they combine like an AND: the most selective is the primary set, and when it is
 * typical of benign lines the others become clauses (a regex's `/owa/` … `/powershell`).
 */
export function fromPieces(pieces: readonly string[], cased: boolean, joiners = ''): LitSet | null {
  const runs: string[] = [];
  for (const p of pieces) runs.push(...safePieces(p, joiners));
  if (runs.length === 0) return null;
  // Cheapest first, the longer of equally cheap ones: andSets keeps this order among equals.
  runs.sort((a, b) => cost(a) - cost(b) || b.length - a.length);
  return andSets(runs.map((r) => ({ lits: [cased ? r : r.toLowerCase()], cased })));
}

/** OR: the union; null if any branch has no guarantee. */
export function orSets(sets: ReadonlyArray<LitSet | null>): LitSet | null {
  if (sets.length === 0) return null;
  // One branch is no union: keep its clauses.
  if (sets.length === 1) return sets[0] ? { ...sets[0], lits: minimise(sets[0].cased ? sets[0].lits : sets[0].lits.map((l) => l.toLowerCase())) } : null;
  let cased = true;
  for (const s of sets) {
    if (s === null) return null;
    if (!s.cased) cased = false;
  }
  const all: string[] = [];
  for (const s of sets as LitSet[]) for (const l of s.lits) all.push(cased ? l : l.toLowerCase());
  return { lits: minimise(all), cased };
}

/**
 * AND: the most selective branch is the primary set (any one branch's guarantee holds for the
 * conjunction); the next most selective ones are kept as `also` clauses.
 */
export function andSets(sets: ReadonlyArray<LitSet | null>): LitSet | null {
  const clauses: LitSet[] = [];
  for (const s of sets) {
    if (s === null) continue;
    clauses.push({ lits: s.lits, cased: s.cased });
    if (s.also) clauses.push(...s.also);
  }
  if (clauses.length === 0) return null;
  // A set with a literal typical of benign lines passes nearly every record: such sets rank last, and
  // sets of tokens in every line (a status `200`, `get`, one or two bytes) after them.
  const useless = (l: string): boolean => l.length < 3 || /^\d{3}$/.test(l) || l === 'get';
  const rank = (c: LitSet): number => (c.lits.some(useless) ? 2 : c.lits.some((l) => cost(l) === 1) ? 1 : 0);
  const keyed = clauses.map((c, i) => ({ c, i, typical: rank(c), cost: setCost(c), key: `${c.cased ? 'c' : 'i'}\0${[...c.lits].sort().join('\0')}` }));
  keyed.sort((a, b) => a.typical - b.typical || a.cost - b.cost || a.c.lits.length - b.c.lits.length || a.i - b.i);
  const seen = new Set<string>();
  const uniq = keyed.filter((k) => !seen.has(k.key) && seen.add(k.key)).map((k) => k.c);
  const [best, ...rest] = uniq as [LitSet, ...LitSet[]];
  // Clauses are searched too, and each occurrence costs a little, so they are kept only when the primary
  // set has a literal typical of benign lines (`powershell`, `/auth/`): then the pair is what is rare
  // (`post` is worth pairing with `/auth/`; `get` or `200` are not).
  const weak = best.lits.some((l) => cost(l) === 1);
  const also = weak ? rest.filter((c) => !c.lits.some(useless)).slice(0, MAX_ALSO) : [];
  return also.length ? { lits: best.lits, cased: best.cased, also } : { lits: best.lits, cased: best.cased };
}

/**
 * Drop duplicates and literals that contain another literal of the set (a raw text containing the
 * longer one contains the shorter one, so the longer one adds nothing to a union).
 */
export function minimise(lits: readonly string[]): string[] {
  const uniq = [...new Set(lits)].sort((a, b) => a.length - b.length);
  const out: string[] = [];
  for (const l of uniq) if (!out.some((s) => l.includes(s))) out.push(l);
  return out.sort(); // stable output for reports and tests
}

/**
 * A union of many literals costs one search pass per literal. Past `max`, literals that share a
 * substring (4+ characters, not typical of benign lines) are replaced by it: still a sound
 * necessary condition, checked by the full rule afterwards, and far fewer passes.
 */
export function compact(lits: readonly string[], max = 10): string[] {
  let cur = minimise(lits);
  while (cur.length > max) {
    const counts = new Map<string, number>();
    for (const l of cur) {
      const seen = new Set<string>();
      for (let len = 4; len <= 8; len++) for (let i = 0; i + len <= l.length; i++) seen.add(l.slice(i, i + len));
      for (const sub of seen) counts.set(sub, (counts.get(sub) ?? 0) + 1);
    }
    let best: string | undefined;
    let bestScore = 0;
    for (const [sub, n] of counts) {
      if (n < 3 || cost(sub) === 1) continue;
      const score = n * 16 + sub.length;
      if (score > bestScore) {
        best = sub;
        bestScore = score;
      }
    }
    if (!best) break;
    const b = best;
    cur = minimise([b, ...cur.filter((l) => !l.includes(b))]);
  }
  return cur;
}

export function finalise(s: LitSet | null): CompiledRule['prefilter'] {
  if (s === null || s.lits.length === 0 || s.lits.some((l) => l.length === 0)) return null;
  const lits = s.cased ? minimise(s.lits) : minimise(s.lits.map((l) => l.toLowerCase()));
  // Clauses are compared case-insensitively (a relaxation of a case-sensitive test: still sound).
  const also = (s.also ?? []).filter((a) => a.lits.length > 0 && a.lits.every((l) => l.length > 0)).map((a) => minimise(a.lits.map((l) => l.toLowerCase())));
  return also.length ? { literals: lits, caseSensitive: s.cased, also } : { literals: lits, caseSensitive: s.cased };
}

/**
 * One pre-filter for a list of rules (the hot path scans each chunk once for all of them): the union
 * of their literals, or null if any rule has none. Case-insensitive unless every rule is case-sensitive.
 */
export function unionPrefilter(rules: readonly Pick<CompiledRule, 'prefilter'>[]): CompiledRule['prefilter'] {
  const sets: Array<LitSet | null> = rules.map((r) =>
    r.prefilter ? { lits: r.prefilter.literals, cased: r.prefilter.caseSensitive } : null,
  );
  return finalise(orSets(sets));
}

/** Reference check used by tests and by callers without a faster scanner (primary set and clauses). */
export function prefilterAccepts(p: CompiledRule['prefilter'] | UnionFilter, raw: string): boolean {
  if (p === null) return true;
  const low = raw.toLowerCase();
  const rules = 'rules' in p && p.rules ? p.rules : null;
  if (rules) return rules.some((clauses) => clauses.every((c) => c.some((l) => low.includes(l))));
  const primary = p.caseSensitive ? p.literals.some((l) => raw.includes(l)) : p.literals.some((l) => low.includes(l));
  return primary && ('also' in p && p.also ? p.also.every((c) => c.some((l) => low.includes(l))) : true);
}

/**
 * The pre-filter of a list of rules with their clauses: a record passes when, for some rule, every
 * clause (the primary set first) has a literal in it. `literals` is the union of all of them, for the
 * scanner; `rules` is present only when some rule has clauses (else the union alone is the test).
 * Case-insensitive unless every literal is case-sensitive (and then no rule has clauses).
 */
export interface UnionFilter {
  literals: string[];
  caseSensitive: boolean;
  rules?: string[][][];
}

export function unionFilter(rules: readonly Pick<CompiledRule, 'prefilter'>[]): UnionFilter | null {
  const u = unionPrefilter(rules);
  if (u === null || !rules.some((r) => r.prefilter?.also?.length)) return u;
  const fold = (l: string) => l.toLowerCase();
  const out = rules.map((r) => [r.prefilter!.literals.map(fold), ...(r.prefilter!.also ?? [])]);
  const all = new Set<string>();
  for (const clauses of out) for (const c of clauses) for (const l of c) all.add(l);
  return { literals: [...all].sort(), caseSensitive: false, rules: out };
}
