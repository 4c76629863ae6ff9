import type { Command } from 'commander';
import {
  BuildVersionError,
  buildReport,
  readPeFileVersion,
  type BuildReport,
  type FixingBuild,
} from '../../detect/build/index.js';

export interface BuildCliOptions {
  json?: boolean;
  exsetup?: string;
  asOf?: string;
}

/** The stable JSON shape of `exhunt build --json` (also what `exhunt probe --json` reuses per target). */
export function buildReportJson(r: BuildReport): Record<string, unknown> {
  const families: Record<string, unknown> = {};
  for (const [id, f] of Object.entries(r.families)) {
    families[id] = { name: f.name, cves: f.cves, status: f.status, fixedBy: f.fixedBy ?? null, reason: f.reason };
  }
  return {
    build: r.build,
    buildLong: r.buildLong,
    known: r.known,
    product: r.product ?? null,
    productName: r.productName ?? null,
    cu: r.cu ?? null,
    ...(r.cuAlias ? { cuAlias: r.cuAlias } : {}),
    cuCertain: r.cuCertain ?? false,
    cuBaseBuild: r.cuBaseBuild ?? null,
    su: r.su ?? null,
    suStatus: r.su === undefined ? 'unknown' : r.su === null ? 'cu-base-build' : 'security-update',
    kb: r.kb ?? null,
    released: r.released ?? null,
    supported: r.supported ?? null,
    supportNote: r.supportNote ?? null,
    productEndOfSupport: r.productEndOfSupport ?? null,
    latestInCu: r.latestInCu ?? null,
    latestForProduct: r.latestForProduct ?? null,
    newerThanKnowledge: r.newerThanKnowledge,
    knowledgeDate: r.knowledgeDate,
    notes: r.notes,
    families,
  };
}

function describeFix(f: FixingBuild, status: string): string {
  const what = f.su ? `${f.su}${f.kb ? ` ${f.kb}` : ''}` : `${f.cu} (the CU includes the fix)`;
  const when = f.date ? `, ${f.date}` : '';
  if (status === 'fixed') return f.su ? `by ${what} → ${f.build}${when}` : `included in ${f.cu} ${f.build}${when}`;
  if (f.cuUpgrade) return f.su ? `move to ${f.cu} or later, then install ${what} → ${f.build}${when}` : `move to ${f.cu} (${f.build}) or later`;
  return `install ${what} → ${f.build}${when}`;
}

/** Plain-text rendering for the terminal. */
export function formatBuildReport(r: BuildReport): string {
  const lines: string[] = [];
  if (!r.product) {
    lines.push(`${r.build} · unknown product`);
  } else {
    const cu = r.cu ? `${r.cu}${r.cuAlias ? ` (${r.cuAlias})` : ''}${r.cuCertain === false ? '?' : ''}` : 'CU unknown';
    const su = r.su === undefined ? 'unknown SU' : r.su === null ? 'CU base build, no SU' : `${r.su}${r.kb ? ` ${r.kb}` : ''}`;
    const rel = r.released ? `, released ${r.released}` : '';
    lines.push(`${r.build} · ${r.productName} ${cu} · ${su}${rel}`);
    if (r.supported !== undefined) lines.push(`supported: ${r.supported ? 'yes' : 'no'} — ${r.supportNote ?? ''}`);
    const latest: string[] = [];
    if (r.latestInCu) latest.push(`latest on ${r.cu}: ${r.latestInCu.build}${r.latestInCu.su ? ` (${r.latestInCu.su})` : ''}`);
    if (r.latestForProduct) {
      const l = r.latestForProduct;
      latest.push(`latest ${r.productName}: ${l.build} (${l.cu}${l.su ? ` ${l.su}` : ''})`);
    }
    if (latest.length) lines.push(latest.join(' · '));
  }
  for (const n of r.notes) lines.push(`note: ${n}`);
  lines.push('');
  const width = Math.max(...Object.values(r.families).map((f) => f.name.length), 8) + 2;
  for (const f of Object.values(r.families)) {
    const status = f.status.toUpperCase() === 'VULNERABLE' ? 'VULNERABLE' : f.status;
    const fix = f.fixedBy ? describeFix(f.fixedBy, f.status) : f.reason;
    lines.push(`  ${f.name.padEnd(width)}${status.padEnd(14)}${fix}`);
  }
  lines.push('');
  lines.push(`build knowledge: Microsoft's build tables up to ${r.knowledgeDate} (data/exchange-builds.json)`);
  return `${lines.join('\n')}\n`;
}

/** `exhunt build VERSION [--json]`, or `exhunt build --exsetup Bin/ExSetup.exe`. Returns the exit code. */
export function runBuild(version: string | undefined, o: BuildCliOptions): number {
  let v = version;
  if (o.exsetup) {
    const pe = readPeFileVersion(o.exsetup);
    if (!pe.ok) {
      process.stderr.write(`exhunt: cannot read the file version of ${o.exsetup}: ${pe.error}\n`);
      return 2;
    }
    if (v && v !== pe.fileVersion) process.stderr.write(`exhunt: note: using ${pe.fileVersion} from ${o.exsetup}, not ${v}\n`);
    v = pe.fileVersion;
  }
  if (!v) {
    process.stderr.write('exhunt: give a build number (e.g. exhunt build 15.1.2176.2) or --exsetup <path to ExSetup.exe>\n');
    return 2;
  }
  let asOf: Date | undefined;
  if (o.asOf) {
    asOf = new Date(`${o.asOf}T00:00:00Z`);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(o.asOf) || Number.isNaN(asOf.getTime())) {
      process.stderr.write(`exhunt: --as-of wants a date YYYY-MM-DD, got ${JSON.stringify(o.asOf)}\n`);
      return 2;
    }
  }
  let report: BuildReport;
  try {
    report = buildReport(v, asOf ? { asOf } : {});
  } catch (err) {
    if (err instanceof BuildVersionError) {
      process.stderr.write(`exhunt: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  process.stdout.write(o.json ? `${JSON.stringify(buildReportJson(report), null, 2)}\n` : formatBuildReport(report));
  return 0;
}

export function registerBuild(program: Command): void {
  program
    .command('build')
    .description('what an Exchange build is (product, CU, SU, support) and which vulnerability families it is fixed for')
    .argument('[version]', 'build number, e.g. 15.1.2176.2 or 15.01.2176.002')
    .option('--json', 'print JSON (build, product, cu, su, supported, families.<id>.status/fixedBy, knowledgeDate)')
    .option('--exsetup <path>', 'read the build from the file version of Bin/ExSetup.exe (read-only)')
    .option('--as-of <date>', 'judge CU support on this date (YYYY-MM-DD) instead of today')
    .addHelpText(
      'after',
      '\nFamilies: proxylogon, proxyshell, proxynotshell, owassrf, proxytoken. Status fixed | vulnerable | unknown.\n' +
        'Exit code 0, or 2 for a version that is not an Exchange build number.',
    )
    .action((version: string | undefined, o: BuildCliOptions) => {
      process.exitCode = runBuild(version, o);
    });
}
