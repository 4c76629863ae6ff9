import type { Command } from 'commander';
import { simulate, writeTruth } from '../../simulate/index.js';
import { UsageError } from '../../model/errors.js';

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('write a realistic evidence tree of one Exchange server (clean or attacked) for tests and demos')
    .requiredOption('--out <dir>', 'folder to write the system-drive tree into')
    .option('--scenario <name>', 'clean | proxylogon', 'proxylogon')
    .option('--seed <n>', 'random seed (same seed, same bytes)', '1')
    .option('--start <date>', 'first simulated day (ISO date)')
    .option('--days <n>', 'simulated days')
    .option('--scale <n>', 'traffic multiplier (1 = small)')
    .option('--truth <file>', 'write the planted indicators (ground truth) as JSON here, outside the tree')
    .action(async (o: { out: string; scenario: string; seed: string; start?: string; days?: string; scale?: string; truth?: string }) => {
      if (o.scenario !== 'clean' && o.scenario !== 'proxylogon') throw new UsageError(`--scenario: unknown scenario ${o.scenario} (clean | proxylogon)`);
      const num = (name: string, v: string | undefined) => {
        if (v === undefined) return undefined;
        const n = Number(v);
        if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name}: not a number: ${v}`);
        return n;
      };
      const truth = await simulate({
        out: o.out,
        scenario: o.scenario,
        seed: num('seed', o.seed),
        ...(o.start ? { start: o.start } : {}),
        ...(o.days ? { days: num('days', o.days) } : {}),
        ...(o.scale ? { scale: num('scale', o.scale) } : {}),
      });
      if (o.truth) await writeTruth(truth, o.truth);
      process.stderr.write(`simulated ${o.scenario} server into ${o.out}\n`);
    });
}
