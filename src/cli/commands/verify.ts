import type { Command } from 'commander';
import { verifyArchive } from '../../collect/index.js';
import { EXIT } from '../exit-codes.js';

/** Names and reasons come from the archive: control characters are escaped so they cannot repaint the terminal. */
export function sanitize(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('re-hash a collection archive against its manifest and the .sha256 beside it; exit 0 when everything matches, 7 when anything differs')
    .argument('<archive>', 'the archive written by exhunt collect')
    .option('--sha256 <file>', 'the hash file (default: <archive>.sha256)')
    .option('--json', 'print the result as JSON')
    .action(async (archive: string, o: { sha256?: string; json?: boolean }) => {
      const r = await verifyArchive(archive, o.sha256 ? { sha256File: o.sha256 } : {});
      if (o.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      else {
        const lines = [`archive   ${r.archive}`, `sha256    ${r.sha256}${r.expectedSha256 ? (r.expectedSha256 === r.sha256 ? '  (matches the .sha256 file)' : '  (DIFFERS from the .sha256 file)') : ''}`];
        if (r.manifest) {
          const c = r.manifest.case;
          lines.push(`collected ${r.manifest.startedAt} by ${sanitize(r.manifest.collector.user)}@${sanitize(r.manifest.collector.host)}${c.id ? ` · case ${sanitize(c.id)}` : ''}${c.examiner ? ` · examiner ${sanitize(c.examiner)}` : ''}`);
        }
        lines.push(`checked   ${r.entriesChecked} entries, ${r.bytesChecked} bytes`);
        for (const d of r.differences) lines.push(`  ${d.kind.toUpperCase()}  ${sanitize(d.path)}: ${sanitize(d.detail)}`);
        lines.push(r.ok ? 'OK: the archive and every entry match the manifest and the hash file' : `FAILED: ${r.differences.length} difference(s)`);
        process.stdout.write(lines.join('\n') + '\n');
      }
      process.exitCode = r.ok ? EXIT.OK : EXIT.VERIFY_FAILED;
    });
}
