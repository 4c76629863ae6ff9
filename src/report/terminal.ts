import type { ScanResult } from '../scan.js';
import type { Finding, Severity } from '../model/finding.js';
import type { VerdictStatus } from '../correlate/verdicts.js';

export interface TerminalOptions {
  color: boolean;
  /** Findings listed before "… more" (all are in --json). */
  maxFindings?: number;
  verbose?: boolean;
}

const FAMILY_NAMES: Record<string, string> = {
  proxylogon: 'ProxyLogon',
  proxyshell: 'ProxyShell',
  proxynotshell: 'ProxyNotShell',
  owassrf: 'OWASSRF',
  proxytoken: 'ProxyToken',
};

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

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const u = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < u.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${u[i]}`;
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
  const buildText = builds.length ? `${product}(${builds.map((b) => b.build).join(' → ')})` : 'Exchange build unknown';
  out.push(
    `${c.bold(`exhunt ${r.tool.version}`)} · ${safe(r.host.name) || 'host unknown'} · ${buildText} · evidence: ${r.host.evidence.layout}, read-only`,
  );
  out.push(
    c.dim(
      `scanned ${bytes(r.stats.logBytes)} in ${(r.tool.durationMs / 1000).toFixed(1)} s · ${r.stats.logFiles} log files · ${r.stats.records.toLocaleString('en-US')} records · ${r.stats.filesInventoried} files inventoried · ${r.tool.rulePack.rules} rules`,
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
    out.push(`  ${(FAMILY_NAMES[id] ?? id).padEnd(14)} ${statusText(v.status)} ${span}${exposure}`);
    out.push(c.dim(`    window ${v.window.start.slice(0, 10)} → ${v.window.end.slice(0, 16).replace('T', ' ')} (${v.window.endReason})`));
    for (const reason of v.reasons) out.push(`    ${safe(reason, 400)}`);
  }
  // Families without a log verdict yet: the build alone says whether the server is exposed.
  const others = Object.entries(r.host.exchange.exposure?.families ?? {}).filter(([id]) => !r.verdicts[id]);
  if (others.length) {
    const text = others.map(([id, f]) => `${FAMILY_NAMES[id] ?? id} ${f.status}${f.status === 'vulnerable' && f.fixedBy ? ` (fix: ${fixText(f.fixedBy)})` : ''}`);
    out.push(`  ${c.dim(`build ${r.host.exchange.exposure!.build} (knowledge ${r.host.exchange.exposure!.knowledgeDate}):`)} ${text.join(' · ')}`);
  }
  out.push('');

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
    out.push(`  ${s.id.padEnd(24)} ${String(s.files).padStart(5)} files ${bytes(s.bytes).padStart(8)}  ${span}${gaps}${issues.length ? c.yellow(` · ${issues.join(', ')}`) : ''}`);
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
