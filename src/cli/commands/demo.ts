import type { Command } from 'commander';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { simulate } from '../../simulate/index.js';
import { runScan, type ScanCliOptions } from './scan.js';

/** `npm run demo`: simulate a compromised server into a temp folder and scan it, as a user would. */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('simulate a compromised Exchange server into a temporary folder and scan it')
    .option('--scenario <name>', 'clean | proxylogon', 'proxylogon')
    .option('--keep', 'keep the simulated tree (its path is printed)')
    .option('--json <file>', 'also write the scan result as JSON')
    .option('--html <file>', 'where to write the HTML report (default: a new temporary folder)')
    .action(async (o: { scenario: 'clean' | 'proxylogon'; keep?: boolean; json?: string; html?: string }) => {
      const dir = await mkdtemp(join(tmpdir(), 'exhunt-demo-'));
      try {
        await simulate({ out: dir, scenario: o.scenario === 'clean' ? 'clean' : 'proxylogon', seed: 1 });
        process.stderr.write(`simulated a ${o.scenario} Exchange 2016 server in ${dir}\n$ exhunt scan ${dir}\n\n`);
        const opts: ScanCliOptions = { quiet: true };
        if (o.json) opts.json = o.json;
        // The report outlives the simulated tree: its own folder, so the user can open it afterwards.
        opts.html = o.html ?? join(await mkdtemp(join(tmpdir(), 'exhunt-report-')), 'exhunt-report.html');
        const code = await runScan(dir, { ...opts, quiet: false });
        // The demo succeeded if the scan ran; the verdict's exit code is shown, not returned (npm would
        // report a "failed" script for a compromised demo server).
        process.stderr.write(`\n(exhunt scan would exit with code ${code}: see docs/output.md)\n`);
        process.stdout.write(`\nHTML report: ${resolve(opts.html)}\n`);
        process.exitCode = 0;
      } finally {
        if (!o.keep) await rm(dir, { recursive: true, force: true });
      }
    });
}
