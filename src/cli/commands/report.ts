import type { Command } from 'commander';
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ScanResult } from '../../scan.js';
import { EvidenceError, UsageError } from '../../model/errors.js';
import { checkExportOptions, type ExportOptions } from '../export-options.js';
import { RESULT_SCHEMA } from '../../report/json.js';
import { renderHtml } from '../../report/html.js';
import { parseTlp, stixJson } from '../../report/stix.js';
import { ecsNdjson } from '../../report/ecs.js';
import { createRedactor, redactionKey } from '../../report/redact.js';

export type { ExportOptions };

/** Write the HTML / STIX / ECS exports a command asked for; returns the files written. */
export async function writeExports(result: ScanResult, o: ExportOptions): Promise<string[]> {
  checkExportOptions(o);
  // One redactor per run: the three exports share the pseudonyms.
  const r = o.redact ? createRedactor(redactionKey()).redact(result) : result;
  const written: string[] = [];
  const put = async (file: string, text: string) => {
    try {
      await writeFile(file, text, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot write ${file}: ${(err as Error).message}`);
    }
    written.push(resolve(file));
  };
  const tlp = o.tlp !== undefined ? parseTlp(o.tlp) : undefined;
  if (o.html) await put(o.html, renderHtml(r, { tlp, redacted: o.redact === true }));
  if (o.stix) await put(o.stix, stixJson(r, { tlp: tlp ?? 'amber' }));
  if (o.ecs) await put(o.ecs, ecsNdjson(r));
  return written;
}

/** A result JSON written by `exhunt scan --json` (or demo --json). */
export async function readResult(file: string): Promise<ScanResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new EvidenceError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new UsageError(`${file} is not JSON: expected a result written by exhunt scan --json`);
  }
  const o = data as Record<string, unknown> | null;
  if (!o || typeof o !== 'object' || o['schema'] !== RESULT_SCHEMA) {
    throw new UsageError(`${file} is not an exhunt result (schema ${RESULT_SCHEMA})`);
  }
  // The parts every renderer relies on; the rest is optional and read defensively.
  const ok = Array.isArray(o['findings']) && o['verdicts'] && typeof o['verdicts'] === 'object' && o['coverage'] && o['host'] && o['tool'] && o['stats'];
  if (!ok) throw new UsageError(`${file}: an exhunt result with missing parts (findings, verdicts, coverage, host, tool, stats)`);
  return normalise(o as unknown as ScanResult);
}

/** Fill the arrays and objects a hand-edited or older result may lack, so renderers never meet undefined. */
function normalise(r: ScanResult): ScanResult {
  const arrays = ['ips', 'userAgents', 'mailboxes', 'accounts', 'paths', 'hashes'] as const;
  r.findings = r.findings.filter((f) => f && typeof f === 'object');
  for (const f of r.findings) {
    f.id = String(f.id ?? '');
    f.summary = String(f.summary ?? '');
    f.count = Number.isFinite(f.count) ? f.count : 1;
    f.cves = Array.isArray(f.cves) ? f.cves : [];
    f.tags = Array.isArray(f.tags) ? f.tags : [];
    f.samples = Array.isArray(f.samples) ? f.samples : [];
    f.fields = f.fields && typeof f.fields === 'object' ? f.fields : {};
    f.source = f.source && typeof f.source === 'object' ? f.source : { path: '', kind: 'unknown' };
    f.entities = f.entities && typeof f.entities === 'object' ? f.entities : ({} as ScanResult['findings'][number]['entities']);
    for (const k of arrays) if (!Array.isArray(f.entities[k])) f.entities[k] = [];
  }
  const c = r.coverage;
  for (const k of ['sources', 'missing', 'problems'] as const) if (!Array.isArray(c[k])) (c as unknown as Record<string, unknown[]>)[k] = [];
  for (const s of c.sources) {
    if (!Array.isArray(s.gaps)) s.gaps = [];
    if (!Array.isArray(s.skipped)) s.skipped = [];
  }
  if (!Array.isArray(r.nextSteps)) r.nextSteps = [];
  for (const v of Object.values(r.verdicts)) {
    if (!Array.isArray(v.reasons)) v.reasons = [];
    if (!Array.isArray(v.findingIds)) v.findingIds = [];
    if (!v.window || typeof v.window !== 'object') v.window = { start: '', end: '', endReason: '' };
  }
  const ex = r.host.exchange ?? ({} as ScanResult['host']['exchange']);
  if (!Array.isArray(ex.builds)) ex.builds = [];
  r.host.exchange = ex;
  r.host.evidence = r.host.evidence ?? { path: '', layout: 'log-folder' };
  r.tool.rulePack = r.tool.rulePack ?? { hash: '', rules: 0, files: 0, issues: [] };
  if (!Array.isArray(r.tool.rulePack.issues)) r.tool.rulePack.issues = [];
  r.tool.knowledge = r.tool.knowledge ?? { builds: '', families: '' };
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  r.stats = { ...r.stats, logFiles: num(r.stats.logFiles), logBytes: num(r.stats.logBytes), records: num(r.stats.records), filesInventoried: num(r.stats.filesInventoried) };
  r.tool.durationMs = num(r.tool.durationMs);
  r.tool.rulePack.rules = num(r.tool.rulePack.rules);
  r.tool.rulePack.hash = String(r.tool.rulePack.hash ?? '');
  r.tool.version = String(r.tool.version ?? '');
  for (const s of c.sources) for (const k of ['files', 'bytes', 'records'] as const) s[k] = num(s[k]);
  for (const f of r.findings) {
    if (!['info', 'low', 'medium', 'high', 'critical'].includes(f.severity)) f.severity = 'info';
    f.evidence = ['success', 'attempt', 'probe', 'context'].includes(f.evidence) ? f.evidence : 'context';
    f.ruleId = String(f.ruleId ?? '');
    f.title = String(f.title ?? '');
    f.family = typeof f.family === 'string' ? f.family : null;
    f.source.path = String(f.source.path ?? '');
    f.source.kind = String(f.source.kind ?? 'unknown');
  }
  return r;
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('render a saved scan result (exhunt scan --json) as HTML, STIX 2.1 or ECS NDJSON')
    .argument('<result>', 'result JSON written by exhunt scan --json')
    .option('--html <file>', 'write a self-contained HTML report')
    .option('--stix <file>', 'write a STIX 2.1 bundle of indicators and observed data')
    .option('--tlp <level>', 'TLP marking for --stix (and a banner in --html): clear, green, amber, amber+strict, red (default amber)')
    .option('--ecs <file>', 'write findings as Elastic Common Schema NDJSON')
    .option('--redact', 'replace mailbox addresses and account names with pseudonyms (key: EXHUNT_REDACT_KEY, else random per run)')
    .action(async (file: string, o: ExportOptions) => {
      if (!o.html && !o.stix && !o.ecs) throw new UsageError('report: give at least one of --html, --stix, --ecs');
      checkExportOptions(o);
      const result = await readResult(file);
      for (const p of await writeExports(result, o)) process.stdout.write(`wrote ${p}\n`);
      process.exitCode = 0;
    });
}
