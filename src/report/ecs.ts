import type { ScanResult } from '../scan.js';
import type { Finding, Severity } from '../model/finding.js';
import { sha256Of } from './html/loose.js';

/**
 * Findings as Elastic Common Schema documents, one JSON object per line (NDJSON), for Elasticsearch,
 * OpenSearch or Splunk. ECS fields where ECS has one (docs/output.md lists them); what ECS has no
 * field for goes under the custom `exhunt.*` object, so it can never collide with a future ECS field.
 */

export const ECS_VERSION = '8.11.0';

/** Numeric severity, the scale Elastic's detection rules use for risk (low 21 … critical 99). */
export const ECS_SEVERITY: Record<Severity, number> = { info: 1, low: 21, medium: 47, high: 73, critical: 99 };

const WEB_KINDS = new Set(['httpproxy', 'iis-w3c', 'ecp-server', 'oabgenerator', 'httperr', 'tpl-export']);

function field(f: { fields: Record<string, string> }, ...names: string[]): string | undefined {
  for (const n of names) {
    const key = Object.keys(f.fields).find((k) => k.toLowerCase() === n.toLowerCase());
    const v = key !== undefined ? f.fields[key] : undefined;
    if (v !== undefined && v !== '' && v !== '-') return v;
  }
  return undefined;
}

/** IIS writes spaces in the user agent as `+`; the entity list has the readable form. */
function userAgent(f: Finding): string | undefined {
  return f.entities.userAgents[0] ?? field(f, 'UserAgent', 'cs(User-Agent)');
}

function tactics(tags: string[]): { techniques: string[]; tactics: string[] } {
  const techniques: string[] = [];
  const tacticNames: string[] = [];
  for (const t of tags) {
    const m = /^attack\.(t\d{4}(?:\.\d{3})?)$/i.exec(t);
    if (m) techniques.push(m[1]!.toUpperCase());
    else if (/^attack\.[a-z][a-z_-]+$/i.test(t)) tacticNames.push(t.slice(7).replace(/[_-]/g, ' '));
  }
  return { techniques, tactics: tacticNames };
}

type Doc = Record<string, unknown>;

function compact(o: Doc): Doc {
  const out: Doc = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v) && !v.length) continue;
    if (typeof v === 'object' && !Array.isArray(v)) {
      const c = compact(v as Doc);
      if (Object.keys(c).length) out[k] = c;
    } else out[k] = v;
  }
  return out;
}

/** One ECS document for a finding. */
export function ecsDocument(r: ScanResult, f: Finding): Doc {
  const web = WEB_KINDS.has(f.source.kind);
  const stem = field(f, 'UrlStem', 'cs-uri-stem', 'cs-uri');
  const query = field(f, 'UrlQuery', 'cs-uri-query');
  const status = Number(field(f, 'HttpStatus', 'sc-status', 'StatusCode'));
  const ips = f.entities.ips;
  const winPath = f.entities.paths.find((p) => /^[A-Za-z]:[\\/]|^\\\\/.test(p)) ?? (f.source.kind === 'file' ? f.source.path : undefined);
  const fileName = winPath ? /[^\\/]+$/.exec(winPath)?.[0] : undefined;
  const sha = sha256Of(f);
  const { techniques, tactics: tacticNames } = tactics(f.tags);
  const verdict = f.family ? r.verdicts[f.family]?.status : undefined;
  return compact({
    '@timestamp': f.time ?? r.tool.startedAt,
    message: f.summary,
    tags: f.tags,
    labels: { exhunt_family: f.family ?? 'post-exploitation', exhunt_evidence: f.evidence },
    ecs: { version: ECS_VERSION },
    event: {
      kind: 'alert',
      category: web ? ['intrusion_detection', 'web'] : f.source.kind === 'file' ? ['intrusion_detection', 'file'] : ['intrusion_detection'],
      type: ['info'],
      severity: ECS_SEVERITY[f.severity] ?? 1,
      risk_score: ECS_SEVERITY[f.severity] ?? 1,
      dataset: 'exhunt.finding',
      module: 'exhunt',
      provider: f.source.kind,
      start: f.time,
      end: f.lastTime ?? f.time,
      created: r.tool.finishedAt,
    },
    rule: {
      id: f.ruleId,
      name: f.title,
      description: `${f.title}${f.cves.length ? ` (${f.cves.join(', ')})` : ''}`,
      category: f.family ?? 'post-exploitation',
      ruleset: 'exhunt',
    },
    observer: { vendor: 'exhunt', product: 'exhunt', version: r.tool.version, type: 'forensic-scanner' },
    host: { name: r.host.name },
    source: ips[0] ? { ip: ips[0] } : undefined,
    url: stem ? { original: query ? `${stem}?${query}` : stem, path: stem, query } : undefined,
    http: web ? { request: { method: field(f, 'Method', 'cs-method') }, response: { status_code: Number.isInteger(status) && status > 0 ? status : undefined } } : undefined,
    user_agent: { original: userAgent(f) },
    file: winPath || sha ? { path: winPath, name: fileName, hash: { sha256: sha } } : undefined,
    user: { name: f.entities.accounts[0], target: { email: f.entities.mailboxes[0] } },
    related: { ip: ips, user: [...f.entities.accounts, ...f.entities.mailboxes], hash: f.entities.hashes },
    vulnerability: f.cves.length ? { id: f.cves } : undefined,
    threat: techniques.length || tacticNames.length ? { framework: 'MITRE ATT&CK', technique: { id: techniques }, tactic: { name: tacticNames } } : undefined,
    log: { file: { path: f.source.path } },
    exhunt: {
      finding_id: f.id,
      family: f.family ?? 'post-exploitation',
      evidence: f.evidence,
      severity: f.severity,
      count: f.count,
      cves: f.cves,
      verdict,
      raise_with: f.raiseWith,
      source: { kind: f.source.kind, path: f.source.path, line: f.source.line, record: f.source.record, offset: f.source.offset },
      entities: { ips: f.entities.ips, user_agents: f.entities.userAgents, mailboxes: f.entities.mailboxes, accounts: f.entities.accounts, paths: f.entities.paths, hashes: f.entities.hashes },
      scan: { started: r.tool.startedAt, evidence_path: r.host.evidence.path, rule_pack: r.tool.rulePack.hash },
    },
  });
}

export function ecsDocuments(r: ScanResult): Doc[] {
  return r.findings.map((f) => ecsDocument(r, f));
}

/** NDJSON: JSON.stringify escapes every line break inside strings, so one document is one line. */
export function ecsNdjson(r: ScanResult): string {
  return ecsDocuments(r)
    .map((d) => JSON.stringify(d))
    .join('\n') + (r.findings.length ? '\n' : '');
}
