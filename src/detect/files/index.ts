import type { EvidenceSource } from '../../evidence/source.js';
import type { Finding } from '../../model/finding.js';
import type { Verdict } from '../../correlate/verdicts.js';
import { HashDb } from './hash-db.js';
import { scanWebFiles, windowFindings, type FileScanResult, type FileScanStats, type FamilyWindow } from './scan-files.js';
import type { WebRoot } from './walk.js';

export { HashDb, prepareFileScan } from './hash-db.js';
export { scanWebFiles, windowFindings, fileFinding } from './scan-files.js';
export type { FileScanResult, FileScanStats, WindowCandidate } from './scan-files.js';
export type { WebRoot } from './walk.js';

export interface FileScanRequest {
  roots: WebRoot[];
  /** Users' YARA rule folders (`--yara DIR`). */
  yaraDirs?: string[];
  /** Scan with the project's own YARA rules (default true). */
  projectYara?: boolean;
  hashes: HashDb;
  workers?: number;
  /** Relative paths never read as web files (the logs discovery already reads, in a bare folder). */
  skip?: Set<string>;
  onProgress?: (p: { files: number; bytes: number; current?: string }) => void;
  /** The scan's --since/--until (epoch ms): files modified outside do not count for a verdict. */
  since?: number;
  until?: number;
}

/** The web-file scan of one evidence source: a folder tree, or an archive (a collection) read as one. */
export async function runFileScan(src: EvidenceSource, req: FileScanRequest): Promise<FileScanResult | undefined> {
  if (src.kind !== 'folder' || !req.roots.length) return undefined;
  const r = await scanWebFiles(src.root, req.roots, {
    ...(src.archive ? { archive: src } : {}),
    yara: { project: req.projectYara ?? true, dirs: req.yaraDirs ?? [] },
    hashes: req.hashes,
    ...(req.workers !== undefined ? { workers: req.workers } : {}),
    ...(req.skip ? { skip: req.skip } : {}),
    ...(req.onProgress ? { onProgress: req.onProgress } : {}),
  });
  // A file is evidence whatever its time, so it stays listed; outside the user's time range it does not decide a verdict.
  if (req.since !== undefined || req.until !== undefined) {
    for (const f of r.findings) {
      const m = Date.parse(f.fields['modified'] ?? '');
      if (!Number.isFinite(m) || (req.since === undefined || m >= req.since) && (req.until === undefined || m <= req.until)) continue;
      f.family = null;
      f.evidence = 'context';
      f.summary += ' — modified outside --since/--until: not counted for a verdict';
    }
    r.candidates = r.candidates.filter((c) => (req.since === undefined || c.mtimeMs >= req.since) && (req.until === undefined || c.mtimeMs <= req.until));
  }
  return r;
}

/** Log and file findings in one list with stable ids (`F0001`…): timed findings first, then files by severity. */
export function withFileFindings(logFindings: Finding[], files: FileScanResult | undefined): Finding[] {
  const all = [...logFindings, ...(files?.findings ?? [])];
  all.forEach((f, i) => (f.id = `F${String(i + 1).padStart(4, '0')}`));
  return all;
}

/**
 * After the verdicts: each family's judged window marks file findings written inside it, and adds the
 * low context findings of unflagged files written inside it (ids continue the list).
 */
export function addWindowFindings(findings: Finding[], files: FileScanResult | undefined, verdicts: Record<string, Verdict>, names: Record<string, string>): void {
  if (!files) return;
  const windows: FamilyWindow[] = [];
  for (const [family, v] of Object.entries(verdicts)) {
    if (v.status === 'not-applicable') continue;
    const startMs = Date.parse(v.window.start);
    const endMs = Date.parse(v.window.end);
    if (Number.isFinite(startMs) && Number.isFinite(endMs)) windows.push({ family, name: names[family] ?? family, startMs, endMs });
  }
  const extra = windowFindings(files.findings, files.candidates, windows);
  for (const f of extra) {
    f.id = `F${String(findings.length + 1).padStart(4, '0')}`;
    findings.push(f);
  }
}

export type { FileScanStats as WebFileStats };
