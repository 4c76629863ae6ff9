import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { ExhuntError } from '../../model/errors.js';

/** A registry hive that is not a hive, is damaged, or exceeds a bound. Stable code `E_REGISTRY`. */
export class RegistryError extends ExhuntError {
  constructor(message: string) {
    super('E_REGISTRY', message);
    this.name = 'RegistryError';
  }
}

/** Random access to the hive's bytes (a whole buffer, or positioned reads on an open file). */
export interface HiveBytes {
  readonly size: number;
  /** Up to `length` bytes at `offset` (fewer at the end of the file). */
  read(offset: number, length: number): Uint8Array;
  close?(): void;
}

export interface HiveLimits {
  /** Most cells one Hive object reads in its life (a loop or a hostile list cannot run forever). Default 2,000,000. */
  maxCells?: number;
  /** Largest cell accepted. Default 4 MiB. */
  maxCellBytes?: number;
  /** Value data beyond this is cut and flagged `truncated`. Default 1 MiB. */
  maxValueBytes?: number;
  /** Most subkeys or values listed for one key. Default 100,000. */
  maxEntries?: number;
}

export interface HiveKey {
  /** Cell offset (relative to the first hive bin): a key's identity. */
  readonly offset: number;
  readonly name: string;
  readonly lastWritten: Date | null;
  readonly subkeyCount: number;
  readonly valueCount: number;
  /** Offsets of the subkey list and value list cells (0xFFFFFFFF = none). */
  readonly subkeyList: number;
  readonly valueList: number;
}

export const REG = { NONE: 0, SZ: 1, EXPAND_SZ: 2, BINARY: 3, DWORD: 4, DWORD_BE: 5, LINK: 6, MULTI_SZ: 7, QWORD: 11 } as const;

export interface HiveValue {
  /** `''` for the key's default value. */
  readonly name: string;
  readonly type: number;
  readonly data: Uint8Array;
  /** The declared size was larger than `maxValueBytes` (or than what the hive holds). */
  readonly truncated: boolean;
}

/** Bytes of value data one `values()` call may copy (a key's values are small in any real hive). */
const VALUES_BYTES_MAX = 16 << 20;
const BASE_BLOCK = 4096;
const NONE = 0xffffffff;
const BIG_DATA_SEGMENT = 16344;
const KEY_COMP_NAME = 0x0020;
const VALUE_COMP_NAME = 0x0001;

/** Buffer-backed bytes. */
export function bytesOf(b: Uint8Array): HiveBytes {
  return { size: b.length, read: (o, n) => b.subarray(Math.min(o, b.length), Math.min(o + n, b.length)) };
}

/** File-backed bytes: positioned reads, so a 300 MB SOFTWARE hive is never loaded whole. */
export function fileBytes(path: string): HiveBytes {
  const fd = openSync(path, 'r');
  let size: number;
  try {
    size = fstatSync(fd).size;
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  return {
    size,
    read(o, n) {
      const len = Math.max(0, Math.min(n, size - o));
      const buf = Buffer.alloc(len);
      let got = 0;
      while (got < len) {
        const r = readSync(fd, buf, got, len - got, o + got);
        if (r <= 0) break;
        got += r;
      }
      return buf.subarray(0, got);
    },
    close: () => closeSync(fd),
  };
}

const u16 = (b: Uint8Array, o: number) => b[o]! | (b[o + 1]! << 8);
const u32 = (b: Uint8Array, o: number) => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;

function filetime(b: Uint8Array, o: number): Date | null {
  const lo = u32(b, o);
  const hi = u32(b, o + 4);
  if (!lo && !hi) return null;
  const ms = (hi * 4294967296 + lo) / 10000 - 11644473600000;
  return Number.isFinite(ms) && ms > 0 && ms < 8.64e15 ? new Date(ms) : null;
}

function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
}

function utf16(b: Uint8Array): string {
  const even = b.length & ~1;
  return Buffer.from(b.buffer, b.byteOffset, even).toString('utf16le');
}

/** HealthChecker / Windows "lh" hash: each upper-cased character, hash = hash * 37 + char (32-bit). */
export function lhHash(name: string): number {
  let h = 0;
  for (const ch of name.toUpperCase()) h = (Math.imul(h, 37) + (ch.codePointAt(0)! & 0xffff)) >>> 0;
  return h;
}

/**
 * A bounded, read-only reader of Windows NT registry hive files (regf), written from the public format description
 * (libregf's documentation): base block, hive bins, nk / vk / lf / lh / li / ri / db cells. Every offset and size is
 * checked against the hive; a damaged structure throws {@link RegistryError}, never anything else.
 */
export class Hive {
  readonly major: number;
  readonly minor: number;
  /** Primary and secondary sequence numbers differ: the hive was not written cleanly (transaction logs not applied). */
  readonly dirty: boolean;
  readonly lastWritten: Date | null;
  /** The name the hive gave itself (`\??\C:\Windows\System32\Config\SOFTWARE`, last 31 characters). */
  readonly fileName: string;
  private readonly src: HiveBytes;
  private readonly rootOffset: number;
  /** End of the hive bins data (relative offsets must stay below). */
  private readonly dataEnd: number;
  private cells = 0;
  private readonly limits: Required<HiveLimits>;

  constructor(src: HiveBytes, limits: HiveLimits = {}) {
    this.src = src;
    this.limits = { maxCells: 2_000_000, maxCellBytes: 4 << 20, maxValueBytes: 1 << 20, maxEntries: 100_000, ...limits };
    if (src.size < BASE_BLOCK + 32) throw new RegistryError(`not a registry hive: ${src.size} bytes is smaller than a base block and one hive bin`);
    const bb = src.read(0, 512);
    if (bb.length < 512 || latin1(bb.subarray(0, 4)) !== 'regf') throw new RegistryError('not a registry hive (no "regf" signature)');
    this.dirty = u32(bb, 4) !== u32(bb, 8);
    this.lastWritten = filetime(bb, 12);
    this.major = u32(bb, 20);
    this.minor = u32(bb, 24);
    if (this.major !== 1) throw new RegistryError(`unsupported hive format version ${this.major}.${this.minor}`);
    const type = u32(bb, 28);
    if (type !== 0) throw new RegistryError(`not a primary hive file (file type ${type}; transaction logs are not read)`);
    this.rootOffset = u32(bb, 36);
    const declared = u32(bb, 40);
    // The declared bins size may be wrong in a damaged or truncated copy: the file size bounds it either way.
    this.dataEnd = Math.min(declared || src.size - BASE_BLOCK, src.size - BASE_BLOCK);
    if (this.dataEnd < 32) throw new RegistryError('hive has no hive bins');
    const name = utf16(bb.subarray(48, 112));
    const nul = name.indexOf('\0');
    this.fileName = nul >= 0 ? name.slice(0, nul) : name;
    const hb = src.read(BASE_BLOCK, 4);
    if (latin1(hb) !== 'hbin') throw new RegistryError('first hive bin has no "hbin" signature');
  }

  static fromBytes(b: Uint8Array, limits?: HiveLimits): Hive {
    return new Hive(bytesOf(b), limits);
  }

  /** Open a hive file for positioned reads; call {@link close} when done. */
  static openFile(path: string, limits?: HiveLimits): Hive {
    const src = fileBytes(path);
    try {
      return new Hive(src, limits);
    } catch (e) {
      src.close?.();
      throw e;
    }
  }

  close(): void {
    this.src.close?.();
  }

  /** The data of the allocated cell at `off` (without its 4-byte size). */
  private cell(off: number, what: string): Uint8Array {
    if (++this.cells > this.limits.maxCells) throw new RegistryError(`more than ${this.limits.maxCells} cells read: the hive loops or is hostile`);
    if (off === NONE || off % 8 !== 0 || off + 4 > this.dataEnd) throw new RegistryError(`${what}: cell offset 0x${off.toString(16)} is outside the hive bins`);
    const head = this.src.read(BASE_BLOCK + off, 4);
    if (head.length < 4) throw new RegistryError(`${what}: cell at 0x${off.toString(16)} is cut off`);
    const raw = u32(head, 0) | 0;
    // Allocated cells have a negative size; a free cell here means a dangling reference.
    if (raw >= 0) throw new RegistryError(`${what}: cell at 0x${off.toString(16)} is not allocated`);
    const size = -raw;
    if (size < 8 || size > this.limits.maxCellBytes || off + size > this.dataEnd) throw new RegistryError(`${what}: cell at 0x${off.toString(16)} has a bad size ${size}`);
    const data = this.src.read(BASE_BLOCK + off + 4, size - 4);
    if (data.length < size - 4) throw new RegistryError(`${what}: cell at 0x${off.toString(16)} is cut off`);
    return data;
  }

  private sig(c: Uint8Array): string {
    return c.length >= 2 ? String.fromCharCode(c[0]!, c[1]!) : '';
  }

  /** The key node at `off`. */
  keyAt(off: number): HiveKey {
    const c = this.cell(off, 'key');
    if (this.sig(c) !== 'nk' || c.length < 76) throw new RegistryError(`cell at 0x${off.toString(16)} is not a key node`);
    const flags = u16(c, 2);
    const nameLen = u16(c, 72);
    if (76 + nameLen > c.length) throw new RegistryError(`key at 0x${off.toString(16)}: name runs past its cell`);
    const nb = c.subarray(76, 76 + nameLen);
    return {
      offset: off,
      name: flags & KEY_COMP_NAME ? latin1(nb) : utf16(nb),
      lastWritten: filetime(c, 4),
      subkeyCount: u32(c, 20),
      valueCount: u32(c, 36),
      subkeyList: u32(c, 28),
      valueList: u32(c, 40),
    };
  }

  root(): HiveKey {
    return this.keyAt(this.rootOffset);
  }

  /**
   * Offsets of the subkeys listed by `key`, with the name hint where the list has one (lf: first 4 characters, lh:
   * hash). An index root (ri) points to leaves (li/lf/lh) only; deeper nesting is refused.
   */
  private subkeyRefs(key: HiveKey): Array<{ off: number; hint?: number; prefix?: string }> {
    const out: Array<{ off: number; hint?: number; prefix?: string }> = [];
    if (key.subkeyCount === 0 || key.subkeyList === NONE) return out;
    const max = this.limits.maxEntries;
    const leaf = (c: Uint8Array, s: string, where: number) => {
      const n = u16(c, 2);
      const width = s === 'li' ? 4 : 8;
      if (4 + n * width > c.length) throw new RegistryError(`subkey list at 0x${where.toString(16)}: ${n} entries do not fit its cell`);
      for (let i = 0; i < n; i++) {
        if (out.length >= max) throw new RegistryError(`key "${key.name}" lists more than ${max} subkeys`);
        const p = 4 + i * width;
        if (s === 'li') out.push({ off: u32(c, p) });
        else if (s === 'lh') out.push({ off: u32(c, p), hint: u32(c, p + 4) });
        else out.push({ off: u32(c, p), prefix: latin1(c.subarray(p + 4, p + 8)) });
      }
    };
    const top = this.cell(key.subkeyList, 'subkey list');
    const s = this.sig(top);
    if (s === 'li' || s === 'lf' || s === 'lh') leaf(top, s, key.subkeyList);
    else if (s === 'ri') {
      const n = u16(top, 2);
      if (4 + n * 4 > top.length) throw new RegistryError(`index root at 0x${key.subkeyList.toString(16)}: ${n} entries do not fit its cell`);
      const seen = new Set<number>();
      for (let i = 0; i < n; i++) {
        const off = u32(top, 4 + i * 4);
        if (seen.has(off)) continue;
        seen.add(off);
        const c = this.cell(off, 'subkey list');
        const ls = this.sig(c);
        if (ls !== 'li' && ls !== 'lf' && ls !== 'lh') throw new RegistryError(`index root at 0x${key.subkeyList.toString(16)} points to a "${ls}" cell, not a leaf list`);
        leaf(c, ls, off);
      }
    } else throw new RegistryError(`key "${key.name}": subkey list has unknown signature "${s}"`);
    return out;
  }

  /** Every subkey of `key` (bounded by maxEntries). */
  subkeys(key: HiveKey): HiveKey[] {
    const seen = new Set<number>();
    const out: HiveKey[] = [];
    for (const r of this.subkeyRefs(key)) {
      // A list naming the same key twice (or the parent) would make a walk loop: each key once.
      if (seen.has(r.off) || r.off === key.offset) continue;
      seen.add(r.off);
      out.push(this.keyAt(r.off));
    }
    return out;
  }

  /** The subkey named `name` (case-insensitive, like Windows), using the lists' hints to skip non-matches. */
  subkey(key: HiveKey, name: string): HiveKey | undefined {
    const want = name.toUpperCase();
    const hash = lhHash(name);
    // Hints are only trusted for ASCII names: Windows' upper-casing of other characters may differ from ours.
    const hints = /^[\x20-\x7e]*$/.test(name);
    for (const r of this.subkeyRefs(key)) {
      if (hints && r.hint !== undefined && r.hint !== hash) continue;
      if (hints && r.prefix !== undefined) {
        const p = r.prefix.replace(/\0+$/, '').toUpperCase();
        if (!want.startsWith(p) && p.length === 4) continue;
      }
      if (r.off === key.offset) continue;
      const k = this.keyAt(r.off);
      if (k.name.toUpperCase() === want) return k;
    }
    return undefined;
  }

  /** The key at a `\`-separated path below the root (`Microsoft\ExchangeServer\v15\Setup`), or undefined. */
  open(path: string, from?: HiveKey): HiveKey | undefined {
    let k: HiveKey | undefined = from ?? this.root();
    const parts = path.split('\\').filter(Boolean);
    if (parts.length > 512) throw new RegistryError('registry path too deep');
    for (const p of parts) {
      k = this.subkey(k, p);
      if (!k) return undefined;
    }
    return k;
  }

  /** Offsets of `key`'s value cells (bounded by maxEntries). */
  private valueOffsets(key: HiveKey): number[] {
    if (key.valueCount === 0 || key.valueList === NONE) return [];
    if (key.valueCount > this.limits.maxEntries) throw new RegistryError(`key "${key.name}" has more than ${this.limits.maxEntries} values`);
    const list = this.cell(key.valueList, 'value list');
    if (key.valueCount * 4 > list.length) throw new RegistryError(`key "${key.name}": ${key.valueCount} values do not fit the value list`);
    return Array.from({ length: key.valueCount }, (_, i) => u32(list, i * 4));
  }

  /**
   * Every value of `key` (data cut at maxValueBytes). A hostile list can point all its entries at one big
   * value: the data copied for one key is capped (VALUES_BYTES_MAX).
   */
  values(key: HiveKey): HiveValue[] {
    const out: HiveValue[] = [];
    let bytes = 0;
    for (const off of this.valueOffsets(key)) {
      const v = this.valueAt(off);
      bytes += v.data.length;
      if (bytes > VALUES_BYTES_MAX) throw new RegistryError(`key "${key.name}": values hold more than ${VALUES_BYTES_MAX} bytes`);
      out.push(v);
    }
    return out;
  }

  /** The value named `name` (case-insensitive; `''` = default value), or undefined. Reads only its data. */
  value(key: HiveKey, name: string): HiveValue | undefined {
    const want = name.toUpperCase();
    for (const off of this.valueOffsets(key)) if (this.valueHeader(off).name.toUpperCase() === want) return this.valueAt(off);
    return undefined;
  }

  /** A value cell and its name, without its data. */
  private valueHeader(off: number): { c: Uint8Array; name: string } {
    const c = this.cell(off, 'value');
    if (this.sig(c) !== 'vk' || c.length < 20) throw new RegistryError(`cell at 0x${off.toString(16)} is not a value`);
    const nameLen = u16(c, 2);
    const flags = u16(c, 16);
    if (20 + nameLen > c.length) throw new RegistryError(`value at 0x${off.toString(16)}: name runs past its cell`);
    const nb = c.subarray(20, 20 + nameLen);
    return { c, name: flags & VALUE_COMP_NAME ? latin1(nb) : utf16(nb) };
  }

  private valueAt(off: number): HiveValue {
    const { c, name } = this.valueHeader(off);
    const rawSize = u32(c, 4);
    const dataOff = u32(c, 8);
    const type = u32(c, 12);
    // High bit set: up to 4 bytes of data live in the offset field itself.
    if (rawSize & 0x80000000) {
      const n = Math.min(rawSize & 0x7fffffff, 4);
      return { name, type, data: c.slice(8, 8 + n), truncated: false };
    }
    const size = rawSize;
    if (size === 0) return { name, type, data: new Uint8Array(0), truncated: false };
    const want = Math.min(size, this.limits.maxValueBytes);
    const d = this.cell(dataOff, `data of value "${name}"`);
    if (size > BIG_DATA_SEGMENT && this.minor > 3 && this.sig(d) === 'db') return { name, type, ...this.bigData(d, size, want) };
    if (d.length < want) return { name, type, data: d.slice(0, d.length), truncated: true };
    return { name, type, data: d.slice(0, want), truncated: want < size };
  }

  /** Big data: a "db" cell → list of segment cells, each up to 16,344 bytes. */
  private bigData(db: Uint8Array, size: number, want: number): { data: Uint8Array; truncated: boolean } {
    if (db.length < 8) throw new RegistryError('big data record is cut off');
    const n = u16(db, 2);
    if (n === 0 || n > Math.ceil(size / BIG_DATA_SEGMENT) + 1) throw new RegistryError(`big data record lists ${n} segments for ${size} bytes`);
    const list = this.cell(u32(db, 4), 'big data segment list');
    if (n * 4 > list.length) throw new RegistryError('big data segment list is cut off');
    const parts: Uint8Array[] = [];
    let got = 0;
    for (let i = 0; i < n && got < want; i++) {
      const seg = this.cell(u32(list, i * 4), 'big data segment');
      const take = Math.min(seg.length, BIG_DATA_SEGMENT, want - got);
      parts.push(seg.subarray(0, take));
      got += take;
    }
    return { data: Buffer.concat(parts), truncated: got < size };
  }
}

/** REG_SZ / REG_EXPAND_SZ as text (UTF-16LE, up to the first NUL); REG_DWORD / REG_QWORD as decimal. */
export function valueText(v: HiveValue | undefined): string | undefined {
  if (!v) return undefined;
  if (v.type === REG.SZ || v.type === REG.EXPAND_SZ || v.type === REG.MULTI_SZ) {
    const s = utf16(v.data);
    const nul = s.indexOf('\0');
    return nul >= 0 ? s.slice(0, nul) : s;
  }
  if (v.type === REG.DWORD && v.data.length >= 4) return String(u32(v.data, 0));
  if (v.type === REG.QWORD && v.data.length >= 8) return String(u32(v.data, 4) * 4294967296 + u32(v.data, 0));
  return undefined;
}

/** REG_DWORD as a number (a REG_SZ holding digits is accepted too: installers are not consistent). */
export function valueNumber(v: HiveValue | undefined): number | undefined {
  if (!v) return undefined;
  if (v.type === REG.DWORD && v.data.length >= 4) return u32(v.data, 0);
  const t = valueText(v);
  return t !== undefined && /^\d{1,9}$/.test(t.trim()) ? Number(t.trim()) : undefined;
}
