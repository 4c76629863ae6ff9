/**
 * The collection manifest (`exhunt-collect/manifest.json` inside the archive, and the same rows as
 * `manifest.csv`): what was copied, from where, with which hash and original times, by whom, and what
 * could not be copied and why. docs/collect.md documents it.
 */
import { csvTable } from '../report/csv.js';

export const MANIFEST_SCHEMA = 'exhunt.collect-manifest/1';

/** Why a file is in the collection: what `exhunt scan` reads it as, or that the user asked for it. */
export type CollectCategory = 'log' | 'event-log' | 'file-artefact' | 'web-file' | 'config' | 'exsetup' | 'extra';

export interface ManifestFile {
  /** Entry name in the archive (`/`-separated; the path relative to the collected root). */
  path: string;
  /** The file's path on the collecting machine, as the OS gave it. */
  original: string;
  /** Bytes copied (= bytes hashed). */
  size: number;
  sha256: string;
  /** Original times (ISO 8601 UTC, ms), taken before the file was opened; `created` is absent where the file system has none. */
  created?: string;
  modified: string;
  accessed: string;
  changed: string;
  category: CollectCategory;
  /** Log kind (`httpproxy`, `iis-w3c`, `evtx` …) for logs. */
  kind?: string;
  /** `partial`: reading failed after some bytes (the reason is in `note`); the bytes copied are hashed. */
  status: 'complete' | 'partial';
  note?: string;
}

export interface NotCollected {
  path: string;
  reason: string;
}

export interface Manifest {
  schema: typeof MANIFEST_SCHEMA;
  tool: { name: 'exhunt'; version: string };
  case: { id?: string; evidenceNumber?: string; examiner?: string; notes?: string };
  collector: { host: string; user: string; platform: string; release: string; node: string };
  source: { root: string; layout: string; live: boolean; installPath?: string };
  startedAt: string;
  finishedAt: string;
  totals: { files: number; bytes: number; notCollected: number; folders: number };
  files: ManifestFile[];
  notCollected: NotCollected[];
  /** Folders seen when the evidence was listed (kept as empty folder entries, so the layout survives). */
  folders: string[];
}

export const MANIFEST_CSV_COLUMNS = ['Path', 'OriginalPath', 'Status', 'Size', 'SHA256', 'Created', 'Modified', 'Accessed', 'Changed', 'Category', 'Kind', 'Note'];

/** The manifest's rows as CSV (RFC 4180, formula-safe cells): collected files, then what was not collected. */
export function manifestCsv(m: Manifest): string {
  const rows: unknown[][] = m.files.map((f) => [f.path, f.original, f.status, f.size, f.sha256, f.created ?? '', f.modified, f.accessed, f.changed, f.category, f.kind ?? '', f.note ?? '']);
  for (const n of m.notCollected) rows.push(['', n.path, 'not collected', '', '', '', '', '', '', '', '', n.reason]);
  return csvTable(MANIFEST_CSV_COLUMNS, rows);
}
