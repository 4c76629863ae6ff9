import { mkdirSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { mitigationPackage, NoMitigationError, MITIGATABLE, type MitigationPackage } from '../../mitigate/index.js';
import { EXIT } from '../exit-codes.js';

export interface MitigateCliOptions {
  family?: string;
  out?: string;
  force?: boolean;
}

export interface MitigateIo {
  out: (s: string) => void;
  err: (s: string) => void;
}

function summary(p: MitigationPackage): string[] {
  return [`${p.name} (${p.cves.join(', ')}) interim mitigation`, ...p.notes.map((n) => `  - ${n}`)];
}

/** `exhunt mitigate`: returns the exit code; prints through `io`. */
export function runMitigate(o: MitigateCliOptions, io: MitigateIo): number {
  if (!o.family) {
    io.err(`exhunt: give --family (${MITIGATABLE.join(' | ')}; proxyshell and owassrf have no URL Rewrite mitigation)\n`);
    return EXIT.USAGE;
  }
  let p: MitigationPackage;
  try {
    p = mitigationPackage(o.family);
  } catch (e) {
    if (e instanceof NoMitigationError) {
      // Usage-style: the request cannot be met, and the advice says what to do instead.
      io.err(`exhunt: ${e.message}\n${e.advice.map((a) => `  ${a}`).join('\n')}\n`);
      return EXIT.USAGE;
    }
    throw e;
  }
  if (!o.out) {
    const parts = [...summary(p).map((l) => `# ${l}`), ''];
    for (const f of p.files) parts.push(`# ===== ${f.name}: ${f.purpose} =====`, f.content);
    io.out(parts.join('\n'));
    return EXIT.OK;
  }
  if (existsSync(o.out) && !statSync(o.out).isDirectory()) {
    io.err(`exhunt: --out ${JSON.stringify(o.out)} exists and is not a folder\n`);
    return EXIT.USAGE;
  }
  mkdirSync(o.out, { recursive: true });
  const clash = p.files.filter((f) => existsSync(join(o.out!, f.name)));
  if (clash.length && !o.force) {
    io.err(`exhunt: ${clash.map((f) => f.name).join(', ')} already in ${o.out}; use --force to overwrite\n`);
    return EXIT.USAGE;
  }
  for (const f of p.files) writeFileSync(join(o.out, f.name), f.content);
  io.out([...summary(p), '', 'Written:', ...p.files.map((f) => `  ${join(o.out!, f.name)}  (${f.purpose})`), ''].join('\n'));
  return EXIT.OK;
}

export function registerMitigate(program: Command): void {
  program
    .command('mitigate')
    .description('write the vendor interim mitigation (URL Rewrite rules, service and app-pool changes) as PowerShell with a rollback, and the web.config fragment')
    .option('--family <id>', `vulnerability family: ${MITIGATABLE.join(', ')} (proxyshell, owassrf: none exists; says what to do instead)`)
    .option('--out <dir>', 'write the files into this folder (default: print them)')
    .option('--force', 'overwrite files already in --out')
    .addHelpText(
      'after',
      '\nFiles: exhunt-mitigate-<family>.ps1 (records the prior state, then applies), exhunt-rollback-<family>.ps1,\n' +
        'exhunt-<family>-web.config.xml. A mitigation is not a fix: install the security update.\n' +
        'Exit code 0, or 2 for a missing/unknown family or one without a rewrite mitigation.',
    )
    .action((o: MitigateCliOptions) => {
      process.exitCode = runMitigate(o, { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) });
    });
}
