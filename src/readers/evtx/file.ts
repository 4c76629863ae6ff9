/**
 * EVTX files: the 4 KiB file header, then 64 KiB chunks read one batch at a time from a file handle
 * (memory stays bounded whatever the file size).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { CHUNK_SIZE, FILE_HEADER_SIZE, parseChunk, type ChunkResult, type EvtxIssue } from './chunk.js';
import type { EvtxRecord } from './record.js';

export interface EvtxFileHeader {
  firstChunkNumber: number;
  lastChunkNumber: number;
  nextRecordId: number;
  headerSize: number;
  minorVersion: number;
  majorVersion: number;
  headerBlockSize: number;
  /** Chunk count as written in the header (may be lower than the real count in a file copied while open). */
  chunkCount: number;
  flags: number;
  /** Flag 0x1: the file was not closed cleanly (copied from a live system). */
  dirty: boolean;
  /** Flag 0x2: the log is full. */
  full: boolean;
  checksum: number;
  checksumOk: boolean;
}

/** The file is not an EVTX file (bad magic or too short): nothing can be parsed. */
export class EvtxFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvtxFormatError';
  }
}

const FILE_MAGIC = Buffer.from('ElfFile\0', 'latin1');

/** Read until `buf` is full or end of file (a single read may return less, e.g. on network shares). */
async function readFull(fh: FileHandle, buf: Buffer, pos: number): Promise<number> {
  let got = 0;
  while (got < buf.length) {
    const { bytesRead } = await fh.read(buf, got, buf.length - got, pos + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}

function u64(buf: Buffer, p: number): number {
  return buf.readUInt32LE(p + 4) * 4294967296 + buf.readUInt32LE(p);
}

/** Parse the file header (first 128 bytes are enough). Throws EvtxFormatError when it is not EVTX. */
export function parseFileHeader(data: Uint8Array): EvtxFileHeader {
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.length < 128) throw new EvtxFormatError(`too short for an EVTX header (${buf.length} bytes)`);
  if (!buf.subarray(0, 8).equals(FILE_MAGIC)) throw new EvtxFormatError('not an EVTX file (no ElfFile signature)');
  const flags = buf.readUInt32LE(120);
  const checksum = buf.readUInt32LE(124);
  return {
    firstChunkNumber: u64(buf, 8),
    lastChunkNumber: u64(buf, 16),
    nextRecordId: u64(buf, 24),
    headerSize: buf.readUInt32LE(32),
    minorVersion: buf.readUInt16LE(36),
    majorVersion: buf.readUInt16LE(38),
    headerBlockSize: buf.readUInt16LE(40),
    chunkCount: buf.readUInt16LE(42),
    flags,
    dirty: (flags & 1) !== 0,
    full: (flags & 2) !== 0,
    checksum,
    checksumOk: crc32(buf.subarray(0, 120)) === checksum,
  };
}

export interface EvtxSummary {
  path: string;
  header: EvtxFileHeader;
  fileSize: number;
  /** Chunks holding data (empty all-zero chunks not counted). */
  chunks: number;
  records: number;
  errors: EvtxIssue[];
  warnings: EvtxIssue[];
}

export interface ReadOptions {
  /** Chunks read per I/O call (default 16 = 1 MiB). */
  batchChunks?: number;
  skipBadChecksums?: boolean;
}

/** An open EVTX file. Iterate `chunks()` or `records()`; issues accumulate in `errors` / `warnings`. */
export class EvtxFile {
  readonly errors: EvtxIssue[] = [];
  readonly warnings: EvtxIssue[] = [];
  /** Chunks with data seen so far. */
  chunkCount = 0;
  recordCount = 0;

  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
    readonly header: EvtxFileHeader,
    readonly fileSize: number,
    private readonly opts: ReadOptions,
  ) {
    if (!header.checksumOk && header.checksum !== 0) {
      this.warnings.push({ kind: 'checksum', offset: 0, reason: 'file header CRC32 mismatch' });
    }
    if (header.dirty) this.warnings.push({ kind: 'file', offset: 0, reason: 'file header dirty flag set (not closed cleanly)' });
    if (header.majorVersion !== 3) {
      this.warnings.push({ kind: 'file', offset: 0, reason: `unexpected format version ${header.majorVersion}.${header.minorVersion}` });
    }
  }

  static async open(path: string, opts: ReadOptions = {}): Promise<EvtxFile> {
    const fh = await open(path, 'r');
    try {
      const st = await fh.stat();
      const hb = Buffer.alloc(FILE_HEADER_SIZE);
      const bytesRead = await readFull(fh, hb, 0);
      const header = parseFileHeader(hb.subarray(0, bytesRead));
      return new EvtxFile(path, fh, header, st.size, opts);
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.fh.close();
  }

  /**
   * Raw chunk buffers in file order (chunk index, bytes). Reads past the header's chunk count (files
   * copied while open); stops at end of file. The yielded buffer is only valid until the next step.
   */
  async *rawChunks(): AsyncGenerator<{ index: number; data: Buffer; fileOffset: number }> {
    const batch = Math.max(1, Math.min(this.opts.batchChunks ?? 16, 256));
    const buf = Buffer.allocUnsafe(batch * CHUNK_SIZE);
    let index = 0;
    for (;;) {
      const pos = FILE_HEADER_SIZE + index * CHUNK_SIZE;
      const bytesRead = await readFull(this.fh, buf, pos);
      const full = Math.floor(bytesRead / CHUNK_SIZE);
      for (let i = 0; i < full; i++) {
        yield { index: index + i, data: buf.subarray(i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE), fileOffset: pos + i * CHUNK_SIZE };
      }
      index += full;
      if (bytesRead < buf.length) {
        const rest = bytesRead - full * CHUNK_SIZE;
        if (index < this.header.chunkCount) {
          this.errors.push({
            kind: 'file',
            chunk: index,
            offset: FILE_HEADER_SIZE + index * CHUNK_SIZE,
            reason: `file truncated: header lists ${this.header.chunkCount} chunks, only ${index} complete (${rest} bytes of chunk ${index})`,
          });
        }
        break;
      }
    }
    if (index > this.header.chunkCount) {
      this.warnings.push({
        kind: 'file',
        offset: FILE_HEADER_SIZE + this.header.chunkCount * CHUNK_SIZE,
        reason: `${index - this.header.chunkCount} chunk slot(s) beyond the header's chunk count ${this.header.chunkCount} were read`,
      });
    }
  }

  /** Parsed chunks in file order (empty chunks skipped). */
  async *chunks(): AsyncGenerator<ChunkResult> {
    for await (const c of this.rawChunks()) {
      const r = parseChunk(c.data, c.index, { fileOffset: c.fileOffset, skipBadChecksums: this.opts.skipBadChecksums ?? false });
      if (this.account(r)) yield r;
    }
  }

  /** Add a parsed chunk's counts and issues to this file's totals; false for an empty chunk. */
  account(r: { empty: boolean; records: unknown[] | number; errors: EvtxIssue[]; warnings: EvtxIssue[] }): boolean {
    if (r.empty) return false;
    this.chunkCount++;
    this.recordCount += typeof r.records === 'number' ? r.records : r.records.length;
    for (const e of r.errors) this.errors.push(e);
    for (const w of r.warnings) this.warnings.push(w);
    return true;
  }

  /** Every record that parsed, in file order. Skipped records/chunks are in `errors`. */
  async *records(): AsyncGenerator<EvtxRecord> {
    for await (const c of this.chunks()) yield* c.records;
  }

  summary(): EvtxSummary {
    return {
      path: this.path,
      header: this.header,
      fileSize: this.fileSize,
      chunks: this.chunkCount,
      records: this.recordCount,
      errors: this.errors,
      warnings: this.warnings,
    };
  }
}

/** Open an EVTX file (reads and checks the header). Throws EvtxFormatError if it is not EVTX. */
export function openEvtx(path: string, opts: ReadOptions = {}): Promise<EvtxFile> {
  return EvtxFile.open(path, opts);
}

/** Async iterator over the records of a file; issues are dropped unless `onError` is given. */
export async function* readEvtxRecords(
  path: string,
  opts: ReadOptions & { onError?: (e: EvtxIssue) => void } = {},
): AsyncGenerator<EvtxRecord> {
  const f = await openEvtx(path, opts);
  try {
    let seen = 0;
    for await (const c of f.chunks()) {
      if (opts.onError) for (; seen < f.errors.length; seen++) opts.onError(f.errors[seen]!);
      yield* c.records;
    }
    if (opts.onError) for (; seen < f.errors.length; seen++) opts.onError(f.errors[seen]!);
  } finally {
    await f.close();
  }
}

export interface ParseFileOptions extends ReadOptions {
  onRecord?: (r: EvtxRecord) => void;
  onError?: (e: EvtxIssue) => void;
  onWarning?: (w: EvtxIssue) => void;
  /** Called after each chunk's records; awaited (use it for output back-pressure). */
  onChunkDone?: (c: { chunkIndex: number }) => void | Promise<void>;
  /** Parse chunks in this many worker threads (0/1 = in this thread). Record order is kept. */
  workers?: number;
}

/** Parse a whole file, calling back per record and per issue; resolves to the summary. */
export async function parseEvtxFile(path: string, opts: ParseFileOptions = {}): Promise<EvtxSummary> {
  if (opts.workers !== undefined && opts.workers > 1) {
    const { parseEvtxFileParallel } = await import('./parallel.js');
    return parseEvtxFileParallel(path, opts);
  }
  const f = await openEvtx(path, opts);
  let seenE = 0;
  let seenW = 0;
  const flush = (): void => {
    if (opts.onError) for (; seenE < f.errors.length; seenE++) opts.onError(f.errors[seenE]!);
    if (opts.onWarning) for (; seenW < f.warnings.length; seenW++) opts.onWarning(f.warnings[seenW]!);
  };
  try {
    flush();
    for await (const c of f.chunks()) {
      flush();
      if (opts.onRecord) for (const r of c.records) opts.onRecord(r);
      if (opts.onChunkDone) await opts.onChunkDone(c);
    }
    flush();
    return f.summary();
  } finally {
    await f.close();
  }
}
