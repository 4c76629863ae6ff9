import type { ScanResult } from '../scan.js';
import { familyName } from './family-names.js';
import { fmtBytes } from './format.js';
import type { Finding, Severity } from '../model/finding.js';
import type { VerdictStatus } from '../correlate/verdicts.js';
import { STAGE_LABEL, type TimelineEntry } from '../correlate/timeline.js';

export interface TerminalOptions {
  color: boolean;
  /** Findings listed before "… more" (all are in --json). */
  maxFindings?: number;
  verbose?: boolean;
}


const SEV_ORDER: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };
const SEV_LABEL: Record<Severity, string> = { critical: 'CRIT', high: 'HIGH', medium: 'MED ', low: 'LOW ', info: 'INFO' };

/**
 * Evidence text is attacker-controlled: control characters (ANSI escapes could repaint the terminal and
 * hide a finding) are shown as `\xNN`, and long values are cut.
 */
export function safe(s: string | undefined, max = 160): string {
  if (!s) return '';
  const cut = s.length > max ? `${s.slice(0, max - 1)}…` : s;
  return cut.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function paint(on: boolean) {
  const wrap = (code: string) => (s: string) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);
  return { red: wrap('1;31'), yellow: wrap('1;33'), green: wrap('1;32'), cyan: wrap('36'), dim: wrap('2'), bold: wrap('1'), magenta: wrap('1;35') };
}

function when(iso: string | undefined): string {
  return iso ? iso.slice(0, 19).replace('T', ' ') : '                   ';
}


/** Evidence paths for the eye: the well-known prefixes go (the JSON keeps full paths). */
export function shortPath(p: string): string {
  // Plain substring searches: evidence paths are attacker-chosen and need no regex.
  const low = p.toLowerCase();
  for (const [marker, keep] of [
    ['exchange server/v15/logging/', 'Logging/'],
    ['exchange server/v14/logging/', 'Logging/'],
    ['inetpub/logs/logfiles/', ''],
  ] as const) {
    const i = low.lastIndexOf(marker);
    if (i === 0 || (i > 0 && low[i - 1] === '/')) return keep + p.slice(i + marker.length);
  }
  return low.startsWith('windows/system32/logfiles/') ? p.slice('windows/system32/logfiles/'.length) : p;
}

function where(f: Finding): string {
  const s = f.source;
  const pos = s.line !== undefined ? `:${s.line}` : s.record !== undefined ? `#${s.record}` : '';
  const p = shortPath(s.path);
  return `${safe(p.length > 90 ? `…${p.slice(-89)}` : p, 200)}${pos}`;
}

/** What to install: the SU (KB) build, after a CU upgrade when the server's CU never got that SU. */
function fixText(f: { build: string; cu: string; su: string | null; kb: string | null; cuUpgrade: boolean }): string {
  const update = [f.kb ?? f.su, f.build].filter(Boolean).join(' ');
  return f.cuUpgrade ? `upgrade to ${f.cu}, then ${update}` : update;
}

export function renderTerminal(r: ScanResult, opts: TerminalOptions): string {
  const c = paint(opts.color);
  const out: string[] = [];
  const builds = r.host.exchange.builds;
  const ex = r.host.exchange.exposure;
  const product = ex?.product ? `${ex.product}${ex.cu ? ` ${ex.cu}` : ''} ` : 'Exchange ';
  // The log history when there is one; else the installed build alone (ExSetup.exe or the registry).
  const buildText = builds.length ? `${product}(${builds.map((b) => b.build).join(' → ')})` : ex ? `${product}(${safe(ex.build)})` : 'Exchange build unknown';
  out.push(
    `${c.bold(`exhunt ${r.tool.version}`)} · ${safe(r.host.name) || 'host unknown'} · ${buildText} · evidence: ${r.host.evidence.layout}, read-only`,
  );
  const arc = r.host.evidence.archive;
  if (arc) {
    const side = arc.sidecar ? (arc.sidecar.matches ? 'equals the .sha256 written at collection' : c.red(`DIFFERS from the .sha256 beside it (${arc.sidecar.sha256})`)) : 'no .sha256 beside it';
    const col = arc.collection;
    const who = col ? ` · collected ${safe(col.finishedAt)} by ${safe(col.collector.user)}@${safe(col.collector.host)}${col.case.id ? ` · case ${safe(col.case.id)}` : ''}` : '';
    out.push(arc.sha256 ? `archive SHA-256 ${arc.sha256} (${side})${who}` : `archive: ${safe(arc.problem ?? 'not hashed')}`);
  }
  out.push(
    c.dim(
      `scanned ${fmtBytes(r.stats.logBytes)} in ${(r.tool.durationMs / 1000).toFixed(1)} s · ${r.stats.logFiles} log files · ${r.stats.records.toLocaleString('en-US')} records · ${r.stats.filesInventoried} files inventoried · ${r.tool.rulePack.rules} rules`,
    ),
  );
  out.push('');

  const statusText = (s: VerdictStatus) => {
    const label = s.toUpperCase().padEnd(14);
    return s === 'compromised' ? c.red(label) : s === 'attempted' ? c.yellow(label) : s === 'clean' || s === 'not-applicable' ? c.green(label) : c.magenta(label);
  };
  for (const [id, v] of Object.entries(r.verdicts)) {
    const mine = r.findings.filter((f) => v.findingIds.includes(f.id) && f.time);
    const first = mine.map((f) => f.time!).sort()[0];
    const last = mine.map((f) => f.lastTime ?? f.time!).sort().pop();
    const span = first ? `${when(first).slice(0, 16)} → ${when(last).slice(0, 16)}` : '';
    const ex = r.host.exchange.exposure?.families[id];
    const exposure = ex
      ? ex.status === 'vulnerable'
        ? c.yellow(` · build ${r.host.exchange.exposure!.build} vulnerable${ex.fixedBy ? ` (fix: ${fixText(ex.fixedBy)})` : ''}`)
        : ` · build ${r.host.exchange.exposure!.build} ${ex.status}`
      : '';
    const mit = r.host.exchange.mitigations?.families[id];
    // Mitigation is not a fix: shown beside the build exposure, never as a verdict.
    const mitText = mit ? ` · ${mit.rewriteMitigationExists ? `rewrite mitigation: ${mit.status}` : 'no rewrite mitigation exists'}` : '';
    out.push(`  ${familyName(id).padEnd(14)} ${statusText(v.status)} ${span}${exposure}${mit?.status === 'mitigated' ? c.cyan(mitText) : mitText}`);
    if (mit && mit.status !== 'not-mitigated' && mit.rewriteMitigationExists) {
      for (const why of mit.reasons.slice(0, 3)) out.push(c.dim(`    mitigation: ${safe(why, 300)}`));
      if (mit.status === 'mitigated') out.push(c.dim(`    mitigation: ${r.host.exchange.mitigations!.note}`));
    }
    out.push(c.dim(`    window ${v.window.start.slice(0, 10)} → ${v.window.end.slice(0, 16).replace('T', ' ')} (${v.window.endReason})`));
    for (const reason of v.reasons) out.push(`    ${safe(reason, 400)}`);
  }
  // Families without a log verdict yet: the build alone says whether the server is exposed.
  const others = Object.entries(r.host.exchange.exposure?.families ?? {}).filter(([id]) => !r.verdicts[id]);
  if (others.length) {
    const mitOf = (id: string) => {
      const m = r.host.exchange.mitigations?.families[id];
      return m ? (m.rewriteMitigationExists ? ` [rewrite mitigation: ${m.status}]` : ' [no rewrite mitigation exists]') : '';
    };
    const text = others.map(([id, f]) => `${familyName(id)} ${f.status}${f.status === 'vulnerable' && f.fixedBy ? ` (fix: ${fixText(f.fixedBy)})` : ''}${mitOf(id)}`);
    out.push(`  ${c.dim(`build ${r.host.exchange.exposure!.build} (knowledge ${r.host.exchange.exposure!.knowledgeDate}):`)} ${text.join(' · ')}`);
  }
  // Where the judged build came from: ExSetup.exe, the registry's Setup key, the logs, or an installed SU record.
  const reg = r.host.exchange.registry;
  const exp = r.host.exchange.exposure;
  if (reg || exp?.source) {
    const parts = [
      exp?.source ? `build ${exp.build} from ${exp.source}${exp.installedUpdate ? ` ${exp.installedUpdate.kb}` : ''}` : '',
      r.host.exchange.exSetup ? `ExSetup.exe ${r.host.exchange.exSetup.version}` : '',
      reg?.setup?.version ? `registry Setup ${reg.setup.version}` : '',
      reg ? `installed SUs: ${reg.updates.length ? reg.updates.slice(0, 8).map((u) => safe(`${u.kb ?? u.name}${u.installedDate ? ` (${u.installedDate})` : ''}`, 60)).join(', ') + (reg.updates.length > 8 ? ` … +${reg.updates.length - 8}` : '') : 'none recorded'}` : '',
    ].filter(Boolean);
    out.push(c.dim(`  ${parts.join(' · ')}`));
  }
  out.push('');

  out.push(...renderIncidents(r, c, opts));

  const sorted = [...r.findings].sort((a, b) => SEV_ORDER[a.severity] - SEV_ORDER[b.severity] || (a.time ?? '').localeCompare(b.time ?? ''));
  const max = opts.maxFindings ?? 40;
  if (sorted.length) {
    const bySev = (['critical', 'high', 'medium', 'low', 'info'] as Severity[])
      .map((s) => [s, sorted.filter((f) => f.severity === s).length] as const)
      .filter(([, n]) => n)
      .map(([s, n]) => `${n} ${s}`)
      .join(', ');
    out.push(c.bold(`Findings (${sorted.length}: ${bySev})`));
    for (const f of sorted.slice(0, max)) {
      const sev = SEV_LABEL[f.severity];
      const sevC = f.severity === 'critical' || f.severity === 'high' ? c.red(sev) : f.severity === 'medium' ? c.yellow(sev) : c.dim(sev);
      const times = f.count > 1 ? ` ×${f.count}` : '';
      out.push(`  ${sevC} ${when(f.time)}  ${safe(f.summary, 110)}${times}`);
      out.push(c.dim(`       ${f.id} ${f.ruleId}${f.cves.length ? ` (${f.cves.join(', ')})` : ''} · ${where(f)}`));
    }
    if (sorted.length > max) out.push(c.dim(`  … ${sorted.length - max} more findings in --json / --csv`));
    out.push('');
    const hostile = sorted.filter((f) => f.evidence !== 'context');
    const ips = new Set(hostile.flatMap((f) => f.entities.ips).filter((ip) => !/^(127\.|::1$)/.test(ip)));
    const uas = new Set(hostile.filter((f) => f.evidence !== 'probe').flatMap((f) => f.entities.userAgents));
    const paths = new Set(sorted.filter((f) => f.evidence === 'success').flatMap((f) => f.entities.paths));
    if (ips.size) out.push(`  Attacker IPs: ${[...ips].slice(0, 20).map((x) => safe(x, 45)).join(', ')}${ips.size > 20 ? ' …' : ''}`);
    if (uas.size) out.push(`  User agents:  ${[...uas].slice(0, 6).map((x) => safe(x, 70)).join(' | ')}`);
    if (paths.size) out.push(`  Files:        ${[...paths].slice(0, 10).map((x) => safe(x, 100)).join(', ')}`);
    if (ips.size || uas.size || paths.size) out.push('');
  } else {
    out.push('No findings.');
    out.push('');
  }

  out.push(c.bold('Log coverage'));
  // A bare folder of hundreds of event logs would flood the screen: the largest sources, then a count.
  const maxSources = opts.verbose ? Infinity : 30;
  const shown = r.coverage.sources.length > maxSources ? [...r.coverage.sources].sort((a, b) => b.bytes - a.bytes).slice(0, maxSources).sort((a, b) => a.id.localeCompare(b.id)) : r.coverage.sources;
  for (const s of shown) {
    const span = s.firstTime ? `${s.firstTime.slice(0, 16).replace('T', ' ')} → ${(s.lastTime ?? '').slice(0, 16).replace('T', ' ')}` : 'no dated records';
    const gaps = s.gaps.length ? c.yellow(` · ${s.gaps.length} gap(s), longest ${Math.max(...s.gaps.map((g) => g.hours))} h`) : '';
    const issues = [
      s.skipped.length ? `${s.skipped.length} unreadable` : '',
      s.malformed ? `${s.malformed} malformed` : '',
      s.longRecords ? `${s.longRecords} over-long` : '',
      s.truncatedFiles ? `${s.truncatedFiles} truncated` : '',
    ].filter(Boolean);
    out.push(`  ${s.id.padEnd(24)} ${String(s.files).padStart(5)} files ${fmtBytes(s.bytes).padStart(8)}  ${span}${gaps}${issues.length ? c.yellow(` · ${issues.join(', ')}`) : ''}`);
    if (opts.verbose) for (const g of s.gaps) out.push(c.dim(`      gap ${g.start} → ${g.end} (${g.hours} h)`));
  }
  if (shown.length < r.coverage.sources.length) out.push(c.dim(`  … ${r.coverage.sources.length - shown.length} more sources (--verbose, or coverage in --json)`));
  if (!r.coverage.sources.length) out.push(c.magenta('  no logs found'));
  if (r.coverage.missing.length) out.push(c.yellow(`  not found: ${r.coverage.missing.join(', ')}`));
  for (const n of r.coverage.notes ?? []) out.push(c.yellow(`  ${safe(n, 300)}`));
  if (r.coverage.problems.length) {
    out.push(c.yellow(`  ${r.coverage.problems.length} problem(s):`));
    for (const p of r.coverage.problems.slice(0, opts.verbose ? 1000 : 8)) out.push(`    ${safe(p.path, 100) || '.'}: ${safe(p.reason, 120)}`);
    if (!opts.verbose && r.coverage.problems.length > 8) out.push(c.dim(`    … ${r.coverage.problems.length - 8} more (--verbose)`));
  }
  if (r.tool.rulePack.issues.length) out.push(c.yellow(`  ${r.tool.rulePack.issues.length} rule(s) not loaded (see --json tool.rulePack.issues)`));
  out.push('');
  out.push(c.bold('Next'));
  r.nextSteps.forEach((s, i) => out.push(`  ${i + 1}. ${s}`));
  return out.join('\n') + '\n';
}

/**
 * The incident section (after the verdicts): per intrusion a condensed timeline (each run of one stage shows its
 * first entry and its first success), the shells, the attacker IPs, the mailboxes and accounts; attempt-only
 * incidents and scanners in one line each. The JSON keeps every entry.
 */
function renderIncidents(r: ScanResult, c: ReturnType<typeof paint>, opts: TerminalOptions): string[] {
  const out: string[] = [];
  const incidents = r.incidents ?? [];
  const ipList = (ips: string[], max: number) => `${ips.slice(0, max).map((x) => safe(x, 45)).join(', ')}${ips.length > max ? ` +${ips.length - max}` : ''}`;
  for (const inc of incidents) {
    const fams = inc.families.map((f) => familyName(f)).join(', ') || 'post-exploitation';
    const span = inc.window.start ? ` · ${when(inc.window.start).slice(0, 16)} → ${when(inc.window.end).slice(0, 16)}` : '';
    if (inc.status === 'attempted') {
      out.push(`${c.bold(`Incident ${inc.id}`)} · ${c.yellow('attempted')} · ${safe(fams)}${span} · ${inc.ips.length ? `${inc.ips.length} IP(s): ${ipList(inc.ips.map((i) => i.ip), 8)}` : 'no client IPs in the records'} · no sign of success`);
      continue;
    }
    const shellUsers = inc.ips.filter((i) => i.stages.includes('shell-access') && !i.stages.includes('exploit')).map((i) => i.ip);
    const exploiters = inc.ips.filter((i) => !shellUsers.includes(i.ip)).map((i) => i.ip);
    const actors = [ipList(exploiters, 4), ipList(shellUsers, 4)].filter(Boolean).join(' → ');
    out.push(`${c.bold(`Incident ${inc.id}`)} · ${c.red('COMPROMISED')} · ${safe(fams)}${span}${actors ? ` · ${actors}` : ''}`);
    const shown = condense(inc.timeline, opts.verbose ? Infinity : 12);
    for (const { e, more } of shown) {
      const t = e.time ? when(e.time) : 'no time            ';
      const cve = e.cves.length ? ` (${e.cves[0]})` : '';
      const times = e.count > 1 ? ` ×${e.count}` : '';
      const extra = more ? c.dim(` +${more} more`) : '';
      const p = shortPath(e.source.path);
      const pos = e.source.line !== undefined ? `:${e.source.line}` : e.source.record !== undefined ? `#${e.source.record}` : '';
      out.push(`  ${t}  ${STAGE_LABEL[e.stage].padEnd(12)} ${safe(e.text, 80)}${cve}${times}${extra}  ${c.dim(`${safe(p.length > 60 ? `…${p.slice(-59)}` : p, 120)}${pos}`)}`);
    }
    if (shown.length < inc.timeline.length && !opts.verbose) out.push(c.dim(`  … ${inc.timeline.length} entries in all (--verbose, or incidents[].timeline in --json)`));
    for (const s of inc.shells.slice(0, 5)) {
      const name = safe(s.path ?? s.url ?? '', 100);
      const parts = [
        s.sha256 ? `sha256 ${s.sha256.slice(0, 16)}…` : '',
        s.written ? `written ${s.written.time ? when(s.written.time) : '(time unknown)'} (${s.written.findingId})` : '',
        s.accesses ? `used ${s.accesses}× ${when(s.firstAccess).slice(0, 16)} → ${when(s.lastAccess).slice(0, 16)} from ${ipList(s.accessIps, 4)}` : 'no request to it in the logs read',
      ].filter(Boolean);
      out.push(`  Shell: ${name} · ${parts.join(' · ')}`);
    }
    if (inc.shells.length > 5) out.push(c.dim(`  … ${inc.shells.length - 5} more shells in --json`));
    if (inc.ips.length) {
      out.push(`  Attacker IPs: ${inc.ips.slice(0, 8).map((i) => `${safe(i.ip, 45)} (${when(i.first).slice(0, 16)} → ${when(i.last).slice(0, 16)}, ${i.requests} req.)`).join(' · ')}${inc.ips.length > 8 ? ` · +${inc.ips.length - 8}` : ''}`);
    }
    const touched = inc.mailboxes.map((m) => safe(m.mailbox, 80));
    const touchedText = touched.length ? `${touched.slice(0, 10).join(', ')}${touched.length > 10 ? ` +${touched.length - 10}` : ''}` : '';
    const exposure = inc.exposure ? ` · window ${when(inc.exposure.start).slice(0, 16)} → ${when(inc.exposure.end).slice(0, 16)}` : '';
    if (inc.allMailboxesReachable) {
      out.push(`  Mailboxes reachable: ${c.red('ALL')} — ${safe(inc.allMailboxesReason, 160)}${touchedText ? ` · specifically touched: ${touchedText}` : ''}${exposure}`);
    } else if (touchedText) {
      out.push(`  Mailboxes reachable: ${touchedText}${exposure}`);
    }
    if (inc.accounts.length) out.push(`  Accounts used by the attacker: ${inc.accounts.slice(0, 10).map((a) => safe(a.account, 80)).join(', ')}${inc.accounts.length > 10 ? ' …' : ''}`);
    if (opts.verbose) for (const l of inc.links) out.push(c.dim(`  linked: ${safe(l, 300)}`));
  }
  const sc = r.scanning;
  if (sc) {
    const span = sc.first ? ` · ${when(sc.first).slice(0, 16)} → ${when(sc.last).slice(0, 16)}` : '';
    out.push(c.dim(`Scanning only (no incident): ${sc.ipCount} IP(s), ${sc.requests} request(s)${span}${sc.top.length ? ` · ${ipList(sc.top.map((t) => t.ip), 5)}` : ''}`));
  }
  if (out.length) out.push('');
  return out;
}

/**
 * Each stage shows its first entry and its first success (the story's steps, in time order), then the last
 * entry as the last activity; `more` counts that stage's entries left out.
 */
function condense(timeline: TimelineEntry[], max: number): Array<{ e: TimelineEntry; more: number }> {
  if (max === Infinity) return timeline.map((e) => ({ e, more: 0 }));
  const keep = new Set<TimelineEntry>();
  const perStage = new Map<string, TimelineEntry[]>();
  for (const e of timeline) {
    if (!perStage.has(e.stage)) perStage.set(e.stage, []);
    perStage.get(e.stage)!.push(e);
  }
  for (const list of perStage.values()) {
    keep.add(list[0]!);
    const success = list.find((e) => e.evidence === 'success');
    if (success) keep.add(success);
  }
  if (timeline.length) keep.add(timeline[timeline.length - 1]!);
  let rows = timeline.filter((e) => keep.has(e));
  if (rows.length > max) rows = [...rows.slice(0, max - 1), rows[rows.length - 1]!];
  const shownPerStage = new Map<string, number>();
  for (const e of rows) shownPerStage.set(e.stage, (shownPerStage.get(e.stage) ?? 0) + 1);
  const lastOfStage = new Map<string, TimelineEntry>();
  for (const e of rows) lastOfStage.set(e.stage, e);
  return rows.map((e) => ({ e, more: lastOfStage.get(e.stage) === e ? perStage.get(e.stage)!.length - shownPerStage.get(e.stage)! : 0 }));
}
