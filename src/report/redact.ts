import { createHmac, randomBytes } from 'node:crypto';
import type { ScanResult } from '../scan.js';
import { incidents } from './html/loose.js';

/**
 * Pseudonyms for sharing outside the organisation: every mailbox address and account name the scan
 * extracted is replaced, wherever it appears in the result (entities, fields, summaries, reasons,
 * incidents, next steps), by `mailbox-<hmac>@redacted.invalid` or `account-<hmac>`. The HMAC-SHA256
 * key is random per run unless EXHUNT_REDACT_KEY gives one, so the same name gets the same pseudonym
 * throughout one report (and across reports made with the same key), and nobody without the key can
 * test a guess.
 */

/** Built-in Windows principals: naming them reveals nothing about the organisation's people. */
const BUILTIN = new Set(['system', 'nt authority\\system', 'local service', 'nt authority\\local service', 'network service', 'nt authority\\network service', 'anonymous logon', 'nt authority\\anonymous logon', '-', '']);

export interface Redactor {
  /** The pseudonym of one name (mailbox or account). */
  pseudonym(value: string, kind: 'mailbox' | 'account'): string;
  /** A copy of the result with every known mailbox and account name replaced. */
  redact(r: ScanResult): ScanResult;
}

export function redactionKey(env: NodeJS.ProcessEnv = process.env): Buffer {
  const k = env['EXHUNT_REDACT_KEY'];
  return k ? Buffer.from(k, 'utf8') : randomBytes(32);
}

export function createRedactor(key: Buffer): Redactor {
  const pseudonym = (value: string, kind: 'mailbox' | 'account'): string => {
    // Case-insensitive, as Exchange and Windows treat these names.
    const h = createHmac('sha256', key).update(`${kind}\u0000${value.toLowerCase()}`).digest('hex').slice(0, 12);
    return kind === 'mailbox' ? `mailbox-${h}@redacted.invalid` : `account-${h}`;
  };

  const redact = (r: ScanResult): ScanResult => {
    const names = new Map<string, string>(); // lower-cased name → pseudonym
    const add = (v: string, kind: 'mailbox' | 'account') => {
      const t = v.trim();
      if (t.length < 2 || BUILTIN.has(t.toLowerCase())) return;
      if (!names.has(t.toLowerCase())) names.set(t.toLowerCase(), pseudonym(t, kind));
      // The bare user part too: `CONTOSO\k.ito` and `k.ito@contoso.com` also appear as `k.ito` in paths and logs.
      const user = kind === 'account' ? t.split('\\').pop()! : t.split('@')[0]!;
      if (user !== t && user.length >= 3 && !BUILTIN.has(user.toLowerCase()) && !names.has(user.toLowerCase())) names.set(user.toLowerCase(), pseudonym(user, 'account'));
    };
    for (const f of r.findings) {
      f.entities.mailboxes.forEach((m) => add(m, 'mailbox'));
      f.entities.accounts.forEach((a) => add(a, 'account'));
    }
    for (const inc of incidents(r)) {
      inc.mailboxes.forEach((m) => add(m.mailbox, 'mailbox'));
      inc.accounts.forEach((a) => add(a, 'account'));
    }
    const copy = structuredClone(r);
    if (!names.size) return copy;
    return walk(copy, nameReplacer(names)) as ScanResult;
  };
  return { pseudonym, redact };
}

/**
 * Replaces every known name that stands as a whole token: not preceded by a word character, `.`, `@` or
 * `-`, not followed by a word character, `@`, `-` or `.` + word character; at each start the longest
 * such name wins, as a longest-first alternation of all names would (case-insensitive, `/iu` folding).
 * One Aho-Corasick automaton over the reversed names instead of that alternation: names are
 * attacker-chosen and can number thousands, and the regex tried each of them at every position.
 */
export function nameReplacer(names: ReadonlyMap<string, string>): (s: string) => string {
  // Trie of the folded, reversed names; node 0 is the root.
  const next: Array<Map<number, number>> = [new Map()];
  const depth: number[] = [0];
  const term: boolean[] = [false];
  let minLen = Infinity;
  for (const name of names.keys()) {
    const cps = Array.from(name, (c) => fold(c.codePointAt(0)!));
    minLen = Math.min(minLen, cps.length);
    let node = 0;
    for (let i = cps.length - 1; i >= 0; i--) {
      let child = next[node]!.get(cps[i]!);
      if (child === undefined) {
        child = next.length;
        next.push(new Map());
        depth.push(depth[node]! + 1);
        term.push(false);
        next[node]!.set(cps[i]!, child);
      }
      node = child;
    }
    term[node] = true;
  }
  // Failure links, and `dict`: the nearest name-ending node on the failure chain (-1: none).
  const fail = new Int32Array(next.length);
  const dict = new Int32Array(next.length).fill(-1);
  const queue: number[] = [...next[0]!.values()];
  for (let q = 0; q < queue.length; q++) {
    const u = queue[q]!;
    for (const [c, v] of next[u]!) {
      let f = fail[u]!;
      while (f !== 0 && !next[f]!.has(c)) f = fail[f]!;
      fail[v] = next[f]!.get(c) ?? 0;
      dict[v] = term[fail[v]!] ? fail[v]! : dict[fail[v]!]!;
      queue.push(v);
    }
  }

  let offs = new Int32Array(0); // code unit offset of each code point, and the string length after the last
  let cpAt = new Int32Array(0);
  let best = new Int32Array(0); // length in code points of the name replaced at each start, 0: none
  return (s: string): string => {
    if (s.length < minLen) return s; // fewer code points than the shortest name
    if (offs.length <= s.length) {
      offs = new Int32Array(s.length + 1);
      cpAt = new Int32Array(s.length);
      best = new Int32Array(s.length);
    }
    let m = 0;
    for (let i = 0; i < s.length; ) {
      const cp = s.codePointAt(i)!;
      offs[m] = i;
      cpAt[m++] = cp;
      i += cp > 0xffff ? 2 : 1;
    }
    offs[m] = s.length;
    // Right to left: the automaton's state at code point j holds every name that starts at j.
    let state = 0;
    let any = false;
    for (let j = m - 1; j >= 0; j--) {
      const c = fold(cpAt[j]!);
      while (state !== 0 && !next[state]!.has(c)) state = fail[state]!;
      state = next[state]!.get(c) ?? 0;
      best[j] = 0;
      if (!startOk(s, offs[j]!)) continue;
      // Longest first; a name whose end is not a token boundary gives way to a shorter one.
      for (let node = term[state] ? state : dict[state]!; node > 0; node = dict[node]!) {
        if (endOk(s, offs[j + depth[node]!]!)) {
          best[j] = depth[node]!;
          any = true;
          break;
        }
      }
    }
    if (!any) return s;
    let out = '';
    let last = 0;
    for (let j = 0; j < m; ) {
      if (!best[j]) {
        j++;
        continue;
      }
      const a = offs[j]!;
      const b = offs[j + best[j]!]!;
      const hit = s.slice(a, b);
      out += s.slice(last, a) + (names.get(hit.toLowerCase()) ?? hit);
      last = b;
      j += best[j]!;
    }
    return out + s.slice(last);
  };
}

/** `\w` under the `iu` flags: ASCII word characters, and ſ and the Kelvin sign (they fold to s and k). */
function isWord(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 0x17f || c === 0x212a;
}
/** (?<![\w.@-]) */
function startOk(s: string, i: number): boolean {
  if (i === 0) return true;
  const c = s.charCodeAt(i - 1);
  return !(isWord(c) || c === 46 || c === 64 || c === 45);
}
/** (?![\w@-]|\.\w) */
function endOk(s: string, i: number): boolean {
  if (i >= s.length) return true;
  const c = s.charCodeAt(i);
  if (isWord(c) || c === 64 || c === 45) return false;
  return !(c === 46 && i + 1 < s.length && isWord(s.charCodeAt(i + 1)));
}

/** Two code points the `iu` regex flags treat as equal (a back-reference compares by that folding). */
const SAME_FOLD = /^(.)\1$/isu;
const foldCache = new Map<number, number>();
const MAX_FOLD_CACHE = 4096;

/**
 * One representative per `iu` case-folding class: the smallest equal code point found among the
 * character's case mappings (ASCII letters fold to lower case).
 */
function fold(cp: number): number {
  if (cp < 128) return cp >= 65 && cp <= 90 ? cp + 32 : cp;
  let r = foldCache.get(cp);
  if (r !== undefined) return r;
  const c = String.fromCodePoint(cp);
  r = cp;
  for (const x of [c.toLowerCase(), c.toUpperCase(), c.toUpperCase().toLowerCase(), c.toLowerCase().toUpperCase(), c.normalize('NFC')]) {
    const y = x.codePointAt(0)!;
    if (x.length === (y > 0xffff ? 2 : 1) && y < r && SAME_FOLD.test(c + x)) r = y;
  }
  if (r >= 65 && r <= 90) r += 32;
  // Bounded: report text can hold any code point (a hostile one, all of them).
  if (foldCache.size < MAX_FOLD_CACHE) foldCache.set(cp, r);
  return r;
}

/** Every string value (and object key) in a JSON-like tree, rewritten in place. */
function walk(v: unknown, fn: (s: string) => string): unknown {
  if (typeof v === 'string') return fn(v);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = walk(v[i], fn);
    return v;
  }
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      const nk = fn(k);
      const val = walk(o[k], fn);
      if (nk !== k) delete o[k];
      o[nk] = val;
    }
    return o;
  }
  return v;
}
