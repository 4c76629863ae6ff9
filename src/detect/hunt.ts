import type { LogKind, LogRecord, ReaderStats } from '../readers/types.js';
import { readLogFileSync } from '../readers/index.js';
import { compact, unionFilter } from '../rules/prefilter.js';
import type { LiteralFilter } from '../readers/literal-filter.js';
import type { CompiledRule, RuleContext } from '../rules/types.js';
import type { FindingCollector } from './collector.js';
import { logsourceFor } from './source-fields.js';
import type { EventRecord } from '../model/record.js';
import type { HuntKind } from '../evidence/discovery.js';
import type { LogSource, SourcePointer } from '../model/record.js';
import { closeSync, openSync, readSync } from 'node:fs';
import { sniffLog } from '../readers/index.js';
import { readLog } from '../readers/read-log.js';
import type { ArchiveEntryRef } from '../evidence/zip-source.js';

/** Archive reading (and node:zlib) loads with the first archive entry: folder evidence never needs it. */
const zipSource = (): Promise<typeof import('../evidence/zip-source.js')> => import('../evidence/zip-source.js');

export interface HuntOptions {
  ruleContext: RuleContext;
  /** Only hits at or after / before these times (epoch ms) become findings. */
  since?: number;
  until?: number;
  maxRecordBytes?: number;
  /** Bytes read so far in the current file (progress of long files). */
  onBytes?: (bytesSoFar: number) => void;
  /** Evaluate every record (no literal pre-filter): the reference path the pre-filter is tested against. */
  noPrefilter?: boolean;
}

/** One log file to read: plain data, so it can cross to a worker thread. */
export interface FileJob {
  id: number;
  /** Absolute OS path to open (read-only). */
  abs: string;
  /** Path shown in findings (relative to the evidence root). */
  display: string;
  kind: HuntKind;
  /** The file is an archive entry: read by offset with streaming inflate (`abs` is then only a label). */
  entry?: ArchiveEntryRef;
  /** Check the content before reading (files found by folder, not sniffed yet). */
  verify?: boolean;
}

/** Rules for any log source: event logs need a lookup per record (channel, event id). */
export type RuleLookup = (ls: LogSource) => readonly CompiledRule[];

export type FileResult = { stats: ReaderStats; error?: undefined } | { error: string; stats?: undefined };

/**
 * The union of the rules' literals (null when a rule has none: every record must be evaluated), with
 * each rule's clauses when some rule has more than one (`rules`: a record must satisfy every clause of
 * some rule). Without clauses the union is compacted to a few search passes. The reader searches them
 * on raw bytes before decoding anything.
 */
const unionCache = new WeakMap<readonly CompiledRule[], LiteralFilter | null>();

export function unionLiterals(rules: readonly CompiledRule[]): LiteralFilter | null {
  if (!rules.length) return { literals: [], caseSensitive: true };
  const cached = unionCache.get(rules);
  if (cached !== undefined) return cached;
  const u = unionFilter(rules);
  const out = u === null ? null : u.rules ? u : { literals: u.caseSensitive ? u.literals : compact(u.literals), caseSensitive: u.caseSensitive };
  unionCache.set(rules, out);
  return out;
}

/** `rules[i]` for each index. */
function pick(rules: readonly CompiledRule[], which: readonly number[]): CompiledRule[] {
  const out = new Array<CompiledRule>(which.length);
  for (let i = 0; i < which.length; i++) out[i] = rules[which[i]!]!;
  return out;
}

/** Evaluate every rule against one record; hand hits to the collector. */
export function evaluate(
  rules: readonly CompiledRule[],
  record: EventRecord,
  time: number | undefined,
  source: SourcePointer,
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

/** The head of a file found by its folder, checked before reading (one per thread: read and checked at once). */
const HEAD = Buffer.allocUnsafe(4096);

/** Sniff the head of a file found by its folder; `tpl-export` wins over the folder's kind. */
function verifyKind(job: FileJob, head: Buffer): HuntKind | null {
  // Cheap checks first: binary content has NUL bytes; only a `#TYPE` or quoted first line can be a
  // Test-ProxyLogon export. Anything else keeps its folder's kind (the reader copes with odd text).
  if (head.includes(0)) return null;
  const start = head[0] === 0xef ? 3 : 0;
  const exportLike = head[start] === 0x22 /* " */ || head.subarray(start, start + 5).toString('latin1') === '#TYPE';
  if (!exportLike) return job.kind;
  const sniffed = sniffLog(head, job.display.slice(job.display.lastIndexOf('/') + 1));
  if (sniffed === null) return null;
  return sniffed === 'tpl-export' ? 'tpl-export' : job.kind;
}

/** Read one log file through its rules. Never throws for bad content: the reader counts it. */
export async function huntFile(job: FileJob, rules: readonly CompiledRule[], opts: HuntOptions, collector: FindingCollector, lookup: RuleLookup): Promise<FileResult> {
  if (job.kind === 'evtx') {
    // Loaded on first use: workers that only read text logs never load the EVTX parser.
    const { huntEvtxFile } = await import('./hunt-evtx.js');
    return huntEvtxFile(job, lookup, opts, collector);
  }
  // A plain file is opened once: its head is checked (when found by folder), then read from the start.
  let fd: number | undefined;
  try {
    if (!job.entry) fd = openSync(job.abs, 'r');
    if (job.verify) {
      let head: Buffer | undefined;
      if (job.entry) head = await (await zipSource()).entryHead(job.entry, 4096).catch(() => undefined);
      else {
        head = HEAD.subarray(0, readSync(fd!, HEAD, 0, HEAD.length, 0)); // positioned: the offset stays at 0
      }
      const kind = head ? verifyKind(job, head) : job.kind; // unreadable: the reader reports it
      if (kind === null) return { error: 'not a recognised log format (binary or unknown text)' };
      if (kind !== job.kind) {
        job = { ...job, kind };
        rules = lookup(logsourceFor(kind));
      }
    }
    const display = job.display;
    const kind = job.kind as LogKind; // evtx returned above
    const readOpts = {
      kind,
      maxRecordBytes: opts.maxRecordBytes,
      literalFilter: opts.noPrefilter ? undefined : unionLiterals(rules) ?? undefined,
      onBytes: opts.onBytes,
      // With a clause filter, only the rules whose clauses the record satisfies (indexes into `rules`).
      onRecord: (rec: LogRecord, which?: readonly number[]) => {
        evaluate(which ? pick(rules, which) : rules, rec, rec.time(), { path: display, line: rec.line, offset: rec.offset }, kind, opts, collector);
      },
    };
    const stats = job.entry ? await readLog((await zipSource()).entryChunks(job.entry), readOpts) : readLogFileSync({ fd: fd! }, readOpts);
    return { stats };
  } catch (err) {
    return { error: `cannot read: ${(err as Error).message}` };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
