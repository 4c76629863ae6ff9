import type { ScanResult } from '../../scan.js';
import type { Finding } from '../../model/finding.js';

/**
 * Readers for parts of the result other modules are adding (incidents, mitigations, installed
 * updates, collected-archive details). They are typed loosely on purpose: a report must render a
 * result written by an older or newer exhunt, and anything missing or oddly shaped is simply left out.
 */

export type Loose = Record<string, unknown>;

export function obj(v: unknown): Loose | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Loose) : undefined;
}
export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;
}
export function strs(v: unknown): string[] {
  return Array.isArray(v) ? v.map(str).filter((x): x is string => x !== undefined) : [];
}
export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export interface IncidentView {
  id: string;
  status?: string;
  families: string[];
  start?: string;
  end?: string;
  ips: Array<{ ip: string; requests?: number; first?: string; last?: string; stages: string[] }>;
  shells: Array<{ path: string; url?: string; sha256?: string; written?: string; writtenTime?: string; firstAccess?: string; lastAccess?: string; accesses?: number; accessIps: string[] }>;
  mailboxes: Array<{ mailbox: string; how: string[] }>;
  accounts: string[];
  allMailboxesReachable: boolean;
  allMailboxesReason?: string;
  exposure?: { start?: string; end?: string; endReason?: string };
  links: string[];
  findingIds: string[];
  timeline: Array<{ time?: string; lastTime?: string; stage?: string; text: string; findingId?: string; where?: string; count?: number }>;
}

function firstStr(o: Loose, keys: string[]): string | undefined {
  for (const k of keys) {
    const v = str(o[k]);
    if (v) return v;
  }
  return undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** `result.incidents[]` (src/correlate/incidents.ts), read so that plain strings work where objects are expected. */
export function incidents(r: ScanResult): IncidentView[] {
  const out: IncidentView[] = [];
  arr((r as unknown as Loose)['incidents']).forEach((raw, i) => {
    const o = obj(raw);
    if (!o) return;
    const w = obj(o['window']) ?? {};
    const exp = obj(o['exposure']);
    out.push({
      id: str(o['id']) ?? String(i + 1),
      status: str(o['status']),
      families: strs(o['families']),
      start: str(w['start']) ?? str(o['start']),
      end: str(w['end']) ?? str(o['end']),
      ips: arr(o['ips'])
        .map((x) => {
          if (typeof x === 'string') return { ip: x, stages: [] };
          const xo = obj(x);
          const ip = xo && str(xo['ip']);
          return ip ? { ip, requests: num(xo!['requests']), first: str(xo!['first']), last: str(xo!['last']), stages: strs(xo!['stages']) } : undefined;
        })
        .filter((x): x is NonNullable<typeof x> => !!x),
      shells: arr(o['shells'])
        .map((x) => {
          if (typeof x === 'string') return { path: x, accessIps: [] };
          const so = obj(x);
          const path = so && firstStr(so, ['path', 'url', 'file', 'name']);
          if (!so || !path) return undefined;
          const wr = obj(so['written']);
          return {
            path,
            url: str(so['url']) !== path ? str(so['url']) : undefined,
            sha256: firstStr(so, ['sha256', 'hash']),
            written: wr ? str(wr['how']) : undefined,
            writtenTime: wr ? str(wr['time']) : undefined,
            firstAccess: str(so['firstAccess']),
            lastAccess: str(so['lastAccess']),
            accesses: num(so['accesses']),
            accessIps: strs(so['accessIps']),
          };
        })
        .filter((x): x is NonNullable<typeof x> => !!x),
      mailboxes: arr(o['mailboxes'])
        .map((x) => (typeof x === 'string' ? { mailbox: x, how: [] } : obj(x) && str(obj(x)!['mailbox']) ? { mailbox: str(obj(x)!['mailbox'])!, how: strs(obj(x)!['how']) } : undefined))
        .filter((x): x is NonNullable<typeof x> => !!x),
      accounts: arr(o['accounts'])
        .map((x) => (typeof x === 'string' ? x : obj(x) ? firstStr(obj(x)!, ['account', 'name']) : undefined))
        .filter((x): x is string => !!x),
      allMailboxesReachable: o['allMailboxesReachable'] === true,
      allMailboxesReason: str(o['allMailboxesReason']),
      exposure: exp ? { start: str(exp['start']), end: str(exp['end']), endReason: str(exp['endReason']) } : undefined,
      links: strs(o['links']),
      findingIds: strs(o['findingIds']),
      timeline: arr(o['timeline'])
        .map((e) => {
          if (typeof e === 'string') return { text: e };
          const eo = obj(e);
          if (!eo) return undefined;
          const src = obj(eo['source']);
          const where = src ? [str(src['path']), str(src['line']) ?? (str(src['record']) ? `#${str(src['record'])}` : undefined)].filter(Boolean).join(':') : str(eo['where']);
          return {
            time: firstStr(eo, ['time', 'at', 'start']),
            lastTime: str(eo['lastTime']),
            stage: str(eo['stage']),
            text: firstStr(eo, ['text', 'summary', 'title', 'what', 'label']) ?? '',
            findingId: firstStr(eo, ['findingId', 'finding']),
            where,
            count: num(eo['count']),
          };
        })
        .filter((x): x is NonNullable<typeof x> => !!x),
    });
  });
  return out;
}

/** `result.scanning`: scanner activity summed up (IPs that only probed). */
export function scanning(r: ScanResult): { ipCount: number; requests: number; first?: string; last?: string; top: Array<{ ip: string; requests: number }> } | undefined {
  const o = obj((r as unknown as Loose)['scanning']);
  if (!o) return undefined;
  return {
    ipCount: num(o['ipCount']) ?? 0,
    requests: num(o['requests']) ?? 0,
    first: str(o['first']),
    last: str(o['last']),
    top: arr(o['top'])
      .map((x) => (obj(x) && str(obj(x)!['ip']) ? { ip: str(obj(x)!['ip'])!, requests: num(obj(x)!['requests']) ?? 0 } : undefined))
      .filter((x): x is NonNullable<typeof x> => !!x),
  };
}

/**
 * `host.exchange.mitigations` (src/detect/config): `{ families: { id: { status, reasons, rewriteMitigationExists } }, note }`;
 * also read: a plain map of family → status or object, or a list with a family field.
 */
export function mitigations(r: ScanResult): { rows: Array<{ name: string; status: string; detail: string; rewriteMitigationExists?: boolean }>; note?: string } {
  const m = (r.host.exchange as unknown as Loose)['mitigations'];
  const rows: Array<{ name: string; status: string; detail: string; rewriteMitigationExists?: boolean }> = [];
  const add = (name: string, v: unknown) => {
    const o = obj(v);
    if (typeof v === 'string') rows.push({ name, status: v, detail: '' });
    else if (o) {
      const reasons = strs(o['reasons']);
      rows.push({
        name,
        status: firstStr(o, ['status', 'state']) ?? 'unknown',
        detail: reasons.length ? reasons.join('; ') : detailOf(o, ['status', 'state', 'family', 'id', 'name']),
        ...(typeof o['rewriteMitigationExists'] === 'boolean' ? { rewriteMitigationExists: o['rewriteMitigationExists'] } : {}),
      });
    }
  };
  const mo = obj(m);
  if (Array.isArray(m)) for (const v of m) add(firstStr(obj(v) ?? {}, ['family', 'id', 'name']) ?? '?', v);
  else if (mo && obj(mo['families'])) for (const [k, v] of Object.entries(obj(mo['families'])!)) add(k, v);
  else if (mo) for (const [k, v] of Object.entries(mo)) add(k, v);
  return { rows, note: mo ? str(mo['note']) : undefined };
}

/** Installed updates: whichever of the likely field names is present. */
export function installedUpdates(r: ScanResult): Array<{ name: string; detail: string }> {
  const ex = r.host.exchange as unknown as Loose;
  const list = ex['installedUpdates'] ?? ex['updates'] ?? obj(ex['registry'])?.['updates'];
  return arr(list)
    .map((u) => {
      if (typeof u === 'string') return { name: u, detail: '' };
      const o = obj(u);
      if (!o) return undefined;
      const kb = str(o['kb']);
      const name = str(o['name']);
      return { name: kb ?? name ?? firstStr(o, ['title', 'id', 'su']) ?? '?', detail: [kb ? name : undefined, str(o['installedDate']) ? `installed ${str(o['installedDate'])}` : undefined, str(o['product'])].filter(Boolean).join(' · ') };
    })
    .filter((x): x is { name: string; detail: string } => !!x);
}

/** A short `key: value · …` line of an object's scalar fields (nested objects are left out). */
export function detailOf(o: Loose, skip: string[] = []): string {
  return Object.entries(o)
    .filter(([k, v]) => !skip.includes(k) && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'))
    .slice(0, 8)
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join(' · ');
}

/** Where the scanned evidence came from, when a collected archive (exhunt collect) was scanned. */
export function archiveOf(r: ScanResult): { path: string; sha256?: string } | undefined {
  const ev = r.host.evidence as unknown as Loose;
  const a = obj(ev['archive']) ?? obj(ev['collection']) ?? obj(ev['manifest']);
  if (a) return { path: firstStr(a, ['path', 'file', 'name']) ?? r.host.evidence.path, sha256: firstStr(a, ['sha256', 'archiveSha256', 'hash']) };
  if (str(ev['kind']) === 'zip' || /\.zip$/i.test(r.host.evidence.path)) return { path: r.host.evidence.path, sha256: str(ev['sha256']) };
  return undefined;
}

/** A SHA-256 the finding carries for a file (file-scan findings put it in fields or entities). */
export function sha256Of(f: Finding): string | undefined {
  for (const [k, v] of Object.entries(f.fields ?? {})) if (/^sha-?256$/i.test(k) && /^[0-9a-f]{64}$/i.test(v)) return v.toLowerCase();
  return (f.entities?.hashes ?? []).find((h) => /^[0-9a-f]{64}$/i.test(h))?.toLowerCase();
}

/** The SOFTWARE hive's Setup key version (`host.exchange.registry.setup`), when read. */
export function setupKey(r: ScanResult): { version?: string; lastWritten?: string } | undefined {
  const setup = obj(obj((r.host.exchange as unknown as Loose)['registry'])?.['setup']);
  return setup ? { version: str(setup['version']), lastWritten: str(setup['lastWritten']) } : undefined;
}
