import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPeFileVersion } from './peVersion.js';

/**
 * Builds a minimal PE image in memory: DOS header, PE header, optional header (PE32 or PE32+) with a resource
 * data directory, one `.rsrc` section holding RT_VERSION / 1 / 1033 → VS_VERSIONINFO with VS_FIXEDFILEINFO.
 */
function buildPe(opts: { pe32plus?: boolean; file: [number, number, number, number]; product?: [number, number, number, number] }): Uint8Array {
  const pe32plus = opts.pe32plus ?? true;
  const optSize = pe32plus ? 240 : 224;
  const dirsAt = pe32plus ? 108 : 92;
  const peOff = 0x40;
  const optOff = peOff + 24;
  const secTable = optOff + optSize;
  const rsrcRaw = 0x200;
  const rsrcVa = 0x1000;

  // Resource section content.
  const rs = Buffer.alloc(0x100);
  // root directory: 0 named, 1 id entry: RT_VERSION (16) → subdir at 0x18
  rs.writeUInt16LE(1, 14);
  rs.writeUInt32LE(16, 16);
  rs.writeUInt32LE((0x80000000 | 0x18) >>> 0, 20);
  // name directory at 0x18: id 1 → subdir at 0x30
  rs.writeUInt16LE(1, 0x18 + 14);
  rs.writeUInt32LE(1, 0x18 + 16);
  rs.writeUInt32LE((0x80000000 | 0x30) >>> 0, 0x18 + 20);
  // language directory at 0x30: id 1033 → data entry at 0x48
  rs.writeUInt16LE(1, 0x30 + 14);
  rs.writeUInt32LE(1033, 0x30 + 16);
  rs.writeUInt32LE(0x48, 0x30 + 20);
  // VS_VERSIONINFO at 0x58
  const vi = 0x58;
  const viLen = 40 + 52;
  rs.writeUInt32LE(rsrcVa + vi, 0x48); // data RVA
  rs.writeUInt32LE(viLen, 0x48 + 4);
  rs.writeUInt16LE(viLen, vi);
  rs.writeUInt16LE(52, vi + 2);
  rs.writeUInt16LE(0, vi + 4);
  const key = 'VS_VERSION_INFO';
  for (let i = 0; i < key.length; i++) rs.writeUInt16LE(key.charCodeAt(i), vi + 6 + i * 2);
  const ff = vi + 40;
  const [a, b, c, d] = opts.file;
  const [pa, pb, pc, pd] = opts.product ?? opts.file;
  rs.writeUInt32LE(0xfeef04bd, ff);
  rs.writeUInt32LE(0x00010000, ff + 4);
  rs.writeUInt32LE(((a << 16) | b) >>> 0, ff + 8);
  rs.writeUInt32LE(((c << 16) | d) >>> 0, ff + 12);
  rs.writeUInt32LE(((pa << 16) | pb) >>> 0, ff + 16);
  rs.writeUInt32LE(((pc << 16) | pd) >>> 0, ff + 20);

  const img = Buffer.alloc(rsrcRaw + rs.length);
  img.write('MZ', 0, 'latin1');
  img.writeUInt32LE(peOff, 0x3c);
  img.write('PE\0\0', peOff, 'latin1');
  img.writeUInt16LE(pe32plus ? 0x8664 : 0x14c, peOff + 4);
  img.writeUInt16LE(1, peOff + 6); // sections
  img.writeUInt16LE(optSize, peOff + 20);
  img.writeUInt16LE(pe32plus ? 0x20b : 0x10b, optOff);
  img.writeUInt32LE(16, optOff + dirsAt);
  img.writeUInt32LE(rsrcVa, optOff + dirsAt + 4 + 2 * 8);
  img.writeUInt32LE(rs.length, optOff + dirsAt + 4 + 2 * 8 + 4);
  img.write('.rsrc\0\0\0', secTable, 'latin1');
  img.writeUInt32LE(rs.length, secTable + 8);
  img.writeUInt32LE(rsrcVa, secTable + 12);
  img.writeUInt32LE(rs.length, secTable + 16);
  img.writeUInt32LE(rsrcRaw, secTable + 20);
  rs.copy(img, rsrcRaw);
  return new Uint8Array(img);
}

test('golden: PE32+ ExSetup-like image → 15.1.2176.2', () => {
  const r = readPeFileVersion(buildPe({ file: [15, 1, 2176, 2] }));
  assert.deepEqual(r, { ok: true, fileVersion: '15.1.2176.2', productVersion: '15.1.2176.2', fileVersionParts: [15, 1, 2176, 2], format: 'PE32+' });
});

test('golden: PE32 image, product version read separately', () => {
  const r = readPeFileVersion(buildPe({ pe32plus: false, file: [15, 2, 1748, 43], product: [15, 2, 1748, 0] }));
  assert.equal(r.ok, true);
  if (r.ok) {
    assert.equal(r.fileVersion, '15.2.1748.43');
    assert.equal(r.productVersion, '15.2.1748.0');
    assert.equal(r.format, 'PE32');
  }
});

test('large parts survive (no sign problems)', () => {
  const r = readPeFileVersion(buildPe({ file: [65535, 65535, 65535, 65535] }));
  assert.equal(r.ok && r.fileVersion, '65535.65535.65535.65535');
});

test('reads from a path; missing path is an error result', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'exhunt-pe-'));
  try {
    const p = join(dir, 'ExSetup.exe');
    await writeFile(p, buildPe({ file: [15, 0, 1497, 48] }));
    const r = readPeFileVersion(p);
    assert.equal(r.ok && r.fileVersion, '15.0.1497.48');
    const missing = readPeFileVersion(join(dir, 'nope.exe'));
    assert.equal(missing.ok, false);
    assert.equal(!missing.ok && missing.code, 'E_PE_IO');
    const isDir = readPeFileVersion(dir);
    assert.equal(isDir.ok, false);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('every truncation of the golden image fails cleanly', () => {
  const full = buildPe({ file: [15, 1, 2176, 2] });
  // The version data ends at 0x200 + 0x58 + 92; anything shorter than that cannot succeed.
  const needed = 0x200 + 0x58 + 92;
  for (let n = 0; n < full.length; n++) {
    const r = readPeFileVersion(full.subarray(0, n));
    if (n < needed) assert.equal(r.ok, false, `length ${n}`);
    if (!r.ok) assert.match(r.code, /^E_PE_/);
  }
});

test('not PE / no resources / wrong signature give specific codes', () => {
  assert.equal((readPeFileVersion(new Uint8Array(0)) as { code: string }).code, 'E_PE_NOT_PE');
  assert.equal((readPeFileVersion(Buffer.from('#Version: 15.01.2176.002\r\n')) as { code: string }).code, 'E_PE_NOT_PE');
  const noRsrc = Buffer.from(buildPe({ file: [15, 1, 2176, 2] }));
  noRsrc.writeUInt32LE(0, 0x40 + 24 + 108 + 4 + 16); // resource RVA = 0
  assert.equal((readPeFileVersion(noRsrc) as { code: string }).code, 'E_PE_NO_RESOURCES');
  const badSig = Buffer.from(buildPe({ file: [15, 1, 2176, 2] }));
  badSig.writeUInt32LE(0xdeadbeef, 0x200 + 0x58 + 40);
  assert.equal((readPeFileVersion(badSig) as { code: string }).code, 'E_PE_BAD_VERSION');
  const noVersion = Buffer.from(buildPe({ file: [15, 1, 2176, 2] }));
  noVersion.writeUInt32LE(3, 0x200 + 16); // root entry is RT_ICON, not RT_VERSION
  assert.equal((readPeFileVersion(noVersion) as { code: string }).code, 'E_PE_NO_VERSION');
  const hugeLfanew = Buffer.from(buildPe({ file: [15, 1, 2176, 2] }));
  hugeLfanew.writeUInt32LE(0xfffffff0, 0x3c);
  assert.equal((readPeFileVersion(hugeLfanew) as { code: string }).code, 'E_PE_TRUNCATED');
  const manyEntries = Buffer.from(buildPe({ file: [15, 1, 2176, 2] }));
  manyEntries.writeUInt16LE(0xffff, 0x200 + 14);
  manyEntries.writeUInt16LE(0xffff, 0x200 + 12);
  assert.equal(readPeFileVersion(manyEntries).ok, false);
  const loop = Buffer.from(buildPe({ file: [15, 1, 2176, 2] }));
  loop.writeUInt32LE(0x80000000, 0x200 + 0x30 + 20); // language level points back to the root directory
  assert.equal(readPeFileVersion(loop).ok, false);
});

test('random and mutated inputs never throw', () => {
  let seed = 0x2545f491;
  const rnd = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 0x100000000;
  };
  const golden = buildPe({ file: [15, 1, 2176, 2] });
  for (let i = 0; i < 3000; i++) {
    const buf = Buffer.from(golden);
    const flips = 1 + Math.floor(rnd() * 8);
    for (let j = 0; j < flips; j++) buf[Math.floor(rnd() * buf.length)] = Math.floor(rnd() * 256);
    const r = readPeFileVersion(buf);
    assert.ok(r.ok === true || typeof r.error === 'string');
  }
  for (let i = 0; i < 500; i++) {
    const buf = Buffer.alloc(Math.floor(rnd() * 2048));
    for (let j = 0; j < buf.length; j++) buf[j] = Math.floor(rnd() * 256);
    if (buf.length > 1 && rnd() < 0.5) buf.write('MZ', 0, 'latin1');
    assert.doesNotThrow(() => readPeFileVersion(buf));
  }
});
