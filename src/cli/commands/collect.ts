import type { Command } from 'commander';
import { collect } from '../../collect/index.js';
import { UsageError } from '../../model/errors.js';
import { sanitize } from './verify.js';

interface CollectCliOptions {
  out?: string;
  case?: string;
  evidenceNumber?: string;
  examiner?: string;
  notes?: string;
  extra?: string[];
  spaceCheck?: boolean;
  overwrite?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

export function registerCollect(program: Command): void {
  program
    .command('collect')
    .description('copy what `exhunt scan` reads (logs, event logs, web folders, configs, ExSetup.exe, artefacts) into one hashed Zip64 archive with a manifest (read-only)')
    .argument('[root]', 'root of the Windows system drive: the live C:\\ or a mounted image', process.platform === 'win32' ? `${process.env['SystemDrive'] ?? 'C:'}\\` : undefined)
    .requiredOption('--out <file>', 'the archive to write (e.g. CASE.zip); its SHA-256 goes to <file>.sha256 beside it')
    .option('--case <id>', 'case number, recorded in the manifest')
    .option('--evidence-number <id>', 'the evidence item number within the case, recorded in the manifest')
    .option('--examiner <name>', 'who collects, recorded in the manifest')
    .option('--notes <text>', 'free text recorded in the manifest')
    .option('--extra <path...>', 'more files or folders to copy')
    .option('--no-space-check', 'write even when the free space is below the uncompressed size')
    .option('--overwrite', 'replace an existing archive at --out')
    .option('-q, --quiet', 'no progress')
    .option('-v, --verbose', 'list every file not collected')
    .action(async (root: string | undefined, o: CollectCliOptions) => {
      if (!root) throw new UsageError('collect: give the root to collect from (the mounted system drive)');
      const tty = process.stderr.isTTY === true && !o.quiet;
      let last = 0;
      const r = await collect(root, {
        out: o.out!,
        ...(o.case ? { caseId: o.case } : {}),
        ...(o.evidenceNumber ? { evidenceNumber: o.evidenceNumber } : {}),
        ...(o.examiner ? { examiner: o.examiner } : {}),
        ...(o.notes ? { notes: o.notes } : {}),
        extras: o.extra ?? [],
        skipSpaceCheck: o.spaceCheck === false,
        overwrite: o.overwrite === true,
        onProgress: (p) => {
          const now = Date.now();
          if (!tty || now - last < 200) return;
          last = now;
          process.stderr.write(`\r\x1b[Kcollect ${p.phase}: ${p.filesDone}/${p.filesTotal} files, ${(p.bytesDone / 1e6).toFixed(1)} of ${(p.bytesTotal / 1e6).toFixed(1)} MB`);
        },
      });
      if (tty) process.stderr.write('\r\x1b[K');
      const m = r.manifest;
      const lines = [
        `archive   ${r.archive}`,
        `sha256    ${r.sha256}  (written to ${r.sha256File})`,
        `copied    ${m.totals.files} files, ${m.totals.bytes} bytes -> ${r.archiveBytes} bytes in ${(r.durationMs / 1000).toFixed(1)} s`,
        `source    ${m.source.root} (${m.source.layout}${m.source.live ? ', live system' : ''})`,
        `not collected: ${m.notCollected.length}${m.notCollected.length ? ' (listed in the manifest)' : ''}`,
      ];
      const shown = o.verbose ? m.notCollected : m.notCollected.slice(0, 10);
      for (const n of shown) lines.push(`  ${sanitize(n.path)}: ${sanitize(n.reason)}`);
      if (shown.length < m.notCollected.length) lines.push(`  … ${m.notCollected.length - shown.length} more (-v, or exhunt-collect/manifest.csv)`);
      lines.push(`next: exhunt verify ${r.archive}   ·   exhunt scan ${r.archive}`);
      process.stdout.write(lines.join('\n') + '\n');
    });
}
