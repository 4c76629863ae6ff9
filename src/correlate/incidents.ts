import type { Finding } from '../model/finding.js';
import type { SourcePointer } from '../model/record.js';
import type { Verdict } from './verdicts.js';
import { touchedMailboxes, type TouchedMailbox } from './mailboxes.js';
import {
  buildTimeline, cleanPath, findingLastTime, findingTime, isScriptPath, shellKey, stageOf, type Stage, type TimelineEntry,
} from './timeline.js';

/**
 * Findings → incidents: one story per intrusion instead of a pile of hits (docs/output.md, `incidents[]`).
 *
 * How findings are tied together, strongest first:
 * 1. the same attacker IP (exploit requests, shell requests);
 * 2. the same web shell: a path written (OAB generator, mailbox export) or found on disk that is later requested
 *    as a URL ties the writer to every IP that used it;
 * 3. records that carry no client IP (ECP and OAB generator logs, the back-end IIS site, event logs, files with a
 *    modification time) join the incident whose activity surrounds them in time;
 * 4. a shell used with no write of its own in the evidence joins the latest incident that wrote a file before the
 *    shell's first use ("linked by time order", as docs/verdicts.md row 2 does for verdicts).
 *
 * Groups with only failed exploit requests are merged into one `attempted` incident (mass exploitation sends the
 * same requests from many IPs; one incident per IP would be the pile of hits again). IPs that only probed
 * (scanners, vulnerability checks) are no incident at all: they are summed up in `scanning`.
 */

export interface IncidentIp {
  ip: string;
  first?: string;
  last?: string;
  /** Requests logged from this IP (the largest count among the logs that saw it; see docs/output.md). */
  requests: number;
  /** Stages this IP took part in (`exploit`, `shell-access` …). */
  stages: Stage[];
  findingIds: string[];
}

export interface IncidentShell {
  /** Path on disk (Windows form as written, or the evidence path of a file finding), when known. */
  path?: string;
  /** URL path it was requested as, when it was. */
  url?: string;
  sha256?: string;
  written?: { time?: string; findingId: string; how: string };
  firstAccess?: string;
  lastAccess?: string;
  /** Requests to the shell (every hit of the shell-use findings). */
  accesses: number;
  accessIps: string[];
  /** Evidence pointers of access lines (first hits and samples, up to 20). */
  accessLines: Array<SourcePointer & { kind: string }>;
  findingIds: string[];
}

export interface Incident {
  id: string;
  /** `compromised`: some finding proves success; `attempted`: exploit requests only. */
  status: 'compromised' | 'attempted';
  families: string[];
  window: { start?: string; end?: string };
  timeline: TimelineEntry[];
  ips: IncidentIp[];
  shells: IncidentShell[];
  /** Mailboxes named in the evidence as targeted, exported or read (the breach-notification list). */
  mailboxes: TouchedMailbox[];
  /** Code ran as SYSTEM (or the exploit reached the back end with the server's rights): every mailbox was reachable. */
  allMailboxesReachable: boolean;
  allMailboxesReason?: string;
  /** From the first time mailbox data was reachable to the end of what the evidence can tell. */
  exposure?: { start: string; end: string; endReason: string };
  accounts: Array<{ account: string; first?: string; findingIds: string[] }>;
  /** How the parts were tied together, in words. */
  links: string[];
  findingIds: string[];
}

export interface ScanningActivity {
  ipCount: number;
  requests: number;
  first?: string;
  last?: string;
  /** The busiest scanner IPs (up to 20). */
  top: Array<{ ip: string; requests: number; first?: string; last?: string }>;
  findingIds: string[];
}

export interface Correlation {
  incidents: Incident[];
  scanning: ScanningActivity | null;
}

export interface CorrelateInput {
  findings: Finding[];
  verdicts: Record<string, Verdict>;
  /** Latest record of the evidence (ISO), the end of exposure windows that nothing else closes. */
  evidenceEnd?: string;
}

/** Families whose successful exploitation runs code as SYSTEM or acts with the server's own rights. */
const SYSTEM_FAMILIES = new Set(['proxylogon', 'proxyshell', 'proxynotshell', 'owassrf', 'ecp-viewstate']);

/** Records without a client IP join an incident whose activity runs from this long before to this long after them. */
const BEFORE_MS = 10 * 60_000;
const AFTER_MS = 60 * 60_000;

class UnionFind {
  private parent = new Map<string, string>();
  find(x: string): string {
    if (!this.parent.has(x)) {
      this.parent.set(x, x);
      return x;
    }
    let r = x;
    while (this.parent.get(r) !== r) r = this.parent.get(r)!;
    // Path compression: later look-ups are one step.
    while (x !== r) {
      const next = this.parent.get(x)!;
      this.parent.set(x, r);
      x = next;
    }
    return r;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(rb, ra);
  }
}

const LOOPBACK = /^(127\.|::1$|0\.0\.0\.0$|-$)/;

/** The addresses of a finding that can be an attacker's (loopback, `0.0.0.0` and `-` are not). */
export function attackerIps(f: Finding): string[] {
  return f.entities.ips.filter((ip) => ip && !LOOPBACK.test(ip));
}

/** Shell keys a finding ties together: paths it wrote, found on disk or requested. */
function shellKeys(f: Finding, stage: Stage): string[] {
  if (stage !== 'file-write' && stage !== 'shell-access' && stage !== 'command') return [];
  const paths = [...f.entities.paths];
  if (stage === 'shell-access') for (const k of ['cs-uri-stem', 'UrlStem', 'c-uri']) if (f.fields[k]) paths.push(f.fields[k]!);
  if (f.source.kind === 'file' && isScriptPath(f.source.path)) paths.push(f.source.path);
  return [...new Set(paths.map(shellKey).filter((k): k is string => k !== undefined))];
}

interface Group {
  findings: Finding[];
  start?: number;
  end?: number;
  links: string[];
}

function ms(iso: string | undefined): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * First and last activity. A finding without a client IP counts by its first hit only: rules that group hits
 * without the IP (back-end IIS lines, cmdlet rows) can hold several actors' hits, and their last one would
 * stretch this incident over another actor's days.
 */
function spanOf(fs: Finding[]): { start?: number; end?: number } {
  let start: number | undefined;
  let end: number | undefined;
  for (const f of fs) {
    const a = ms(findingTime(f));
    const b = attackerIps(f).length ? ms(findingLastTime(f)) : a;
    if (a !== undefined && (start === undefined || a < start)) start = a;
    if (b !== undefined && (end === undefined || b > end)) end = b;
  }
  return { start, end };
}

const isSuccess = (f: Finding) => f.evidence === 'success';

/** Spans bucketed by hour: which spans (widened by the attach margins) contain a time. Wide spans are checked always. */
class TimeIndex<T extends { start?: number; end?: number }> {
  private buckets = new Map<number, T[]>();
  private wide: T[] = [];
  constructor(items: T[]) {
    for (const it of items) {
      if (it.start === undefined || it.end === undefined) continue;
      const a = Math.floor((it.start - BEFORE_MS) / 3_600_000);
      const b = Math.floor((it.end + AFTER_MS) / 3_600_000);
      if (b - a > 24 * 31) {
        this.wide.push(it);
        continue;
      }
      for (let h = a; h <= b; h++) {
        let list = this.buckets.get(h);
        if (!list) this.buckets.set(h, (list = []));
        list.push(it);
      }
    }
  }
  around(t: number): T[] {
    const hits = (this.buckets.get(Math.floor(t / 3_600_000)) ?? []).concat(this.wide);
    return hits.filter((it) => t >= it.start! - BEFORE_MS && t <= it.end! + AFTER_MS);
  }
}

export function correlateIncidents(input: CorrelateInput): Correlation {
  const { findings } = input;
  const uf = new UnionFind();
  const seeded: Finding[] = [];
  const pending: Finding[] = [];
  const probes: Finding[] = [];
  const context: Finding[] = [];
  const keysOf = new Map<string, { ips: string[]; shells: string[]; stage: Stage }>();

  for (const f of findings) {
    const stage = stageOf(f);
    const ips = attackerIps(f);
    const shells = shellKeys(f, stage);
    keysOf.set(f.id, { ips, shells, stage });
    if (f.evidence === 'probe') probes.push(f);
    else if (f.evidence === 'context') context.push(f);
    else if (ips.length || shells.length) {
      seeded.push(f);
      for (const ip of ips) uf.union(`f:${f.id}`, `ip:${ip}`);
      for (const s of shells) uf.union(`f:${f.id}`, `shell:${s}`);
    } else pending.push(f);
  }

  // Components of the seeded findings.
  const groups = new Map<string, Group>();
  const groupOf = (f: Finding): Group => {
    const root = uf.find(`f:${f.id}`);
    let g = groups.get(root);
    if (!g) groups.set(root, (g = { findings: [], links: [] }));
    return g;
  };
  for (const f of seeded) groupOf(f).findings.push(f);
  const linkedBy = new Map<string, string>();
  for (const g of groups.values()) {
    Object.assign(g, spanOf(g.findings));
    // Say which shell tied several IPs together.
    const ipsByShell = new Map<string, Set<string>>();
    for (const f of g.findings) {
      const k = keysOf.get(f.id)!;
      for (const s of k.shells) {
        if (!ipsByShell.has(s)) ipsByShell.set(s, new Set());
        for (const ip of k.ips) ipsByShell.get(s)!.add(ip);
      }
    }
    for (const [s, ips] of ipsByShell) {
      const writers = g.findings.filter((f) => keysOf.get(f.id)!.shells.includes(s) && keysOf.get(f.id)!.stage === 'file-write');
      if (ips.size > 1 || (writers.length && ips.size)) {
        g.links.push(`${s}: ${writers.length ? `written (${writers.map((w) => w.id).join(', ')}) and ` : ''}requested from ${[...ips].join(', ')}`);
      }
    }
  }

  // A write with no client IP (OAB generator, ECP) tied to a shell joins the exploit activity that surrounds it:
  // the shell's users and the exploit's IP are then one incident.
  // Spans of the IP-bearing part of each group, indexed by hour (thousands of attempt-only IPs are common).
  const ipSpans = new Map<Group, { start?: number; end?: number }>();
  for (const o of groups.values()) ipSpans.set(o, spanOf(o.findings.filter((y) => keysOf.get(y.id)!.ips.length)));
  const ipIndex = new TimeIndex([...groups.values()].map((o) => ({ ...ipSpans.get(o)!, group: o })));
  const live = new Set(groups.values());
  for (const [root, g] of [...groups]) {
    const noIp = g.findings.filter((x) => !keysOf.get(x.id)!.ips.length);
    if (!noIp.length) continue;
    for (const x of noIp) {
      const t = ms(findingTime(x));
      if (t === undefined) continue;
      const found = ipIndex.around(t).find((o) => o.group !== g && live.has(o.group));
      if (!found) continue;
      const h = found.group;
      h.findings.push(...g.findings);
      h.links.push(...g.links, `${x.id} (${x.title}) happened inside the exploit activity of ${[...new Set(h.findings.flatMap(attackerIps))].slice(0, 3).join(', ')}: the file it wrote ties that activity to the shell's users`);
      linkedBy.set(x.id, 'time: inside the exploit activity (the record has no client IP)');
      groups.delete(root);
      live.delete(g);
      break;
    }
  }
  for (const g of groups.values()) Object.assign(g, spanOf(g.findings));

  // Records without a client IP: the group whose activity surrounds them.
  const index = new TimeIndex([...groups.values()]);
  const byTime = (f: Finding): Group | undefined => {
    const t = ms(findingTime(f));
    if (t === undefined) return undefined;
    let best: Group | undefined;
    let bestDist = Infinity;
    for (const g of index.around(t)) {
      if (g.start === undefined || g.end === undefined) continue;
      if (t < g.start - BEFORE_MS || t > g.end + AFTER_MS) continue;
      const dist = t < g.start ? g.start - t : t > g.end ? t - g.end : 0;
      const better = dist < bestDist || (dist === bestDist && best && !best.findings.some(isSuccess) && g.findings.some(isSuccess));
      if (better) {
        best = g;
        bestDist = dist;
      }
    }
    return best;
  };
  const leftovers: Finding[] = [];
  for (const f of pending) {
    const g = byTime(f);
    if (g) {
      g.findings.push(f);
      linkedBy.set(f.id, 'time: inside the activity of this incident (the record has no client IP)');
    } else leftovers.push(f);
  }

  // A shell used with no write of its own in the evidence: the latest intrusion that wrote a file before its first use.
  const stageIs = (f: Finding, ...s: Stage[]) => s.includes(keysOf.get(f.id)!.stage);
  for (const [root, g] of [...groups]) {
    const own = g.findings.filter((f) => f.evidence !== 'context');
    const shellOnly = own.length > 0 && own.every((f) => stageIs(f, 'shell-access', 'command', 'credential-dump', 'exfiltration'));
    if (!shellOnly || g.start === undefined) continue;
    const writers = [...groups.entries()]
      .filter(([r, o]) => r !== root && o.start !== undefined && o.start <= g.start! && o.findings.some((f) => isSuccess(f) && stageIs(f, 'file-write')))
      .sort((a, b) => a[1].start! - b[1].start!);
    // No write in the evidence (ProxyNotShell and OWASSRF run code directly): the latest intrusion that ran code
    // as SYSTEM before the shell's first use.
    const runners = [...groups.entries()]
      .filter(([r, o]) => r !== root && o.start !== undefined && o.start <= g.start! && o.findings.some((f) => isSuccess(f) && f.family !== null && SYSTEM_FAMILIES.has(f.family)))
      .sort((a, b) => a[1].start! - b[1].start!);
    const target = writers[writers.length - 1] ?? runners[runners.length - 1];
    if (!target) continue;
    const [, w] = target;
    const write = w.findings.filter((f) => isSuccess(f) && stageIs(f, 'file-write')).map((f) => f.id);
    const users = [...new Set(g.findings.flatMap(attackerIps))].join(', ');
    w.links.push(write.length
      ? `shell use from ${users} (first ${new Date(g.start).toISOString()}) tied by time order to the file write (${write.join(', ')}): no other write precedes it in the evidence`
      : `shell use from ${users} (first ${new Date(g.start).toISOString()}) tied by time order to the code execution before it (${w.findings.filter((f) => isSuccess(f)).map((f) => f.id).slice(0, 3).join(', ')}): no write of the shell is in the evidence`);
    w.links.push(...g.links);
    w.findings.push(...g.findings);
    for (const f of g.findings) if (!linkedBy.has(f.id)) linkedBy.set(f.id, 'time order: shell used after this incident\'s file write');
    groups.delete(root);
    Object.assign(w, spanOf(w.findings));
  }

  // Failed or unexplained records with no IP and no neighbour in time.
  const compromisedGroups = () => [...groups.values()].filter((g) => g.findings.some(isSuccess));
  if (leftovers.length) {
    const targets = compromisedGroups().sort((a, b) => (a.start ?? 0) - (b.start ?? 0));
    if (targets.length) {
      for (const f of leftovers) {
        const t = ms(findingTime(f));
        const before = t === undefined ? [] : targets.filter((g) => g.start !== undefined && g.start <= t);
        const g = before.length ? before[before.length - 1]! : targets[0]!;
        g.findings.push(f);
        linkedBy.set(f.id, t === undefined ? 'no time and no IP: tied to the first intrusion' : 'time order: the latest intrusion that had begun (the record has no client IP)');
      }
    } else {
      // Nothing tells these records' actors apart: they are one story.
      const g: Group = { findings: leftovers, links: ['records without client IPs, grouped together: nothing in them tells actors apart'], ...spanOf(leftovers) };
      groups.set('leftovers', g);
    }
  }
  for (const g of groups.values()) Object.assign(g, spanOf(g.findings));

  // Groups with no client IP at all (shells on disk nobody was seen requesting, event-log records): no actor to
  // tell them apart, so they join the latest intrusion that had begun before them, or form one story together.
  const hasIp = (o: Group) => o.findings.some((f) => keysOf.get(f.id)!.ips.length > 0);
  const ipLess = [...groups.entries()].filter(([, o]) => !hasIp(o));
  if (ipLess.length) {
    const targets = [...groups.values()].filter((o) => hasIp(o) && o.findings.some(isSuccess) && o.start !== undefined).sort((a, b) => a.start! - b.start!);
    let sink: Group | undefined = targets.length ? undefined : ipLess[0]![1];
    for (const [root, o] of ipLess) {
      if (o === sink) continue;
      const before = o.start === undefined ? [] : targets.filter((x) => x.start! <= o.start!);
      const into = targets.length ? (before[before.length - 1] ?? targets[0]!) : sink!;
      into.findings.push(...o.findings);
      into.links.push(...o.links);
      for (const f of o.findings) {
        if (!linkedBy.has(f.id)) linkedBy.set(f.id, targets.length ? 'time order: no client IP; the latest intrusion that had begun before it' : 'no client IP: grouped with the other records that have none');
      }
      groups.delete(root);
    }
    if (sink) sink.links.push('records without client IPs, grouped together: nothing in them tells actors apart');
    for (const g of groups.values()) Object.assign(g, spanOf(g.findings));
  }

  // Probes of an incident's IPs belong to it (the first step of its story); the rest is scanning.
  const ipGroup = new Map<string, Group>();
  for (const g of groups.values()) for (const f of g.findings) for (const ip of attackerIps(f)) if (!ipGroup.has(ip)) ipGroup.set(ip, g);
  const scanningFindings: Finding[] = [];
  for (const f of probes) {
    const g = attackerIps(f).map((ip) => ipGroup.get(ip)).find((x) => x !== undefined);
    if (g) g.findings.push(f);
    else scanningFindings.push(f);
  }
  // Context (archives, accounts created, forwarding) joins by IP or shell, else only inside an incident's activity.
  const shellGroup = new Map<string, Group>();
  for (const g of groups.values()) for (const f of g.findings) for (const s of keysOf.get(f.id)!.shells) if (!shellGroup.has(s)) shellGroup.set(s, g);
  for (const g of groups.values()) Object.assign(g, spanOf(g.findings));
  // Spans stay fixed below (only findings are added), so one index serves every context finding; `order` keeps
  // the first group in map order, as a scan of all groups would pick.
  const contextIndex = new TimeIndex([...groups.values()].map((o, order) => ({ start: o.start, end: o.end, group: o, order })));
  for (const f of context) {
    const k = keysOf.get(f.id)!;
    let g = k.ips.map((ip) => ipGroup.get(ip)).find((x) => x !== undefined) ?? k.shells.map((s) => shellGroup.get(s)).find((x) => x !== undefined);
    if (!g) {
      const t = ms(findingTime(f));
      if (t !== undefined) {
        let first: { group: Group; order: number } | undefined;
        for (const hit of contextIndex.around(t)) if (!first || hit.order < first.order) first = hit;
        g = first?.group;
      }
      if (g) linkedBy.set(f.id, 'time: inside the activity of this incident');
    }
    if (g) g.findings.push(f);
  }

  // Attempt-only groups: one incident.
  const compromised = [...groups.values()].filter((g) => g.findings.some(isSuccess));
  const attempted = [...groups.values()].filter((g) => !g.findings.some(isSuccess));
  const merged: Group[] = [...compromised];
  if (attempted.length) {
    const fs = attempted.flatMap((g) => g.findings);
    const g: Group = { findings: fs, links: attempted.flatMap((a) => a.links), ...spanOf(fs) };
    if (attempted.length > 1) g.links.unshift(`${attempted.length} separate actors whose exploit requests show no success, listed together`);
    merged.push(g);
  }
  merged.sort((a, b) => Number(b.findings.some(isSuccess)) - Number(a.findings.some(isSuccess)) || (a.start ?? Infinity) - (b.start ?? Infinity));

  const incidents = merged.map((g, i) => buildIncident(`I${i + 1}`, g, linkedBy, keysOf, input));
  return { incidents, scanning: scanningOf(scanningFindings) };
}

function requestsByIp(fs: Finding[]): Map<string, number> {
  // Per log kind: de-duplicate hits listed in full (one request can match several rules), count the rest.
  const perKind = new Map<string, { pointers: Set<string>; big: number }>();
  const out = new Map<string, number>();
  const key = (ip: string, kind: string) => `${ip}\u0000${kind}`;
  for (const f of fs) {
    const ips = attackerIps(f);
    for (const ip of ips) {
      const k = key(ip, f.source.kind);
      let e = perKind.get(k);
      if (!e) perKind.set(k, (e = { pointers: new Set(), big: 0 }));
      const listed = f.count <= 1 + f.samples.length;
      if (ips.length === 1 && !listed) e.big = Math.max(e.big, f.count);
      else {
        for (const s of [f.source, ...f.samples.map((x) => x.source)]) {
          if (ips.length > 1 && s !== f.source) continue;
          e.pointers.add(`${s.path}:${s.line ?? s.record ?? s.offset ?? ''}`);
        }
      }
    }
  }
  for (const [k, e] of perKind) {
    const ip = k.slice(0, k.indexOf('\u0000'));
    out.set(ip, Math.max(out.get(ip) ?? 0, e.pointers.size, e.big));
  }
  return out;
}

function buildIncident(
  id: string, g: Group, linkedBy: Map<string, string>, keysOf: Map<string, { ips: string[]; shells: string[]; stage: Stage }>, input: CorrelateInput,
): Incident {
  const fs = [...new Map(g.findings.map((f) => [f.id, f])).values()];
  const timeline = buildTimeline(fs, linkedBy);
  const stage = (f: Finding) => keysOf.get(f.id)!.stage;
  const status: Incident['status'] = fs.some(isSuccess) ? 'compromised' : 'attempted';
  // Exploitation families only (a YARA match names a malware family, not how the server was exploited).
  const known = Object.keys(input.verdicts);
  const families = [...new Set(fs.filter((f) => f.family && f.evidence !== 'context' && (!known.length || known.includes(f.family))).map((f) => f.family!))].sort();

  // IPs.
  const requests = requestsByIp(fs.filter((f) => f.evidence !== 'context'));
  const ipMap = new Map<string, IncidentIp>();
  for (const f of fs) {
    if (f.evidence === 'context') continue;
    for (const ip of attackerIps(f)) {
      let e = ipMap.get(ip);
      if (!e) ipMap.set(ip, (e = { ip, requests: 0, stages: [], findingIds: [] }));
      const a = findingTime(f);
      const b = findingLastTime(f);
      if (a && (!e.first || a < e.first)) e.first = a;
      if (b && (!e.last || b > e.last)) e.last = b;
      if (!e.stages.includes(stage(f))) e.stages.push(stage(f));
      e.findingIds.push(f.id);
    }
  }
  for (const e of ipMap.values()) e.requests = requests.get(e.ip) ?? 0;
  const ips = [...ipMap.values()].sort((a, b) => (a.first ?? '').localeCompare(b.first ?? '') || a.ip.localeCompare(b.ip));

  // Shells.
  const shells = new Map<string, IncidentShell>();
  const shellFor = (k: string): IncidentShell => {
    let s = shells.get(k);
    if (!s) shells.set(k, (s = { accesses: 0, accessIps: [], accessLines: [], findingIds: [] }));
    return s;
  };
  const accessIpSets = new Map<IncidentShell, Set<string>>();
  for (const f of fs) {
    const k = keysOf.get(f.id)!;
    for (const key of k.shells) {
      const s = shellFor(key);
      s.findingIds.push(f.id); // shellKeys() are distinct per finding, finding ids unique
      const scriptPaths = f.entities.paths.filter((p) => shellKey(p) === key);
      if (k.stage === 'file-write') {
        const diskPath = f.source.kind === 'file' ? f.source.path : scriptPaths.map(cleanPath)[0];
        if (diskPath && (!s.path || f.source.kind === 'file')) s.path = diskPath;
        const hash = f.entities.hashes.find((h) => /^[0-9a-f]{64}$/i.test(h));
        if (hash) s.sha256 = hash.toLowerCase();
        const t = findingTime(f);
        if (f.source.kind !== 'file' || !s.written) {
          if (!s.written || (t && (!s.written.time || t < s.written.time) && f.source.kind !== 'file')) s.written = { ...(t ? { time: t } : {}), findingId: f.id, how: f.title };
        }
      } else if (k.stage === 'shell-access') {
        s.url ??= scriptPaths.map(cleanPath)[0] ?? cleanPath(f.fields['cs-uri-stem'] ?? f.fields['UrlStem'] ?? '');
        s.accesses += f.count;
        let seen = accessIpSets.get(s);
        if (!seen) accessIpSets.set(s, (seen = new Set(s.accessIps)));
        for (const ip of k.ips) if (!seen.has(ip)) {
          seen.add(ip);
          s.accessIps.push(ip);
        }
        const a = findingTime(f);
        const b = findingLastTime(f);
        if (a && (!s.firstAccess || a < s.firstAccess)) s.firstAccess = a;
        if (b && (!s.lastAccess || b > s.lastAccess)) s.lastAccess = b;
        for (const p of [f.source, ...f.samples.map((x) => ({ ...x.source, kind: f.source.kind }))]) {
          const dup = s.accessLines.some((q) => q.path === p.path && q.line === p.line && q.offset === p.offset);
          if (!dup && s.accessLines.length < 20) s.accessLines.push(p);
        }
      }
    }
  }
  const shellList = [...shells.values()].sort((a, b) => (a.written?.time ?? a.firstAccess ?? '').localeCompare(b.written?.time ?? b.firstAccess ?? ''));

  // Mailboxes: every one, once code ran as SYSTEM.
  const reaches = (f: Finding) =>
    isSuccess(f) && (['shell-access', 'command', 'credential-dump'].includes(stage(f)) || (f.family ? SYSTEM_FAMILIES.has(f.family) : stage(f) === 'file-write'));
  const systemFindings = fs.filter(reaches);
  // The reason names the strongest proof; the exposure starts at the earliest.
  const strength: Stage[] = ['shell-access', 'command', 'credential-dump', 'file-write', 'exploit'];
  const system = [...systemFindings].sort((a, b) => strength.indexOf(stage(a)) - strength.indexOf(stage(b)))[0];
  const earliest = systemFindings.map(findingTime).filter((x): x is string => !!x).sort()[0];
  let allMailboxesReason: string | undefined;
  if (system) {
    const why: Partial<Record<Stage, string>> = {
      'shell-access': 'a web shell was used (it runs as SYSTEM inside the IIS worker process)',
      command: 'the IIS worker process ran commands',
      'credential-dump': 'LSASS memory was dumped (that needs SYSTEM)',
      'file-write': 'a file was written through an exploit that acts with the server\'s own rights',
    };
    allMailboxesReason = `${why[stage(system)] ?? `the ${system.family ?? 'exploit'} exploit reached the back end with the server's own rights`} (${system.id})`;
  }
  const mailboxes = touchedMailboxes(fs);
  let exposure: Incident['exposure'];
  const firstReach = system ? earliest : mailboxes.map((m) => m.first).filter((x): x is string => !!x).sort()[0];
  if (firstReach) {
    const persistent = shellList.length > 0 || fs.some((f) => stage(f) === 'credential-dump' && isSuccess(f));
    const fixEnds = families.map((fam) => input.verdicts[fam]?.window.end).filter((x): x is string => !!x).sort();
    const evEnd = input.evidenceEnd ?? (g.end !== undefined ? new Date(g.end).toISOString() : firstReach);
    let end = evEnd;
    let endReason = 'end of the evidence (latest record): nothing in it shows the access ended';
    if (persistent) endReason = 'end of the evidence: a web shell or stolen credentials keep access open after the update, until removed and reset';
    else if (fixEnds.length && fixEnds[fixEnds.length - 1]! < evEnd) {
      end = fixEnds[fixEnds.length - 1]!;
      endReason = 'the server got the fix then, and no shell or credential theft was seen';
    }
    if (end < firstReach) end = firstReach;
    exposure = { start: firstReach, end, endReason };
  }

  // Accounts named in exploit, shell and account findings.
  const accounts = new Map<string, { account: string; first?: string; findingIds: string[] }>();
  for (const f of fs) {
    if (f.evidence === 'context' && stage(f) !== 'account') continue;
    if (f.evidence === 'probe') continue;
    for (const raw of f.entities.accounts) {
      const a = raw.trim();
      if (!a || a === '-' || a.length > 256) continue;
      const k = a.toLowerCase();
      let e = accounts.get(k);
      if (!e) accounts.set(k, (e = { account: a, findingIds: [] }));
      e.findingIds.push(f.id);
      const t = findingTime(f);
      if (t && (!e.first || t < e.first)) e.first = t;
    }
  }

  const { start, end } = spanOf(fs);
  return {
    id,
    status,
    families,
    window: { ...(start !== undefined ? { start: new Date(start).toISOString() } : {}), ...(end !== undefined ? { end: new Date(end).toISOString() } : {}) },
    timeline,
    ips,
    shells: shellList,
    mailboxes,
    allMailboxesReachable: system !== undefined,
    ...(allMailboxesReason ? { allMailboxesReason } : {}),
    ...(exposure ? { exposure } : {}),
    accounts: [...accounts.values()].sort((a, b) => (a.first ?? '').localeCompare(b.first ?? '')),
    links: [...new Set(g.links)],
    findingIds: timeline.map((e) => e.findingId),
  };
}

function scanningOf(fs: Finding[]): ScanningActivity | null {
  if (!fs.length) return null;
  const per = new Map<string, { ip: string; requests: number; first?: string; last?: string }>();
  let requests = 0;
  let first: string | undefined;
  let last: string | undefined;
  const counted = requestsByIp(fs);
  for (const f of fs) {
    const a = findingTime(f);
    const b = findingLastTime(f);
    if (a && (!first || a < first)) first = a;
    if (b && (!last || b > last)) last = b;
    const ips = attackerIps(f);
    if (!ips.length) requests += f.count;
    for (const ip of ips) {
      let e = per.get(ip);
      if (!e) per.set(ip, (e = { ip, requests: counted.get(ip) ?? 0 }));
      if (a && (!e.first || a < e.first)) e.first = a;
      if (b && (!e.last || b > e.last)) e.last = b;
    }
  }
  for (const e of per.values()) requests += e.requests;
  const top = [...per.values()].sort((a, b) => b.requests - a.requests || a.ip.localeCompare(b.ip)).slice(0, 20);
  return {
    ipCount: per.size, requests, ...(first ? { first } : {}), ...(last ? { last } : {}), top, findingIds: fs.map((f) => f.id),
  };
}
