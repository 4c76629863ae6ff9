import type { Command } from 'commander';
import { parseSize, simulate, writeTruth, SCENARIOS, type Scenario } from '../../simulate/index.js';
import { intOption } from '../options.js';
import { UsageError } from '../../model/errors.js';

interface SimulateCliOptions {
  out: string;
  scenario: string;
  seed: string;
  start?: string;
  days?: string;
  scale?: string;
  size?: string;
  workers?: string;
  floodProbes?: string;
  floodShell?: string;
  truth?: string;
  quiet?: boolean;
}

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('write a realistic evidence tree of one Exchange server (clean or attacked) for tests, demos and benchmarks')
    .requiredOption('--out <dir>', 'folder to write the system-drive tree into')
    .option('--scenario <name>', 'clean | proxylogon | flood (proxylogon plus scanner and web-shell floods) | proxyshell | proxynotshell | owassrf | multi (several actors and scanners)', 'proxylogon')
    .option('--seed <n>', 'random seed (same seed, same bytes)', '1')
    .option('--start <date>', 'first simulated day (ISO date)')
    .option('--days <n>', 'simulated days')
    .option('--scale <n>', 'traffic multiplier (1 = small)')
    .option('--size <bytes>', 'target tree size, e.g. 500MB, 2GB, 10GB (KB/MB/GB = 1000^n, KiB/MiB/GiB = 1024^n); sets the scale')
    .option('--workers <n>', 'worker threads (default: all cores with --size, else 1); never changes the output')
    .option('--flood-probes <n>', 'flood scenario: scanner probes (default 20000, or ~20 % of --size)')
    .option('--flood-shell <n>', 'flood scenario: web-shell POSTs (default 2000)')
    .option('--truth <file>', 'write the planted indicators (ground truth) as JSON here, outside the tree')
    .option('--quiet', 'no progress on stderr')
    .action(async (o: SimulateCliOptions) => {
      if (!SCENARIOS.includes(o.scenario as Scenario)) {
        throw new UsageError(`--scenario: unknown scenario ${o.scenario} (${SCENARIOS.join(' | ')})`);
      }
      const num = (name: string, v: string | undefined) => {
        if (v === undefined) return undefined;
        const n = Number(v);
        if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name}: not a number: ${v}`);
        return n;
      };
      let size: number | undefined;
      if (o.size !== undefined) {
        try {
          size = parseSize(o.size);
        } catch (e) {
          throw new UsageError(`--size: ${(e as Error).message}`);
        }
        if (o.scale !== undefined) throw new UsageError('--size and --scale cannot be combined (--size chooses the scale)');
      }
      const workers = intOption('workers', o.workers, 1, 64);
      const floodProbes = num('flood-probes', o.floodProbes);
      const floodShell = num('flood-shell', o.floodShell);
      const progress = !o.quiet && process.stderr.isTTY === true;
      const t0 = Date.now();
      let truth;
      try {
        truth = await simulate({
          out: o.out,
          scenario: o.scenario as Scenario,
          seed: num('seed', o.seed),
          ...(o.start ? { start: o.start } : {}),
          ...(o.days ? { days: num('days', o.days) } : {}),
          ...(o.scale ? { scale: num('scale', o.scale) } : {}),
          ...(size !== undefined ? { size } : {}),
          ...(workers !== undefined ? { workers } : {}),
          ...(floodProbes !== undefined || floodShell !== undefined
            ? { flood: { ...(floodProbes !== undefined ? { scannerProbes: floodProbes } : {}), ...(floodShell !== undefined ? { shellRequests: floodShell } : {}) } }
            : {}),
          ...(progress
            ? {
                onProgress: (p: { day: number; days: number; bytes?: number; phase?: string }) => {
                  const s = (Date.now() - t0) / 1000;
                  const mb = (p.bytes ?? 0) / 1e6;
                  const text = p.phase === 'sizing'
                    ? `sizing: dry run ${p.day}`
                    : `day ${p.day}/${p.days}  ${mb.toFixed(0)} MB  ${s > 0 ? (mb / s).toFixed(0) : '-'} MB/s`;
                  process.stderr.write(`\r\x1b[K${text}`);
                },
              }
            : {}),
        });
      } catch (e) {
        if (e instanceof RangeError) throw new UsageError(e.message);
        throw e;
      } finally {
        if (progress) process.stderr.write('\r\x1b[K');
      }
      if (o.truth) await writeTruth(truth, o.truth);
      const s = (Date.now() - t0) / 1000;
      process.stderr.write(
        `simulated ${o.scenario} server into ${o.out}: ${truth.totals.files} files, ${(truth.totals.bytes / 1e6).toFixed(1)} MB in ${s.toFixed(1)} s` +
          (truth.scale !== undefined ? ` (scale ${truth.scale})` : '') + '\n',
      );
    });
}
