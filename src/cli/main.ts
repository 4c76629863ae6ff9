#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import { ExhuntError } from '../model/errors.js';
import { EXIT } from './exit-codes.js';
import { registerScan } from './commands/scan.js';
import { registerSimulate } from './commands/simulate.js';
import { registerDemo } from './commands/demo.js';
import { registerBuild } from './commands/build.js';
import { registerEvtx } from './commands/evtx.js';
import { registerProbe } from './commands/probe.js';
import { registerCollect } from './commands/collect.js';
import { registerVerify } from './commands/verify.js';
import { registerReport } from './commands/report.js';
import { registerMitigate } from './commands/mitigate.js';

/** The only place that reads argv, prints errors and sets the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('exhunt')
    .description('Incident response for on-premises Microsoft Exchange: hunt ProxyLogon-era exploitation offline')
    .version(VERSION)
    .showHelpAfterError('(run exhunt --help for usage)')
    .exitOverride();
  registerScan(program);
  registerSimulate(program);
  registerDemo(program);
  registerBuild(program);
  registerEvtx(program);
  registerProbe(program);
  registerCollect(program);
  registerVerify(program);
  registerReport(program);
  registerMitigate(program);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are "errors" to commander; usage mistakes are exit 2 with commander's one line.
      return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    if (err instanceof ExhuntError) {
      process.stderr.write(`exhunt: ${err.message}\n`);
      return err.code === 'E_USAGE' ? EXIT.USAGE : err.code === 'E_EVIDENCE' ? EXIT.EVIDENCE : err.code === 'E_OUTPUT' ? EXIT.OUTPUT : EXIT.BUG;
    }
    process.stderr.write(`exhunt: internal error (please report): ${(err as Error)?.stack ?? String(err)}\n`);
    return EXIT.BUG;
  }
}

// `exhunt scan … | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

const code = await main(process.argv);
process.exitCode = code;
