import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPeFileVersion } from './peVersion.js';
import { buildPe } from '../../../test/fixtures/pe/build.js';


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
