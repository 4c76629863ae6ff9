import { parseEvtxFile, toEventRecord, EvtxFormatError } from '../readers/evtx/index.js';
import type { ReaderStats } from '../readers/types.js';
import type { LogSource } from '../model/record.js';
import type { FindingCollector } from './collector.js';
import { evaluate, type FileJob, type FileResult, type HuntOptions, type RuleLookup } from './hunt.js';

const HOUR = 3_600_000;

/**
 * Sigma log sources of a Windows event record: `product: windows` with the channel's service name
 * (SigmaHQ's names: `application`, `security`, `system`, `msexchange-management`, `sysmon` …).
 */
export function evtxLogsources(channel: string | undefined): LogSource[] {
  const c = (channel ?? '').toLowerCase();
  const service =
    c === 'microsoft-windows-sysmon/operational' ? 'sysmon' : c.replace(/^microsoft-windows-/, '').replace(/[\s/]+/g, '-');
  return [{ product: 'windows', service }];
}

/** One event log through the rules; parse errors are counted as malformed records, never thrown. */
export async function huntEvtxFile(job: FileJob, lookup: RuleLookup, opts: HuntOptions, collector: FindingCollector): Promise<FileResult> {
  const stats: ReaderStats = { bytes: 0, records: 0, lines: 0, headerBlocks: 0, malformed: 0, longRecords: 0, truncatedTail: false, assumedHeader: false, hours: new Set() };
  try {
    const summary = await parseEvtxFile(job.abs, {
      onRecord: (rec) => {
        stats.records++;
        const t = rec.timeCreatedMs ?? undefined;
        if (t !== undefined && Number.isFinite(t)) {
          if (stats.firstTime === undefined || t < stats.firstTime) stats.firstTime = t;
          if (stats.lastTime === undefined || t > stats.lastTime) stats.lastTime = t;
          stats.hours.add(Math.floor(t / HOUR));
        }
        const rules = evtxLogsources(rec.channel ?? undefined).flatMap((ls) => lookup(ls));
        if (!rules.length) return;
        const er = toEventRecord(rec);
        evaluate(rules, er, t, { path: job.display, record: rec.eventRecordId ?? rec.recordId ?? undefined }, 'evtx', opts, collector);
      },
    });
    stats.bytes = summary.fileSize;
    stats.malformed = summary.errors.length;
    return { stats };
  } catch (err) {
    if (err instanceof EvtxFormatError) return { error: `not an event log: ${err.message}` };
    return { error: `cannot read: ${(err as Error).message}` };
  }
}
