/**
 * A ZIP archive (Zip64 included) as evidence: a read-only tree built from the central directory, and
 * entries read by offset with streaming inflate. Nothing is ever extracted or written.
 *
 * Every entry is attacker-controlled, so the index refuses (and counts) rather than trusts:
 * - names that would escape a folder (`..`), absolute or drive paths (`/x`, `C:\x`, `\\server\x`), control
 *   characters, or nothing left after normalising;
 * - a second entry with the same name (the first is kept), a name used both as a file and as a folder;
 * - entries whose data overlaps another entry's (the "overlapping files" zip bomb), or lies outside the file;
 * - a declared size above `maxEntryBytes`, or more than `maxRatio` times its compressed size (DEFLATE cannot
 *   exceed about 1032:1, so a larger claim is a lie or a bomb), encrypted entries, unknown methods.
 * Reading checks the bytes against the central directory: never more than the declared size is inflated,
 * and a short stream or a CRC-32 mismatch is an error.
 */
import { open as openFile, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createInflateRaw, crc32, inflateRawSync } from 'node:zlib';
import type yauzlTypes from 'yauzl';
import { zipLib } from '../lazy-deps.js';
import { EvidenceError } from '../model/errors.js';
import type { EntryInfo } from './source.js';

/** Where an entry's bytes are: plain data, so a worker thread can read it without the index. */
export interface ArchiveEntryRef {
  /** Absolute path of the archive. */
  archive: string;
  /** The archive's size when it was indexed: every entry's data must end inside it. */
  archiveSize: number;
  /** Normalised entry name (`/`-separated, relative). */
  name: string;
  /** Offset of the local file header. */
  offset: number;
  compressedSize: number;
  size: number;
  /** 0 = stored, 8 = deflate. */
  method: number;
  crc32: number;
}

export interface ArchiveProblem {
  path: string;
  reason: string;
}

export interface ZipLimits {
  /** Largest declared size of one entry (default 64 GiB). */
  maxEntryBytes?: number;
  /** Largest declared size / compressed size (default 1100: above DEFLATE's own ceiling of ~1032). */
  maxRatio?: number;
  /** Entries read from the central directory before giving up (default 2,000,000). */
  maxEntries?: number;
  /** Keep the parsed collection manifest (`manifest`) for the caller (verification) instead of dropping it. */
  keepManifest?: boolean;
}

/** The folder inside an exhunt collection that holds the manifest: metadata, not evidence. */
export const COLLECT_DIR = 'exhunt-collect';
export const MANIFEST_JSON = `${COLLECT_DIR}/manifest.json`;
export const MANIFEST_CSV = `${COLLECT_DIR}/manifest.csv`;
const MAX_MANIFEST_BYTES = 512 * 1024 * 1024;

/** An entry that failed a check while being read (bomb, truncation, CRC). */
export class ArchiveEntryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArchiveEntryError';
  }
}

/** A file's first bytes say whether it is a ZIP archive (local header, or the end record of an empty one). */
export function looksLikeZip(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6));
}

/**
 * Normalise an entry name to a relative `/` path, or say why it is refused. Backslashes count as
 * separators (Windows tools write them).
 */
export function normaliseEntryName(raw: string): { name: string; dir: boolean } | { error: string } {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(raw)) return { error: 'control characters in the entry name' };
  const s = raw.replace(/\\/g, '/');
  if (s.startsWith('/')) return { error: 'absolute path in the entry name' };
  if (/^[A-Za-z]:/.test(s)) return { error: 'drive path in the entry name' };
  const parts = s.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) return { error: 'entry name escapes its folder (zip-slip: "..")' };
  if (!parts.length) return { error: 'empty entry name' };
  return { name: parts.join('/'), dir: s.endsWith('/') };
}

interface Node {
  info: EntryInfo;
  ref?: ArchiveEntryRef;
  children?: Map<string, Node>;
}

/** The central directory of one archive, as a tree of folders and files. */
export class ZipIndex {
  readonly problems: ArchiveProblem[] = [];
  /** Entries refused by the checks above (also listed in `problems`). */
  skipped = 0;
  entries = 0;
  /** The collection manifest, when this archive was written by `exhunt collect`. */
  manifestRef: ArchiveEntryRef | undefined;
  /** With `keepManifest`: the manifest as parsed here, or why it did not read (undefined: not read here). */
  manifest: { parsed: unknown } | { error: string } | undefined;
  /** Every file entry accepted by the checks, the manifest folder included (verification sees them all). */
  readonly files: ArchiveEntryRef[] = [];
  private readonly root: Node = { info: { rel: '', name: '', type: 'dir', size: 0, mtimeMs: 0, birthtimeMs: 0 }, children: new Map() };

  private constructor(readonly path: string, readonly fileSize: number) {}

  static async open(path: string, limits: ZipLimits = {}): Promise<ZipIndex> {
    const fh = await openFile(path, 'r');
    let size: number;
    try {
      size = (await fh.stat()).size;
    } finally {
      await fh.close();
    }
    const idx = new ZipIndex(path, size);
    const refs = await idx.readCentralDirectory(limits);
    idx.dropOverlaps(refs);
    for (const r of refs) if (!r.dropped) idx.add(r);
    await idx.applyManifestTimes(limits.keepManifest === true);
    return idx;
  }

  private skip(path: string, reason: string): void {
    this.skipped++;
    // Bounded: a hostile archive of a million bad names must not make a million problem lines.
    if (this.problems.length < 1000) this.problems.push({ path, reason: `archive entry skipped: ${reason}` });
    else if (this.problems.length === 1000) this.problems.push({ path: '', reason: 'further skipped archive entries not listed' });
  }

  private readCentralDirectory(limits: ZipLimits): Promise<Pending[]> {
    const maxEntryBytes = limits.maxEntryBytes ?? 64 * 1024 ** 3;
    const maxRatio = limits.maxRatio ?? 1100;
    const maxEntries = limits.maxEntries ?? 2_000_000;
    const out: Pending[] = [];
    const seen = new Set<string>();
    return new Promise((resolve, reject) => {
      const fail = (err: unknown) =>
        reject(new EvidenceError(`archive cannot be read (corrupted or not a ZIP file): ${this.path}: ${(err as Error)?.message ?? String(err)}`, { cause: err }));
      const yauzl = zipLib();
      yauzl.open(this.path, { lazyEntries: true, decodeStrings: false, validateEntrySizes: false, autoClose: true, strictFileNames: false }, (err, zf) => {
        if (err || !zf) return fail(err);
        zf.on('error', fail);
        zf.on('end', () => resolve(out));
        zf.on('entry', (e: yauzlTypes.Entry) => {
          this.entries++;
          if (this.entries > maxEntries) {
            this.skip('', `archive has more than ${maxEntries} entries; the rest were not read`);
            zf.close();
            resolve(out);
            return;
          }
          const rawName = yauzl.getFileNameLowLevel(e.generalPurposeBitFlag, e.fileNameRaw, e.extraFields, false);
          const shown = rawName.slice(0, 300);
          const norm = normaliseEntryName(rawName);
          if ('error' in norm) this.skip(shown, norm.error);
          else if (!norm.dir && seen.has(norm.name)) this.skip(shown, 'duplicate entry name (the first one is kept)');
          else if (norm.dir) {
            out.push({ name: norm.name, dir: true, mtimeMs: e.getLastModDate().getTime(), dropped: false });
          } else if (e.isEncrypted()) this.skip(shown, 'encrypted entry');
          else if (e.compressionMethod !== 0 && e.compressionMethod !== 8) this.skip(shown, `unsupported compression method ${e.compressionMethod}`);
          else if (e.compressionMethod === 0 && e.compressedSize !== e.uncompressedSize) this.skip(shown, 'stored entry whose sizes disagree (corrupted)');
          else if (e.uncompressedSize > maxEntryBytes) this.skip(shown, `declared size ${e.uncompressedSize} is above the limit of ${maxEntryBytes} bytes`);
          else if (e.uncompressedSize > 0 && e.compressedSize === 0) this.skip(shown, 'declares content but has no compressed data (zip bomb or corrupted)');
          else if (e.compressedSize > 0 && e.uncompressedSize / e.compressedSize > maxRatio)
            this.skip(shown, `zip bomb: declares ${e.uncompressedSize} bytes from ${e.compressedSize} compressed (ratio above ${maxRatio}:1)`);
          else if (e.relativeOffsetOfLocalHeader + 30 + e.compressedSize > this.fileSize) this.skip(shown, 'entry data lies beyond the end of the archive (truncated or corrupted)');
          else {
            seen.add(norm.name);
            out.push({
              name: norm.name,
              dir: false,
              mtimeMs: e.getLastModDate().getTime(),
              dropped: false,
              ref: {
                archive: this.path,
                archiveSize: this.fileSize,
                name: norm.name,
                offset: e.relativeOffsetOfLocalHeader,
                compressedSize: e.compressedSize,
                size: e.uncompressedSize,
                method: e.compressionMethod,
                crc32: e.crc32,
              },
              localMin: 30 + e.fileNameLength,
            });
          }
          zf.readEntry();
        });
        zf.readEntry();
      });
    });
  }

  /** Entries whose data overlaps an earlier entry's are refused: the same bytes read many times is a bomb. */
  private dropOverlaps(refs: Pending[]): void {
    const files = refs.filter((r) => r.ref).sort((a, b) => a.ref!.offset - b.ref!.offset);
    let end = 0;
    for (const f of files) {
      const r = f.ref!;
      if (r.offset < end) {
        f.dropped = true;
        this.skip(f.name, 'entry data overlaps another entry (overlapping-entries zip bomb or corrupted)');
        continue;
      }
      end = r.offset + (f.localMin ?? 30) + r.compressedSize;
    }
  }

  private add(p: Pending): void {
    const parts = p.name.split('/');
    let cur = this.root;
    for (let i = 0; i < parts.length - (p.dir ? 0 : 1); i++) {
      const part = parts[i]!;
      let child = cur.children!.get(part);
      if (child && !child.children) {
        this.skip(p.name, `"${child.info.rel}" is both a file and a folder (the file is kept)`);
        return;
      }
      if (!child) {
        const rel = parts.slice(0, i + 1).join('/');
        child = { info: { rel, name: part, type: 'dir', size: 0, mtimeMs: p.dir && i === parts.length - 1 ? p.mtimeMs : 0, birthtimeMs: 0 }, children: new Map() };
        cur.children!.set(part, child);
      }
      cur = child;
    }
    if (p.dir) return;
    const name = parts[parts.length - 1]!;
    if (cur.children!.has(name)) {
      this.skip(p.name, 'name used both by a file and by a folder (the folder is kept)');
      return;
    }
    const ref = p.ref!;
    if (p.name === MANIFEST_JSON) this.manifestRef = ref;
    this.files.push(ref);
    cur.children!.set(name, { info: { rel: p.name, name, type: 'file', size: ref.size, mtimeMs: p.mtimeMs, birthtimeMs: 0 }, ref });
  }

  /**
   * A collection's manifest keeps the original times to the millisecond (ZIP keeps seconds): use them, so
   * scanning the archive sees what scanning the folder saw. The manifest folder itself is not evidence.
   */
  private async applyManifestTimes(keep: boolean): Promise<void> {
    if (!this.manifestRef || this.manifestRef.size > MAX_MANIFEST_BYTES) return;
    let manifest: { schema?: unknown; files?: Array<{ path?: unknown; modified?: unknown; created?: unknown; changed?: unknown }> };
    try {
      manifest = JSON.parse((await readEntry(this.manifestRef, MAX_MANIFEST_BYTES)).toString('utf8')) as typeof manifest;
      if (keep) this.manifest = { parsed: manifest };
    } catch (err) {
      if (keep) this.manifest = { error: (err as Error).message };
      this.problems.push({ path: MANIFEST_JSON, reason: `collection manifest not readable: ${(err as Error).message}` });
      return;
    }
    if (typeof manifest.schema !== 'string' || !manifest.schema.startsWith('exhunt.collect-manifest/')) return;
    for (const f of Array.isArray(manifest.files) ? manifest.files : []) {
      if (typeof f?.path !== 'string') continue;
      const node = this.node(f.path);
      if (!node || node.info.type !== 'file') continue;
      const m = typeof f.modified === 'string' ? Date.parse(f.modified) : NaN;
      const c = typeof f.created === 'string' ? Date.parse(f.created) : NaN;
      if (Number.isFinite(m)) node.info.mtimeMs = m;
      if (Number.isFinite(c)) node.info.birthtimeMs = c;
      const ch = typeof f.changed === 'string' ? Date.parse(f.changed) : NaN;
      if (Number.isFinite(ch)) node.info.ctimeMs = ch;
    }
    this.root.children!.delete(COLLECT_DIR);
  }

  private node(rel: string): Node | undefined {
    let cur: Node | undefined = this.root;
    for (const part of rel.split('/').filter(Boolean)) {
      cur = cur.children?.get(part);
      if (!cur) return undefined;
    }
    return cur;
  }

  /** Entries of a folder (sorted by name, like a folder listing), or null. */
  list(rel: string): EntryInfo[] | null {
    const n = this.node(rel);
    if (!n?.children) return null;
    return [...n.children.values()].map((c) => ({ ...c.info })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Where a file's bytes are, or undefined for a folder / unknown path. */
  ref(rel: string): ArchiveEntryRef | undefined {
    return this.node(rel)?.ref;
  }
}

interface Pending {
  name: string;
  dir: boolean;
  mtimeMs: number;
  dropped: boolean;
  ref?: ArchiveEntryRef;
  /** Smallest local header size (30 + name): bounds where the next entry may start. */
  localMin?: number;
}

const LOCAL_SIG = 0x04034b50;

/** Offset of an entry's data, after checking its local header. */
async function dataStart(ref: ArchiveEntryRef, fh: FileHandle): Promise<number> {
  const h = Buffer.alloc(30);
  const { bytesRead } = await fh.read(h, 0, 30, ref.offset);
  if (bytesRead < 30 || h.readUInt32LE(0) !== LOCAL_SIG) throw new ArchiveEntryError(`${ref.name}: no local file header at offset ${ref.offset} (corrupted archive)`);
  if (h.readUInt16LE(8) !== ref.method) throw new ArchiveEntryError(`${ref.name}: local header and central directory disagree on the compression method`);
  const start = ref.offset + 30 + h.readUInt16LE(26) + h.readUInt16LE(28);
  if (start + ref.compressedSize > ref.archiveSize) throw new ArchiveEntryError(`${ref.name}: entry data runs past the end of the archive (truncated)`);
  return start;
}

/** Entries up to these sizes are inflated in one call (most logs are small; stream machinery costs more). */
const ONE_SHOT_COMPRESSED = 4 << 20;
const ONE_SHOT_SIZE = 64 << 20;
const READ_CHUNK = 1 << 20;

async function* compressedChunks(fh: FileHandle, start: number, size: number): AsyncGenerator<Buffer> {
  for (let done = 0; done < size; ) {
    const n = Math.min(READ_CHUNK, size - done);
    const buf = Buffer.allocUnsafe(n);
    const { bytesRead } = await fh.read(buf, 0, n, start + done);
    if (bytesRead === 0) throw new ArchiveEntryError('archive ended inside an entry (truncated)');
    done += bytesRead;
    yield bytesRead === n ? buf : buf.subarray(0, bytesRead);
  }
}

/**
 * An entry's bytes in chunks, inflated on the fly. Never yields more than the declared size; throws
 * ArchiveEntryError when the data inflates past it, ends short of it, or fails its CRC-32. `handle`: an
 * open handle on the archive to reuse (verification reads thousands of entries).
 */
export async function* entryChunks(ref: ArchiveEntryRef, opts: { handle?: FileHandle; stream?: boolean } = {}): AsyncGenerator<Uint8Array> {
  if (ref.size === 0 && ref.compressedSize === 0) return;
  const fh = opts.handle ?? (await openFile(ref.archive, 'r'));
  let total = 0;
  let crc = 0;
  try {
    const start = await dataStart(ref, fh);
    if (!opts.stream && ref.method === 8 && ref.compressedSize <= ONE_SHOT_COMPRESSED && ref.size <= ONE_SHOT_SIZE) {
      const comp = Buffer.allocUnsafe(ref.compressedSize);
      const { bytesRead } = await fh.read(comp, 0, ref.compressedSize, start);
      let out: Buffer;
      try {
        // maxOutputLength: the declared size bounds the inflation (one byte more detects a lie).
        out = inflateRawSync(comp.subarray(0, bytesRead), { maxOutputLength: ref.size + 1 });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new ArchiveEntryError(`${ref.name}: inflates past its declared size of ${ref.size} bytes (zip bomb or corrupted); reading stopped`);
        throw new ArchiveEntryError(`${ref.name}: compressed data is corrupted: ${(err as Error).message}`);
      }
      if (out.length > ref.size) throw new ArchiveEntryError(`${ref.name}: inflates past its declared size of ${ref.size} bytes (zip bomb or corrupted); reading stopped`);
      total = out.length;
      crc = crc32(out);
      if (total === ref.size && (crc >>> 0) === (ref.crc32 >>> 0)) {
        yield out;
        return;
      }
    } else {
      const input = Readable.from(compressedChunks(fh, start, ref.compressedSize), { objectMode: false });
      const inflate = ref.method === 8 ? createInflateRaw({ chunkSize: READ_CHUNK }) : undefined;
      if (inflate) input.on('error', (err) => inflate.destroy(err));
      const source: AsyncIterable<Buffer> = inflate ? input.pipe(inflate) : input;
      try {
        for await (const chunk of source) {
          total += chunk.length;
          if (total > ref.size) throw new ArchiveEntryError(`${ref.name}: inflates past its declared size of ${ref.size} bytes (zip bomb or corrupted); reading stopped`);
          crc = crc32(chunk, crc);
          yield chunk;
        }
      } catch (err) {
        if (err instanceof ArchiveEntryError) throw err;
        throw new ArchiveEntryError(`${ref.name}: compressed data is corrupted: ${(err as Error).message}`);
      } finally {
        input.destroy();
        inflate?.destroy();
      }
    }
  } finally {
    if (!opts.handle) await fh.close();
  }
  if (total < ref.size) throw new ArchiveEntryError(`${ref.name}: ends after ${total} of its declared ${ref.size} bytes (truncated or corrupted)`);
  if ((crc >>> 0) !== (ref.crc32 >>> 0)) throw new ArchiveEntryError(`${ref.name}: CRC-32 mismatch (corrupted or altered)`);
}

/** The first `max` bytes of an entry (stops inflating there). */
export async function entryHead(ref: ArchiveEntryRef, max: number): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  let n = 0;
  if (n >= max) return Buffer.alloc(0);
  // Streamed: only the head is inflated, not the whole entry.
  for await (const c of entryChunks(ref, { stream: true })) {
    parts.push(c);
    n += c.length;
    if (n >= max) break;
  }
  return Buffer.concat(parts).subarray(0, max);
}

/** A whole entry, refused when it is larger than `max`. */
export async function readEntry(ref: ArchiveEntryRef, max: number): Promise<Buffer> {
  if (ref.size > max) throw new ArchiveEntryError(`${ref.name}: ${ref.size} bytes is more than the ${max} bytes read whole`);
  const parts: Uint8Array[] = [];
  for await (const c of entryChunks(ref)) parts.push(c);
  return Buffer.concat(parts);
}
