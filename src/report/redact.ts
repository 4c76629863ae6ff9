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
    // Longest first, so `k.ito@contoso.com` is replaced whole before `k.ito` could match inside it;
    // a name matches only as a whole token (not inside a longer word or address).
    const alternatives = [...names.keys()].sort((a, b) => b.length - a.length).map((n) => n.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
    const re = new RegExp(`(?<![\\w.@-])(?:${alternatives.join('|')})(?![\\w@-]|\\.\\w)`, 'giu');
    const replace = (s: string): string => s.replace(re, (m) => names.get(m.toLowerCase()) ?? m);
    return walk(copy, replace) as ScanResult;
  };
  return { pseudonym, redact };
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
