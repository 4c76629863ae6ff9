/**
 * An event log read from a stream of bytes (an archive entry, inflated on the fly) instead of a file
 * handle. EVTX is read front to back anyway (file header, then 64 KiB chunks), so the same per-chunk
 * parser applies and the results equal `parseEvtxFile` on the same bytes: same records, errors, warnings.
 */
import { CHUNK_SIZE, FILE_HEADER_SIZE, parseChunk, parseFileHeader, type EvtxIssue, type EvtxSummary } from '../readers/evtx/index.js';
import type { EvtxRecord } from '../readers/evtx/index.js';

export interface StreamEvtxOptions {
  onRecord?: (r: EvtxRecord) => void;
}

/** Throws EvtxFormatError when the stream does not start with an EVTX header. */
export async function parseEvtxStream(name: string, chunks: AsyncIterable<Uint8Array>, opts: StreamEvtxOptions = {}): Promise<EvtxSummary> {
  const errors: EvtxIssue[] = [];
  const warnings: EvtxIssue[] = [];
  let header: ReturnType<typeof parseFileHeader> | undefined;
  let fileSize = 0;
  let chunkCount = 0;
  let records = 0;
  let index = 0;
  // One chunk's worth of bytes is assembled at a time: memory stays bounded whatever the entry size.
  let pending: Buffer = Buffer.alloc(0);
  const handle = (chunk: Buffer): void => {
    const r = parseChunk(chunk, index, { fileOffset: FILE_HEADER_SIZE + index * CHUNK_SIZE, skipBadChecksums: false });
    index++;
    if (r.empty) return;
    chunkCount++;
    records += r.records.length;
    errors.push(...r.errors);
    warnings.push(...r.warnings);
    if (opts.onRecord) for (const rec of r.records) opts.onRecord(rec);
  };
  for await (const c of chunks) {
    fileSize += c.length;
    pending = pending.length ? Buffer.concat([pending, c]) : Buffer.from(c.buffer, c.byteOffset, c.byteLength);
    if (!header) {
      if (pending.length < FILE_HEADER_SIZE) continue;
      header = parseFileHeader(pending.subarray(0, FILE_HEADER_SIZE));
      if (!header.checksumOk && header.checksum !== 0) warnings.push({ kind: 'checksum', offset: 0, reason: 'file header CRC32 mismatch' });
      if (header.dirty) warnings.push({ kind: 'file', offset: 0, reason: 'file header dirty flag set (not closed cleanly)' });
      if (header.majorVersion !== 3) warnings.push({ kind: 'file', offset: 0, reason: `unexpected format version ${header.majorVersion}.${header.minorVersion}` });
      pending = pending.subarray(FILE_HEADER_SIZE);
    }
    let p = 0;
    while (pending.length - p >= CHUNK_SIZE) {
      // A copy: parsed records may keep views into their chunk.
      handle(Buffer.from(pending.subarray(p, p + CHUNK_SIZE)));
      p += CHUNK_SIZE;
    }
    pending = Buffer.from(pending.subarray(p));
  }
  if (!header) header = parseFileHeader(pending); // too short: throws EvtxFormatError
  if (index < header.chunkCount) {
    errors.push({
      kind: 'file',
      chunk: index,
      offset: FILE_HEADER_SIZE + index * CHUNK_SIZE,
      reason: `file truncated: header lists ${header.chunkCount} chunks, only ${index} complete (${pending.length} bytes of chunk ${index})`,
    });
  }
  if (index > header.chunkCount) {
    warnings.push({
      kind: 'file',
      offset: FILE_HEADER_SIZE + header.chunkCount * CHUNK_SIZE,
      reason: `${index - header.chunkCount} chunk slot(s) beyond the header's chunk count ${header.chunkCount} were read`,
    });
  }
  return { path: name, header, fileSize, chunks: chunkCount, records, errors, warnings };
}
