/**
 * EVTX chunks: 64 KiB blocks starting with `ElfChnk\0`, a 512-byte header, then records.
 * `parseChunk` is pure (buffer in, records and issues out) so chunks can be parsed in any order or in
 * worker threads.
 */
import { crc32 } from 'node:zlib';
import { BinXmlError, ChunkDecoder, filetimeToIso } from './binxml.js';
import { buildRecord, type EvtxRecord } from './record.js';

export const CHUNK_SIZE = 65536;
export const FILE_HEADER_SIZE = 4096;
export const CHUNK_HEADER_SIZE = 512;
const RECORD_HEADER_SIZE = 24;

export interface EvtxChunkHeader {
  firstRecordNumber: number;
  lastRecordNumber: number;
  firstRecordId: number;
  lastRecordId: number;
  headerSize: number;
  lastRecordOffset: number;
  freeSpaceOffset: number;
  dataChecksum: number;
  flags: number;
  headerChecksum: number;
  /** CRC32 of bytes 0–120 and 128–512 matches headerChecksum. */
  headerChecksumOk: boolean;
  /** CRC32 of the record data (512 – freeSpaceOffset) matches dataChecksum. */
  dataChecksumOk: boolean;
}

/** A problem found while parsing: errors lose data (a record or chunk skipped), warnings do not. */
export interface EvtxIssue {
  kind: 'file' | 'chunk' | 'record' | 'checksum';
  /** 0-based chunk number, when known. */
  chunk?: number;
  /** Record id, when known. */
  record?: number;
  /** Byte offset in the file. */
  offset: number;
  reason: string;
}

export interface ChunkResult {
  chunkIndex: number;
  /** Byte offset of the chunk in the file. */
  fileOffset: number;
  /** The chunk is all zero bytes (unused space in a dirty file): skipped, not an error. */
  empty: boolean;
  header: EvtxChunkHeader | null;
  records: EvtxRecord[];
  errors: EvtxIssue[];
  warnings: EvtxIssue[];
}

export interface ParseChunkOptions {
  /** File offset of the chunk (default: 4096 + chunkIndex * 65536). */
  fileOffset?: number;
  /** Skip a chunk whose checksums do not match (default false: report and parse anyway, like the Rust crate). */
  skipBadChecksums?: boolean;
}

function u64(buf: Buffer, p: number): number {
  return buf.readUInt32LE(p + 4) * 4294967296 + buf.readUInt32LE(p);
}

const ZERO_CHUNK = Buffer.alloc(CHUNK_SIZE);
function isAllZero(buf: Buffer): boolean {
  return buf[0] === 0 && buf.equals(ZERO_CHUNK.subarray(0, buf.length));
}

export function parseChunkHeader(buf: Buffer): EvtxChunkHeader {
  const freeSpaceOffset = buf.readUInt32LE(48);
  const headerChecksum = buf.readUInt32LE(124);
  const dataChecksum = buf.readUInt32LE(52);
  const hc = crc32(buf.subarray(128, CHUNK_HEADER_SIZE), crc32(buf.subarray(0, 120)));
  const dataEnd = Math.min(Math.max(freeSpaceOffset, CHUNK_HEADER_SIZE), buf.length);
  const dc = crc32(buf.subarray(CHUNK_HEADER_SIZE, dataEnd));
  return {
    firstRecordNumber: u64(buf, 8),
    lastRecordNumber: u64(buf, 16),
    firstRecordId: u64(buf, 24),
    lastRecordId: u64(buf, 32),
    headerSize: buf.readUInt32LE(40),
    lastRecordOffset: buf.readUInt32LE(44),
    freeSpaceOffset,
    dataChecksum,
    flags: buf.readUInt32LE(120),
    headerChecksum,
    headerChecksumOk: hc === headerChecksum,
    dataChecksumOk: dc === dataChecksum,
  };
}

const CHUNK_MAGIC = Buffer.from('ElfChnk\0', 'latin1');

/**
 * Parse one chunk (exactly 64 KiB; a shorter buffer is reported as an incomplete chunk).
 * Never throws: every problem becomes an issue in the result.
 */
export function parseChunk(data: Uint8Array, chunkIndex: number, opts: ParseChunkOptions = {}): ChunkResult {
  const fileOffset = opts.fileOffset ?? FILE_HEADER_SIZE + chunkIndex * CHUNK_SIZE;
  const res: ChunkResult = { chunkIndex, fileOffset, empty: false, header: null, records: [], errors: [], warnings: [] };
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.length < CHUNK_SIZE) {
    res.errors.push({ kind: 'chunk', chunk: chunkIndex, offset: fileOffset, reason: `incomplete chunk: ${buf.length} of ${CHUNK_SIZE} bytes` });
    return res;
  }
  const chunk = buf.length === CHUNK_SIZE ? buf : buf.subarray(0, CHUNK_SIZE);
  if (isAllZero(chunk)) {
    res.empty = true;
    return res;
  }
  if (!chunk.subarray(0, 8).equals(CHUNK_MAGIC)) {
    res.errors.push({
      kind: 'chunk',
      chunk: chunkIndex,
      offset: fileOffset,
      reason: `bad chunk magic ${JSON.stringify(chunk.toString('latin1', 0, 8))}`,
    });
    return res;
  }
  let header: EvtxChunkHeader;
  try {
    header = parseChunkHeader(chunk);
  } catch (e) {
    res.errors.push({ kind: 'chunk', chunk: chunkIndex, offset: fileOffset, reason: `bad chunk header: ${String(e)}` });
    return res;
  }
  res.header = header;
  if (!header.headerChecksumOk || !header.dataChecksumOk) {
    const what = [!header.headerChecksumOk ? 'header' : '', !header.dataChecksumOk ? 'data' : ''].filter(Boolean).join(' and ');
    res.warnings.push({ kind: 'checksum', chunk: chunkIndex, offset: fileOffset, reason: `chunk ${what} CRC32 mismatch` });
    if (opts.skipBadChecksums) {
      res.errors.push({ kind: 'chunk', chunk: chunkIndex, offset: fileOffset, reason: `chunk ${what} CRC32 mismatch (skipped)` });
      return res;
    }
  }
  const dec = new ChunkDecoder(chunk);
  const limit = Math.min(header.freeSpaceOffset, CHUNK_SIZE);
  let off = CHUNK_HEADER_SIZE;
  while (off < limit) {
    if (off + RECORD_HEADER_SIZE > CHUNK_SIZE) {
      res.errors.push({ kind: 'record', chunk: chunkIndex, offset: fileOffset + off, reason: 'truncated record header' });
      break;
    }
    const magic = chunk.readUInt32LE(off);
    if (magic === 0 && chunk.readUInt32LE(off + 4) === 0) break; // zeroed slack after the last record
    if (magic !== 0x00002a2a) {
      res.errors.push({
        kind: 'record',
        chunk: chunkIndex,
        offset: fileOffset + off,
        reason: `bad record magic 0x${chunk.readUInt32LE(off).toString(16).padStart(8, '0')}`,
      });
      break; // no way to find the next record reliably
    }
    const size = chunk.readUInt32LE(off + 4);
    const recordId = u64(chunk, off + 8);
    if (size < RECORD_HEADER_SIZE + 4 || off + size > CHUNK_SIZE) {
      res.errors.push({ kind: 'record', chunk: chunkIndex, record: recordId, offset: fileOffset + off, reason: `bad record size ${size}` });
      break;
    }
    const written = filetimeToIso(chunk.readUInt32LE(off + 16), chunk.readUInt32LE(off + 20));
    try {
      const nodes = dec.decodeRecord(off + RECORD_HEADER_SIZE, off + size - 4);
      res.records.push(buildRecord(nodes, chunkIndex, fileOffset + off, recordId, written));
    } catch (e) {
      const reason = e instanceof BinXmlError ? `${e.message} (chunk offset ${e.offset})` : `internal error: ${String(e)}`;
      res.errors.push({ kind: 'record', chunk: chunkIndex, record: recordId, offset: fileOffset + off, reason });
    }
    off += size;
    if (recordId === header.lastRecordId) break;
  }
  return res;
}
