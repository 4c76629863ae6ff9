import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import { ExhuntError } from '../model/errors.js';
import { EXIT } from './exit-codes.js';
import type { Command as CommandT } from 'commander';

/**
 * The commands in `--help` order, each loaded only when needed: `exhunt scan …` loads the scan's modules
 * and not the prober's, collector's or simulator's (~80 ms of start-up, more while the hunt workers load).
 */
const COMMANDS: Record<string, () => Promise<(program: CommandT) => void>> = {
  scan: async () => (await import('./commands/scan.js')).registerScan,
  simulate: async () => (await import('./commands/simulate.js')).registerSimulate,
  demo: async () => (await import('./commands/demo.js')).registerDemo,
  build: async () => (await import('./commands/build.js')).registerBuild,
  evtx: async () => (await import('./commands/evtx.js')).registerEvtx,
  probe: async () => (await import('./commands/probe.js')).registerProbe,
  collect: async () => (await import('./commands/collect.js')).registerCollect,
  verify: async () => (await import('./commands/verify.js')).registerVerify,
  report: async () => (await import('./commands/report.js')).registerReport,
  mitigate: async () => (await import('./commands/mitigate.js')).registerMitigate,
};

/** The only place that reads argv, prints errors and sets the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('exhunt')
    .description('Incident response for on-premises Microsoft Exchange: hunt ProxyLogon-era exploitation offline')
    .version(VERSION)
    .showHelpAfterError('(run exhunt --help for usage)')
    .exitOverride();
  // A known command name first: only that command. Anything else (help, a typo): all, for commander's messages.
  const name = argv[2];
  const wanted = name !== undefined && Object.hasOwn(COMMANDS, name) ? [name] : Object.keys(COMMANDS);
  for (const register of await Promise.all(wanted.map((n) => COMMANDS[n]!()))) register(program);
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

/** Runs the CLI on `argv` (the process's arguments) and sets the exit code. */
export async function runCli(argv: string[]): Promise<void> {
  process.exitCode = await main(argv);
}

// `exhunt scan … | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}
