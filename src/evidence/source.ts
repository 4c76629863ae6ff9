import { opendir, stat } from 'node:fs/promises';
import { closeSync, constants, lstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { basename, dirname, resolve, sep } from 'node:path';
import { EvidenceError } from '../model/errors.js';
import { ZipIndex, entryChunks, entryHead, looksLikeZip, readEntry, type ArchiveEntryRef, type ArchiveProblem, type ZipLimits } from './zip-source.js';
import { fileChunks } from '../readers/read-log.js';

export interface EntryInfo {
  /** Path relative to the evidence root, `/`-separated, with the case found on disk. */
  rel: string;
  name: string;
  type: 'file' | 'dir' | 'other';
  size: number;
  mtimeMs: number;
  birthtimeMs: number;
  /** Inode change time where known (folders on disk; archives written by `exhunt collect`, from the manifest). */
  ctimeMs?: number;
}

export interface WalkOptions {
  maxDepth?: number;
  /** Stop after this many entries (a walk over a hostile tree must end). */
  maxEntries?: number;
  /** Called for entries that are skipped (symlinks, special files, unreadable folders). */
  onSkip?: (rel: string, reason: string) => void;
}

/** Where a reader finds a file's bytes: an OS path, or an archive entry (read by offset). Plain data. */
export interface ReadInput {
  /** OS path to open; for an archive entry, `<archive>#<entry>` (for messages only). */
  abs: string;
  entry?: ArchiveEntryRef;
}

/**
 * Read-only view of the evidence: a folder tree (a live `C:\`, a mounted image, a copied folder), a
 * single file, or a ZIP archive (e.g. from `exhunt collect`), which looks like a folder tree. All paths
 * given to and returned by it are relative to its root and `/`-separated; lookups are case-insensitive
 * because NTFS copies keep whatever case Windows wrote. Content is read with `head`, `chunks`, `readAll`
 * or `readInput` (for worker jobs), which work for every kind; `absolute` only for files on disk.
 */
export class EvidenceSource {
  readonly root: string;
  readonly kind: 'folder' | 'file';
  /** Set when the evidence is an archive: its index (entries refused by its checks are in `problems`). */
  readonly archive: ZipIndex | undefined;
  private readonly dirCache = new Map<string, EntryInfo[] | null>();
  /** Folders listed so far (a collection keeps them, so empty folders look the same in the archive). */
  private readonly listedSet = new Set<string>();

  private constructor(root: string, kind: 'folder' | 'file', archive?: ZipIndex) {
    this.root = root;
    this.kind = kind;
    this.archive = archive;
  }

  /** Archive entries skipped as unsafe or corrupted (empty for folders and files). */
  get problems(): ArchiveProblem[] {
    return this.archive?.problems ?? [];
  }

  /** Folders that existed when listed (`''` is the root). */
  listedFolders(): string[] {
    return [...this.listedSet];
  }

  static async open(path: string, opts: { archive?: ZipLimits | false } = {}): Promise<EvidenceSource> {
    const abs = resolve(path);
    let st;
    try {
      st = await stat(abs);
    } catch (err) {
      throw new EvidenceError(`evidence path not found or not readable: ${path}`, { cause: err });
    }
    if (st.isDirectory()) {
      try {
        const d = await opendir(abs);
        await d.close();
      } catch (err) {
        throw new EvidenceError(`evidence folder cannot be listed: ${path}`, { cause: err });
      }
      return new EvidenceSource(abs, 'folder');
    }
    if (st.isFile()) {
      // A ZIP archive is opened as a tree, never extracted.
      if (opts.archive !== false && st.size >= 22 && looksLikeZip(await headOf(abs, 4))) {
        return new EvidenceSource(abs, 'folder', await ZipIndex.open(abs, opts.archive || {}));
      }
      return new EvidenceSource(abs, 'file');
    }
    throw new EvidenceError(`evidence path is neither a file nor a folder: ${path}`);
  }

  /** Absolute OS path of a relative evidence path (files on disk only: archive entries have none). */
  absolute(rel: string): string {
    if (this.archive) throw new EvidenceError(`${rel} is inside the archive ${this.root}: read it with readInput/chunks/head`);
    if (this.kind === 'file') return this.root;
    const parts = splitRel(rel);
    // Clean segments (splitRel): plain concatenation, not path.join's normalising (100,000s of calls).
    return parts.length ? `${this.root}${this.root.endsWith(sep) ? '' : sep}${parts.join(sep)}` : this.root;
  }

  /** The single file's name when the evidence is one file. */
  get fileName(): string {
    return basename(this.root);
  }

  /** Entries of a folder (cached), or null when it does not exist / cannot be read. */
  async list(rel: string): Promise<EntryInfo[] | null> {
    const key = splitRel(rel).join('/');
    const cached = this.dirCache.get(key);
    if (cached !== undefined) return cached;
    let result: EntryInfo[] | null = null;
    if (this.archive) {
      result = this.archive.list(key);
    } else if (this.kind === 'folder') {
      // Blocking calls: listing is a burst of thousands of tiny system calls where thread-pool round
      // trips would cost more than the calls themselves.
      try {
        const abs = this.absolute(key);
        const prefix = abs.endsWith(sep) ? abs : abs + sep;
        result = [];
        for (const d of readdirSync(abs, { withFileTypes: true })) {
          const childRel = key ? `${key}/${d.name}` : d.name;
          let type: EntryInfo['type'] = 'other';
          let size = 0;
          let mtimeMs = 0;
          let birthtimeMs = 0;
          let ctimeMs: number | undefined;
          try {
            // lstat: symlinks and junctions are never followed (loops, escapes from the evidence root).
            const st = lstatSync(prefix + d.name);
            type = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
            size = st.size;
            mtimeMs = st.mtimeMs;
            birthtimeMs = st.birthtimeMs;
            ctimeMs = st.ctimeMs;
          } catch {
            type = 'other';
          }
          result.push({ rel: childRel, name: d.name, type, size, mtimeMs, birthtimeMs, ...(ctimeMs !== undefined ? { ctimeMs } : {}) });
        }
        result.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      } catch {
        result = null;
      }
    }
    this.dirCache.set(key, result);
    if (result) this.listedSet.add(key);
    return result;
  }

  /**
   * Resolve a path case-insensitively, one component at a time. Accepts `\` or `/`.
   * Returns the on-disk relative path, or null.
   */
  async resolve(path: string): Promise<string | null> {
    return this.resolveFrom('', splitRel(path), 0);
  }

  /**
   * One component at a time; the exact spelling first, then other casings. A copy onto a case-sensitive
   * file system may hold `Windows` and `windows` side by side (two copies merged): every candidate is tried.
   */
  private async resolveFrom(cur: string, parts: string[], i: number): Promise<string | null> {
    if (i === parts.length) return cur;
    const entries = await this.list(cur);
    if (!entries) return null;
    const part = parts[i]!;
    const want = part.toLowerCase();
    const candidates = entries.filter((e) => e.name.toLowerCase() === want).sort((a, b) => Number(b.name === part) - Number(a.name === part));
    for (const c of candidates) {
      if (i < parts.length - 1 && c.type !== 'dir') continue;
      const hit = await this.resolveFrom(c.rel, parts, i + 1);
      if (hit !== null) return hit;
    }
    return null;
  }

  async info(rel: string): Promise<EntryInfo | null> {
    if (this.kind === 'file') {
      const st = await stat(this.root);
      return { rel: this.fileName, name: this.fileName, type: 'file', size: st.size, mtimeMs: st.mtimeMs, birthtimeMs: st.birthtimeMs };
    }
    const parts = splitRel(rel);
    if (!parts.length) return { rel: '', name: '', type: 'dir', size: 0, mtimeMs: 0, birthtimeMs: 0 };
    const parent = parts.slice(0, -1).join('/');
    const entries = await this.list(parent);
    const name = parts[parts.length - 1]!.toLowerCase();
    return entries?.find((e) => e.name.toLowerCase() === name) ?? null;
  }

  /** Drops a folder's cached listing (a log folder of 100,000 files, once discovery has taken what it needs). */
  forget(rel: string): void {
    this.dirCache.delete(splitRel(rel).join('/'));
  }

  /** Depth-first walk of files under a folder; symlinks and special files are skipped and reported. */
  async *walk(rel: string, opts: WalkOptions = {}): AsyncGenerator<EntryInfo> {
    const maxDepth = opts.maxDepth ?? 64;
    const maxEntries = opts.maxEntries ?? 2_000_000;
    let seen = 0;
    const stack: Array<{ rel: string; depth: number }> = [{ rel, depth: 0 }];
    while (stack.length) {
      const { rel: dir, depth } = stack.pop()!;
      const entries = await this.list(dir);
      if (!entries) {
        opts.onSkip?.(dir, 'folder cannot be read');
        continue;
      }
      // Walked folders are not needed again: keep memory flat on trees with 100,000s of files.
      this.dirCache.delete(splitRel(dir).join('/'));
      const subdirs: string[] = [];
      for (const e of entries) {
        if (++seen > maxEntries) {
          opts.onSkip?.(dir, `walk stopped after ${maxEntries} entries`);
          return;
        }
        if (e.type === 'file') yield e;
        else if (e.type === 'dir') {
          if (depth + 1 <= maxDepth) subdirs.push(e.rel);
          else opts.onSkip?.(e.rel, `deeper than ${maxDepth} levels`);
        } else opts.onSkip?.(e.rel, 'symlink, junction or special file (not followed)');
      }
      for (let i = subdirs.length - 1; i >= 0; i--) stack.push({ rel: subdirs[i]!, depth: depth + 1 });
    }
  }

  /** Read the first `max` bytes of a file (sniffing). */
  async head(rel: string, max = 65536): Promise<Uint8Array> {
    if (this.archive) return entryHead(this.entryRef(rel), max);
    const fd = openSync(this.absolute(rel), constants.O_RDONLY);
    try {
      const buf = Buffer.allocUnsafe(max);
      const n = readSync(fd, buf, 0, max, 0);
      return buf.subarray(0, n);
    } finally {
      closeSync(fd);
    }
  }

  /** Where a reader (possibly in a worker thread) finds the file's bytes. */
  readInput(rel: string): ReadInput {
    if (this.archive) {
      const ref = this.entryRef(rel);
      return { abs: `${this.root}#${ref.name}`, entry: ref };
    }
    return { abs: this.absolute(rel) };
  }

  /** A file's bytes in chunks (opened read-only; archive entries inflated on the fly, bounded). */
  chunks(rel: string): AsyncIterable<Uint8Array> {
    return readInputChunks(this.readInput(rel));
  }

  /** A whole file, refused when larger than `max` bytes. */
  async readAll(rel: string, max: number): Promise<Buffer> {
    if (this.archive) return readEntry(this.entryRef(rel), max);
    const parts: Uint8Array[] = [];
    let n = 0;
    for await (const c of fileChunks(this.absolute(rel))) {
      n += c.length;
      if (n > max) throw new EvidenceError(`${rel}: larger than the ${max} bytes read whole`);
      parts.push(c);
    }
    return Buffer.concat(parts);
  }

  private entryRef(rel: string): ArchiveEntryRef {
    const ref = this.archive!.ref(splitRel(rel).join('/'));
    if (!ref) throw new EvidenceError(`not a file in the archive: ${rel}`);
    return ref;
  }

  /** Parent folder of a relative path. */
  static parent(rel: string): string {
    const d = dirname(rel.split('/').join(sep));
    return d === '.' ? '' : d.split(sep).join('/');
  }
}

/** Bytes of a read input: an OS file or an archive entry. */
export function readInputChunks(input: ReadInput): AsyncIterable<Uint8Array> {
  return input.entry ? entryChunks(input.entry) : fileChunks(input.abs);
}

async function headOf(abs: string, n: number): Promise<Uint8Array> {
  const fd = openSync(abs, constants.O_RDONLY);
  try {
    const buf = Buffer.alloc(n);
    return buf.subarray(0, readSync(fd, buf, 0, n, 0));
  } finally {
    closeSync(fd);
  }
}

/** Split a relative path given with `/` or `\` into components, refusing `..` (no escape from the root). */
export function splitRel(path: string): string[] {
  const parts = path.split(/[\\/]+/).filter((p) => p && p !== '.');
  if (parts.some((p) => p === '..')) throw new EvidenceError(`path escapes the evidence root: ${path}`);
  return parts;
}
