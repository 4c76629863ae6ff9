/**
 * Archives as evidence: hostile entries (zip-slip, absolute and drive paths, duplicates, bombs, overlaps,
 * corrupted directories) are refused and counted; good entries read back exactly. The archives are
 * written byte by byte here (APPNOTE layouts), so each defect is exactly the one under test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ArchiveEntryError, ZipIndex, entryChunks, normaliseEntryName, readEntry } from './zip-source.js';
import { EvidenceSource } from './source.js';
import { parseEvtxStream } from './zip-evtx.js';
import { parseEvtxFile } from '../readers/evtx/index.js';
import { eventLogFile } from '../../test/fixtures/evtx/events.js';
import { EvidenceError } from '../model/errors.js';
import { buildZip } from '../../test/support/zip-bytes.js';

async function withZip(bytes: Buffer, fn: (path: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'exhunt-zip-'));
  try {
    const p = join(dir, 'case.zip');
    await writeFile(p, bytes);
    await fn(p);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const LOG = Buffer.from('#Fields: date time cs-uri-stem\n2021-03-02 22:41:07 /ecp/y.js\n');

test('entry names: zip-slip, absolute, drive and control characters are refused; backslashes are separators', () => {
  assert.deepEqual(normaliseEntryName('Logs\\W3SVC1\\u_ex1.log'), { name: 'Logs/W3SVC1/u_ex1.log', dir: false });
  assert.deepEqual(normaliseEntryName('a/./b//c/'), { name: 'a/b/c', dir: true });
  for (const bad of ['../x', 'a/../../x', 'a\\..\\x', '/etc/passwd', '\\\\server\\share\\x', 'C:\\Windows\\x', 'c:x', 'a\u0000b', 'a\nb', '', './', '..']) {
    assert.ok('error' in normaliseEntryName(bad), `refused: ${JSON.stringify(bad)}`);
  }
});

test('hostile names and duplicates are skipped and counted; the good entry reads back, first copy kept', async () => {
  const zip = buildZip([
    { name: 'inetpub/logs/LogFiles/W3SVC1/u_ex210302.log', data: LOG },
    { name: '../../evil.aspx', data: Buffer.from('x') },
    { name: '/abs.txt', data: Buffer.from('x') },
    { name: 'C:\\Windows\\win.ini', data: Buffer.from('x') },
    { name: 'inetpub\\..\\..\\up.txt', data: Buffer.from('x') },
    { name: 'inetpub/logs/LogFiles/W3SVC1/u_ex210302.log', data: Buffer.from('second copy') },
  ]);
  await withZip(zip, async (p) => {
    const src = await EvidenceSource.open(p);
    assert.ok(src.archive);
    assert.equal(src.archive.skipped, 5);
    assert.equal(src.problems.length, 5);
    assert.ok(src.problems.some((x) => /zip-slip/.test(x.reason)));
    assert.ok(src.problems.some((x) => /absolute/.test(x.reason)));
    assert.ok(src.problems.some((x) => /drive/.test(x.reason)));
    assert.ok(src.problems.some((x) => /duplicate/.test(x.reason)));
    // Case-insensitive lookup, like a folder copied from NTFS.
    const rel = await src.resolve('INETPUB/Logs/logfiles/w3svc1/U_EX210302.LOG');
    assert.equal(rel, 'inetpub/logs/LogFiles/W3SVC1/u_ex210302.log');
    assert.deepEqual(await src.readAll(rel!, 1 << 20), LOG);
    assert.deepEqual(Buffer.from(await src.head(rel!, 8)), LOG.subarray(0, 8));
    assert.deepEqual((await src.list(''))!.map((e) => e.name), ['inetpub']);
    const walked: string[] = [];
    for await (const e of src.walk('')) walked.push(e.rel);
    assert.deepEqual(walked, [rel]);
    assert.throws(() => src.absolute(rel!), EvidenceError);
  });
});

test('zip bombs: a declared ratio above the cap is refused up front; inflating past the declared size stops', async () => {
  const zeros = Buffer.alloc(4 << 20);
  const zip = buildZip([
    // 4 MiB of zeros deflate to ~4 KiB: claiming 4 GiB from that is a ratio far above DEFLATE's ceiling.
    { name: 'bomb-declared.log', data: zeros, declaredSize: 0xfffffff0 },
    // Claims 100 bytes but inflates to 4 MiB.
    { name: 'bomb-lying.log', data: zeros, declaredSize: 100 },
  ]);
  await withZip(zip, async (p) => {
    const idx = await ZipIndex.open(p);
    assert.equal(idx.ref('bomb-declared.log'), undefined);
    assert.ok(idx.problems.some((x) => x.path === 'bomb-declared.log' && /zip bomb/.test(x.reason)));
    const lying = idx.ref('bomb-lying.log')!;
    let got = 0;
    await assert.rejects(
      (async () => {
        for await (const c of entryChunks(lying)) got += c.length;
      })(),
      (err: Error) => err instanceof ArchiveEntryError && /past its declared size/.test(err.message),
    );
    assert.ok(got <= 100, `never more than the declared size is handed on (got ${got})`);
  });
});

test('large entries stream: incompressible data reads back exactly; a lie about the size stops the stream', async () => {
  const noise = randomBytes(5 << 20); // deflates to more than the one-shot limit: the streaming path
  const zip = buildZip([
    { name: 'big.bin', data: noise },
    { name: 'big-lying.bin', data: noise, declaredSize: 1 << 20 },
    { name: 'stored.bin', data: noise, method: 0 },
  ]);
  await withZip(zip, async (p) => {
    const idx = await ZipIndex.open(p);
    assert.ok((await readEntry(idx.ref('big.bin')!, 8 << 20)).equals(noise));
    assert.ok((await readEntry(idx.ref('stored.bin')!, 8 << 20)).equals(noise));
    let got = 0;
    await assert.rejects(
      (async () => {
        for await (const c of entryChunks(idx.ref('big-lying.bin')!)) got += c.length;
      })(),
      /past its declared size/,
    );
    assert.ok(got <= 1 << 20);
  });
});

test('overlapping entries (the non-recursive bomb) are refused; a CRC mismatch is an error', async () => {
  const zip = buildZip([
    { name: 'a.log', data: LOG },
    { name: 'b.log', data: LOG, sameOffsetAs: 0 },
    { name: 'c.log', data: LOG, crc: 1234 },
  ]);
  await withZip(zip, async (p) => {
    const idx = await ZipIndex.open(p);
    assert.ok(idx.ref('a.log'));
    assert.equal(idx.ref('b.log'), undefined);
    assert.ok(idx.problems.some((x) => x.path === 'b.log' && /overlaps/.test(x.reason)));
    await assert.rejects(readEntry(idx.ref('c.log')!, 1 << 20), /CRC-32 mismatch/);
  });
});

test('a corrupted central directory or a truncated archive is one clear evidence error', async () => {
  await withZip(buildZip([{ name: 'a.log', data: LOG }], { badCentralSignature: true }), async (p) => {
    await assert.rejects(EvidenceSource.open(p), (err: Error) => err instanceof EvidenceError && /corrupted/.test(err.message));
  });
  const good = buildZip([{ name: 'a.log', data: LOG }]);
  await withZip(good.subarray(0, good.length - 10), async (p) => {
    await assert.rejects(EvidenceSource.open(p), EvidenceError);
  });
});

test('an event log read from an archive entry parses exactly like the file', async () => {
  const evtx = eventLogFile(
    Array.from({ length: 300 }, (_, i) => ({ Channel: 'Security', Provider: 'Microsoft-Windows-Security-Auditing', EventID: '4688', Computer: 'EXCH01', Time: new Date(Date.UTC(2021, 2, 3, 0, 0, i)).toISOString(), NewProcessName: `C:\\Windows\\System32\\cmd${i}.exe` })),
  );
  const dir = await mkdtemp(join(tmpdir(), 'exhunt-zip-'));
  try {
    const file = join(dir, 'Security.evtx');
    await writeFile(file, evtx);
    const zipPath = join(dir, 'case.zip');
    await writeFile(zipPath, buildZip([{ name: 'Windows/System32/winevt/Logs/Security.evtx', data: evtx }]));
    const fromFile: string[] = [];
    const a = await parseEvtxFile(file, { onRecord: (r) => fromFile.push(`${r.eventRecordId}:${r.eventId}:${r.timeCreatedMs}`) });
    const idx = await ZipIndex.open(zipPath);
    const fromZip: string[] = [];
    const b = await parseEvtxStream('Security.evtx', entryChunks(idx.ref('Windows/System32/winevt/Logs/Security.evtx')!), { onRecord: (r) => fromZip.push(`${r.eventRecordId}:${r.eventId}:${r.timeCreatedMs}`) });
    assert.equal(fromFile.length, 300);
    assert.deepEqual(fromZip, fromFile);
    assert.equal(b.records, a.records);
    assert.equal(b.chunks, a.chunks);
    assert.equal(b.fileSize, a.fileSize);
    assert.deepEqual(b.errors, a.errors);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
