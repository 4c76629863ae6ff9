import { emptyEntities, type Finding } from '../../model/finding.js';
import { FilePool, type RulesReport } from './file-pool.js';
import type { FileJob } from './file-worker.js';
import type { HashDb } from './hash-db.js';
import { byStrength, combine, judgeContent, judgePlace, rank, RULE, type Reason } from './judge.js';
import { placeOf, VERSION_FOLDER, type Place } from './place.js';
import { DEFAULT_LIMITS, scanHead, scanWhole, type FileContentResult, type ReadLimits } from './read-file.js';
import { compileContent } from './content.js';
import type { EvidenceSource } from '../../evidence/source.js';
import type { YaraSpec } from './content.js';
import { walkRoots, type WalkedFile, type WalkSkip, type WebRoot } from './walk.js';
import { webKnowledge } from './web-knowledge.js';

/** Web trees with fewer files are scanned by one worker (compiling the rules in more costs more than it saves). */
export const SMALL_TREE_FILES = 2000;

export interface FileScanOptions {
  yara: YaraSpec;
  hashes: HashDb;
  /** Worker threads (default 1 = this thread); a tree of fewer than `SMALL_TREE_FILES` files gets one. */
  workers?: number;
  limits?: ReadLimits;
  maxFiles?: number;
  /** Relative paths never read as web files. */
  skip?: Set<string>;
  /** The evidence is an archive: files are read through it (in this thread). */
  archive?: EvidenceSource;
  onProgress?: (p: { files: number; bytes: number; current?: string }) => void;
}

/** A file that no detector flagged but that may matter by its time: kept for the exploitation-window check. */
export interface WindowCandidate {
  rel: string;
  windowsPath: string;
  place: Place['id'];
  mtimeMs: number;
  size: number;
}

export interface FileScanStats {
  files: number;
  bytes: number;
  hashed: number;
  /** Files scanned at head and tail only. */
  capped: number;
  unreadable: number;
  symlinks: number;
  special: number;
  badNames: number;
  yaraRules: number;
  knownBadHashes: number;
}

export interface FileScanResult {
  /** One finding per suspicious file (ids not yet assigned). */
  findings: Finding[];
  candidates: WindowCandidate[];
  stats: FileScanStats;
  problems: Array<{ path: string; reason: string }>;
  notes: string[];
  rules: RulesReport;
}

const BATCH_FILES = 64;
const BATCH_BYTES = 8 << 20;
const MAX_CANDIDATES = 50_000;
const MAX_PROBLEMS = 1000;
/** Findings kept (a hostile tree of a million pages must not become a million findings); the rest are counted. */
const MAX_FINDINGS = 10_000;
/** Reasons listed per file, and characters per reason. */
const MAX_REASONS = 12;
const MAX_REASON_CHARS = 400;

const TITLES: Record<string, string> = {
  [RULE.hash]: 'Known-bad file (published hash)',
  [RULE.yara]: 'File content matches a YARA rule',
  [RULE.campaignName]: 'Web-shell file name used by the Exchange campaigns',
  [RULE.aspnetClientPage]: 'Script page in aspnet_client (web-shell drop folder)',
  [RULE.unshippedPage]: 'Script page that Exchange does not ship',
  [RULE.compiled]: 'Compiled ASP.NET artefact of a suspicious page',
};

function iso(ms: number): string | undefined {
  return ms > 0 && Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/** The finding for one file and its reasons. */
export function fileFinding(f: Pick<WalkedFile, 'rel' | 'windowsPath' | 'size' | 'mtimeMs' | 'ctimeMs' | 'birthtimeMs' | 'badName'>, content: FileContentResult | undefined, reasons: Reason[]): Finding | undefined {
  const c = combine(reasons);
  if (!c) return undefined;
  const sorted = [...reasons].sort(byStrength);
  const yaraRules = reasons.filter((r) => r.ruleId === RULE.yara).map((r) => r.text.replace(/^YARA /, '').replace(/ — .*$/, ''));
  const shown = sorted.slice(0, MAX_REASONS).map((r) => (r.text.length > MAX_REASON_CHARS ? `${r.text.slice(0, MAX_REASON_CHARS - 1)}…` : r.text));
  if (sorted.length > MAX_REASONS) shown.push(`${sorted.length - MAX_REASONS} more`);
  const fields: Record<string, string> = { path: f.windowsPath, size: String(content?.size || f.size), reasons: shown.join(' | ') };
  const mtime = iso(f.mtimeMs);
  const ctime = iso(f.ctimeMs);
  const created = iso(f.birthtimeMs);
  if (mtime) fields['modified'] = mtime;
  if (ctime) fields['changed'] = ctime;
  if (created) fields['created'] = created;
  if (content?.hashes) Object.assign(fields, { sha256: content.hashes.sha256, sha1: content.hashes.sha1, md5: content.hashes.md5 });
  if (yaraRules.length) fields['yara'] = yaraRules.slice(0, 20).join(', ') + (yaraRules.length > 20 ? ', …' : '');
  if (content?.capped) fields['scanned'] = content.capped;
  if (content?.compiledFrom) fields['compiledFrom'] = content.compiledFrom.slice(0, 5).join(', ');
  if (f.badName) fields['name'] = 'not valid UTF-8 (invalid bytes shown as \\xNN)';
  const entities = emptyEntities();
  entities.paths = [f.windowsPath];
  if (content?.hashes) entities.hashes = [content.hashes.sha256];
  return {
    id: '',
    ruleId: c.ruleId,
    title: c.ruleId === RULE.yara ? `File content matches YARA rule ${yaraRules[0] ?? ''}`.trim() : TITLES[c.ruleId] ?? c.ruleId,
    severity: c.severity,
    family: c.family,
    cves: c.cves,
    evidence: c.evidence,
    summary: `${f.windowsPath} (${fields['size']} bytes${mtime ? `, modified ${mtime}` : ''}): ${shown[0]!}${sorted.length > 1 ? ` (+${sorted.length - 1} more reason${sorted.length > 2 ? 's' : ''})` : ''}`,
    count: 1,
    source: { path: f.rel, kind: 'file' },
    fields,
    entities,
    samples: [],
    tags: ['attack.persistence', 'attack.t1505.003'],
  };
}

/**
 * In a folder with no Windows layout (a bare folder of logs, notes and copied files), what can be a web page,
 * a renamed one or a compiled artefact: script extensions, .config, .dll, .compiled, .txt and no extension.
 * Write-ups and log exports (.md, .csv, .log, .json) quote shell code without being shells.
 */
function mayBeWebFile(name: string): boolean {
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return true;
  const ext = name.slice(dot).toLowerCase();
  return webKnowledge().scriptExtensions.has(ext) || ['.config', '.dll', '.compiled', '.txt', '.htm', '.html', '.inc', '.js'].includes(ext);
}

/** Files that can matter by their time alone: not shipped, in a place where shells were dropped. */
function windowCandidate(place: Place): boolean {
  if (place.id === 'web' || place.id === 'temp-aspnet' || place.id === 'oab') return false;
  const name = place.below[place.below.length - 1] ?? '';
  if (place.below.length === 1 && webKnowledge().shipped.get(place.id)?.has(name)) return false;
  // owa\auth resource folders are rewritten by every update.
  if (place.id === 'owa-auth' && place.below.length > 1 && (VERSION_FOLDER.test(place.below[0]!) || place.below[0] === 'current')) return false;
  return true;
}

/**
 * Scan every file under the web roots: place and name, known-bad hashes, YARA, compiled artefacts.
 * Read-only; bounded; never follows links; every skip is counted and reported.
 */
export async function scanWebFiles(evidenceRoot: string, roots: WebRoot[], opts: FileScanOptions): Promise<FileScanResult> {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const stats: FileScanStats = { files: 0, bytes: 0, hashed: 0, capped: 0, unreadable: 0, symlinks: 0, special: 0, badNames: 0, yaraRules: 0, knownBadHashes: opts.hashes.size };
  const problems: FileScanResult['problems'] = [];
  const cappedPaths: string[] = [];
  const findings: Finding[] = [];
  let unlisted = 0;
  // The lowest severity rank among the listed findings once the list is full.
  let floorRank = 0;
  const candidates: WindowCandidate[] = [];
  const problem = (path: string, reason: string): void => {
    if (problems.length < MAX_PROBLEMS) problems.push({ path, reason });
  };
  const onSkip = (s: WalkSkip): void => {
    if (s.kind === 'symlink') stats.symlinks++;
    else if (s.kind === 'special') stats.special++;
    else if (s.kind === 'unreadable') stats.unreadable++;
    problem(s.path, s.reason);
  };
  const handle = (batch: WalkedFile[], results: FileContentResult[]): void => {
    batch.forEach((f, i) => {
      const content = results[i]!;
      if (content.error) {
        stats.unreadable++;
        problem(f.rel, content.error);
      } else {
        if (content.scanError) problem(f.rel, content.scanError);
        stats.bytes += content.size;
        if (content.hashes) stats.hashed++;
        if (content.capped) {
          stats.capped++;
          if (cappedPaths.length < 20) cappedPaths.push(f.rel);
        }
      }
      const place = placeOf(f.windowsPath);
      const reasons = [...judgePlace(f.windowsPath, place), ...(content.error ? [] : judgeContent(content, opts.hashes))];
      const finding = fileFinding(f, content.error ? undefined : content, reasons);
      if (finding && findings.length >= MAX_FINDINGS) {
        // Full: the stronger finding stays listed, the weaker one is counted.
        unlisted++;
        // Only a finding stronger than the weakest listed one looks for it: a flood of equals costs nothing.
        if (rank(finding.severity) > floorRank) {
          let weakest = 0;
          for (let k = 1; k < findings.length; k++) if (rank(findings[k]!.severity) < rank(findings[weakest]!.severity)) weakest = k;
          findings[weakest] = finding;
          floorRank = Math.min(...findings.map((x) => rank(x.severity)));
        }
      } else if (finding) {
        findings.push(finding);
        if (findings.length === MAX_FINDINGS) floorRank = Math.min(...findings.map((x) => rank(x.severity)));
      }
      else if (windowCandidate(place) && candidates.length < MAX_CANDIDATES) {
        candidates.push({ rel: f.rel, windowsPath: f.windowsPath, place: place.id, mtimeMs: f.mtimeMs, size: f.size });
      }
    });
    opts.onProgress?.({ files: stats.files, bytes: stats.bytes, current: batch[batch.length - 1]?.rel });
  };
  if (opts.archive) return finish(await scanArchive(opts.archive, roots, opts, limits, { handle: (f, c) => handle([f], [c]), onSkip, stats }));
  // Each worker compiles the rules (~1 s of yara-x): a small tree is scanned by one. Walk ahead to know.
  const walker = walkRoots(evidenceRoot, roots, onSkip, { maxFiles: opts.maxFiles });
  const ahead: Array<WalkedFile & { root: WebRoot }> = [];
  let more = true;
  while (ahead.length < SMALL_TREE_FILES) {
    const n = walker.next();
    if (n.done) {
      more = false;
      break;
    }
    ahead.push(n.value);
  }
  function* walked(): Generator<WalkedFile & { root: WebRoot }> {
    yield* ahead;
    if (more) yield* walker;
  }
  const pool = new FilePool(opts.yara, limits, more ? opts.workers ?? 1 : 1);
  let rules: RulesReport;
  try {
    const inFlight = new Set<Promise<void>>();
    const maxInFlight = Math.max(2, pool.size * 2);
    let batch: WalkedFile[] = [];
    let batchBytes = 0;
    const flush = async (): Promise<void> => {
      if (!batch.length) return;
      const b = batch;
      batch = [];
      batchBytes = 0;
      const jobs: FileJob[] = b.map((f) => ({ abs: f.abs, name: f.name }));
      const p = pool.run(jobs).then((r) => handle(b, r));
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p)).catch(() => undefined);
      if (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    };
    for (const f of walked()) {
      if (opts.skip?.has(f.rel) || (f.root.bare && !mayBeWebFile(f.name))) continue;
      stats.files++;
      if (f.badName) {
        stats.badNames++;
        problem(f.rel, 'file name is not valid UTF-8 (scanned; invalid bytes shown as \\xNN)');
      }
      batch.push(f);
      batchBytes += Math.min(f.size, limits.fullBytes);
      if (batch.length >= BATCH_FILES || batchBytes >= BATCH_BYTES) await flush();
    }
    await flush();
    await Promise.all(inFlight);
    rules = await pool.ready;
  } finally {
    await pool.close();
  }
  return finish(rules);

  // The scan's result, once the rules report is known (both ways of reading end here).
  function finish(rules: RulesReport): FileScanResult {
    stats.yaraRules = rules.ruleCount;
    const notes: string[] = [];
    if (stats.capped) notes.push(`${stats.capped} web-folder file(s) larger than ${limits.fullBytes >> 20} MiB were scanned at their ends only (see each finding's scanned field) and not hashed: ${cappedPaths.join(', ')}${stats.capped > cappedPaths.length ? ', …' : ''}`);
    if (stats.badNames) notes.push(`${stats.badNames} file name(s) in the web folders are not valid UTF-8 (scanned; listed in problems)`);
    if (unlisted) notes.push(`${unlisted} further suspicious web file(s) not listed: at most ${MAX_FINDINGS} file findings are kept`);
    for (const e of rules.errors) notes.push(e);
    findings.sort((a, b) => rank(b.severity) - rank(a.severity) || a.source.path.localeCompare(b.source.path));
    return { findings, candidates, stats, problems, notes, rules };
  }
}

/**
 * Evidence inside an archive (a collection from `exhunt collect`): entries are walked through the source and
 * read in this thread, whole up to the limit, else their head (inflating a ZIP entry's tail means inflating it all).
 */
async function scanArchive(
  src: EvidenceSource,
  roots: WebRoot[],
  opts: FileScanOptions,
  limits: ReadLimits,
  sink: { handle: (f: WalkedFile, c: FileContentResult) => void; onSkip: (s: WalkSkip) => void; stats: FileScanStats },
): Promise<RulesReport> {
  const compiled = compileContent(opts.yara);
  try {
    let n = 0;
    for (const root of roots) {
      for await (const e of src.walk(root.rel, { maxDepth: 40, onSkip: (path, reason) => sink.onSkip({ path, reason, kind: /symlink|special/.test(reason) ? 'symlink' : 'unreadable' }) })) {
        if (opts.skip?.has(e.rel) || (root.bare && !mayBeWebFile(e.name))) continue;
        if (++n > (opts.maxFiles ?? 2_000_000)) break;
        sink.stats.files++;
        const tail = e.rel.slice(root.rel.length).split('/').filter(Boolean).join('\\');
        const f: WalkedFile = { abs: Buffer.alloc(0), rel: e.rel, windowsPath: root.windowsPrefix ? `${root.windowsPrefix}\\${tail}` : tail, name: e.name, size: e.size, mtimeMs: e.mtimeMs, ctimeMs: e.ctimeMs ?? 0, birthtimeMs: e.birthtimeMs };
        let content: FileContentResult;
        try {
          content = e.size <= limits.fullBytes
            ? scanWhole(await src.readAll(e.rel, limits.fullBytes), e.name, compiled.scanner)
            : scanHead(await src.head(e.rel, limits.edgeBytes), e.size, compiled.scanner, `${Math.round(e.size / 1048576)} MiB archive entry: only the first ${limits.edgeBytes >> 20} MiB were scanned, not hashed`);
        } catch (err) {
          content = { size: 0, hits: [], error: `cannot read: ${(err as Error).message}` };
        }
        sink.handle(f, content);
      }
    }
    return { ruleCount: compiled.ruleCount, warnings: compiled.warnings, errors: compiled.errors };
  } finally {
    compiled.dispose();
  }
}

export interface FamilyWindow {
  family: string;
  name: string;
  startMs: number;
  endMs: number;
}

/**
 * Exploitation-window context, once the verdicts know each family's window: flagged files written inside a
 * window say so; other non-shipped files of the shell places written inside one become one low `context`
 * finding per family and place, raised with the family (src/correlate/attribution.ts).
 */
export function windowFindings(fileFindings: Finding[], candidates: WindowCandidate[], windows: FamilyWindow[]): Finding[] {
  const inWindow = (ms: number): FamilyWindow | undefined => windows.find((w) => ms >= w.startMs && ms <= w.endMs);
  for (const f of fileFindings) {
    const m = f.fields['modified'];
    const w = m ? inWindow(Date.parse(m)) : undefined;
    if (w) f.fields['window'] = `modified inside the ${w.name} exploitation window (${new Date(w.startMs).toISOString().slice(0, 10)} → ${new Date(w.endMs).toISOString().slice(0, 10)})`;
  }
  const groups = new Map<string, { w: FamilyWindow; place: string; files: WindowCandidate[] }>();
  for (const c of candidates) {
    const w = inWindow(c.mtimeMs);
    if (!w) continue;
    const key = `${w.family}\u0000${c.place}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { w, place: c.place, files: [] }));
    g.files.push(c);
  }
  const out: Finding[] = [];
  for (const { w, place, files } of groups.values()) {
    files.sort((a, b) => a.mtimeMs - b.mtimeMs || a.rel.localeCompare(b.rel));
    const first = files[0]!;
    const label = webKnowledge().labels.get(place as never) ?? place;
    const entities = emptyEntities();
    entities.paths = files.slice(0, 10).map((x) => x.windowsPath);
    out.push({
      id: '',
      ruleId: RULE.window,
      title: `Files written in the ${w.name} exploitation window`,
      severity: 'low',
      family: null,
      cves: [],
      evidence: 'context',
      summary: `${files.length} file(s) in ${label} that Exchange does not ship were written between ${new Date(w.startMs).toISOString().slice(0, 10)} and ${new Date(w.endMs).toISOString().slice(0, 10)} (first ${first.windowsPath}, ${new Date(first.mtimeMs).toISOString()})`,
      count: files.length,
      source: { path: first.rel, kind: 'file' },
      fields: { path: first.windowsPath, modified: new Date(first.mtimeMs).toISOString(), size: String(first.size), files: String(files.length) },
      entities,
      samples: files.slice(1, 6).map((x) => ({ source: { path: x.rel }, fields: { path: x.windowsPath, modified: new Date(x.mtimeMs).toISOString() } })),
      tags: ['attack.persistence', 'attack.t1505.003'],
      raiseWith: w.family,
    });
  }
  return out;
}
