import { createHash, randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import type { ScanResult } from '../scan.js';
import type { Finding } from '../model/finding.js';
import { type Tlp } from './tlp.js';
import { sha256Of } from './html/loose.js';

export { parseTlp, TLP_LEVELS, type Tlp } from './tlp.js';

/**
 * STIX 2.1 bundle of what a CERT or ISAC can use elsewhere: the attacker's IP addresses, the hashes,
 * paths and URL paths of files the attacker wrote or used, as indicators with STIX patterns, plus one
 * observed-data per finding that saw them. Marked with a TLP 2.0 marking definition (OASIS TLP 2.0
 * extension; TLP 1.0 predefined ids have no CLEAR or AMBER+STRICT).
 */

/** The TLP 2.0 extension-definition id and its five published marking-definition ids. */
export const TLP2_EXTENSION = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d';
export const TLP2_MARKINGS: Record<Tlp, string> = {
  clear: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  green: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  amber: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'amber+strict': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  red: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
};

export function tlpMarkingDefinition(tlp: Tlp): Record<string, unknown> {
  return {
    type: 'marking-definition',
    spec_version: '2.1',
    id: TLP2_MARKINGS[tlp],
    created: '2022-10-01T00:00:00.000Z',
    name: `TLP:${tlp.toUpperCase()}`,
    extensions: { [TLP2_EXTENSION]: { extension_type: 'property-extension', tlp_2_0: tlp } },
  };
}

/** STIX's namespace for SCO identifiers (UUIDv5 over the canonical JSON of the ID contributing properties). */
export const SCO_NAMESPACE = '00abedb4-aa42-466c-9c01-fed23315a9b7';

/** RFC 4122 name-based UUID, version 5 (SHA-1). */
export function uuidv5(name: string, namespace: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const h = createHash('sha1').update(ns).update(Buffer.from(name, 'utf8')).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** RFC 8785 canonical JSON for what SCO ids are computed over: strings and objects only here. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  // JCS sorts by UTF-16 code units, which is what the default string comparison does.
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(',')}}`;
}

export function scoId(type: string, contributing: Record<string, unknown>): string {
  return `${type}--${uuidv5(canonicalJson(contributing), SCO_NAMESPACE)}`;
}

/** A string literal inside a STIX pattern: backslash and quote are the only escapes. */
export function patternString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Addresses worth sharing: not loopback, private, link-local or unspecified (those say nothing elsewhere). */
export function isShareableIp(ip: string): boolean {
  const v = isIP(ip);
  if (v === 4) {
    const [a, b] = ip.split('.').map(Number) as [number, number];
    return !(a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || a >= 224);
  }
  if (v === 6) {
    const l = ip.toLowerCase();
    return !(l === '::' || l === '::1' || /^fe[89ab]/.test(l) || /^f[cd]/.test(l) || /^ff/.test(l) || l.startsWith('::ffff:'));
  }
  return false;
}

export interface StixOptions {
  tlp: Tlp;
  /** created/modified of the objects (default: now). */
  now?: Date;
}

type Obj = Record<string, unknown>;

interface IndicatorSeed {
  key: string;
  name: string;
  pattern: string;
  validFrom?: string;
  findings: Finding[];
  kind: 'ip' | 'hash' | 'path' | 'url-path';
}

/** Windows path → directory + name; `/`-rooted paths are URL paths (request targets), not files. */
function splitWinPath(p: string): { dir: string; name: string } | undefined {
  const m = /^(.*)[\\/]([^\\/]+)$/.exec(p);
  if (!m || !/^[A-Za-z]:[\\/]|^\\\\/.test(p)) return undefined;
  return { dir: m[1]!.replace(/\//g, '\\'), name: m[2]! };
}

function earliest(a: string | undefined, b: string | undefined): string | undefined {
  if (!a) return b;
  if (!b) return a;
  return a < b ? a : b;
}

/** The STIX 2.1 bundle (an object; JSON.stringify it to write). */
export function stixBundle(r: ScanResult, opts: StixOptions): Obj {
  const now = (opts.now ?? new Date()).toISOString();
  const marking = TLP2_MARKINGS[opts.tlp];
  const hostile = r.findings.filter((f) => f.evidence === 'success' || f.evidence === 'attempt');
  const seeds = new Map<string, IndicatorSeed>();
  const seed = (s: Omit<IndicatorSeed, 'findings'>, f: Finding) => {
    const e = seeds.get(s.key) ?? { ...s, findings: [] };
    e.validFrom = earliest(e.validFrom, f.time);
    e.findings.push(f);
    seeds.set(s.key, e);
  };
  const scos = new Map<string, Obj>();
  const addSco = (o: Obj): string => {
    scos.set(o['id'] as string, o);
    return o['id'] as string;
  };
  const observed: Obj[] = [];

  for (const f of hostile) {
    const refs: string[] = [];
    for (const ip of f.entities.ips) {
      if (!isShareableIp(ip)) continue;
      const type = isIP(ip) === 6 ? 'ipv6-addr' : 'ipv4-addr';
      seed({ key: `ip:${ip}`, name: `Exchange exploitation source ${ip}`, pattern: `[${type}:value = ${patternString(ip)}]`, kind: 'ip' }, f);
      refs.push(addSco({ type, spec_version: '2.1', id: scoId(type, { value: ip }), value: ip }));
    }
    // Files count only where the finding proves the attacker wrote or used them.
    if (f.evidence === 'success') {
      const sha = sha256Of(f);
      for (const p of f.entities.paths) {
        if (p.startsWith('/')) {
          seed({ key: `url:${p.toLowerCase()}`, name: `Web shell URL path ${p}`, pattern: `[network-traffic:extensions.'http-request-ext'.request_value = ${patternString(p)}]`, kind: 'url-path' }, f);
          continue;
        }
        const parts = splitWinPath(p);
        if (!parts) continue;
        seed(
          { key: `path:${p.toLowerCase()}`, name: `Attacker file ${p}`, pattern: `[file:name = ${patternString(parts.name)} AND file:parent_directory_ref.path = ${patternString(parts.dir)}]`, kind: 'path' },
          f,
        );
        const dirId = addSco({ type: 'directory', spec_version: '2.1', id: scoId('directory', { path: parts.dir }), path: parts.dir });
        const hashes = sha && f.entities.paths.length === 1 ? { 'SHA-256': sha } : undefined;
        refs.push(addSco({ type: 'file', spec_version: '2.1', id: scoId('file', { ...(hashes ? { hashes } : {}), name: parts.name, parent_directory_ref: dirId }), ...(hashes ? { hashes } : {}), name: parts.name, parent_directory_ref: dirId }));
        refs.push(dirId);
      }
      for (const h of new Set([...(sha ? [sha] : []), ...f.entities.hashes.map((x) => x.toLowerCase())])) {
        const algo = h.length === 64 ? 'SHA-256' : h.length === 40 ? 'SHA-1' : h.length === 32 ? 'MD5' : undefined;
        if (!algo || !/^[0-9a-f]+$/.test(h)) continue;
        seed({ key: `hash:${h}`, name: `Attacker file ${algo} ${h}`, pattern: `[file:hashes.${algo === 'SHA-256' ? "'SHA-256'" : algo === 'SHA-1' ? "'SHA-1'" : 'MD5'} = ${patternString(h)}]`, kind: 'hash' }, f);
        if (!f.entities.paths.length) refs.push(addSco({ type: 'file', spec_version: '2.1', id: scoId('file', { hashes: { [algo]: h } }), hashes: { [algo]: h } }));
      }
    }
    if (!refs.length) continue;
    const first = f.time ?? r.tool.startedAt;
    observed.push({
      type: 'observed-data',
      spec_version: '2.1',
      id: `observed-data--${randomUUID()}`,
      created: now,
      modified: now,
      first_observed: stixTime(first),
      last_observed: stixTime(f.lastTime ?? first),
      number_observed: Math.min(999_999_999, Math.max(1, f.count)),
      object_refs: [...new Set(refs)],
      object_marking_refs: [marking],
      labels: [f.ruleId.slice(0, 200)],
    });
  }

  const indicators: Obj[] = [...seeds.values()].map((s) => {
    const cves = [...new Set(s.findings.flatMap((f) => f.cves))];
    const types = s.kind === 'ip' ? ['malicious-activity'] : ['malicious-activity', 'compromised'];
    return {
      type: 'indicator',
      spec_version: '2.1',
      id: `indicator--${randomUUID()}`,
      created: now,
      modified: now,
      name: s.name.slice(0, 500),
      description: `Seen by exhunt on ${r.host.name ?? 'an Exchange server'}: ${s.findings
        .slice(0, 5)
        .map((f) => `${f.summary} (${f.ruleId})`)
        .join('; ')
        .slice(0, 2000)}`,
      indicator_types: types,
      pattern: s.pattern,
      pattern_type: 'stix',
      pattern_version: '2.1',
      valid_from: stixTime(s.validFrom ?? r.tool.startedAt),
      object_marking_refs: [marking],
      ...(cves.length ? { external_references: cves.map((c) => ({ source_name: 'cve', external_id: c })) } : {}),
    };
  });

  return {
    type: 'bundle',
    id: `bundle--${randomUUID()}`,
    objects: [tlpMarkingDefinition(opts.tlp), ...indicators, ...observed, ...scos.values()],
  };
}

/** STIX timestamps: RFC 3339, UTC, `Z`; milliseconds kept as ISO gives them. */
function stixTime(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? new Date(0).toISOString() : new Date(t).toISOString();
}

export function stixJson(r: ScanResult, opts: StixOptions): string {
  return `${JSON.stringify(stixBundle(r, opts), null, 2)}\n`;
}
