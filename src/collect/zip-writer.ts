/**
 * A streaming ZIP writer (APPNOTE 6.3): entries are deflated as they are read and written once, front to
 * back, with a data descriptor after each; Zip64 records appear where sizes, offsets or the entry count
 * need them. Cost per entry is constant (the first writer tried rescanned every earlier entry on each new
 * one: quadratic on a server's 100,000s of files).
 */
import type { Writable } from 'node:stream';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createDeflateRaw, crc32, deflateRawSync } from 'node:zlib';

const LOCAL = 0x04034b50;
const DESCRIPTOR = 0x08074b50;
const CENTRAL = 0x02014b50;
const END = 0x06054b50;
const END64 = 0x06064b50;
const LOCATOR64 = 0x07064b50;
const FLAG_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;
const MAX32 = 0xffffffff;
/** Files that may reach 4 GiB while being copied get Zip64 local records from the start. */
const ZIP64_HINT = 2 ** 31;

interface CentralEntry {
  name: Buffer;
  flags: number;
  method: number;
  dosTime: number;
  dosDate: number;
  mtime: number;
  crc: number;
  csize: number;
  size: number;
  offset: number;
  dir: boolean;
  zip64: boolean;
}

export interface WrittenEntry {
  crc: number;
  size: number;
  compressedSize: number;
}

export class ZipWriter {
  private offset = 0;
  private readonly entries: CentralEntry[] = [];
  private failure: Error | undefined;

  /** `onData` sees every byte written, in order (the archive's own hash is taken on the way). */
  constructor(private readonly out: Writable, private readonly onData?: (b: Buffer) => void, private readonly level = 1) {
    out.on('error', (err: Error) => (this.failure ??= err));
  }

  /** Bytes written so far. */
  get bytes(): number {
    return this.offset;
  }

  private async write(buf: Buffer): Promise<void> {
    if (this.failure) throw this.failure;
    this.offset += buf.length;
    this.onData?.(buf);
    if (!this.out.write(buf)) {
      // Wait for room, or for the error that ends the output (a full disk).
      await this.until('drain');
    }
    if (this.failure) throw this.failure;
  }

  /** The event, or the output's error, whichever comes first (listeners removed either way). */
  private until(event: 'drain' | 'finish'): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        this.out.off(event, onEvent);
        this.out.off('error', onError);
      };
      const onEvent = (): void => {
        done();
        resolve();
      };
      const onError = (err: Error): void => {
        done();
        reject(err);
      };
      this.out.on(event, onEvent);
      this.out.on('error', onError);
    });
  }

  async addDirectory(name: string, mtime: Date): Promise<void> {
    const e = this.entry(`${name.replace(/\/+$/, '')}/`, mtime, 0, 0, true, false);
    e.offset = this.offset;
    await this.write(this.localHeader(e));
  }

  /** A small entry whose bytes are known (the manifest). */
  async addBuffer(name: string, data: Buffer, mtime: Date): Promise<WrittenEntry> {
    const comp = deflateRawSync(data, { level: this.level });
    const e = this.entry(name, mtime, 8, 0, false, false);
    e.crc = crc32(data);
    e.size = data.length;
    e.csize = comp.length;
    e.offset = this.offset;
    await this.write(this.localHeader(e));
    await this.write(comp);
    return { crc: e.crc, size: e.size, compressedSize: e.csize };
  }

  /** An entry read from a stream, deflated on the way; `sizeHint` chooses Zip64 records for huge files. */
  async addStream(name: string, source: AsyncIterable<Uint8Array>, mtime: Date, sizeHint: number): Promise<WrittenEntry> {
    const zip64 = sizeHint >= ZIP64_HINT;
    const e = this.entry(name, mtime, 8, FLAG_DESCRIPTOR, false, zip64);
    e.offset = this.offset;
    await this.write(this.localHeader(e));
    let crc = 0;
    let size = 0;
    let csize = 0;
    const tapped = async function* (): AsyncGenerator<Uint8Array> {
      for await (const c of source) {
        crc = crc32(c, crc);
        size += c.length;
        yield c;
      }
    };
    const self = this;
    await pipeline(Readable.from(tapped(), { objectMode: false }), createDeflateRaw({ level: this.level }), async function (compressed: AsyncIterable<Buffer>) {
      for await (const c of compressed) {
        csize += c.length;
        await self.write(c);
      }
    });
    if (!zip64 && (size > MAX32 || csize > MAX32)) throw new Error(`${name}: grew past 4 GiB while being copied`);
    e.crc = crc >>> 0;
    e.size = size;
    e.csize = csize;
    const d = Buffer.alloc(zip64 ? 24 : 16);
    d.writeUInt32LE(DESCRIPTOR, 0);
    d.writeUInt32LE(e.crc, 4);
    if (zip64) {
      d.writeBigUInt64LE(BigInt(csize), 8);
      d.writeBigUInt64LE(BigInt(size), 16);
    } else {
      d.writeUInt32LE(csize, 8);
      d.writeUInt32LE(size, 12);
    }
    await this.write(d);
    return { crc: e.crc, size, compressedSize: csize };
  }

  /** Central directory and end records; then the output is ended and flushed. */
  async finish(): Promise<void> {
    const cdStart = this.offset;
    let batch: Buffer[] = [];
    let batchBytes = 0;
    for (const e of this.entries) {
      const rec = this.centralRecord(e);
      batch.push(rec);
      batchBytes += rec.length;
      if (batchBytes >= 1 << 20) {
        await this.write(Buffer.concat(batch));
        batch = [];
        batchBytes = 0;
      }
    }
    if (batch.length) await this.write(Buffer.concat(batch));
    const cdSize = this.offset - cdStart;
    const n = this.entries.length;
    if (n >= 0xffff || cdStart >= MAX32 || cdSize >= MAX32) {
      const end64At = this.offset;
      const r = Buffer.alloc(56);
      r.writeUInt32LE(END64, 0);
      r.writeBigUInt64LE(44n, 4);
      r.writeUInt16LE(45, 12);
      r.writeUInt16LE(45, 14);
      r.writeBigUInt64LE(BigInt(n), 24);
      r.writeBigUInt64LE(BigInt(n), 32);
      r.writeBigUInt64LE(BigInt(cdSize), 40);
      r.writeBigUInt64LE(BigInt(cdStart), 48);
      const l = Buffer.alloc(20);
      l.writeUInt32LE(LOCATOR64, 0);
      l.writeBigUInt64LE(BigInt(end64At), 8);
      l.writeUInt32LE(1, 16);
      await this.write(Buffer.concat([r, l]));
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(END, 0);
    end.writeUInt16LE(Math.min(n, 0xffff), 8);
    end.writeUInt16LE(Math.min(n, 0xffff), 10);
    end.writeUInt32LE(Math.min(cdSize, MAX32), 12);
    end.writeUInt32LE(Math.min(cdStart, MAX32), 16);
    await this.write(end);
    this.out.end();
    if (!this.out.writableFinished) await this.until('finish');
    if (this.failure) throw this.failure;
  }

  private entry(name: string, mtime: Date, method: number, flags: number, dir: boolean, zip64: boolean): CentralEntry {
    const { time, date } = dosDateTime(mtime);
    const e: CentralEntry = { name: Buffer.from(name, 'utf8'), flags: flags | FLAG_UTF8, method, dosTime: time, dosDate: date, mtime: Math.floor(mtime.getTime() / 1000), crc: 0, csize: 0, size: 0, offset: 0, dir, zip64 };
    this.entries.push(e);
    return e;
  }

  private localHeader(e: CentralEntry): Buffer {
    const ut = utExtra(e.mtime);
    const z = e.zip64 ? Buffer.alloc(20) : Buffer.alloc(0);
    if (e.zip64) {
      z.writeUInt16LE(0x0001, 0);
      z.writeUInt16LE(16, 2);
    }
    const h = Buffer.alloc(30);
    h.writeUInt32LE(LOCAL, 0);
    h.writeUInt16LE(e.zip64 ? 45 : 20, 4);
    h.writeUInt16LE(e.flags, 6);
    h.writeUInt16LE(e.method, 8);
    h.writeUInt16LE(e.dosTime, 10);
    h.writeUInt16LE(e.dosDate, 12);
    const known = !(e.flags & FLAG_DESCRIPTOR);
    h.writeUInt32LE(known ? e.crc : 0, 14);
    h.writeUInt32LE(e.zip64 ? MAX32 : known ? e.csize : 0, 18);
    h.writeUInt32LE(e.zip64 ? MAX32 : known ? e.size : 0, 22);
    h.writeUInt16LE(e.name.length, 26);
    h.writeUInt16LE(z.length + ut.length, 28);
    return Buffer.concat([h, e.name, z, ut]);
  }

  private centralRecord(e: CentralEntry): Buffer {
    const big: bigint[] = [];
    if (e.size >= MAX32) big.push(BigInt(e.size));
    if (e.csize >= MAX32) big.push(BigInt(e.csize));
    if (e.offset >= MAX32) big.push(BigInt(e.offset));
    const z = Buffer.alloc(big.length ? 4 + 8 * big.length : 0);
    if (big.length) {
      z.writeUInt16LE(0x0001, 0);
      z.writeUInt16LE(8 * big.length, 2);
      big.forEach((v, i) => z.writeBigUInt64LE(v, 4 + 8 * i));
    }
    const ut = utExtra(e.mtime);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(CENTRAL, 0);
    c.writeUInt16LE(45, 4); // made by: MS-DOS attributes, spec 4.5
    c.writeUInt16LE(e.zip64 || big.length ? 45 : 20, 6);
    c.writeUInt16LE(e.flags, 8);
    c.writeUInt16LE(e.method, 10);
    c.writeUInt16LE(e.dosTime, 12);
    c.writeUInt16LE(e.dosDate, 14);
    c.writeUInt32LE(e.crc, 16);
    c.writeUInt32LE(Math.min(e.csize, MAX32), 20);
    c.writeUInt32LE(Math.min(e.size, MAX32), 24);
    c.writeUInt16LE(e.name.length, 28);
    c.writeUInt16LE(z.length + ut.length, 30);
    c.writeUInt32LE(e.dir ? 0x10 : 0x20, 38); // MS-DOS directory / archive attribute
    c.writeUInt32LE(Math.min(e.offset, MAX32), 42);
    return Buffer.concat([c, e.name, z, ut]);
  }
}

/** Info-ZIP extended timestamp (0x5455): the modification time in whole seconds, UTC. */
function utExtra(mtime: number): Buffer {
  const b = Buffer.alloc(9);
  b.writeUInt16LE(0x5455, 0);
  b.writeUInt16LE(5, 2);
  b.writeUInt8(1, 4);
  b.writeInt32LE(Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, mtime)), 5);
  return b;
}

/** MS-DOS date and time (UTC here; the exact time is in the extended timestamp and the manifest). */
function dosDateTime(d: Date): { time: number; date: number } {
  const y = d.getUTCFullYear();
  if (!Number.isFinite(y) || y < 1980) return { time: 0, date: (1 << 5) | 1 };
  if (y > 2107) return { time: (23 << 11) | (59 << 5) | 29, date: (127 << 9) | (12 << 5) | 31 };
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1),
    date: ((y - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}
