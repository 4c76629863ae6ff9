import type { EventRecord, SourcePointer } from '../model/record.js';
import { emptyEntities, type Entities, type Finding, type SampleHit } from '../model/finding.js';
import type { CompiledRule, RuleMatch } from '../rules/types.js';
import { defaultEntityFields, defaultGroupBy, keyFields } from './source-fields.js';

/** Bounds that keep memory flat whatever the input (issue 3: floods become counted findings). */
export const LIMITS = {
  /** Distinct groups kept per rule; hits beyond fold into one overflow group per rule. */
  groupsPerRule: 500,
  /** Distinct groups kept in all (then every new key folds into its rule's overflow group). */
  groupsTotal: 2000,
  /** Samples kept per finding: the first few and the latest. */
  samples: 5,
  /** Values kept per entity list of a finding, and characters per value. */
  entityValues: 10,
  entityChars: 256,
  /** Characters kept of a field value of a finding's first hit, and of a sample's. */
  fieldChars: 1024,
  sampleFieldChars: 256,
};
// Worst case per collector (every field of every group at its cap): groupsTotal × (first hit ≈ 12 fields ×
// 1 KiB + 5 samples × 12 × 256 B + 6 entity lists × 10 × 256 B) ≈ 2000 × 42 KiB ≈ 84 MiB; typical scans
// hold a few hundred small groups. docs/performance.md has the full memory budget.

export interface Hit {
  rule: CompiledRule;
  record: EventRecord;
  match: RuleMatch;
  /** epoch ms, if the record has a time. */
  time?: number;
  source: SourcePointer;
  sourceKind: string;
}

interface Group {
  finding: Finding;
  firstMs?: number;
  lastMs?: number;
  entitySets: Map<keyof Entities, Set<string>>;
}

/** Turns rule hits into findings, grouping floods. One collector per scan (or per worker, then merged). */
export class FindingCollector {
  private readonly groups = new Map<string, Group>();
  private readonly perRule = new Map<string, number>();
  private seq = 0;

  add(hit: Hit): void {
    const { rule, record, match } = hit;
    const get = (f: string): string => fieldText(f === '_raw' ? record.raw : match.derived[f] ?? record.get(f));
    const groupBy = rule.exhunt.groupBy ?? defaultGroupBy(hit.sourceKind);
    let key = `${rule.id}\u0000${groupBy.map(get).join('\u0000')}`;
    let g = this.groups.get(key);
    if (!g) {
      const n = this.perRule.get(rule.id) ?? 0;
      if (n >= LIMITS.groupsPerRule || this.groups.size >= LIMITS.groupsTotal) {
        key = `${rule.id}\u0000(overflow)`;
        g = this.groups.get(key);
      } else this.perRule.set(rule.id, n + 1);
    }
    const fields = pickFields(record, match, rule, hit.sourceKind);
    const sample: SampleHit = { source: hit.source, fields: shorten(fields, LIMITS.sampleFieldChars) };
    if (hit.time !== undefined) sample.time = new Date(hit.time).toISOString();
    if (!g) {
      const finding: Finding = {
        id: '',
        ruleId: rule.id,
        title: rule.title,
        severity: rule.level,
        family: rule.exhunt.family ?? null,
        cves: [...rule.exhunt.cves],
        evidence: rule.exhunt.evidence,
        summary: renderSummary(rule, get),
        count: 0,
        source: { ...hit.source, kind: hit.sourceKind },
        fields,
        entities: emptyEntities(),
        samples: [],
        tags: [...rule.tags],
      };
      if (rule.exhunt.raiseWith) finding.raiseWith = rule.exhunt.raiseWith;
      if (hit.time !== undefined) finding.time = sample.time;
      g = { finding, entitySets: new Map(), firstMs: hit.time, lastMs: hit.time };
      this.groups.set(key, g);
      this.seq++;
    }
    const f = g.finding;
    f.count++;
    if (hit.time !== undefined) {
      if (g.firstMs === undefined || hit.time < g.firstMs || (hit.time === g.firstMs && before(hit.source, f.source))) {
        // The earliest hit is the finding's own (ties: the first file and line, so results do not depend on
        // the order worker threads finished in); the previous first becomes a sample.
        if (f.count > 1) f.samples.push({ source: { ...f.source }, fields: f.fields, ...(f.time ? { time: f.time } : {}) });
        g.firstMs = hit.time;
        f.time = sample.time;
        f.source = { ...hit.source, kind: hit.sourceKind };
        f.fields = fields;
        f.summary = renderSummary(rule, get);
        f.samples = pickSamples(f.samples.filter((x) => !sameHit(x.source, hit.source)));
      }
      if (g.lastMs === undefined || hit.time > g.lastMs) g.lastMs = hit.time;
    }
    if (f.count > 1 && !sameHit(f.source, hit.source)) {
      // Keep the earliest hits and the latest one whatever the arrival order, so results do not
      // depend on how files were spread over worker threads.
      f.samples.push(sample);
      if (f.samples.length > LIMITS.samples) f.samples = pickSamples(f.samples);
    }
    this.addEntities(g, record, match, rule, hit.sourceKind);
  }

  private addEntities(g: Group, record: EventRecord, match: RuleMatch, rule: CompiledRule, kind: string): void {
    const spec = { ...defaultEntityFields(kind), ...rule.exhunt.entities };
    for (const [list, fields] of Object.entries(spec) as Array<[keyof Entities, string[] | undefined]>) {
      for (const field of fields ?? []) {
        const raw = field === '_raw' ? undefined : match.derived[field] ?? record.get(field);
        const v = normaliseEntity(list, fieldText(raw, LIMITS.entityChars));
        if (!v) continue;
        // The server's own address (a back-end log's client is the front end) is no attacker.
        if (list === 'ips' && v === fieldText(record.get('s-ip'))) continue;
        let set = g.entitySets.get(list);
        if (!set) g.entitySets.set(list, (set = new Set()));
        if (set.size < LIMITS.entityValues) set.add(v);
      }
    }
  }

  /** The collector's state as plain data (structured-clone safe), for merging results of worker threads. */
  export(): ExportedGroup[] {
    return [...this.groups].map(([key, g]) => ({
      key,
      finding: g.finding,
      firstMs: g.firstMs,
      lastMs: g.lastMs,
      entities: [...g.entitySets].map(([list, set]) => [list, [...set]] as [keyof Entities, string[]]),
    }));
  }

  /**
   * Merge another collector's groups (a worker's). Same bounds as `add`: counts add up, the earliest hit
   * becomes the finding's first hit, samples keep the earliest ones and the latest, entity lists stay capped.
   */
  merge(groups: readonly ExportedGroup[]): void {
    for (const other of groups) {
      let key = other.key;
      const ruleId = other.finding.ruleId;
      let g = this.groups.get(key);
      if (!g) {
        const n = this.perRule.get(ruleId) ?? 0;
        if (n >= LIMITS.groupsPerRule || this.groups.size >= LIMITS.groupsTotal) {
          key = `${ruleId}\u0000(overflow)`;
          g = this.groups.get(key);
        } else this.perRule.set(ruleId, n + 1);
      }
      if (!g) {
        g = { finding: other.finding, firstMs: other.firstMs, lastMs: other.lastMs, entitySets: new Map() };
        this.groups.set(key, g);
      } else {
        const f = g.finding;
        const o = other.finding;
        const hits: SampleHit[] = [...withFirst(f), ...withFirst(o)];
        f.count += o.count;
        if (other.firstMs !== undefined && (g.firstMs === undefined || other.firstMs < g.firstMs || (other.firstMs === g.firstMs && before(o.source, f.source)))) {
          g.firstMs = other.firstMs;
          f.time = o.time;
          f.source = o.source;
          f.fields = o.fields;
          f.summary = o.summary;
        }
        if (other.lastMs !== undefined && (g.lastMs === undefined || other.lastMs > g.lastMs)) g.lastMs = other.lastMs;
        f.samples = pickSamples(hits.filter((h) => !sameHit(h.source, f.source)));
      }
      for (const [list, values] of other.entities) {
        let set = g.entitySets.get(list);
        if (!set) g.entitySets.set(list, (set = new Set()));
        for (const v of values) if (set.size < LIMITS.entityValues) set.add(v);
      }
    }
  }

  /** Findings in time order with stable ids (`F0001`…); entity sets materialised. */
  findings(): Finding[] {
    const out: Finding[] = [];
    for (const g of this.groups.values()) {
      const f = g.finding;
      if (g.lastMs !== undefined && g.firstMs !== undefined && g.lastMs !== g.firstMs) f.lastTime = new Date(g.lastMs).toISOString();
      for (const [list, set] of g.entitySets) f.entities[list] = [...set].sort();
      f.samples.sort(sampleOrder);
      out.push(f);
    }
    out.sort((a, b) => (a.time ?? '9') .localeCompare(b.time ?? '9') || a.ruleId.localeCompare(b.ruleId) || a.source.path.localeCompare(b.source.path));
    out.forEach((f, i) => (f.id = `F${String(i + 1).padStart(4, '0')}`));
    return out;
  }

  get size(): number {
    return this.groups.size;
  }
}

export interface ExportedGroup {
  key: string;
  finding: Finding;
  firstMs?: number;
  lastMs?: number;
  entities: Array<[keyof Entities, string[]]>;
}

/** Order of evidence pointers: path, then line, then offset. */
function before(a: SourcePointer, b: SourcePointer): boolean {
  if (a.path !== b.path) return a.path < b.path;
  return (a.line ?? a.offset ?? 0) < (b.line ?? b.offset ?? 0);
}

/** A finding's first hit and its samples, as sample hits. */
function withFirst(f: Finding): SampleHit[] {
  const first: SampleHit = { source: { path: f.source.path, line: f.source.line, offset: f.source.offset, record: f.source.record }, fields: f.fields };
  if (f.time) first.time = f.time;
  for (const k of ['line', 'offset', 'record'] as const) if (first.source[k] === undefined) delete first.source[k];
  return [first, ...f.samples];
}

/** One record: same file and line, or same record offset (EVTX records have no line). */
function sameHit(a: SourcePointer, b: SourcePointer): boolean {
  return a.path === b.path && a.line === b.line && a.offset === b.offset;
}

/** The earliest hits and the latest one, like `add` keeps them. */
function sampleOrder(a: SampleHit, b: SampleHit): number {
  return (a.time ?? '').localeCompare(b.time ?? '') || (a.source.path < b.source.path ? -1 : a.source.path > b.source.path ? 1 : 0) || (a.source.line ?? a.source.offset ?? 0) - (b.source.line ?? b.source.offset ?? 0);
}

function pickSamples(hits: SampleHit[]): SampleHit[] {
  const sorted = [...hits].sort(sampleOrder);
  if (sorted.length <= LIMITS.samples) return sorted;
  return [...sorted.slice(0, LIMITS.samples - 1), sorted[sorted.length - 1]!];
}

function fieldText(v: unknown, max = LIMITS.fieldChars): string {
  if (v === undefined || v === null) return '';
  const s = String(v);
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

function shorten(fields: Record<string, string>, max: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = v.length > max ? `${v.slice(0, max)}…` : v;
  return out;
}

function pickFields(record: EventRecord, match: RuleMatch, rule: CompiledRule, kind: string): Record<string, string> {
  const out: Record<string, string> = {};
  const names = new Set<string>([...keyFields(kind), ...rule.fields]);
  for (const name of names) {
    const v = record.get(name);
    if (v !== undefined && v !== null && v !== '') out[name] = fieldText(v);
  }
  for (const [k, v] of Object.entries(match.derived)) out[k] = fieldText(v);
  if (!Object.keys(out).length) out['raw'] = fieldText(record.raw);
  return out;
}

const PLACEHOLDER = /\{([A-Za-z0-9_:.()-]{1,64})\}/g;

function renderSummary(rule: CompiledRule, get: (f: string) => string): string {
  if (!rule.exhunt.summary) return rule.title;
  return rule.exhunt.summary.replace(PLACEHOLDER, (_, name: string) => {
    const v = get(name);
    return v ? (v.length > 200 ? `${v.slice(0, 200)}…` : v) : '-';
  });
}

function normaliseEntity(list: keyof Entities, v: string): string {
  if (!v || v === '-') return '';
  switch (list) {
    case 'userAgents':
      return v.replace(/\+/g, ' ');
    case 'mailboxes': {
      // Bounded input keeps the address pattern cheap on attacker-made values.
      if (v.length > 320 || !v.includes('@')) return '';
      const m = /([A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24})/.exec(v);
      return m ? m[1]!.toLowerCase() : '';
    }
    case 'ips':
      return v.replace(/^\[|\]$/g, '');
    case 'paths':
      // Exchange logs quote paths ('C:\...'); the entity is the path itself.
      return v.replace(/^'(.*)'$/, '$1');
    default:
      return v;
  }
}
