import type { ReaderStats } from '../readers/types.js';
import type { ProcessCreationCoverage } from '../detect/evtx-coverage.js';

const HOUR = 3_600_000;

export interface Gap {
  start: string;
  end: string;
  hours: number;
}

export interface SourceCoverage {
  /** Coverage group, e.g. `HttpProxy/Ecp`, `IIS/W3SVC1`, `ECP/Server`. */
  id: string;
  kind: string;
  files: number;
  bytes: number;
  records: number;
  firstTime?: string;
  lastTime?: string;
  /** Hours that have at least one record. */
  hoursWithRecords: number;
  /** Runs of hours without any record inside [firstTime, lastTime] that are at least `minGapHours` long. */
  gaps: Gap[];
  minGapHours: number;
  /** Records longer than the cap: matched on their first part. */
  longRecords: number;
  malformed: number;
  truncatedFiles: number;
  skipped: Array<{ path: string; reason: string }>;
}

export interface Coverage {
  sources: SourceCoverage[];
  /** Sources looked for and not present in the evidence. */
  missing: string[];
  /** Files or folders that could not be used, with the reason. */
  problems: Array<{ path: string; reason: string }>;
  /** Earliest and latest record over every log: the evidence's own time span. */
  evidenceStart?: string;
  evidenceEnd?: string;
  /** Whether the event logs read record process starts (src/detect/evtx-coverage.ts); absent without event logs. */
  processCreation?: ProcessCreationCoverage;
  /** What the evidence cannot show, in words (e.g. "process creation not audited"). */
  notes?: string[];
}

interface Acc {
  kind: string;
  files: number;
  bytes: number;
  records: number;
  first?: number;
  last?: number;
  hours: Set<number>;
  longRecords: number;
  malformed: number;
  truncatedFiles: number;
  skipped: Array<{ path: string; reason: string }>;
}

/** Hourly-rotated Exchange logs show an outage in hours; daily IIS/ECP logs in days. */
function minGapHours(group: string): number {
  return /^HttpProxy\//i.test(group) ? 6 : 24;
}

export class CoverageBuilder {
  private readonly groups = new Map<string, Acc>();
  readonly problems: Array<{ path: string; reason: string }> = [];
  readonly missing: string[] = [];

  private acc(group: string, kind: string): Acc {
    let a = this.groups.get(group);
    if (!a) {
      a = { kind, files: 0, bytes: 0, records: 0, hours: new Set(), longRecords: 0, malformed: 0, truncatedFiles: 0, skipped: [] };
      this.groups.set(group, a);
    }
    return a;
  }

  addFile(group: string, kind: string, bytes: number, stats: ReaderStats): void {
    const a = this.acc(group, kind);
    a.files++;
    a.bytes += bytes;
    a.records += stats.records;
    if (stats.firstTime !== undefined && (a.first === undefined || stats.firstTime < a.first)) a.first = stats.firstTime;
    if (stats.lastTime !== undefined && (a.last === undefined || stats.lastTime > a.last)) a.last = stats.lastTime;
    for (const h of stats.hours) a.hours.add(h);
    a.longRecords += stats.longRecords;
    a.malformed += stats.malformed;
    if (stats.truncatedTail) a.truncatedFiles++;
  }

  /** A file of a known source that could not be read (counted in its group as well as in problems). */
  skipFile(group: string, kind: string, path: string, reason: string): void {
    this.acc(group, kind).skipped.push({ path, reason });
    this.problems.push({ path, reason });
  }

  build(): Coverage {
    const sources: SourceCoverage[] = [];
    let start: number | undefined;
    let end: number | undefined;
    for (const [id, a] of [...this.groups].sort(([x], [y]) => x.localeCompare(y))) {
      const min = minGapHours(id);
      const s: SourceCoverage = {
        id,
        kind: a.kind,
        files: a.files,
        bytes: a.bytes,
        records: a.records,
        hoursWithRecords: a.hours.size,
        gaps: findGaps(a.hours, min),
        minGapHours: min,
        longRecords: a.longRecords,
        malformed: a.malformed,
        truncatedFiles: a.truncatedFiles,
        skipped: a.skipped,
      };
      if (a.first !== undefined) s.firstTime = new Date(a.first).toISOString();
      if (a.last !== undefined) s.lastTime = new Date(a.last).toISOString();
      if (a.first !== undefined && (start === undefined || a.first < start)) start = a.first;
      if (a.last !== undefined && (end === undefined || a.last > end)) end = a.last;
      sources.push(s);
    }
    const c: Coverage = { sources, missing: [...this.missing], problems: [...this.problems] };
    if (start !== undefined) c.evidenceStart = new Date(start).toISOString();
    if (end !== undefined) c.evidenceEnd = new Date(end).toISOString();
    return c;
  }
}

/** Runs of missing hours between the first and the last hour with records. */
export function findGaps(hours: Set<number>, minHours: number): Gap[] {
  if (hours.size < 2) return [];
  const sorted = [...hours].sort((a, b) => a - b);
  const gaps: Gap[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const missing = sorted[i]! - sorted[i - 1]! - 1;
    if (missing >= minHours) {
      gaps.push({
        start: new Date((sorted[i - 1]! + 1) * HOUR).toISOString(),
        end: new Date(sorted[i]! * HOUR).toISOString(),
        hours: missing,
      });
    }
  }
  return gaps;
}

/**
 * Does a source cover [start, end]? Its records must begin by the start's day, reach the end (within an
 * hour), and have no gap of a day or more inside the window.
 */
export function covers(s: SourceCoverage, startMs: number, endMs: number): { ok: boolean; why: string } {
  if (!s.firstTime || !s.lastTime) return { ok: false, why: `${s.id} has no dated records` };
  const first = Date.parse(s.firstTime);
  const last = Date.parse(s.lastTime);
  const dayStart = Math.floor(startMs / 86_400_000) * 86_400_000;
  if (first >= dayStart + 86_400_000) return { ok: false, why: `${s.id} starts ${day(first)}, after the window opened ${day(startMs)}` };
  if (last < endMs - HOUR) return { ok: false, why: `${s.id} ends ${day(last)}, before the window closed ${day(endMs)}` };
  for (const g of s.gaps) {
    const gs = Date.parse(g.start);
    const ge = Date.parse(g.end);
    if (g.hours >= 24 && ge > startMs && gs < endMs) return { ok: false, why: `${s.id} has no records ${day(gs)} → ${day(ge)} (${g.hours} h)` };
  }
  return { ok: true, why: `${s.id} covers ${day(startMs)} → ${day(endMs)}` };
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}
