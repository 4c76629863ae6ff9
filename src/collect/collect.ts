/**
 * `exhunt collect`: copy what `exhunt scan` reads into one Zip64 archive with a manifest (per file: path,
 * size, SHA-256, original times; the collector and the case), and write the archive's own SHA-256 beside
 * it. Sources are opened read-only (and with O_NOATIME where the OS allows it) and never changed.
 *
 * The archive is written as `CASE.zip.partial` and renamed only when it is complete; a failure leaves the
 * `.partial` file plus `CASE.zip.partial.txt` saying why, never a file that looks finished.
 */
import { constants as fsc, createWriteStream } from 'node:fs';
import { open, rename, rm, stat, statfs, writeFile, mkdtemp, type FileHandle } from 'node:fs/promises';
import { createHash, type Hash } from 'node:crypto';
import { hostname, release, tmpdir, userInfo } from 'node:os';
import { basename, dirname, join, relative, resolve, sep, isAbsolute } from 'node:path';
import type { Writable } from 'node:stream';
import { ZipWriter } from './zip-writer.js';
import { EvidenceSource } from '../evidence/source.js';
import { discover } from '../evidence/discovery.js';
import { ExhuntError, UsageError } from '../model/errors.js';
import { VERSION } from '../version.js';
import { MANIFEST_CSV, MANIFEST_JSON } from '../evidence/zip-source.js';
import { MANIFEST_SCHEMA, manifestCsv, type Manifest, type ManifestFile, type NotCollected } from './manifest.js';
import { planCollection, type PlannedFile } from './plan.js';
import { exportLocked, isLockedError, isLiveSystemDrive } from './live.js';

export interface CollectProgress {
  phase: 'plan' | 'copy' | 'finish';
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  current?: string;
}

/** Hooks that stand in for the file system in tests (a full disk, an unreadable file). */
export interface CollectIo {
  freeBytes?: (dir: string) => Promise<number>;
  createOutput?: (path: string) => Writable;
  openSource?: (abs: string) => Promise<FileHandle>;
}

export interface CollectOptions {
  /** The archive to write (`CASE.zip`). */
  out: string;
  caseId?: string;
  /** The evidence item's number within the case (UAC records it too). */
  evidenceNumber?: string;
  examiner?: string;
  notes?: string;
  /** More files or folders to copy. */
  extras?: string[];
  /** Write even when the free space looks too small (logs usually compress well). */
  skipSpaceCheck?: boolean;
  /** Replace an existing archive at `out`. */
  overwrite?: boolean;
  onProgress?: (p: CollectProgress) => void;
  io?: CollectIo;
}

export interface CollectResult {
  archive: string;
  sha256: string;
  /** `CASE.zip.sha256`, in `sha256sum` format. */
  sha256File: string;
  archiveBytes: number;
  manifest: Manifest;
  durationMs: number;
}

const CHUNK = 1 << 20;
/** Output failures are known errors (exit code 8), with one clear line. */
export class OutputError extends ExhuntError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_OUTPUT', message, options);
    this.name = 'OutputError';
  }
}

export async function collect(root: string, opts: CollectOptions): Promise<CollectResult> {
  const started = Date.now();
  const progress = opts.onProgress ?? (() => {});
  const out = resolve(opts.out);
  const partial = `${out}.partial`;
  const reasonFile = `${partial}.txt`;
  if (!opts.overwrite && (await exists(out))) throw new OutputError(`${out} exists: an archive of evidence is never overwritten (choose another name, or --overwrite)`);

  progress({ phase: 'plan', filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0 });
  const src = await EvidenceSource.open(root, { archive: false });
  const d = await discover(src);
  const plan = await planCollection(src, d, opts.extras ?? []);
  if (src.kind === 'folder') refuseOutputInside(src.root, out, plan.files, plan.folders);

  const overhead = plan.files.reduce((n, f) => n + 200 + 2 * Buffer.byteLength(f.name), 1 << 20);
  const free = await (opts.io?.freeBytes ?? freeBytes)(dirname(out));
  if (!opts.skipSpaceCheck && free < plan.bytes + overhead) {
    throw new OutputError(
      `not enough free space in ${dirname(out)}: ${free} bytes free, up to ${plan.bytes + overhead} needed (${plan.files.length} files); ` +
        'free some space, write elsewhere, or --no-space-check (logs usually compress 5-20x)',
    );
  }

  const notCollected: NotCollected[] = [...plan.notCollected];
  const files: ManifestFile[] = [];
  const live = isLiveSystemDrive(src.root);
  let tempDir: string | undefined;
  const archiveHash = createHash('sha256');
  let output: Writable;
  try {
    output = opts.io?.createOutput ? opts.io.createOutput(partial) : createWriteStream(partial, { flags: 'w' });
  } catch (err) {
    throw new OutputError(`cannot write ${partial}: ${(err as Error).message}`, { cause: err });
  }
  const zip = new ZipWriter(output, (b) => archiveHash.update(b));

  let bytesDone = 0;
  try {
    for (const f of plan.folders) await zip.addDirectory(f, new Date(started));
    let done = 0;
    for (const f of plan.files) {
      progress({ phase: 'copy', filesDone: done, filesTotal: plan.files.length, bytesDone, bytesTotal: plan.bytes, current: f.name });
      const r = await copyOne(zip, f, opts.io, async () => {
        if (!live) return undefined;
        tempDir ??= await mkdtemp(join(tmpdir(), 'exhunt-export-'));
        return exportLocked(f.abs, tempDir);
      });
      if ('reason' in r) notCollected.push({ path: f.abs, reason: r.reason });
      else {
        files.push(r);
        bytesDone += r.size;
      }
      done++;
    }
    progress({ phase: 'finish', filesDone: plan.files.length, filesTotal: plan.files.length, bytesDone, bytesTotal: plan.bytes });
    const user = (() => {
      try {
        return userInfo().username;
      } catch {
        return process.env['USERNAME'] ?? process.env['USER'] ?? '';
      }
    })();
    const manifest: Manifest = {
      schema: MANIFEST_SCHEMA,
      tool: { name: 'exhunt', version: VERSION },
      case: { ...(opts.caseId ? { id: opts.caseId } : {}), ...(opts.evidenceNumber ? { evidenceNumber: opts.evidenceNumber } : {}), ...(opts.examiner ? { examiner: opts.examiner } : {}), ...(opts.notes ? { notes: opts.notes } : {}) },
      collector: { host: hostname(), user, platform: process.platform, release: release(), node: process.version },
      source: { root: src.root, layout: d.layout, live, ...(d.installPath ? { installPath: d.installPath } : {}) },
      startedAt: new Date(started).toISOString(),
      finishedAt: new Date().toISOString(),
      totals: { files: files.length, bytes: bytesDone, notCollected: notCollected.length, folders: plan.folders.length },
      files,
      notCollected,
      folders: plan.folders,
    };
    const json = Buffer.from(JSON.stringify(manifest, null, 1) + '\n', 'utf8');
    await zip.addBuffer(MANIFEST_JSON, json, new Date());
    await zip.addBuffer(MANIFEST_CSV, Buffer.from(manifestCsv(manifest), 'utf8'), new Date());
    await zip.finish();
    const archiveBytes = zip.bytes;
    const sha256 = archiveHash.digest('hex');
    await rename(partial, out);
    const sha256File = `${out}.sha256`;
    await writeFile(sha256File, `${sha256}  ${basename(out)}\n`, 'utf8');
    await rm(reasonFile, { force: true });
    return { archive: out, sha256, sha256File, archiveBytes, manifest, durationMs: Date.now() - started };
  } catch (err) {
    output.destroy();
    const reason = describe(err);
    const note =
      `INCOMPLETE: this collection failed and ${basename(partial)} is not a complete archive.\n` +
      `reason: ${reason}\nfailed at: ${new Date().toISOString()}\nfiles copied before the failure: ${files.length} of ${plan.files.length}\n`;
    await writeFile(reasonFile, note, 'utf8').catch(() => undefined);
    throw new OutputError(`collection failed: ${reason}; the incomplete archive is left as ${partial} (reason in ${basename(reasonFile)})`, { cause: err });
  } finally {
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  }
}

function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOSPC') return 'no space left on the device';
  if (e?.code === 'EDQUOT') return 'disk quota exceeded';
  return e?.message ?? String(err);
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

async function freeBytes(dir: string): Promise<number> {
  try {
    const s = await statfs(dir);
    return s.bavail * s.bsize;
  } catch (err) {
    throw new OutputError(`cannot write into ${dir}: ${(err as Error).message}`, { cause: err });
  }
}

/** Writing the archive into a folder being collected would change the evidence (and copy itself). */
function refuseOutputInside(root: string, out: string, files: PlannedFile[], folders: string[]): void {
  const rel = relative(root, dirname(out));
  if (rel.startsWith('..') || isAbsolute(rel)) return;
  const relDir = rel.split(sep).filter(Boolean).join('/').toLowerCase();
  const dirs = new Set(folders.map((f) => f.toLowerCase()));
  for (const f of files) dirs.add(f.name.slice(0, Math.max(0, f.name.lastIndexOf('/'))).toLowerCase());
  for (const dir of dirs) {
    if (relDir === dir || relDir.startsWith(`${dir}/`) || (dir === '' && relDir === '')) {
      throw new UsageError(`--out ${out} is inside the evidence being collected (${dir || 'its root'}): write the archive to another folder or drive`);
    }
  }
}

async function openReadOnly(abs: string): Promise<FileHandle> {
  // O_NOATIME (Linux) keeps the access time as it was; only the owner or root may use it.
  const noatime = (fsc as { O_NOATIME?: number }).O_NOATIME;
  if (noatime) {
    try {
      return await open(abs, fsc.O_RDONLY | noatime);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
    }
  }
  return open(abs, fsc.O_RDONLY);
}

/** Copy one file into the archive, hashing the bytes as they go; a file that cannot be opened is a reason. */
async function copyOne(
  zip: ZipWriter,
  f: PlannedFile,
  io: CollectIo | undefined,
  fallback: () => Promise<{ path: string; note: string } | undefined>,
): Promise<ManifestFile | { reason: string }> {
  let st;
  try {
    // Times first: before this tool opens the file, the access time is still the original one.
    st = await stat(f.abs, { bigint: false });
  } catch (err) {
    return { reason: `cannot read: ${(err as Error).message}` };
  }
  if (!st.isFile()) return { reason: 'not a regular file' };
  let fh: FileHandle;
  let note: string | undefined;
  try {
    fh = await (io?.openSource ?? openReadOnly)(f.abs);
  } catch (err) {
    let alt: { path: string; note: string } | undefined;
    if (isLockedError(err)) {
      try {
        alt = await fallback();
      } catch (e2) {
        return { reason: `cannot read: ${(err as Error).message}; export failed: ${(e2 as Error).message}` };
      }
    }
    if (!alt) return { reason: `cannot read: ${(err as Error).message}` };
    fh = await openReadOnly(alt.path);
    note = alt.note;
  }
  const hash = createHash('sha256');
  const state: { bytes: number; error?: Error } = { bytes: 0 };
  try {
    await zip.addStream(f.name, hashedReads(fh, hash, state, st.size), st.mtime, st.size);
  } finally {
    await fh.close().catch(() => undefined);
  }
  const iso = (ms: number) => new Date(ms).toISOString();
  const status = state.error ? 'partial' : 'complete';
  if (state.error) note = `read failed after ${state.bytes} bytes: ${state.error.message} (the bytes copied are hashed)`;
  else if (state.bytes !== st.size && !note) note = `size changed while copying (${st.size} bytes when listed)`;
  return {
    path: f.name,
    original: f.abs,
    size: state.bytes,
    sha256: hash.digest('hex'),
    ...(st.birthtimeMs > 0 ? { created: iso(st.birthtimeMs) } : {}),
    modified: iso(st.mtimeMs),
    accessed: iso(st.atimeMs),
    changed: iso(st.ctimeMs),
    category: f.category,
    ...(f.kind ? { kind: f.kind } : {}),
    status,
    ...(note ? { note } : {}),
  };
}

/** The file's bytes, hashed as they are read. A read error ends them (recorded in `state`, not thrown). */
async function* hashedReads(fh: FileHandle, hash: Hash, state: { bytes: number; error?: Error }, sizeHint: number): AsyncGenerator<Uint8Array> {
  for (;;) {
    // Small files get small buffers (a server has many thousands of small logs); +1 sees the end.
    const n = Math.min(CHUNK, Math.max(64 * 1024, sizeHint - state.bytes + 1));
    let bytesRead: number;
    let buffer: Buffer;
    try {
      ({ bytesRead, buffer } = await fh.read(Buffer.allocUnsafe(n), 0, n, state.bytes));
    } catch (err) {
      state.error = err as Error;
      return;
    }
    if (bytesRead === 0) return;
    const b = buffer.subarray(0, bytesRead);
    state.bytes += bytesRead;
    hash.update(b);
    yield b;
  }
}
