import type { ScanResult } from '../scan.js';
import { familyName } from './family-names.js';
import { attackerIps } from '../correlate/incidents.js';
import type { Finding, Severity } from '../model/finding.js';
import { CSS, JS, contentSecurityPolicy } from './html/assets.js';
import { esc, fmtTime, safeId } from './html/escape.js';
import { fmtBytes } from './format.js';
import { archiveOf, incidents, installedUpdates, mitigations, scanning, setupKey, sha256Of, type IncidentView } from './html/loose.js';
import { coverageSvg, timelineSvg } from './html/chart.js';
import type { Tlp } from './stix.js';
import { shortPath } from './terminal.js';

export interface HtmlOptions {
  /** Shown as a banner: the sharing limit the author chose (`--tlp`). */
  tlp?: Tlp;
  /** The result was pseudonymised (`--redact`): said on the page. */
  redacted?: boolean;
  /** When the report was rendered (default: now). */
  generatedAt?: Date;
  /** Findings listed in the table (all are in the JSON); default 5000. */
  maxFindings?: number;
}

const SEV_RANK: Record<Severity, number> = { info: 1, low: 2, medium: 3, high: 4, critical: 5 };
const EVIDENCE_RANK: Record<string, number> = { success: 4, attempt: 3, probe: 2, context: 1 };

/** A status word as a coloured pill; the class is derived from our own vocabulary only. */
function pill(status: string, prefix: 's' | 'x'): string {
  const cls = /^[a-z-]{1,30}$/.test(status) ? `${prefix}-${status}` : '';
  return `<span class="pill ${cls}">${esc(status.toUpperCase(), 40)}</span>`;
}

function where(f: { source: { path: string; line?: number; record?: number } }): string {
  const s = f.source;
  return `${s.path}${s.line !== undefined ? `:${s.line}` : s.record !== undefined ? ` #${s.record}` : ''}`;
}

function list(items: string[], max = 50, sep = ', '): string {
  if (!items.length) return '<span class="muted">—</span>';
  const shown = items.slice(0, max).map((x) => `<span class="ev">${esc(x, 300)}</span>`);
  return shown.join(sep) + (items.length > max ? ` <span class="muted">(+${items.length - max} more)</span>` : '');
}

function fixText(f: { build: string; cu: string; su: string | null; kb: string | null; cuUpgrade: boolean }): string {
  const update = [f.kb ?? f.su, f.build].filter(Boolean).join(' ');
  return f.cuUpgrade ? `upgrade to ${f.cu}, then ${update}` : update;
}

/** Render a scan result as one self-contained HTML page (no external resource of any kind). */
export function renderHtml(r: ScanResult, opts: HtmlOptions = {}): string {
  const generated = (opts.generatedAt ?? new Date()).toISOString();
  const incs = incidents(r);
  const byId = new Map(r.findings.map((f) => [f.id, f]));
  const host = r.host.name ?? 'host unknown';
  const body: string[] = [];

  // ── header ──
  const tlp = opts.tlp ? `<span class="tlp tlp-${opts.tlp.replace('+', '-')}">TLP:${esc(opts.tlp.toUpperCase())}</span>` : '';
  body.push(`<header><h1>exhunt report · <span class="ev">${esc(host, 200)}</span>${tlp}</h1>`);
  const ex = r.host.exchange;
  const product = ex.exposure?.product ? `${ex.exposure.product}${ex.exposure.cu ? ` ${ex.exposure.cu}` : ''}${ex.exposure.su ? ` ${ex.exposure.su}` : ''}` : 'Exchange';
  const buildText = ex.exSetup?.version ?? ex.exposure?.build ?? ex.builds[ex.builds.length - 1]?.build;
  body.push(
    `<p class="muted">${esc(product)} ${buildText ? `(${esc(buildText)})` : '(build unknown)'} · evidence <span class="ev">${esc(r.host.evidence.path, 400)}</span> (${esc(r.host.evidence.layout)}, read-only) · exhunt ${esc(r.tool.version)} · scanned ${esc(fmtTime(r.tool.startedAt))} UTC · report ${esc(fmtTime(generated))} UTC</p>`,
  );
  body.push(
    `<p class="muted">${esc(fmtBytes(r.stats.logBytes))} in ${r.stats.logFiles} log files · ${r.stats.records.toLocaleString('en-US')} records · ${r.stats.filesInventoried} files inventoried · ${r.tool.rulePack.rules} rules · ${r.findings.length} findings</p>`,
  );
  if (opts.redacted) body.push('<p class="banner">Mailbox addresses and account names in this report are pseudonyms (exhunt --redact): the same name has the same pseudonym throughout this report.</p>');
  body.push('</header>');

  // ── verdicts ──
  body.push('<section id="verdicts"><h2>Verdicts</h2><div class="verdicts">');
  // Worst first; families with nothing to act on keep their reasons folded away.
  const order: Record<string, number> = { compromised: 0, attempted: 1, inconclusive: 2, clean: 3, 'not-applicable': 4 };
  const verdicts = Object.entries(r.verdicts).sort((a, b) => (order[a[1].status] ?? 5) - (order[b[1].status] ?? 5));
  for (const [id, v] of verdicts) {
    const exp = ex.exposure?.families[id];
    const quiet = v.status === 'clean' || v.status === 'not-applicable';
    const ids = new Set(v.findingIds);
    const mine = r.findings.filter((f) => ids.has(f.id) && f.time);
    const first = mine.map((f) => f.time!).sort()[0];
    const last = mine.map((f) => f.lastTime ?? f.time!).sort().pop();
    body.push(`<div class="card"><h3><span>${esc(familyName(id))}</span>${pill(v.status, 's')}</h3>`);
    if (first) body.push(`<p>activity ${esc(fmtTime(first, false))} → ${esc(fmtTime(last, false))} UTC</p>`);
    body.push(`<p class="muted">window judged ${esc(fmtTime(v.window.start, false))} → ${esc(fmtTime(v.window.end, false))}${quiet ? '' : ` (${esc(v.window.endReason, 300)})`}</p>`);
    if (exp) body.push(`<p>build ${esc(ex.exposure!.build)}: ${pill(exp.status, 'x')}${exp.status === 'vulnerable' && exp.fixedBy ? ` fix: ${esc(fixText(exp.fixedBy))}` : ''}</p>`);
    const reasons = `<ul>${v.reasons.map((x) => `<li>${esc(x, 1000)}</li>`).join('')}</ul>`;
    if (v.reasons.length) body.push(quiet ? `<details><summary>why</summary>${reasons}</details>` : reasons);
    body.push('</div>');
  }
  body.push('</div>');
  const others = Object.entries(ex.exposure?.families ?? {}).filter(([id]) => !r.verdicts[id]);
  if (others.length) body.push(`<p>Build ${esc(ex.exposure!.build)} also: ${others.map(([id, f]) => `${esc(familyName(id))} ${pill(f.status, 'x')}`).join(' · ')}</p>`);
  body.push('</section>');

  // ── next steps ──
  body.push(`<section id="next"><h2>What to do next</h2>${r.nextSteps.length ? `<ol class="steps">${r.nextSteps.map((s) => `<li>${esc(s, 2000)}</li>`).join('')}</ol>` : '<p class="muted">No steps.</p>'}</section>`);

  // ── CISA's five steps ──
  body.push(cisaSection(r));

  // ── incidents and timeline ──
  body.push('<section id="timeline"><h2>Incident timeline</h2>');
  const chart = timelineSvg(r, incs, familyName);
  if (chart) {
    body.push(chart);
    body.push('<p class="legend"><span><i class="l-success"></i>exploitation succeeded</span><span><i class="l-attempt"></i>attempt</span><span><i class="l-probe"></i>probe</span><span><i class="l-context"></i>context</span><span>dot size: hits; line: first → last hit; hover for details</span></p>');
  } else body.push('<p class="muted">No dated findings.</p>');
  for (const inc of incs) body.push(incidentBlock(inc, byId));
  if (!incs.length) body.push(derivedTimeline(r));
  body.push('</section>');

  // ── attacker IPs, shells, mailboxes ──
  body.push(entitiesSection(r, incs));

  // ── findings ──
  body.push(findingsSection(r, opts.maxFindings ?? 5000));

  // ── coverage ──
  body.push(coverageSection(r));

  // ── build, exposure, mitigations ──
  body.push(buildSection(r));

  body.push(
    `<footer>rule pack ${esc(r.tool.rulePack.hash.slice(0, 16))}… (${r.tool.rulePack.rules} rules${r.tool.rulePack.issues.length ? `, ${r.tool.rulePack.issues.length} not loaded` : ''}) · build knowledge ${esc(r.tool.knowledge.builds)} · ${esc(r.tool.knowledge.families, 500)} · scan took ${(r.tool.durationMs / 1000).toFixed(1)} s. Every string from the evidence is shown as text; nothing in this page loads from the network.</footer>`,
  );

  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${esc(contentSecurityPolicy())}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>exhunt report · ${esc(host, 100)}</title>`,
    `<style>${CSS}</style>`,
    '</head><body>',
    ...body,
    `<script>${JS}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}

function cisaSection(r: ScanResult): string {
  const statuses = Object.values(r.verdicts).map((v) => v.status);
  const archive = archiveOf(r);
  const exp = r.host.exchange.exposure;
  const fam = Object.entries(exp?.families ?? {});
  const vulnerable = fam.filter(([, f]) => f.status === 'vulnerable');
  const mits = mitigations(r).rows;
  const inconclusive = Object.entries(r.verdicts).filter(([, v]) => v.status === 'inconclusive');
  const compromised = Object.entries(r.verdicts).filter(([, v]) => v.status === 'compromised');
  const attempted = Object.entries(r.verdicts).filter(([, v]) => v.status === 'attempted');
  const rows: Array<[string, string, string]> = [
    [
      '1. Forensic image (and an offline backup)',
      archive ? 'done' : 'unknown',
      archive
        ? `Scanned a collected archive: ${archive.path}${archive.sha256 ? ` (SHA-256 ${archive.sha256})` : ''}.`
        : 'exhunt cannot tell whether an image was taken: this scan read a folder or a live system. Take one before changing anything (exhunt collect), and back up the server\'s data offline.',
    ],
    [
      '2. Check for indicators of compromise',
      !statuses.length ? 'not-done' : inconclusive.length ? 'partial' : 'done',
      `${r.tool.rulePack.rules} rules over ${r.stats.logFiles} log files and ${r.stats.filesInventoried} files${inconclusive.length ? `; inconclusive for ${inconclusive.map(([id]) => familyName(id)).join(', ')}: the logs do not cover the exploitation window` : ''}.`,
    ],
    [
      '3. Update Exchange',
      !exp ? 'unknown' : vulnerable.length ? 'not-done' : 'done',
      !exp
        ? 'The installed build is not known from the evidence.'
        : vulnerable.length
          ? `Build ${exp.build} is vulnerable to ${vulnerable.map(([id, f]) => `${familyName(id)}${f.fixedBy ? ` (fix: ${fixText(f.fixedBy)})` : ''}`).join('; ')}.`
          : `Build ${exp.build} has the fixes exhunt knows of (knowledge ${exp.knowledgeDate}).`,
    ],
    mitigateStep(vulnerable.map(([id]) => id), mits),
    [
      '5. Respond: was the server compromised?',
      compromised.length ? 'compromised' : attempted.length ? 'attempted' : inconclusive.length ? 'inconclusive' : statuses.length ? 'clean' : 'unknown',
      compromised.length
        ? `Yes: ${compromised.map(([id]) => familyName(id)).join(', ')}. Follow the incident-response steps above.`
        : attempted.length
          ? `Exploitation was attempted (${attempted.map(([id]) => familyName(id)).join(', ')}) with no sign of success in the evidence read.`
          : inconclusive.length
            ? 'No compromise found, but the evidence does not cover every exploitation window.'
            : 'No compromise found in the evidence read.',
    ],
  ];
  const cls = (s: string) => (s === 'compromised' ? 's' : s === 'attempted' || s === 'clean' || s === 'inconclusive' ? 's' : 'x') as 's' | 'x';
  return `<section id="cisa"><h2>CISA's remediation steps</h2><table><thead><tr><th>Step</th><th>Status</th><th>What exhunt can tell</th></tr></thead><tbody>${rows
    .map(([step, status, text]) => `<tr><td>${esc(step)}</td><td>${pill(status, cls(status))}</td><td>${esc(text, 3000)}</td></tr>`)
    .join('')}</tbody></table></section>`;
}

/**
 * Step 4 only matters for families the build is still vulnerable to: mitigated there is done; a family
 * with a URL Rewrite mitigation that is not in place is not done; one without any mitigation needs the update.
 */
function mitigateStep(vulnerable: string[], mits: Array<{ name: string; status: string; rewriteMitigationExists?: boolean }>): [string, string, string] {
  const step = '4. Mitigate';
  if (!mits.length) return [step, vulnerable.length ? 'not-checked' : 'unknown', `Mitigation status not in this result.${vulnerable.length ? " Apply the vendor's interim mitigations until the update is installed." : ''}`];
  if (!vulnerable.length) return [step, 'not-applicable', `No family is open on this build: mitigations are not needed (${mits.map((m) => `${familyName(m.name)} ${m.status}`).join('; ')}).`];
  const parts: string[] = [];
  let missing = 0;
  let none = 0;
  for (const id of vulnerable) {
    const m = mits.find((x) => x.name === id);
    if (!m) parts.push(`${familyName(id)}: not checked`);
    else if (m.status === 'mitigated') parts.push(`${familyName(id)}: mitigated (still install the update)`);
    else if (m.rewriteMitigationExists === false) {
      none++;
      parts.push(`${familyName(id)}: no mitigation exists, only the update fixes it`);
    } else {
      missing++;
      parts.push(`${familyName(id)}: ${m.status}`);
    }
  }
  const status = missing ? 'not-done' : parts.every((p) => p.includes(': mitigated')) ? 'done' : none ? 'partial' : 'unknown';
  return [step, status, `${parts.join('; ')}.`];
}

function incidentBlock(inc: IncidentView, byId: Map<string, Finding>): string {
  const out: string[] = [];
  out.push(`<h3 id="incident-${safeId(inc.id)}">Incident ${esc(inc.id, 40)} ${inc.status ? pill(inc.status, 's') : ''} · ${esc(inc.families.map(familyName).join(', '))} · ${esc(fmtTime(inc.start))} → ${esc(fmtTime(inc.end) || 'now')} UTC</h3>`);
  out.push('<dl class="kv">');
  if (inc.ips.length) {
    out.push(`<dt>attacker IPs</dt><dd>${inc.ips
      .slice(0, 100)
      .map((i) => `<span class="ev">${esc(i.ip, 60)}</span>${i.requests !== undefined ? ` <span class="muted">(${i.requests} requests${i.stages.length ? `; ${esc(i.stages.join(', '))}` : ''}; ${esc(fmtTime(i.first, false))} → ${esc(fmtTime(i.last, false))})</span>` : ''}`)
      .join('<br>')}</dd>`);
  }
  if (inc.shells.length) {
    out.push(`<dt>web shells / files</dt><dd>${inc.shells
      .slice(0, 100)
      .map(
        (x) =>
          `<span class="ev">${esc(x.path, 600)}</span>${x.url ? ` <span class="muted">as</span> <span class="ev">${esc(x.url, 400)}</span>` : ''}${x.sha256 ? ` <span class="muted">SHA-256</span> <span class="ev">${esc(x.sha256, 64)}</span>` : ''}` +
          `${x.written ? `<br><span class="muted">written ${esc(fmtTime(x.writtenTime))}: ${esc(x.written, 300)}</span>` : ''}` +
          `${x.accesses ? `<br><span class="muted">used ${x.accesses} times ${esc(fmtTime(x.firstAccess))} → ${esc(fmtTime(x.lastAccess))} from ${esc(x.accessIps.join(', '), 600)}</span>` : ''}`,
      )
      .join('<br>')}</dd>`);
  }
  const named = inc.mailboxes.map((m) => `<span class="ev">${esc(m.mailbox, 300)}</span>${m.how.length ? ` <span class="muted">(${esc(m.how.join('; '), 300)})</span>` : ''}`);
  out.push(
    `<dt>mailboxes</dt><dd>${inc.allMailboxesReachable ? `<strong>every mailbox on the server was reachable</strong>${inc.allMailboxesReason ? `: ${esc(inc.allMailboxesReason, 500)}` : ''}${named.length ? '<br>named in the evidence: ' : ''}` : ''}${named.length ? named.slice(0, 200).join(', ') : inc.allMailboxesReachable ? '' : '<span class="muted">none named</span>'}</dd>`,
  );
  if (inc.exposure) out.push(`<dt>exposure window</dt><dd>${esc(fmtTime(inc.exposure.start))} → ${esc(fmtTime(inc.exposure.end))} UTC${inc.exposure.endReason ? ` <span class="muted">(${esc(inc.exposure.endReason, 400)})</span>` : ''}</dd>`);
  if (inc.accounts.length) out.push(`<dt>accounts</dt><dd>${list(inc.accounts)}</dd>`);
  if (inc.links.length) out.push(`<dt>tied together by</dt><dd>${inc.links.slice(0, 20).map((l) => esc(l, 500)).join('<br>')}</dd>`);
  out.push('</dl>');
  if (inc.timeline.length) {
    out.push('<table><thead><tr><th>Time (UTC)</th><th>Stage</th><th>What</th><th>Evidence</th></tr></thead><tbody>');
    for (const e of inc.timeline.slice(0, 2000)) {
      const f = e.findingId ? byId.get(e.findingId) : undefined;
      const text = e.text || f?.summary || '';
      const id = safeId(e.findingId);
      const ev = e.where ?? (f ? where(f) : '');
      const count = e.count ?? f?.count;
      out.push(
        `<tr><td class="t">${esc(fmtTime(e.time ?? f?.time))}</td><td>${esc(e.stage ?? '', 40)}</td><td>${esc(text, 1000)}${count && count > 1 ? ` <span class="muted">×${count}</span>` : ''}</td><td class="ev">${id && f ? `<a href="#${id}">${esc(id)}</a> ` : ''}<span title="${esc(ev, 600)}">${esc(shortPath(ev), 300)}</span></td></tr>`,
      );
    }
    out.push('</tbody></table>');
  }
  return out.join('');
}

/** Without correlated incidents: the findings that prove or attempt exploitation, in time order. */
function derivedTimeline(r: ScanResult): string {
  const key = r.findings.filter((f) => f.time && (f.evidence === 'success' || f.evidence === 'attempt')).sort((a, b) => a.time!.localeCompare(b.time!));
  if (!key.length) return '';
  const rows = key
    .slice(0, 500)
    .map((f) => `<tr><td class="t">${esc(fmtTime(f.time))}</td><td>${esc(f.summary, 1000)}${f.count > 1 ? ` <span class="muted">×${f.count}</span>` : ''}</td><td>${pill(f.evidence, 'x')}</td><td class="ev"><a href="#${safeId(f.id)}">${esc(f.id)}</a> <span title="${esc(where(f), 600)}">${esc(shortPath(where(f)), 300)}</span></td></tr>`);
  return `<h3>Exploitation steps seen</h3><table><thead><tr><th>Time (UTC)</th><th>What</th><th>Proves</th><th>Evidence</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function entitiesSection(r: ScanResult, incs: IncidentView[]): string {
  const out: string[] = ['<section id="entities"><h2>Attacker IPs, files and affected mailboxes</h2>'];
  // IPs: every finding that is not mere context, strongest evidence first.
  const ips = new Map<string, { first?: string; last?: string; hits: number; findings: number; evidence: string; families: Set<string> }>();
  for (const f of r.findings) {
    if (f.evidence === 'context') continue;
    for (const ip of attackerIps(f)) {
      const e = ips.get(ip) ?? { hits: 0, findings: 0, evidence: f.evidence, families: new Set<string>() };
      e.hits += f.count;
      e.findings++;
      if ((EVIDENCE_RANK[f.evidence] ?? 0) > (EVIDENCE_RANK[e.evidence] ?? 0)) e.evidence = f.evidence;
      if (f.time && (!e.first || f.time < e.first)) e.first = f.time;
      const l = f.lastTime ?? f.time;
      if (l && (!e.last || l > e.last)) e.last = l;
      e.families.add(f.family ? familyName(f.family) : 'post-exploitation');
      ips.set(ip, e);
    }
  }
  for (const inc of incs) for (const x of inc.ips) if (!ips.has(x.ip)) ips.set(x.ip, { hits: x.requests ?? 0, findings: 0, first: x.first, last: x.last, evidence: inc.status === 'attempted' ? 'attempt' : 'success', families: new Set([`incident ${inc.id}`]) });
  const ipRows = [...ips.entries()].sort((a, b) => (EVIDENCE_RANK[b[1].evidence] ?? 0) - (EVIDENCE_RANK[a[1].evidence] ?? 0) || (a[1].first ?? '').localeCompare(b[1].first ?? ''));
  out.push(`<h3>Attacker IPs (${ipRows.length})</h3>`);
  if (ipRows.length) {
    out.push('<table><thead><tr><th>IP</th><th>Strongest evidence</th><th class="n">Hits</th><th class="n">Findings</th><th>First seen (UTC)</th><th>Last seen (UTC)</th><th>Families</th></tr></thead><tbody>');
    for (const [ip, e] of ipRows.slice(0, 1000))
      out.push(`<tr><td class="ev">${esc(ip, 60)}</td><td>${pill(e.evidence, 'x')}</td><td class="n">${e.hits}</td><td class="n">${e.findings}</td><td class="t">${esc(fmtTime(e.first))}</td><td class="t">${esc(fmtTime(e.last))}</td><td>${esc([...e.families].join(', '))}</td></tr>`);
    out.push('</tbody></table>');
  } else out.push('<p class="muted">None.</p>');
  const scan = scanning(r);
  if (scan && scan.ipCount) {
    out.push(
      `<p>Scanning (probes only, no incident): ${scan.ipCount} IP(s), ${scan.requests} request(s), ${esc(fmtTime(scan.first, false))} → ${esc(fmtTime(scan.last, false))} UTC${scan.top.length ? `; busiest: ${scan.top.slice(0, 10).map((t) => `<span class="ev">${esc(t.ip, 60)}</span> (${t.requests})`).join(', ')}` : ''}.</p>`,
    );
  }

  // Files the attacker wrote or used: web shells, dumps, archives.
  const files = new Map<string, { sha256?: string; ids: string[]; first?: string }>();
  for (const inc of incs) for (const x of inc.shells) files.set(x.path, { sha256: x.sha256, ids: [], first: x.writtenTime ?? x.firstAccess });
  for (const f of r.findings) {
    if (f.evidence !== 'success' && !(f.source.kind === 'file' && (f.severity === 'high' || f.severity === 'critical'))) continue;
    const sha = sha256Of(f);
    const paths = f.entities.paths.length ? f.entities.paths : f.source.kind === 'file' ? [f.source.path] : [];
    for (const p of paths) {
      const e = files.get(p) ?? { ids: [] };
      if (sha && (paths.length === 1 || f.source.kind === 'file')) e.sha256 ??= sha;
      e.ids.push(f.id);
      if (f.time && (!e.first || f.time < e.first)) e.first = f.time;
      files.set(p, e);
    }
  }
  out.push(`<h3>Web shells and other attacker files (${files.size})</h3>`);
  if (files.size) {
    out.push('<table><thead><tr><th>Path</th><th>SHA-256</th><th>First seen (UTC)</th><th>Findings</th></tr></thead><tbody>');
    for (const [p, e] of [...files.entries()].slice(0, 1000))
      out.push(`<tr><td class="ev">${esc(p, 600)}</td><td class="ev">${esc(e.sha256 ?? '')}</td><td class="t">${esc(fmtTime(e.first))}</td><td>${e.ids.slice(0, 20).map((id) => `<a href="#${safeId(id)}">${esc(id)}</a>`).join(' ')}</td></tr>`);
    out.push('</tbody></table>');
  } else out.push('<p class="muted">None found.</p>');

  // Mailboxes and accounts.
  const mailboxes = new Set<string>();
  const accounts = new Set<string>();
  for (const f of r.findings) {
    if (f.evidence === 'context') continue;
    f.entities.mailboxes.forEach((m) => mailboxes.add(m));
    f.entities.accounts.forEach((a) => accounts.add(a));
  }
  for (const inc of incs) {
    inc.mailboxes.forEach((m) => mailboxes.add(m.mailbox));
    inc.accounts.forEach((a) => accounts.add(a));
  }
  const all = incs.some((i) => i.allMailboxesReachable);
  out.push(`<h3>Affected mailboxes and accounts</h3>`);
  if (all) out.push('<p class="banner bad"><strong>Every mailbox on the server was reachable by the attacker</strong> (code ran as SYSTEM): the named ones below are those the logs show were targeted.</p>');
  out.push(`<dl class="kv"><dt>mailboxes targeted</dt><dd>${list([...mailboxes], 200)}</dd><dt>accounts seen</dt><dd>${list([...accounts], 200)}</dd></dl>`);
  // Exposure window: per family judged compromised or attempted, and per incident.
  const windows = Object.entries(r.verdicts).filter(([, v]) => v.status === 'compromised' || v.status === 'attempted');
  out.push('<h3>Exposure window</h3>');
  if (windows.length || incs.length) {
    out.push('<ul>');
    for (const [id, v] of windows) out.push(`<li>${esc(familyName(id))} (${esc(v.status)}): ${esc(fmtTime(v.window.start, false))} → ${esc(fmtTime(v.window.end, false))} UTC — ${esc(v.window.endReason, 300)}</li>`);
    for (const inc of incs) out.push(`<li>Incident ${esc(inc.id, 40)}: ${esc(fmtTime(inc.start, false))} → ${esc(fmtTime(inc.end, false) || 'now')} UTC</li>`);
    out.push('</ul>');
  } else out.push('<p class="muted">No exploitation found: no exposure window to report.</p>');
  out.push('</section>');
  return out.join('');
}

function findingsSection(r: ScanResult, max: number): string {
  const sorted = [...r.findings].sort((a, b) => SEV_RANK[b.severity] - SEV_RANK[a.severity] || (a.time ?? '').localeCompare(b.time ?? ''));
  const families = [...new Set(r.findings.map((f) => f.family ?? ''))].sort();
  const out: string[] = [`<section id="findings-section"><h2>Findings (${r.findings.length})</h2>`];
  // Hidden until the script runs: without JS the full table is simply shown.
  out.push(
    `<form class="filters" id="filters" hidden><label>Severity <select id="f-sev"><option value="0">all</option><option value="5">critical</option><option value="4">high and above</option><option value="3">medium and above</option><option value="2">low and above</option></select></label>` +
      `<label>Family <select id="f-fam"><option value="">all</option>${families.map((f) => `<option value="${esc(f)}">${esc(f ? familyName(f) : 'post-exploitation')}</option>`).join('')}</select></label>` +
      `<label>Text <input type="search" id="f-text" placeholder="IP, path, rule, CVE…"></label><span id="f-count" class="muted"></span></form>`,
  );
  out.push('<table id="findings"><thead><tr><th>Id</th><th>Severity</th><th>First (UTC)</th><th>Last (UTC)</th><th class="n">Hits</th><th>Family</th><th>Proves</th><th>Summary</th><th>Evidence</th></tr></thead><tbody>');
  for (const f of sorted.slice(0, max)) {
    const id = safeId(f.id);
    const details = [
      ['rule', `${f.ruleId} — ${f.title}`],
      ['CVEs', f.cves.join(', ')],
      ['IPs', f.entities.ips.join(', ')],
      ['user agents', f.entities.userAgents.join(' | ')],
      ['mailboxes', f.entities.mailboxes.join(', ')],
      ['accounts', f.entities.accounts.join(', ')],
      ['paths', f.entities.paths.join(' | ')],
      ['hashes', f.entities.hashes.join(' ')],
      ['tags', f.tags.join(' ')],
      ...Object.entries(f.fields).slice(0, 40).map(([k, v]) => [k, v] as [string, string]),
      ...f.samples.slice(0, 5).map((s, i) => [`sample ${i + 1}`, `${fmtTime(s.time)} ${where(s)}`] as [string, string]),
    ].filter(([, v]) => v);
    out.push(
      `<tr${id ? ` id="${id}"` : ''} data-sevn="${SEV_RANK[f.severity] ?? 0}" data-fam="${esc(f.family ?? '')}">` +
        `<td class="mono">${esc(f.id, 20)}</td><td class="sev sev-${f.severity in SEV_RANK ? f.severity : 'info'}">${esc(f.severity)}</td>` +
        `<td class="t">${esc(fmtTime(f.time))}</td><td class="t">${esc(f.lastTime && f.lastTime !== f.time ? fmtTime(f.lastTime) : '')}</td><td class="n">${f.count}</td>` +
        `<td>${esc(f.family ? familyName(f.family) : '—')}</td><td>${esc(f.evidence)}</td>` +
        `<td>${esc(f.summary, 600)}<details><summary>details</summary><dl class="kv">${details.map(([k, v]) => `<dt>${esc(k, 80)}</dt><dd class="ev">${esc(v, 1500)}</dd>`).join('')}</dl></details></td>` +
        `<td class="ev" title="${esc(where(f), 600)}">${esc(shortPath(where(f)), 300)}</td></tr>`,
    );
  }
  out.push('</tbody></table>');
  if (sorted.length > max) out.push(`<p class="muted">${sorted.length - max} more findings are in the JSON result.</p>`);
  out.push('</section>');
  return out.join('');
}

function coverageSection(r: ScanResult): string {
  const c = r.coverage;
  const out: string[] = ['<section id="coverage"><h2>Log coverage</h2>'];
  if (c.evidenceStart) out.push(`<p>The evidence spans ${esc(fmtTime(c.evidenceStart, false))} → ${esc(fmtTime(c.evidenceEnd, false))} UTC. Silence outside a source's span, or in its gaps, is not "clean".</p>`);
  const svg = coverageSvg(r);
  if (svg) {
    out.push(svg);
    out.push('<p class="legend"><span><i class="l-cover"></i>records</span><span><i class="l-gap"></i>gap without records</span><span><i class="l-window"></i>exploitation windows judged</span></p>');
  }
  if (c.sources.length) {
    out.push('<table><thead><tr><th>Source</th><th>Kind</th><th class="n">Files</th><th class="n">Size</th><th class="n">Records</th><th>First (UTC)</th><th>Last (UTC)</th><th>Gaps</th><th>Problems</th></tr></thead><tbody>');
    for (const s of c.sources) {
      const longest = s.gaps.length ? Math.max(...s.gaps.map((g) => g.hours)) : 0;
      const issues = [s.skipped.length ? `${s.skipped.length} unreadable` : '', s.malformed ? `${s.malformed} malformed` : '', s.longRecords ? `${s.longRecords} over-long` : '', s.truncatedFiles ? `${s.truncatedFiles} truncated` : ''].filter(Boolean).join(', ');
      const gaps = s.gaps.length
        ? `<details><summary>${s.gaps.length} (longest ${longest} h)</summary>${s.gaps.slice(0, 200).map((g) => `${esc(fmtTime(g.start, false))} → ${esc(fmtTime(g.end, false))} (${g.hours} h)`).join('<br>')}</details>`
        : '<span class="muted">none</span>';
      out.push(`<tr><td class="ev">${esc(s.id, 200)}</td><td>${esc(s.kind)}</td><td class="n">${s.files}</td><td class="n">${esc(fmtBytes(s.bytes))}</td><td class="n">${s.records}</td><td class="t">${esc(fmtTime(s.firstTime, false))}</td><td class="t">${esc(fmtTime(s.lastTime, false))}</td><td>${gaps}</td><td>${esc(issues)}</td></tr>`);
    }
    out.push('</tbody></table>');
  } else out.push('<p class="banner warn">No logs were found in the evidence.</p>');
  if (c.missing.length) out.push(`<p class="banner warn">Not found: ${c.missing.map((m) => esc(m, 200)).join(', ')}</p>`);
  for (const n of c.notes ?? []) out.push(`<p class="banner warn">${esc(n, 1000)}</p>`);
  if (c.problems.length) {
    out.push(`<details><summary>${c.problems.length} file(s) could not be used</summary><table><tbody>${c.problems.slice(0, 1000).map((p) => `<tr><td class="ev">${esc(p.path || '.', 500)}</td><td>${esc(p.reason, 500)}</td></tr>`).join('')}</tbody></table></details>`);
  }
  out.push('</section>');
  return out.join('');
}

function buildSection(r: ScanResult): string {
  const ex = r.host.exchange;
  const out: string[] = ['<section id="build"><h2>Build, exposure and mitigations</h2>'];
  out.push(`<dl class="kv"><dt>install path</dt><dd class="ev">${esc(ex.installPath ?? 'unknown')}${ex.installPathAssumed ? ' (assumed)' : ''}</dd>`);
  if (ex.exSetup) out.push(`<dt>ExSetup.exe</dt><dd class="ev">${esc(ex.exSetup.version)} · ${esc(ex.exSetup.path, 400)} · modified ${esc(fmtTime(ex.exSetup.modified))}</dd>`);
  const setup = setupKey(r);
  if (setup?.version) out.push(`<dt>registry Setup key</dt><dd>${esc(setup.version)}${setup.lastWritten ? ` · written ${esc(fmtTime(setup.lastWritten))}` : ''}</dd>`);
  if (ex.exposure) out.push(`<dt>judged build</dt><dd>${esc(ex.exposure.build)} ${esc(ex.exposure.product ?? '')} ${esc(ex.exposure.cu ?? '')} ${esc(ex.exposure.su ?? '')} (build knowledge ${esc(ex.exposure.knowledgeDate)})</dd>`);
  out.push('</dl>');
  if (ex.builds.length) {
    out.push('<h3>Builds the logs show</h3><table><thead><tr><th>Build</th><th>First seen (UTC)</th><th>Last seen (UTC)</th><th>Source</th></tr></thead><tbody>');
    for (const b of ex.builds) out.push(`<tr><td class="mono">${esc(b.build)}</td><td class="t">${esc(fmtTime(b.firstSeen))}</td><td class="t">${esc(fmtTime(b.lastSeen))}</td><td class="ev">${esc(b.source, 400)}</td></tr>`);
    out.push('</tbody></table>');
  }
  const fams = Object.entries(ex.exposure?.families ?? {});
  if (fams.length) {
    out.push('<h3>Exposure per family</h3><table><thead><tr><th>Family</th><th>Status</th><th>Why</th><th>Fix</th></tr></thead><tbody>');
    for (const [id, f] of fams) out.push(`<tr><td>${esc(familyName(id))}</td><td>${pill(f.status, 'x')}</td><td>${esc(f.reason, 500)}</td><td>${esc(f.fixedBy ? fixText(f.fixedBy) : '')}</td></tr>`);
    out.push('</tbody></table>');
  }
  const mits = mitigations(r);
  out.push('<h3>Mitigations</h3>');
  if (mits.rows.length) {
    out.push('<table><thead><tr><th>Family</th><th>Status</th><th>Detail</th></tr></thead><tbody>');
    for (const m of mits.rows) out.push(`<tr><td>${esc(familyName(m.name))}</td><td>${pill(m.status.toLowerCase(), 'x')}</td><td>${esc(m.detail, 1500)}</td></tr>`);
    out.push('</tbody></table>');
    if (mits.note) out.push(`<p class="muted">${esc(mits.note, 500)}</p>`);
  } else out.push('<p class="muted">Not checked in this result.</p>');
  const ups = installedUpdates(r);
  if (ups.length) {
    out.push('<h3>Installed updates (registry)</h3><table><tbody>');
    for (const u of ups.slice(0, 500)) out.push(`<tr><td class="mono">${esc(u.name, 100)}</td><td class="ev">${esc(u.detail, 600)}</td></tr>`);
    out.push('</tbody></table>');
  }
  out.push('</section>');
  return out.join('');
}
