import type { Command } from 'commander';
import { EvidenceError, UsageError } from '../../model/errors.js';
import { intOption } from '../options.js';
import {
  EvtxFormatError,
  parseEvtxFile,
  parseEvtxFileParallel,
  recordToJsonLine,
  renderXml,
  type EvtxIssue,
} from '../../readers/evtx/index.js';

/** Buffered stdout writer that respects back-pressure and stops quietly on a closed pipe. */
class Out {
  private parts: string[] = [];
  private size = 0;
  closed = false;
  private pending: Promise<void> | null = null;

  constructor() {
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') this.closed = true;
    });
  }

  push(s: string): void {
    if (this.closed) return;
    this.parts.push(s);
    this.size += s.length;
  }

  async maybeFlush(): Promise<void> {
    if (this.pending) await this.pending;
    if (this.size >= 1 << 20) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending) await this.pending;
    if (this.closed || this.parts.length === 0) return;
    const data = this.parts.join('');
    this.parts = [];
    this.size = 0;
    if (!process.stdout.write(data)) {
      this.pending = new Promise<void>((resolve) => {
        const done = (): void => {
          process.stdout.off('drain', done);
          process.stdout.off('close', done);
          this.pending = null;
          resolve();
        };
        process.stdout.once('drain', done);
        process.stdout.once('close', done);
      });
      await this.pending;
    }
  }
}

function issueLine(e: EvtxIssue): string {
  const where = [e.chunk !== undefined ? `chunk ${e.chunk}` : '', e.record !== undefined ? `record ${e.record}` : '', `offset ${e.offset}`]
    .filter(Boolean)
    .join(', ');
  return `${where}: ${e.reason}`;
}

export function registerEvtx(program: Command): void {
  const evtx = program.command('evtx').description('Windows event log (.evtx) tools');
  evtx
    .command('dump')
    .description('print every record of an EVTX file (JSON lines or XML) to stdout; summary and errors to stderr')
    .argument('<file>', 'the .evtx file')
    .option('--format <format>', 'jsonl | xml', 'jsonl')
    .option('--workers <n>', 'parse chunks in N worker threads (0 = in this thread)', '0')
    .option('--quiet', 'do not list individual errors and warnings on stderr')
    .action(async (file: string, o: { format: string; workers: string; quiet?: boolean }) => {
      if (o.format !== 'jsonl' && o.format !== 'xml') throw new UsageError(`--format: unknown format ${o.format} (jsonl | xml)`);
      const workers = intOption('workers', o.workers, 0, 64) ?? 0;
      const out = new Out();
      const xml = o.format === 'xml';
      let shown = 0;
      const MAX_SHOWN = 50;
      const show = (prefix: string, e: EvtxIssue): void => {
        if (o.quiet) return;
        if (shown++ < MAX_SHOWN) process.stderr.write(`exhunt evtx: ${prefix}: ${issueLine(e)}\n`);
      };
      let summary;
      let pendingFlush: Promise<void> = Promise.resolve();
      try {
        const common = {
          onChunkDone: async (): Promise<void> => {
            pendingFlush = out.maybeFlush();
            await pendingFlush;
          },
          onError: (e: EvtxIssue) => show('error', e),
          onWarning: (w: EvtxIssue) => show('warning', w),
        };
        summary =
          workers > 1
            ? await parseEvtxFileParallel(file, { ...common, workers, render: xml ? 'xml' : 'jsonl', onText: (t) => out.push(t) })
            : await parseEvtxFile(file, {
                ...common,
                onRecord: (r) => out.push(xml ? renderXml(r) + '\n' : recordToJsonLine(r) + '\n'),
              });
      } catch (e) {
        if (e instanceof EvtxFormatError) throw new EvidenceError(`${file}: ${e.message}`);
        const code = (e as NodeJS.ErrnoException)?.code;
        if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) throw new EvidenceError(`${file}: cannot read (${code})`);
        throw e;
      }
      await pendingFlush;
      await out.flush();
      if (!o.quiet && shown > MAX_SHOWN) process.stderr.write(`exhunt evtx: … ${shown - MAX_SHOWN} more errors/warnings not shown\n`);
      process.stderr.write(`${summary.records} records, ${summary.errors.length} errors\n`);
    });
}
