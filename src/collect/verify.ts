/**
 * `exhunt verify CASE.zip`: the archive against the SHA-256 written beside it, and every entry against
 * the manifest inside it (re-inflated and re-hashed). Any difference is reported; none means the
 * collection is as it was written.
 */
import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { EvidenceError } from '../model/errors.js';
import { COLLECT_DIR, MANIFEST_CSV, MANIFEST_JSON, ZipIndex, entryChunks, readEntry } from '../evidence/zip-source.js';
import { MANIFEST_SCHEMA, manifestCsv, type Manifest } from './manifest.js';

export type DifferenceKind = 'archive-hash' | 'no-hash-file' | 'manifest' | 'changed' | 'missing' | 'extra' | 'unreadable' | 'unsafe-entry';

export interface Difference {
  kind: DifferenceKind;
  path: string;
  detail: string;
}

export interface VerifyResult {
  archive: string;
  sha256: string;
  /** From `CASE.zip.sha256`, when present and readable. */
  expectedSha256?: string;
  manifest?: Pick<Manifest, 'case' | 'collector' | 'startedAt' | 'finishedAt' | 'tool' | 'totals'>;
  entriesChecked: number;
  bytesChecked: number;
  differences: Difference[];
  ok: boolean;
}

export interface VerifyOptions {
  /** The hash file (default `<archive>.sha256`). */
  sha256File?: string;
  onProgress?: (done: number, total: number) => void;
}

const MAX_MANIFEST = 512 * 1024 * 1024;

export async function verifyArchive(path: string, opts: VerifyOptions = {}): Promise<VerifyResult> {
  const archive = resolve(path);
  try {
    if (!(await stat(archive)).isFile()) throw new Error('not a file');
  } catch (err) {
    throw new EvidenceError(`archive not found or not readable: ${path}`, { cause: err });
  }
  const differences: Difference[] = [];
  const sha256 = await hashFile(archive);
  const hashFilePath = opts.sha256File ?? `${archive}.sha256`;
  let expectedSha256: string | undefined;
  try {
    const text = await readFile(hashFilePath, 'utf8');
    const m = /^\s*([0-9a-fA-F]{64})\b/.exec(text);
    if (m) expectedSha256 = m[1]!.toLowerCase();
    else differences.push({ kind: 'no-hash-file', path: hashFilePath, detail: 'no SHA-256 in the hash file' });
  } catch {
    differences.push({ kind: 'no-hash-file', path: hashFilePath, detail: 'the hash file beside the archive is missing: the archive as a whole cannot be verified' });
  }
  if (expectedSha256 && expectedSha256 !== sha256) {
    differences.push({ kind: 'archive-hash', path: archive, detail: `SHA-256 is ${sha256}, the hash file says ${expectedSha256}` });
  }

  const result: VerifyResult = { archive, sha256, ...(expectedSha256 ? { expectedSha256 } : {}), entriesChecked: 0, bytesChecked: 0, differences, ok: false };
  let idx: ZipIndex;
  try {
    idx = await ZipIndex.open(archive, { keepManifest: true });
  } catch (err) {
    // A central directory that no longer parses is a failed verification, not a missing file.
    differences.push({ kind: 'unreadable', path: archive, detail: (err as Error).message });
    return result;
  }
  // (The manifest's own problems are reported below, once.)
  for (const p of idx.problems) if (p.path !== MANIFEST_JSON) differences.push({ kind: 'unsafe-entry', path: p.path, detail: p.reason });
  const byName = new Map(idx.files.map((f) => [f.name, f]));

  let manifest: Manifest | undefined;
  const mref = byName.get(MANIFEST_JSON);
  if (!mref) differences.push({ kind: 'manifest', path: MANIFEST_JSON, detail: 'no manifest in the archive: not an exhunt collection, or it was removed' });
  else {
    try {
      // The index parsed it already (unless it was over its size limit): read once.
      const read = idx.manifestRef === mref ? idx.manifest : undefined;
      if (read && 'error' in read) throw new Error(read.error);
      const m = (read ? read.parsed : JSON.parse((await readEntry(mref, MAX_MANIFEST)).toString('utf8'))) as Manifest;
      if (m?.schema !== MANIFEST_SCHEMA || !Array.isArray(m.files)) throw new Error(`unknown manifest schema ${String(m?.schema)}`);
      manifest = m;
    } catch (err) {
      differences.push({ kind: 'manifest', path: MANIFEST_JSON, detail: `manifest not readable: ${(err as Error).message}` });
    }
  }
  if (manifest) {
    result.manifest = { case: manifest.case, collector: manifest.collector, startedAt: manifest.startedAt, finishedAt: manifest.finishedAt, tool: manifest.tool, totals: manifest.totals };
    // The CSV is the JSON's rows: it must say the same.
    const cref = byName.get(MANIFEST_CSV);
    if (!cref) differences.push({ kind: 'missing', path: MANIFEST_CSV, detail: 'the CSV manifest is missing' });
    else {
      try {
        if ((await readEntry(cref, MAX_MANIFEST)).toString('utf8') !== manifestCsv(manifest)) differences.push({ kind: 'manifest', path: MANIFEST_CSV, detail: 'the CSV manifest differs from the JSON manifest' });
      } catch (err) {
        differences.push({ kind: 'unreadable', path: MANIFEST_CSV, detail: (err as Error).message });
      }
    }
    const listed = new Set<string>();
    const total = manifest.files.length;
    // One handle for every entry: thousands of small entries, no open/close each.
    const handle = await open(archive, 'r');
    try {
      let done = 0;
      for (const f of manifest.files) {
        opts.onProgress?.(done++, total);
        if (typeof f?.path !== 'string') continue;
        // A path listed twice would be hashed twice: a hostile manifest could list one big entry millions of times.
        if (listed.has(f.path)) {
          differences.push({ kind: 'manifest', path: f.path, detail: 'listed twice in the manifest' });
          continue;
        }
        listed.add(f.path);
        const ref = byName.get(f.path);
        if (!ref) {
          differences.push({ kind: 'missing', path: f.path, detail: 'listed in the manifest, not in the archive' });
          continue;
        }
        const h = createHash('sha256');
        let n = 0;
        try {
          for await (const c of entryChunks(ref, { handle })) {
            h.update(c);
            n += c.length;
          }
        } catch (err) {
          differences.push({ kind: 'unreadable', path: f.path, detail: (err as Error).message });
          continue;
        }
        result.entriesChecked++;
        result.bytesChecked += n;
        const got = h.digest('hex');
        if (n !== f.size || got !== f.sha256) {
          differences.push({ kind: 'changed', path: f.path, detail: `${n} bytes, SHA-256 ${got}; the manifest says ${f.size} bytes, ${f.sha256}` });
        }
      }
    } finally {
      await handle.close();
    }
    for (const ref of idx.files) {
      if (ref.name === MANIFEST_JSON || ref.name === MANIFEST_CSV) continue;
      if (!listed.has(ref.name)) differences.push({ kind: 'extra', path: ref.name, detail: ref.name.startsWith(`${COLLECT_DIR}/`) ? 'unexpected file in the manifest folder' : 'in the archive, not in the manifest' });
    }
  }
  result.ok = differences.length === 0;
  return result;
}

async function hashFile(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(c as Buffer);
  return h.digest('hex');
}
