import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ScanResult } from '../scan.js';
import type { Finding } from '../model/finding.js';

/**
 * One CSV cell. Quotes per RFC 4180; evidence text starting with `= + - @` (or a tab/CR) is prefixed with
 * `'` so a spreadsheet never evaluates attacker-written log content as a formula.
 */
export function csvCell(v: unknown): string {
  let s = v === undefined || v === null ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvTable(header: string[], rows: unknown[][]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** Test-ProxyLogon's HttpProxy columns, in its order, so existing spreadsheets and scripts keep working. */
const TPL_COLUMNS = ['DateTime', 'RequestId', 'ClientIPAddress', 'UrlHost', 'UrlStem', 'RoutingHint', 'UserAgent', 'AnchorMailbox', 'HttpStatus'];

function field(f: Finding, name: string): string {
  const key = Object.keys(f.fields).find((k) => k.toLowerCase() === name.toLowerCase());
  return key ? f.fields[key]! : '';
}

export function findingsCsv(r: ScanResult): string {
  return csvTable(
    ['Id', 'Time', 'LastTime', 'Count', 'Severity', 'Evidence', 'Family', 'CVEs', 'RuleId', 'Title', 'Summary', 'SourceKind', 'Path', 'Line', 'Record', 'Offset', 'IPs', 'UserAgents', 'Accounts', 'Mailboxes', 'Paths'],
    r.findings.map((f) => [
      f.id, f.time, f.lastTime, f.count, f.severity, f.evidence, f.family, f.cves.join(' '), f.ruleId, f.title, f.summary,
      f.source.kind, f.source.path, f.source.line, f.source.record, f.source.offset,
      f.entities.ips.join(' '), f.entities.userAgents.join(' | '), f.entities.accounts.join(' '), f.entities.mailboxes.join(' '), f.entities.paths.join(' | '),
    ]),
  );
}

/** Per-CVE file of HttpProxy hits with Test-ProxyLogon's column names (plus where and how often). */
export function cveCsv(r: ScanResult, cve: string): string | null {
  const rows = r.findings.filter((f) => f.cves.includes(cve) && (f.source.kind === 'httpproxy' || f.source.kind === 'tpl-export'));
  if (!rows.length) return null;
  const out: unknown[][] = [];
  for (const f of rows) {
    const hits = [{ fields: f.fields, source: f.source, time: f.time }, ...f.samples];
    for (const h of hits) {
      const pseudo = { ...f, fields: h.fields };
      out.push([...TPL_COLUMNS.map((c) => (c === 'DateTime' ? field(pseudo, c) || h.time : field(pseudo, c))), f.ruleId, f.id, f.count, h.source.path, h.source.line]);
    }
  }
  return csvTable([...TPL_COLUMNS, 'RuleId', 'FindingId', 'FindingCount', 'Path', 'Line'], out);
}

/** One row per timeline entry of every incident (null when there is no incident). */
export function incidentsCsv(r: ScanResult): string | null {
  const incidents = r.incidents ?? [];
  if (!incidents.length) return null;
  return csvTable(
    ['Incident', 'Status', 'AllMailboxesReachable', 'Time', 'Stage', 'FindingId', 'RuleId', 'Evidence', 'Count', 'Text', 'Path', 'Line', 'Record', 'LinkedBy'],
    incidents.flatMap((i) => i.timeline.map((e) => [
      i.id, i.status, i.allMailboxesReachable, e.time, e.stage, e.findingId, e.ruleId, e.evidence, e.count, e.text, e.source.path, e.source.line, e.source.record, e.linkedBy,
    ])),
  );
}

export function coverageCsv(r: ScanResult): string {
  return csvTable(
    ['Source', 'Kind', 'Files', 'Bytes', 'Records', 'FirstTime', 'LastTime', 'HoursWithRecords', 'Gaps', 'LongRecords', 'Malformed', 'TruncatedFiles', 'Skipped'],
    r.coverage.sources.map((s) => [
      s.id, s.kind, s.files, s.bytes, s.records, s.firstTime, s.lastTime, s.hoursWithRecords,
      s.gaps.map((g) => `${g.start}/${g.end}`).join(' '), s.longRecords, s.malformed, s.truncatedFiles, s.skipped.length,
    ]),
  );
}

/** Write the CSV set into a folder; returns the files written. */
export async function writeCsvDir(r: ScanResult, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files: Array<[string, string | null]> = [
    ['findings.csv', findingsCsv(r)],
    ['coverage.csv', coverageCsv(r)],
    ['incidents.csv', incidentsCsv(r)],
    ...['CVE-2021-26855', 'CVE-2021-27065'].map((c) => [`${c}.csv`, cveCsv(r, c)] as [string, string | null]),
  ];
  const written: string[] = [];
  for (const [name, text] of files) {
    if (text === null) continue;
    const p = join(dir, name);
    await writeFile(p, text, 'utf8');
    written.push(p);
  }
  return written;
}
