import { sigmaRuleDirs } from '../../detect/sigma-pack.js';
import type { Command } from 'commander';
import { scan } from '../../scan.js';
import { checkExportOptions } from '../export-options.js';
import { UsageError } from '../../model/errors.js';
import { intOption } from '../options.js';
import { MAX_WORKERS } from '../../detect/prespawn.js';
import { exitCodeForVerdicts } from '../exit-codes.js';
import { progressPrinter } from '../progress.js';
import type { ExportOptions } from './report.js';

export function parseDateOption(name: string, v: string | undefined): Date | undefined {
  if (v === undefined) return undefined;
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
  if (Number.isNaN(d.getTime())) throw new UsageError(`--${name}: not a date: ${v} (use ISO 8601, e.g. 2021-03-01 or 2021-03-01T12:00:00Z)`);
  return d;
}

export interface ScanCliOptions extends ExportOptions {
  json?: string;
  csv?: string;
  since?: string;
  until?: string;
  rules?: string[];
  sigma?: string[];
  quiet?: boolean;
  color?: boolean;
  verbose?: boolean;
  maxFindings?: string;
  workers?: string;
  prefilter?: boolean;
  yara?: string[];
  hashes?: string[];
}

/** Repeatable option: `--yara A --yara B` → [A, B] (not variadic: it would swallow the evidence path). */
function collect(v: string, prev: string[] = []): string[] {
  return [...prev, v];
}

export async function runScan(path: string, o: ScanCliOptions): Promise<number> {
  const since = parseDateOption('since', o.since);
  const until = parseDateOption('until', o.until);
  if (since && until && since > until) throw new UsageError('--since is after --until');
  checkExportOptions(o);
  const progress = progressPrinter(process.stderr, !o.quiet);
  const workers = intOption('workers', o.workers, 1, MAX_WORKERS);
  const extraRules = [...(o.rules ?? []), ...(o.sigma ?? []).flatMap(sigmaRuleDirs)];
  const result = await scan(path, { since, until, extraRules, onProgress: progress.update, workers, noPrefilter: o.prefilter === false, yara: o.yara ?? [], hashes: o.hashes ?? [] });
  progress.done();
  // The writers load after the scan: nothing of theirs is on the way to the first log byte.
  const [{ writeResultJson }, { writeCsvDir }, { writeExports }, { renderTerminal }] = await Promise.all([
    import('../../report/json.js'),
    import('../../report/csv.js'),
    import('./report.js'),
    import('../../report/terminal.js'),
  ]);
  if (o.json) await writeResultJson(result, o.json);
  if (o.csv) await writeCsvDir(result, o.csv);
  const exported = await writeExports(result, o);
  const color = o.color ?? (process.stdout.isTTY === true && !process.env['NO_COLOR']);
  if (!o.quiet || !o.json) {
    process.stdout.write(renderTerminal(result, { color, verbose: o.verbose, maxFindings: o.maxFindings ? Number(o.maxFindings) : undefined }));
  }
  for (const p of exported) process.stderr.write(`wrote ${p}\n`);
  return exitCodeForVerdicts(Object.values(result.verdicts).map((v) => v.status));
}

export function registerScan(program: Command): void {
  program
    .command('scan')
    .description('hunt Exchange exploitation indicators in a system drive, a folder of logs or one log file (read-only)')
    .argument('<path>', 'root of a Windows system drive (live C:\\, mounted image, copy), a folder of logs, or a log file')
    .option('--json <file>', 'write the full result as JSON (docs/output.md)')
    .option('--csv <dir>', 'write findings, coverage and Test-ProxyLogon-style per-CVE CSV files into a folder')
    .option('--html <file>', 'write a self-contained HTML report (docs/output.md)')
    .option('--stix <file>', 'write a STIX 2.1 bundle of indicators and observed data')
    .option('--tlp <level>', 'TLP marking for --stix (and a banner in --html): clear, green, amber, amber+strict, red (default amber)')
    .option('--ecs <file>', 'write findings as Elastic Common Schema NDJSON')
    .option('--redact', 'pseudonymise mailbox addresses and account names in --html/--stix/--ecs (key: EXHUNT_REDACT_KEY, else random)')
    .option('--since <date>', 'only hits at or after this time (ISO 8601, UTC); clips the verdict windows')
    .option('--until <date>', 'only hits at or before this time')
    .option('--rules <dir...>', 'extra Sigma rule folders to run next to the built-in rules')
    .option('--sigma <dir...>', 'SigmaHQ rules as they are: a clone of SigmaHQ/sigma (its rules* folders) or a folder of its rules; rules the engine cannot run are listed, not dropped silently')
    .option('--max-findings <n>', 'findings listed on the terminal (all are in --json)')
    .option('--yara <dir>', 'extra YARA rule folder for the web-file scan, next to the built-in rules (repeatable)', collect)
    .option('--hashes <file>', 'extra known-bad hash list: one MD5/SHA-1/SHA-256 per line, or CSV with the hash in a column (repeatable)', collect)
    .option('--workers <n>', 'worker threads reading log files (default: the cores, at most 8)')
    .option('--no-prefilter', 'evaluate every record, without the literal pre-filter (slow; for verification)')
    .option('-q, --quiet', 'no progress; with --json, no terminal summary either')
    .option('--color', 'force colour')
    .option('--no-color', 'no colour')
    .option('-v, --verbose', 'list every problem and coverage gap')
    .action(async (path: string, o: ScanCliOptions) => {
      process.exitCode = await runScan(path, o);
    });
}
