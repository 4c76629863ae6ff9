import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  CHECK_IDS,
  collectTargets,
  probeTargets,
  TargetError,
  type CheckId,
  type ProbeResult,
  type ProbeTarget,
} from '../../probe/index.js';
import { REPORTED_FAMILIES } from '../../detect/build/index.js';
import { buildReportJson } from './build.js';

export interface ProbeCliOptions {
  file?: string[];
  check?: string;
  json?: string;
  csv?: string;
  concurrency?: string;
  timeout?: string;
  strictTls?: boolean;
  port?: string;
  progress?: boolean;
}

export interface ProbeIo {
  out: (s: string) => void;
  err: (s: string) => void;
  /** Progress lines go here only when true (a TTY). */
  progressTty?: boolean;
}

export const PROBE_EXIT = { OK: 0, USAGE: 2, VULNERABLE: 5 } as const;

export const LOG_NOTICE =
  'notice: probes are ordinary HTTP requests and leave entries in the targets\' IIS and HttpProxy logs — tell the server owners before you probe.';

class UsageProblem extends Error {}

function intOpt(v: string | undefined, name: string, min: number, max: number, dflt: number): number {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new UsageProblem(`--${name} wants a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`);
  return Number(v);
}

function parseChecks(v: string | undefined): CheckId[] {
  if (!v) return [];
  const out: CheckId[] = [];
  for (const c of v.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)) {
    if (!(CHECK_IDS as readonly string[]).includes(c)) throw new UsageProblem(`unknown --check ${JSON.stringify(c)}; known: ${CHECK_IDS.join(', ')}`);
    if (!out.includes(c as CheckId)) out.push(c as CheckId);
  }
  return out;
}

/** One object per target: `target`, `build`, the `exhunt build --json` fields incl. `families`, and the probe facts. */
export function probeResultJson(r: ProbeResult): Record<string, unknown> {
  const full = r.report ? buildReportJson(r.report) : null;
  const { families, ...buildInfo } = full ?? { families: {} };
  return {
    target: r.target,
    host: r.host,
    port: r.port,
    scheme: r.scheme,
    reachable: r.reachable,
    error: r.error ?? null,
    tls: r.tls ?? null,
    exchange: r.exchange,
    build: r.build,
    buildSource: r.buildSource,
    buildPrecision: r.buildPrecision,
    evidence: r.evidence,
    buildInfo: full ? buildInfo : null,
    families,
    checks: r.checks,
    vulnerable: r.vulnerable,
    notes: r.notes,
    requests: r.requests,
  };
}

function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`; // no formula injection from server-controlled text
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function probeResultsCsv(results: readonly ProbeResult[]): string {
  const head = ['target', 'reachable', 'exchange', 'build', 'build_source', 'build_precision', 'product', 'cu', 'su',
    ...REPORTED_FAMILIES, ...CHECK_IDS.map((c) => `check_${c}`), 'vulnerable', 'tls_verified', 'error'];
  const rows = results.map((r) => [
    r.target, r.reachable, r.exchange, r.build, r.buildSource, r.buildPrecision,
    r.report?.productName, r.report?.cu, r.report ? (r.report.su === undefined ? 'unknown' : r.report.su ?? 'none') : '',
    ...REPORTED_FAMILIES.map((f) => r.report?.families[f]?.status ?? ''),
    ...CHECK_IDS.map((c) => r.checks[c]?.status ?? ''),
    r.vulnerable, r.tls ? r.tls.verified : '', r.error,
  ].map(csvCell).join(','));
  return `${[head.join(','), ...rows].join('\n')}\n`;
}

const SHORT: Record<string, string> = { fixed: 'fixed', vulnerable: 'VULN', unknown: '?', 'not-affected': 'n/a' };

/** Terminal table: one row per target, then notes. */
export function formatProbeTable(results: readonly ProbeResult[], checks: readonly CheckId[]): string {
  const fams = REPORTED_FAMILIES as readonly string[];
  const head = ['target', 'build', 'read from', ...fams, ...checks.map((c) => `${c} check`)];
  const rows = results.map((r) => {
    const how = r.buildSource ? `${r.buildSource}${r.buildPrecision === 'cu' ? ' (CU only)' : ''}` : r.reachable ? (r.exchange ? 'hidden' : 'not Exchange?') : 'unreachable';
    return [
      r.target,
      r.build ?? '-',
      how,
      ...fams.map((f) => {
        const s = r.report?.families[f]?.status;
        return s ? SHORT[s] ?? s : '-';
      }),
      ...checks.map((c) => {
        const s = r.checks[c]?.status;
        return s === 'vulnerable' ? 'VULN' : s === 'not-vulnerable' ? 'ok' : s ? '?' : '-';
      }),
    ];
  });
  const widths = head.map((h, i) => Math.min(40, Math.max(h.length, ...rows.map((row) => row[i]!.length))));
  const line = (cells: string[]) => cells.map((c, i) => c.slice(0, 40).padEnd(widths[i]!)).join('  ').trimEnd();
  const out = [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  const notes: string[] = [];
  for (const r of results) {
    if (r.error) notes.push(`${r.target}: ${r.error}`);
    for (const n of r.notes) notes.push(`${r.target}: ${n}`);
    for (const f of Object.values(r.report?.families ?? {})) {
      if (f.status !== 'vulnerable' && f.status !== 'unknown') continue;
      const fix = f.fixedBy
        ? `${f.fixedBy.cuUpgrade ? `move to ${f.fixedBy.cu} or later, then ` : ''}${f.fixedBy.su ? `install ${f.fixedBy.su}${f.fixedBy.kb ? ` ${f.fixedBy.kb}` : ''}` : `install ${f.fixedBy.cu}`} → ${f.fixedBy.build}`
        : f.reason;
      notes.push(`${r.target}: ${f.name} ${f.status}: ${f.status === 'unknown' ? `${f.reason}; ` : ''}${fix}`);
    }
    for (const [id, c] of Object.entries(r.checks)) if (c) notes.push(`${r.target}: ${id} check ${c.status}: ${c.reason}`);
  }
  if (notes.length) out.push('', ...notes.slice(0, 200), ...(notes.length > 200 ? [`… ${notes.length - 200} more notes (see --json)`] : []));
  return `${out.join('\n')}\n`;
}

/** `exhunt probe`. Returns the exit code: 0 nothing vulnerable, 5 any target vulnerable, 2 usage error. */
export async function runProbe(args: readonly string[], o: ProbeCliOptions, io: ProbeIo): Promise<number> {
  let targets: ProbeTarget[];
  let checks: CheckId[];
  let concurrency: number;
  let timeoutMs: number;
  try {
    checks = parseChecks(o.check);
    concurrency = intOpt(o.concurrency, 'concurrency', 1, 256, 16);
    const timeout = o.timeout === undefined ? 10 : Number(o.timeout);
    if (!/^\d+(\.\d+)?$/.test(o.timeout ?? '10') || !(timeout > 0) || timeout > 300) {
      throw new UsageProblem(`--timeout wants seconds (0 < s ≤ 300), got ${JSON.stringify(o.timeout)}`);
    }
    timeoutMs = Math.round(timeout * 1000);
    const port = o.port === undefined ? undefined : intOpt(o.port, 'port', 1, 65535, 443);
    targets = collectTargets(args, o.file ?? [], port === undefined ? {} : { defaultPort: port });
    if (!targets.length) throw new UsageProblem('give at least one target (host, host:port, URL, CIDR range) or --file');
  } catch (e) {
    if (e instanceof UsageProblem || e instanceof TargetError) {
      io.err(`exhunt: ${e.message}\n`);
      return PROBE_EXIT.USAGE;
    }
    throw e;
  }
  io.err(`${LOG_NOTICE}\n`);
  if (!o.strictTls) io.err('note: TLS certificates are not verified (self-signed certificates are accepted); use --strict-tls to verify them.\n');
  let lastDraw = 0;
  const results = await probeTargets(targets, {
    concurrency,
    timeoutMs,
    strictTls: o.strictTls === true,
    checks,
    onProgress: ({ done, total, target }) => {
      if (!io.progressTty) return;
      const now = Date.now();
      if (now - lastDraw < 200 && done < total) return;
      lastDraw = now;
      io.err(`\r\u001b[2Kprobed ${done}/${total} · ${target.label}`.slice(0, 120));
      if (done === total) io.err('\r\u001b[2K');
    },
  });
  try {
    if (o.json) writeFileSync(o.json, `${JSON.stringify(results.map(probeResultJson), null, 2)}\n`);
    if (o.csv) writeFileSync(o.csv, probeResultsCsv(results));
  } catch (e) {
    io.err(`exhunt: cannot write output: ${(e as Error).message}\n`);
    return PROBE_EXIT.USAGE;
  }
  io.out(formatProbeTable(results, checks));
  const vuln = results.filter((r) => r.vulnerable).length;
  const unreachable = results.filter((r) => !r.reachable).length;
  io.out(`\n${results.length} target(s): ${vuln} vulnerable, ${unreachable} unreachable. Verdicts use the build knowledge in data/exchange-builds.json.\n`);
  return vuln > 0 ? PROBE_EXIT.VULNERABLE : PROBE_EXIT.OK;
}

export function registerProbe(program: Command): void {
  program
    .command('probe')
    .description('read Exchange builds from outside (X-OWA-Version, OWA path, export tool manifest) and judge them; optional safe ProxyLogon/ProxyShell checks')
    .argument('[targets...]', 'host, host:port, https://host[:port], http://host[:port], or IPv4 CIDR range up to a /16')
    .option('--file <path>', 'read targets from a file, one per line, # comments (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--check <list>', `comma-separated safe checks: ${CHECK_IDS.join(', ')}`)
    .option('--json <file>', 'write one JSON object per target (target, build, families, checks …)')
    .option('--csv <file>', 'write a CSV row per target')
    .option('--concurrency <n>', 'targets probed at once (1-256)', '16')
    .option('--timeout <seconds>', 'per-request timeout', '10')
    .option('--strict-tls', 'verify TLS certificates (default: accept self-signed and report it)')
    .option('--port <n>', 'port for targets that name none (default 443)')
    .addHelpText(
      'after',
      '\nProbes leave entries in the targets\' IIS and HttpProxy logs. Redirects are not followed (one same-host hop to the\n' +
        'OWA logon page at most); bodies are read up to 256 KiB; one retry after a timeout or dropped connection.\n' +
        'Exit code 0 = nothing vulnerable, 5 = at least one target vulnerable (by build or check), 2 = usage error.',
    )
    .action(async (targets: string[], o: ProbeCliOptions) => {
      process.exitCode = await runProbe(targets, o, {
        out: (s) => process.stdout.write(s),
        err: (s) => process.stderr.write(s),
        progressTty: process.stderr.isTTY === true,
      });
    });
}
