import { readFileSync, statSync } from 'node:fs';

/**
 * Reads the version resource of a PE file (e.g. `Exchange Server\V15\Bin\ExSetup.exe`, whose file version is the
 * Exchange build that HealthChecker reports): DOS header → PE header → optional header's resource data directory →
 * section table (RVA → file offset) → resource tree RT_VERSION (16) / first name / first language → data entry →
 * VS_VERSIONINFO → VS_FIXEDFILEINFO. Every read is bounds-checked; hostile or truncated input gives `ok: false`
 * with a reason, never an exception.
 */

export interface PeVersionInfo {
  ok: true;
  /** `major.minor.build.revision` from dwFileVersionMS/LS (what .NET's FileVersionInfo.File*Part give). */
  fileVersion: string;
  productVersion: string;
  fileVersionParts: [number, number, number, number];
  /** 'PE32' or 'PE32+'. */
  format: 'PE32' | 'PE32+';
}

export interface PeVersionError {
  ok: false;
  /** Stable code: E_PE_IO, E_PE_NOT_PE, E_PE_TRUNCATED, E_PE_NO_RESOURCES, E_PE_NO_VERSION, E_PE_BAD_VERSION. */
  code: string;
  error: string;
}

export type PeVersionResult = PeVersionInfo | PeVersionError;

/** Largest file read from a path (ExSetup.exe is well under this). */
export const PE_MAX_FILE_BYTES = 256 * 1024 * 1024;

const RT_VERSION = 16;
const MAX_ENTRIES = 4096;
const FIXED_SIGNATURE = 0xfeef04bd;

class PeFail extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

class Reader {
  private readonly view: DataView;
  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  check(off: number, len: number, what: string): void {
    if (!Number.isInteger(off) || off < 0 || len < 0 || off + len > this.buf.byteLength) {
      throw new PeFail('E_PE_TRUNCATED', `${what} at offset ${off} (+${len}) is outside the file (${this.buf.byteLength} bytes)`);
    }
  }
  u16(off: number, what: string): number {
    this.check(off, 2, what);
    return this.view.getUint16(off, true);
  }
  u32(off: number, what: string): number {
    this.check(off, 4, what);
    return this.view.getUint32(off, true);
  }
}

interface Section {
  va: number;
  vsize: number;
  raw: number;
  rawSize: number;
}

function rvaToOffset(sections: Section[], rva: number, len: number, what: string, r: Reader): number {
  for (const s of sections) {
    const span = Math.max(s.vsize, s.rawSize);
    if (rva >= s.va && rva < s.va + span) {
      const delta = rva - s.va;
      if (delta + len > s.rawSize) throw new PeFail('E_PE_TRUNCATED', `${what} (RVA 0x${rva.toString(16)}) extends past its section's raw data`);
      const off = s.raw + delta;
      r.check(off, len, what);
      return off;
    }
  }
  throw new PeFail('E_PE_TRUNCATED', `${what} (RVA 0x${rva.toString(16)}) is in no section`);
}

function versionString(ms: number, ls: number): [string, [number, number, number, number]] {
  const parts: [number, number, number, number] = [ms >>> 16, ms & 0xffff, ls >>> 16, ls & 0xffff];
  return [parts.join('.'), parts];
}

function parse(buf: Uint8Array): PeVersionInfo {
  const r = new Reader(buf);
  if (buf.byteLength < 64 || buf[0] !== 0x4d || buf[1] !== 0x5a) throw new PeFail('E_PE_NOT_PE', 'not a PE file (no MZ header)');
  const peOff = r.u32(0x3c, 'e_lfanew');
  r.check(peOff, 24, 'PE header');
  if (r.u32(peOff, 'PE signature') !== 0x00004550) throw new PeFail('E_PE_NOT_PE', 'not a PE file (no PE signature)');
  const nSections = r.u16(peOff + 6, 'NumberOfSections');
  const optSize = r.u16(peOff + 20, 'SizeOfOptionalHeader');
  const opt = peOff + 24;
  const magic = r.u16(opt, 'optional header magic');
  let format: 'PE32' | 'PE32+';
  let nDirsOff: number;
  if (magic === 0x10b) {
    format = 'PE32';
    nDirsOff = 92;
  } else if (magic === 0x20b) {
    format = 'PE32+';
    nDirsOff = 108;
  } else throw new PeFail('E_PE_NOT_PE', `unknown optional header magic 0x${magic.toString(16)}`);
  if (optSize < nDirsOff + 4) throw new PeFail('E_PE_NO_RESOURCES', 'optional header too small for data directories');
  const nDirs = r.u32(opt + nDirsOff, 'NumberOfRvaAndSizes');
  if (nDirs < 3 || nDirsOff + 4 + 3 * 8 > optSize) throw new PeFail('E_PE_NO_RESOURCES', 'no resource data directory');
  const rsrcRva = r.u32(opt + nDirsOff + 4 + 2 * 8, 'resource directory RVA');
  const rsrcSize = r.u32(opt + nDirsOff + 4 + 2 * 8 + 4, 'resource directory size');
  if (rsrcRva === 0 || rsrcSize === 0) throw new PeFail('E_PE_NO_RESOURCES', 'the file has no resources');

  const secTable = opt + optSize;
  if (nSections === 0 || nSections > 96) throw new PeFail('E_PE_NOT_PE', `implausible section count ${nSections}`);
  r.check(secTable, nSections * 40, 'section table');
  const sections: Section[] = [];
  for (let i = 0; i < nSections; i++) {
    const s = secTable + i * 40;
    sections.push({ vsize: r.u32(s + 8, 'VirtualSize'), va: r.u32(s + 12, 'VirtualAddress'), rawSize: r.u32(s + 16, 'SizeOfRawData'), raw: r.u32(s + 20, 'PointerToRawData') });
  }
  const rsrcBase = rvaToOffset(sections, rsrcRva, 16, 'resource directory', r);
  // The section's raw data bounds the whole resource tree.
  const sec = sections.find((s) => rsrcRva >= s.va && rsrcRva < s.va + Math.max(s.vsize, s.rawSize));
  const rsrcEnd = sec ? sec.raw + Math.min(sec.rawSize, buf.byteLength - sec.raw) : buf.byteLength;
  let budget = MAX_ENTRIES;

  /** Entries of the directory at (resource-relative) offset `rel`. */
  const entries = (rel: number, what: string): { id: number; named: boolean; target: number; isDir: boolean }[] => {
    const off = rsrcBase + rel;
    if (off + 16 > rsrcEnd) throw new PeFail('E_PE_TRUNCATED', `${what} directory outside the resource section`);
    const named = r.u16(off + 12, `${what} NumberOfNamedEntries`);
    const ids = r.u16(off + 14, `${what} NumberOfIdEntries`);
    const n = named + ids;
    budget -= n;
    if (budget < 0) throw new PeFail('E_PE_BAD_VERSION', 'too many resource directory entries');
    if (off + 16 + n * 8 > rsrcEnd) throw new PeFail('E_PE_TRUNCATED', `${what} directory entries outside the resource section`);
    const out = [];
    for (let i = 0; i < n; i++) {
      const e = off + 16 + i * 8;
      const name = r.u32(e, `${what} entry name`);
      const data = r.u32(e + 4, `${what} entry offset`);
      out.push({ id: name & 0x7fffffff, named: (name & 0x80000000) !== 0, target: data & 0x7fffffff, isDir: (data & 0x80000000) !== 0 });
    }
    return out;
  };

  const typeEntry = entries(0, 'resource type').find((e) => !e.named && e.id === RT_VERSION);
  if (!typeEntry) throw new PeFail('E_PE_NO_VERSION', 'no RT_VERSION resource');
  if (!typeEntry.isDir) throw new PeFail('E_PE_BAD_VERSION', 'RT_VERSION entry is not a directory');
  const nameEntry = entries(typeEntry.target, 'RT_VERSION name')[0];
  if (!nameEntry) throw new PeFail('E_PE_NO_VERSION', 'RT_VERSION has no entries');
  let leaf = nameEntry;
  if (nameEntry.isDir) {
    const lang = entries(nameEntry.target, 'RT_VERSION language')[0];
    if (!lang) throw new PeFail('E_PE_NO_VERSION', 'RT_VERSION has no language entry');
    if (lang.isDir) throw new PeFail('E_PE_BAD_VERSION', 'resource tree deeper than three levels');
    leaf = lang;
  }
  const dataEntry = rsrcBase + leaf.target;
  if (dataEntry + 16 > rsrcEnd) throw new PeFail('E_PE_TRUNCATED', 'version data entry outside the resource section');
  const dataRva = r.u32(dataEntry, 'version data RVA');
  const dataSize = r.u32(dataEntry + 4, 'version data size');
  if (dataSize < 40 + 52) throw new PeFail('E_PE_BAD_VERSION', `version resource too small (${dataSize} bytes)`);
  const data = rvaToOffset(sections, dataRva, dataSize, 'version resource', r);

  // VS_VERSIONINFO: wLength, wValueLength, wType, szKey "VS_VERSION_INFO\0" (UTF-16), pad to 4, VS_FIXEDFILEINFO.
  const wLength = r.u16(data, 'VS_VERSIONINFO wLength');
  const wValueLength = r.u16(data + 2, 'VS_VERSIONINFO wValueLength');
  if (wLength > dataSize || wLength < 40 + 52) throw new PeFail('E_PE_BAD_VERSION', `VS_VERSIONINFO length ${wLength} does not fit the resource (${dataSize})`);
  const key = 'VS_VERSION_INFO';
  for (let i = 0; i < key.length; i++) {
    if (r.u16(data + 6 + i * 2, 'VS_VERSIONINFO key') !== key.charCodeAt(i)) throw new PeFail('E_PE_BAD_VERSION', 'version resource does not start with VS_VERSION_INFO');
  }
  if (wValueLength < 52) throw new PeFail('E_PE_BAD_VERSION', 'VS_VERSIONINFO has no VS_FIXEDFILEINFO');
  const fixed = data + 40; // 6 + 32 bytes of key = 38, aligned to 4
  if (r.u32(fixed, 'VS_FIXEDFILEINFO signature') !== FIXED_SIGNATURE) throw new PeFail('E_PE_BAD_VERSION', 'VS_FIXEDFILEINFO signature 0xFEEF04BD missing');
  const [fileVersion, fileVersionParts] = versionString(r.u32(fixed + 8, 'dwFileVersionMS'), r.u32(fixed + 12, 'dwFileVersionLS'));
  const [productVersion] = versionString(r.u32(fixed + 16, 'dwProductVersionMS'), r.u32(fixed + 20, 'dwProductVersionLS'));
  return { ok: true, fileVersion, productVersion, fileVersionParts, format };
}

/** Read the file version from PE bytes or from a path (read-only, at most PE_MAX_FILE_BYTES). Never throws. */
export function readPeFileVersion(input: Uint8Array | string): PeVersionResult {
  let buf: Uint8Array;
  if (typeof input === 'string') {
    try {
      const st = statSync(input);
      if (!st.isFile()) return { ok: false, code: 'E_PE_IO', error: `${input}: not a regular file` };
      if (st.size > PE_MAX_FILE_BYTES) return { ok: false, code: 'E_PE_IO', error: `${input}: larger than ${PE_MAX_FILE_BYTES} bytes` };
      buf = readFileSync(input);
    } catch (err) {
      return { ok: false, code: 'E_PE_IO', error: `${input}: ${(err as Error).message}` };
    }
  } else if (input instanceof Uint8Array) {
    buf = input;
  } else {
    return { ok: false, code: 'E_PE_NOT_PE', error: 'input is neither bytes nor a path' };
  }
  try {
    return parse(buf);
  } catch (err) {
    if (err instanceof PeFail) return { ok: false, code: err.code, error: err.message };
    if (err instanceof RangeError) return { ok: false, code: 'E_PE_TRUNCATED', error: err.message };
    throw err;
  }
}
