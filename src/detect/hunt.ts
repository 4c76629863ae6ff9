import type { LogFileRef } from '../evidence/discovery.js';
import type { EvidenceSource } from '../evidence/source.js';
import type { CoverageBuilder } from '../evidence/coverage.js';
import type { LogRecord, ReaderStats } from '../readers/types.js';
import { readLogFile } from '../readers/index.js';
import type { CompiledRule, RuleContext } from '../rules/types.js';
import type { FindingCollector } from './collector.js';
import type { EventRecord } from '../model/record.js';

export interface HuntOptions {
  ruleContext: RuleContext;
  /** Only hits at or after / before these times (epoch ms) become findings. */
  since?: number;
  until?: number;
  maxRecordBytes?: number;
}

/** Case-insensitive literal pre-filter over the raw record text, built from the rules' own literals. */
export function buildPrefilter(rules: readonly CompiledRule[]): ((raw: string) => boolean) | undefined {
  const lower: string[] = [];
  const cased: string[] = [];
  for (const r of rules) {
    if (!r.prefilter) return undefined; // one rule needs every record: no pre-filter for this log
    for (const l of r.prefilter.literals) (r.prefilter.caseSensitive ? cased : lower).push(r.prefilter.caseSensitive ? l : l.toLowerCase());
  }
  if (!lower.length && !cased.length) return () => false;
  const lowerSet = [...new Set(lower)];
  const casedSet = [...new Set(cased)];
  return (raw: string) => {
    for (const l of casedSet) if (raw.includes(l)) return true;
    if (!lowerSet.length) return false;
    const low = raw.toLowerCase();
    for (const l of lowerSet) if (low.includes(l)) return true;
    return false;
  };
}

/** Evaluate every rule against one record; hand hits to the collector. */
export function evaluate(
  rules: readonly CompiledRule[],
  record: EventRecord,
  time: number | undefined,
  source: { path: string; line?: number; offset?: number },
  kind: string,
  opts: HuntOptions,
  collector: FindingCollector,
): number {
  let hits = 0;
  for (const rule of rules) {
    const m = rule.match(record, opts.ruleContext);
    if (!m) continue;
    if (time !== undefined && ((opts.since !== undefined && time < opts.since) || (opts.until !== undefined && time > opts.until))) continue;
    hits++;
    collector.add({ rule, record, match: m, time, source, sourceKind: kind });
  }
  return hits;
}

/** Read one log file through its rules. Never throws for bad content: the reader counts it. */
export async function huntLog(
  src: EvidenceSource,
  ref: LogFileRef,
  displayPath: string,
  rules: readonly CompiledRule[],
  opts: HuntOptions,
  collector: FindingCollector,
  coverage: CoverageBuilder,
): Promise<ReaderStats | undefined> {
  let stats: ReaderStats;
  try {
    stats = await readLogFile(src.absolute(ref.rel), {
      kind: ref.kind,
      maxRecordBytes: opts.maxRecordBytes,
      prefilter: rules.length ? buildPrefilter(rules) : () => false,
      onRecord: (rec: LogRecord) => {
        evaluate(rules, rec, rec.time(), { path: displayPath, line: rec.line, offset: rec.offset }, ref.kind, opts, collector);
      },
    });
  } catch (err) {
    coverage.skipFile(ref.group, ref.kind, displayPath, `cannot read: ${(err as Error).message}`);
    return undefined;
  }
  coverage.addFile(ref.group, ref.kind, ref.size, stats);
  return stats;
}
