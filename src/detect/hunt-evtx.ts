import { parseEvtxFile, toEventRecord, EvtxFormatError, type EvtxRecord } from '../readers/evtx/index.js';
import type { ReaderStats } from '../readers/types.js';
import type { FindingCollector } from './collector.js';
import { evaluate, type FileJob, type FileResult, type HuntOptions, type RuleLookup } from './hunt.js';
import { EvtxRuleCache, isProcessCreation } from './evtx-logsource.js';
import { parseEvtxStream } from '../evidence/zip-evtx.js';
import { entryChunks } from '../evidence/zip-source.js';

export { evtxLogsources } from './evtx-logsource.js';

const HOUR = 3_600_000;

/**
 * One event log through the rules; parse errors are counted as malformed records, never thrown.
 * Each record's rules come from its Sigma log sources (src/detect/evtx-logsource.ts), cached per
 * (channel, provider, event id); a record no rule applies to is never wrapped for the engine.
 */
export async function huntEvtxFile(job: FileJob, lookup: RuleLookup, opts: HuntOptions, collector: FindingCollector): Promise<FileResult> {
  const stats: ReaderStats = { bytes: 0, records: 0, lines: 0, headerBlocks: 0, malformed: 0, longRecords: 0, truncatedTail: false, assumedHeader: false, hours: new Set() };
  const evtx: NonNullable<ReaderStats['evtx']> = { processCreation: 0 };
  stats.evtx = evtx;
  const cache = new EvtxRuleCache(lookup);
  try {
    const parseOpts = {
      onRecord: (rec: EvtxRecord) => {
        stats.records++;
        const t = rec.timeCreatedMs ?? undefined;
        if (t !== undefined && Number.isFinite(t)) {
          if (stats.firstTime === undefined || t < stats.firstTime) stats.firstTime = t;
          if (stats.lastTime === undefined || t > stats.lastTime) stats.lastTime = t;
          stats.hours.add(Math.floor(t / HOUR));
        }
        if (evtx.channel === undefined && rec.channel) evtx.channel = rec.channel;
        if (isProcessCreation(rec.channel, rec.eventId)) {
          evtx.processCreation++;
          if (t !== undefined && Number.isFinite(t)) {
            if (evtx.processFirst === undefined || t < evtx.processFirst) evtx.processFirst = t;
            if (evtx.processLast === undefined || t > evtx.processLast) evtx.processLast = t;
          }
        }
        const et = rec.eventId === 12 ? rec.data['EventType'] : undefined;
        const rules = cache.rulesFor(rec.channel, rec.providerName, rec.eventId, typeof et === 'string' ? et : undefined);
        if (!rules.length) return;
        const er = toEventRecord(rec);
        evaluate(rules, er, t, { path: job.display, record: rec.eventRecordId ?? rec.recordId ?? undefined }, 'evtx', opts, collector);
      },
    };
    // An archive entry is read as a stream (inflated on the fly), a file through its handle.
    const summary = job.entry ? await parseEvtxStream(job.display, entryChunks(job.entry), parseOpts) : await parseEvtxFile(job.abs, parseOpts);
    stats.bytes = summary.fileSize;
    stats.malformed = summary.errors.length;
    return { stats };
  } catch (err) {
    if (err instanceof EvtxFormatError) return { error: `not an event log: ${err.message}` };
    return { error: `cannot read: ${(err as Error).message}` };
  }
}
