import type { Finding } from '../model/finding.js';
import type { SourcePointer } from '../model/record.js';

/**
 * The steps of an Exchange intrusion, in the order they normally happen. A finding's stage is what its hit
 * means in that story; the timeline itself is ordered by time, the stage is the label.
 */
export type Stage =
  | 'probe'
  | 'exploit'
  | 'file-write'
  | 'shell-access'
  | 'command'
  | 'credential-dump'
  | 'exfiltration'
  | 'mailbox-access'
  | 'account'
  | 'persistence'
  | 'other';

export const STAGE_ORDER: readonly Stage[] = [
  'probe', 'exploit', 'file-write', 'shell-access', 'command', 'credential-dump', 'exfiltration', 'mailbox-access', 'account', 'persistence', 'other',
];

export const STAGE_LABEL: Record<Stage, string> = {
  probe: 'probe',
  exploit: 'exploit',
  'file-write': 'file write',
  'shell-access': 'shell use',
  command: 'command',
  'credential-dump': 'credentials',
  exfiltration: 'exfiltration',
  'mailbox-access': 'mailbox',
  account: 'account',
  persistence: 'persistence',
  other: 'other',
};

const SCRIPT_EXT = /\.(aspx|ashx|asmx|asp|axd|cshtml|php|jsp|config)$/i;

/** Whether a path or URL names a file IIS would run as code (a possible web shell). */
export function isScriptPath(p: string): boolean {
  return SCRIPT_EXT.test(cleanPath(p));
}

/** A path as rules extract it (quoted, `\\`-separated, with a query or a UNC share): `/`-separated, no quotes or query. */
export function cleanPath(p: string): string {
  // Evidence text: bounded before any regex (a run of quotes would make the trailing-quote pattern quadratic).
  let s = p.slice(0, 2048).trim().replace(/^['"]+/, '');
  let end = s.length;
  while (end > 0 && (s[end - 1] === "'" || s[end - 1] === '"')) end--;
  s = s.slice(0, end).replace(/\\/g, '/');
  const q = s.search(/[?#]/);
  if (q >= 0) s = s.slice(0, q);
  return s;
}

/**
 * The key that ties a file written or found on disk to the URL that requests it: the last two path segments,
 * lower-cased (`C:\inetpub\wwwroot\aspnet_client\x.aspx`, `\\127.0.0.1\c$\inetpub\wwwroot\aspnet_client\x.aspx`
 * and `/aspnet_client/x.aspx` all give `aspnet_client/x.aspx`). Web roots map URL folders onto disk folders
 * one to one below the virtual directory, so the last two segments survive the mapping.
 */
export function shellKey(p: string): string | undefined {
  const s = cleanPath(p);
  if (!SCRIPT_EXT.test(s)) return undefined;
  const parts = s.split('/').filter(Boolean);
  if (!parts.length) return undefined;
  return parts.slice(-2).join('/').toLowerCase();
}

/** The time a finding happened: its first hit, else a file's modification time (as the file rules record it). */
export function findingTime(f: Finding): string | undefined {
  if (f.time) return f.time;
  const m = f.fields['Modified'] ?? f.fields['modified'];
  return m && !Number.isNaN(Date.parse(m)) ? new Date(Date.parse(m)).toISOString() : undefined;
}

export function findingLastTime(f: Finding): string | undefined {
  return f.lastTime ?? findingTime(f);
}

/** What a finding's hit means in the intrusion story, from its rule id, evidence weight and entities. */
export function stageOf(f: Finding): Stage {
  const id = f.ruleId.toLowerCase();
  if (f.evidence === 'probe') return 'probe';
  if (/lsass|credential|mimikatz|ntds/.test(id)) return 'credential-dump';
  if (/archive|exfil|staging/.test(id)) return 'exfiltration';
  if (/child-process|command|recon|whoami/.test(id)) return 'command';
  // ASP.NET compiles a page on its first request: a compiled copy of a shell means it ran.
  if (/compiled/.test(id)) return 'shell-access';
  // Role assignments (Mailbox Import Export) give rights; they are not the export itself.
  if (/role|group-add|account-created/.test(id)) return 'account';
  if (/export/.test(id)) {
    if (/removed|remove/.test(id)) return 'persistence';
    return f.entities.paths.some(isScriptPath) || /webshell|aspx/.test(id) ? 'file-write' : 'exfiltration';
  }
  if (/webshell|web-shell|shell-access/.test(id)) {
    // A file rule reporting a shell on disk: the write; a log rule: the shell's use.
    return f.source.kind === 'file' ? 'file-write' : 'shell-access';
  }
  if (/oab-write|vdir|file-write|written/.test(id)) return 'file-write';
  if (/ews|mailbox-access|mail-access|finditem|getitem/.test(id)) return 'mailbox-access';
  if (/account|role|group-add|identity/.test(id)) return 'account';
  if (/forwarding|transport-agent|scheduled-task|service-installed|persistence|inbox-rule/.test(id)) return 'persistence';
  // A file on disk (YARA match, page where none should be): the shell's write; its family is a malware name.
  if (f.source.kind === 'file' && (f.entities.paths.some(isScriptPath) || isScriptPath(f.source.path) || /yara|shell|chopper|page/.test(id))) return 'file-write';
  if (f.family && (f.evidence === 'attempt' || f.evidence === 'success')) return 'exploit';
  if (f.source.kind === 'file' && f.entities.paths.some(isScriptPath)) return 'file-write';
  return 'other';
}

export interface TimelineEntry {
  /** ISO 8601 UTC; absent for file findings without a modification time. */
  time?: string;
  lastTime?: string;
  stage: Stage;
  findingId: string;
  ruleId: string;
  /** The finding's summary (one line, from the record). */
  text: string;
  cves: string[];
  evidence: Finding['evidence'];
  count: number;
  /** Where the first hit is. */
  source: SourcePointer & { kind: string };
  /** How this entry was tied to the incident when not by an attacker IP or a shell path. */
  linkedBy?: string;
}

/** Timeline of a set of findings: by time (undated files last), then by stage order. */
export function buildTimeline(findings: Finding[], linkedBy: Map<string, string>): TimelineEntry[] {
  const entries = findings.map((f): TimelineEntry => {
    const time = findingTime(f);
    const last = findingLastTime(f);
    return {
      ...(time ? { time } : {}),
      ...(last && last !== time ? { lastTime: last } : {}),
      stage: stageOf(f),
      findingId: f.id,
      ruleId: f.ruleId,
      text: f.summary,
      cves: f.cves,
      evidence: f.evidence,
      count: f.count,
      source: f.source,
      ...(linkedBy.has(f.id) ? { linkedBy: linkedBy.get(f.id)! } : {}),
    };
  });
  const rank = (s: Stage) => STAGE_ORDER.indexOf(s);
  return entries.sort((a, b) => {
    if (a.time && b.time && a.time !== b.time) return a.time < b.time ? -1 : 1;
    if (!a.time !== !b.time) return a.time ? -1 : 1;
    return rank(a.stage) - rank(b.stage) || a.findingId.localeCompare(b.findingId);
  });
}
