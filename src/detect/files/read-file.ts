import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { compiledVirtualPath, pageClassNames } from './compiled.js';

/** A content match from the YARA engine, reduced to what a finding needs (plain data: crosses threads). */
export interface ContentHit {
  rule: string;
  namespace?: string;
  tags: string[];
  meta: Record<string, string | number | boolean>;
}

/** Scans bytes with compiled rules (the YARA engine behind one interface). */
export interface ContentScanner {
  scan(bytes: Uint8Array): ContentHit[];
}

export interface ReadLimits {
  /** Files up to this size are read whole, hashed and scanned (default 64 MiB). */
  fullBytes: number;
  /** Larger files: this many bytes from the start and from the end are scanned; no hashes (default 4 MiB). */
  edgeBytes: number;
}

export const DEFAULT_LIMITS: ReadLimits = { fullBytes: 64 << 20, edgeBytes: 4 << 20 };

/** What one file's content showed. */
export interface FileContentResult {
  size: number;
  hashes?: { md5: string; sha1: string; sha256: string };
  hits: ContentHit[];
  /** Set when only the head and tail were scanned. */
  capped?: string;
  /** Temporary ASP.NET Files: the pages a compiled artefact was built from. */
  compiledFrom?: string[];
  error?: string;
  /** The YARA engine failed on this file (hashes and place checks still hold). */
  scanError?: string;
}

/** Scan with the engine; an engine failure on one buffer is reported, never thrown. */
function safeScan(scanner: ContentScanner | undefined, bytes: Uint8Array, out: { scanError?: string }): ContentHit[] {
  if (!scanner || !bytes.length) return [];
  try {
    return scanner.scan(bytes);
  } catch (err) {
    out.scanError = `YARA scan failed: ${String((err as Error)?.message ?? err).split('\n')[0]}`;
    return [];
  }
}

// O_NOFOLLOW: a file swapped for a symlink between listing and opening is not followed. O_NONBLOCK: a FIFO
// that slipped through (same race) does not hang the scan.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

function readAt(fd: number, buf: Buffer, pos: number): number {
  let got = 0;
  while (got < buf.length) {
    const n = readSync(fd, buf, got, buf.length - got, pos + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

/** A whole file's bytes: hashes, YARA, and the page a compiled artefact came from. */
export function scanWhole(bytes: Uint8Array, name: string, scanner: ContentScanner | undefined): FileContentResult {
  const hashes = {
    md5: createHash('md5').update(bytes).digest('hex'),
    sha1: createHash('sha1').update(bytes).digest('hex'),
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
  const out: FileContentResult = { size: bytes.length, hashes, hits: [] };
  out.hits = safeScan(scanner, bytes, out);
  const lower = name.toLowerCase();
  if (lower.endsWith('.compiled')) {
    const vp = compiledVirtualPath(bytes);
    if (vp) out.compiledFrom = [vp];
  } else if (lower.startsWith('app_web_') && lower.endsWith('.dll')) {
    const names = pageClassNames(bytes);
    if (names.length) out.compiledFrom = names;
  }
  return out;
}

/** Only the head of a file was available (a large archive entry): scanned, not hashed, said so. */
export function scanHead(head: Uint8Array, size: number, scanner: ContentScanner | undefined, why: string): FileContentResult {
  const out: FileContentResult = { size, hits: [], capped: why };
  out.hits = safeScan(scanner, head, out);
  return out;
}

/**
 * Read one file read-only and bounded: hash and scan it whole when small, else its first and last
 * `edgeBytes` only (with a note). Never throws: an unreadable file is an `error`.
 */
export function readAndScan(path: string | Buffer, name: string, scanner: ContentScanner | undefined, limits: ReadLimits = DEFAULT_LIMITS): FileContentResult {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (err) {
    return { size: 0, hits: [], error: `cannot open: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { size: 0, hits: [], error: 'not a regular file (skipped)' };
    const size = st.size;
    if (size <= limits.fullBytes) {
      const buf = Buffer.allocUnsafe(size);
      const n = readAt(fd, buf, 0);
      return scanWhole(buf.subarray(0, n), name, scanner);
    }
    // Too large for a web page: scan the two ends (where appended or prepended payloads sit), say so.
    const head = Buffer.allocUnsafe(limits.edgeBytes);
    const hn = readAt(fd, head, 0);
    const tail = Buffer.allocUnsafe(limits.edgeBytes);
    const tn = readAt(fd, tail, Math.max(hn, size - limits.edgeBytes));
    const mib = (b: number): string => `${Math.round(b / 1048576)} MiB`;
    const out: FileContentResult = { size, hits: [], capped: `${mib(size)} file: only the first and last ${mib(limits.edgeBytes)} were scanned, not hashed (limit ${mib(limits.fullBytes)})` };
    const seen = new Set<string>();
    for (const part of [head.subarray(0, hn), tail.subarray(0, tn)]) {
      for (const h of safeScan(scanner, part, out)) {
        if (seen.has(h.rule)) continue;
        seen.add(h.rule);
        out.hits.push(h);
      }
    }
    return out;
  } catch (err) {
    return { size: 0, hits: [], error: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
  } finally {
    closeSync(fd);
  }
}
