/**
 * ZIP files written byte by byte from APPNOTE's layouts (local headers, central directory, end record),
 * so a test archive carries exactly the defect under test: zip-slip names, lying sizes, overlaps, a bad
 * central directory. Test support only.
 */
import { crc32, deflateRawSync } from 'node:zlib';

export interface RawEntry {
  name: string;
  data: Buffer;
  method?: 0 | 8;
  /** Size written in the headers (default: the real one). */
  declaredSize?: number;
  crc?: number;
  /** Point the central record at another entry's local header (overlap). */
  sameOffsetAs?: number;
}

/** A ZIP file as APPNOTE lays it out: local headers + data, central directory, end record. */
export function buildZip(entries: RawEntry[], opts: { badCentralSignature?: boolean } = {}): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  const offsets: number[] = [];
  let pos = 0;
  entries.forEach((e, i) => {
    const method = e.method ?? 8;
    const comp = method === 8 ? deflateRawSync(e.data) : e.data;
    const name = Buffer.from(e.name, 'utf8');
    const size = e.declaredSize ?? e.data.length;
    const crc = e.crc ?? crc32(e.data);
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(0x800, 6);
    lh.writeUInt16LE(method, 8);
    lh.writeUInt16LE(0x21, 12);
    lh.writeUInt32LE(crc >>> 0, 14);
    lh.writeUInt32LE(comp.length, 18);
    lh.writeUInt32LE(size, 22);
    lh.writeUInt16LE(name.length, 26);
    const offset = e.sameOffsetAs !== undefined ? offsets[e.sameOffsetAs]! : pos;
    offsets.push(offset);
    if (e.sameOffsetAs === undefined) {
      locals.push(lh, name, comp);
      pos += 30 + name.length + comp.length;
    }
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(opts.badCentralSignature && i === 0 ? 0x02014b51 : 0x02014b50, 0);
    ch.writeUInt16LE(20, 4);
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(0x800, 8);
    ch.writeUInt16LE(method, 10);
    ch.writeUInt16LE(0x21, 14);
    ch.writeUInt32LE(crc >>> 0, 16);
    ch.writeUInt32LE(comp.length, 20);
    ch.writeUInt32LE(size, 24);
    ch.writeUInt16LE(name.length, 28);
    ch.writeUInt32LE(offset, 42);
    central.push(ch, name);
  });
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(pos, 16);
  return Buffer.concat([...locals, cd, end]);
}

