/**
 * End to end: simulate a server → collect → verify → tamper one byte → verify fails → scan the archive →
 * the same findings as scanning the folder. Bad input: a full disk, an unreadable source file, malicious
 * and corrupted archives. The source tree must not change (hashes, sizes, modification and change times).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, readdir, rm, stat, writeFile, chmod, type FileHandle } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join, relative } from 'node:path';
import { Writable } from 'node:stream';
import { simulate } from '../../src/simulate/index.js';
import { collect, OutputError, verifyArchive, type Manifest } from '../../src/collect/index.js';
import { MANIFEST_CSV, ZipIndex, readEntry } from '../../src/evidence/zip-source.js';
import { eventLogFile } from '../fixtures/evtx/events.js';
import { buildZip } from '../support/zip-bytes.js';
import { runCli, tempDir } from './helpers.js';

let root: string;
let sim: string;
let caseZip: string;

async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) {
        const st = await stat(p);
        const h = createHash('sha256').update(await readFile(p)).digest('hex');
        out.set(relative(dir, p), `${h} ${st.size} ${st.mtimeMs} ${st.ctimeMs} ${st.mode}`);
      }
    }
  };
  await walk(dir);
  return out;
}

const sha256 = async (p: string) => createHash('sha256').update(await readFile(p)).digest('hex');

before(async () => {
  root = await tempDir('collect');
  sim = join(root, 'sim');
  await simulate({ out: sim, scenario: 'proxylogon', seed: 11 });
  // An event log with an LSASS dump by comsvcs: the archive scan must read EVTX entries too.
  const logs = join(sim, 'Windows', 'System32', 'winevt', 'Logs');
  await mkdir(logs, { recursive: true });
  const events = Array.from({ length: 40 }, (_, i) => ({
    Channel: 'Security', Provider: 'Microsoft-Windows-Security-Auditing', EventID: '4688', Computer: 'EXCH01',
    Time: new Date(Date.UTC(2021, 2, 3, 1, i)).toISOString(),
    NewProcessName: 'C:\\Windows\\System32\\rundll32.exe', ParentProcessName: 'C:\\Windows\\System32\\cmd.exe',
    CommandLine: i === 20 ? 'rundll32.exe C:\\Windows\\System32\\comsvcs.dll MiniDump 712 C:\\root\\lsass.dmp full' : `rundll32.exe shell32.dll,Control_RunDLL ${i}`,
  }));
  await writeFile(join(logs, 'Security.evtx'), eventLogFile(events));
  caseZip = join(root, 'out', 'CASE-1.zip');
  await mkdir(join(root, 'out'));
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

test('collect → verify → tamper → verify fails → scan the archive: same findings as the folder; the source is unchanged', async () => {
  const beforeSnap = await snapshot(sim);
  const run = await runCli(['collect', sim, '--out', caseZip, '--case', 'IR-2021-07', '--evidence-number', 'E-01', '--examiner', 'A. Examiner', '--notes', 'mx1 triage']);
  assert.equal(run.code, 0, run.stderr);
  const hash = await sha256(caseZip);
  assert.match(run.stdout, new RegExp(`sha256\\s+${hash}`));
  assert.equal(await readFile(`${caseZip}.sha256`, 'utf8'), `${hash}  CASE-1.zip\n`);
  await assert.rejects(stat(`${caseZip}.partial`), 'no partial file left after success');
  assert.deepEqual(await snapshot(sim), beforeSnap, 'the source tree is byte-for-byte and time-for-time unchanged');

  // The manifest: every collected file with its original hash and times, the case and the collector.
  const idx = await ZipIndex.open(caseZip);
  const m = JSON.parse((await readEntry(idx.manifestRef!, 1 << 28)).toString('utf8')) as Manifest;
  assert.equal(m.schema, 'exhunt.collect-manifest/1');
  assert.deepEqual(m.case, { id: 'IR-2021-07', evidenceNumber: 'E-01', examiner: 'A. Examiner', notes: 'mx1 triage' });
  assert.ok(m.collector.host && m.collector.platform && m.tool.version);
  assert.equal(m.files.length, beforeSnap.size, 'every file of the simulated server is something scan reads');
  for (const f of m.files) {
    const [h, size] = beforeSnap.get(f.path.split('/').join('/'))!.split(' ');
    assert.equal(f.sha256, h, f.path);
    assert.equal(String(f.size), size, f.path);
    assert.ok(Date.parse(f.modified) > 0 && Date.parse(f.accessed) > 0, f.path);
  }
  assert.ok(m.files.some((f) => f.category === 'event-log' && f.path.endsWith('Security.evtx')));
  assert.ok(idx.files.some((f) => f.name === MANIFEST_CSV));
  assert.match((await readEntry(idx.files.find((f) => f.name === MANIFEST_CSV)!, 1 << 28)).toString('utf8'), /^Path,OriginalPath,Status,Size,SHA256,/);

  const ok = await runCli(['verify', caseZip]);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /^OK/m);

  // One byte changed inside one entry's compressed data.
  const tampered = join(root, 'out', 'TAMPERED.zip');
  const bytes = await readFile(caseZip);
  const target = idx.files.find((f) => f.name.endsWith('Security.evtx'))!;
  const at = target.offset + 30 + Buffer.byteLength(target.name) + Math.floor(target.compressedSize / 2);
  bytes[at] = bytes[at]! ^ 0x01;
  await writeFile(tampered, bytes);
  await copyFile(`${caseZip}.sha256`, `${tampered}.sha256`);
  const bad = await runCli(['verify', tampered]);
  assert.equal(bad.code, 7, bad.stdout + bad.stderr);
  assert.match(bad.stdout, /ARCHIVE-HASH/);
  assert.match(bad.stdout, /Security\.evtx/);
  assert.match(bad.stdout, /FAILED/);
  const r = await verifyArchive(tampered);
  assert.equal(r.ok, false);
  assert.deepEqual(r.differences.map((d) => d.kind).sort(), ['archive-hash', 'unreadable']);

  // Scan the folder and the archive: the same findings, verdicts and coverage.
  const a = join(root, 'folder.json');
  const b = join(root, 'archive.json');
  // One worker each: which samples a grouped finding keeps depends on how worker results merge, for a
  // folder as much as for an archive. (Archive entries read in worker threads: the hostile-archive test.)
  const sa = await runCli(['scan', sim, '--json', a, '-q', '--workers', '1']);
  const sb = await runCli(['scan', caseZip, '--json', b, '-q', '--workers', '1']);
  assert.equal(sb.code, sa.code, sb.stderr);
  const ra = JSON.parse(await readFile(a, 'utf8')) as { findings: Array<{ ruleId: string; source: { path: string; kind?: string }; fields?: Record<string, unknown> }>; verdicts: unknown; coverage: { sources: unknown; missing: unknown; problems: unknown[] }; host: { name?: string; exchange: unknown }; stats: unknown };
  const rb = JSON.parse(await readFile(b, 'utf8')) as typeof ra;
  assert.ok(ra.findings.length > 5);
  assert.ok(ra.findings.some((f) => f.ruleId === 'exhunt.eventlog.lsass-dump-comsvcs' && f.source.path.endsWith('Security.evtx')));
  // Log, event-log and artefact findings: identical (ids aside: web-file findings are numbered in between).
  const notWeb = (r: typeof ra) => r.findings.filter((f) => !isWebFileFinding(f)).map((f) => ({ ...f, id: undefined }));
  assert.deepEqual(notWeb(rb), notWeb(ra));
  assert.deepEqual(rb.coverage.sources, ra.coverage.sources);
  assert.deepEqual(rb.coverage.missing, ra.coverage.missing);
  assert.deepEqual(rb.coverage.problems, ra.coverage.problems);
  assert.deepEqual(rb.host.exchange, ra.host.exchange);
  assert.equal(rb.host.name, ra.host.name);
  // The result of the archive scan says which archive it was: its hash (equal to the one written beside
  // it at collection) and the collection's case record; the folder scan has no such block.
  const ev = (JSON.parse(await readFile(b, 'utf8')) as { host: { evidence: { archive?: { sha256?: string; sidecar?: { matches: boolean }; collection?: { case: { id?: string }; totals: { files: number } } } } } }).host.evidence;
  assert.equal(ev.archive?.sha256, hash);
  assert.equal(ev.archive?.sidecar?.matches, true);
  assert.equal(ev.archive?.collection?.case.id, 'IR-2021-07');
  assert.ok((ev.archive?.collection?.totals.files ?? 0) > 10);
  assert.equal((JSON.parse(await readFile(a, 'utf8')) as { host: { evidence: { archive?: unknown } } }).host.evidence.archive, undefined);
  assert.deepEqual(await snapshot(sim), beforeSnap);
  folderResult = ra;
  archiveResult = rb;
});

/** Findings of the web-file scan (src/detect/files): file findings carrying the content's hash. */
function isWebFileFinding(f: { source: { kind?: string }; fields?: Record<string, unknown> }): boolean {
  return f.source.kind === 'file' && f.fields !== undefined && 'sha256' in f.fields;
}

let folderResult: { findings: unknown[]; verdicts: unknown; stats: unknown } | undefined;
let archiveResult: typeof folderResult;

test('scan of the archive: every finding (web files included), the verdicts and the statistics equal the folder\'s', () => {
  assert.ok(folderResult && archiveResult, 'the collect test ran');
  assert.deepEqual(archiveResult.findings, folderResult.findings);
  assert.deepEqual(archiveResult.verdicts, folderResult.verdicts);
  assert.deepEqual(archiveResult.stats, folderResult.stats);
});

test('a full disk: refused before writing when the space check fails; a write error midway leaves CASE.zip.partial with the reason', async () => {
  const out = join(root, 'out', 'FULL.zip');
  await assert.rejects(collect(sim, { out, io: { freeBytes: async () => 1000 } }), (e: Error) => e instanceof OutputError && /not enough free space/.test(e.message));
  await assert.rejects(stat(`${out}.partial`));

  let written = 0;
  const full = (): Writable =>
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        written += chunk.length;
        if (written > 256 * 1024) {
          const err = new Error('ENOSPC: no space left on device, write') as NodeJS.ErrnoException;
          err.code = 'ENOSPC';
          cb(err);
        } else cb();
      },
    });
  await assert.rejects(collect(sim, { out, io: { createOutput: full } }), (e: Error) => e instanceof OutputError && /no space left/.test(e.message) && e.message.includes(`${out}.partial`));
  await assert.rejects(stat(out), 'no archive that looks complete');
  assert.match(await readFile(`${out}.partial.txt`, 'utf8'), /^INCOMPLETE: .*\nreason: no space left on the device/);

  const cli = await runCli(['collect', sim, '--out', join(sim, 'Windows', 'Temp', 'x.zip')]);
  assert.equal(cli.code, 2, 'writing into the evidence is refused');
});

test('an unreadable source file is listed as not collected, with the reason; the rest verifies', async () => {
  const out = join(root, 'out', 'UNREADABLE.zip');
  const victim = join(sim, 'inetpub', 'logs', 'LogFiles', 'W3SVC1');
  const name = (await readdir(victim)).find((n) => n.endsWith('.log'))!;
  const abs = join(victim, name);
  const { open } = await import('node:fs/promises');
  const r = await collect(sim, {
    out,
    io: {
      openSource: async (p: string): Promise<FileHandle> => {
        if (p === abs) {
          const err = new Error(`EACCES: permission denied, open '${p}'`) as NodeJS.ErrnoException;
          err.code = 'EACCES';
          throw err;
        }
        return open(p, 'r');
      },
    },
  });
  const miss = r.manifest.notCollected.find((n) => n.path === abs);
  assert.ok(miss, 'listed as not collected');
  assert.match(miss.reason, /cannot read: EACCES/);
  assert.ok(!r.manifest.files.some((f) => f.original === abs));
  assert.equal((await verifyArchive(out)).ok, true);
  if (process.getuid?.() !== 0) {
    // Not root: a real permission error, through the CLI.
    await chmod(abs, 0o000);
    try {
      const run = await runCli(['collect', sim, '--out', join(root, 'out', 'CHMOD.zip'), '-v']);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, new RegExp(`${name}: cannot read`));
    } finally {
      await chmod(abs, 0o644);
    }
  }
});

test('malicious and corrupted archives: hostile entries are skipped and counted, nothing is written, clear errors', async () => {
  const dir = join(root, 'hostile');
  await mkdir(dir);
  const log = Buffer.from('#Software: Microsoft Internet Information Services 10.0\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n2021-03-02 22:41:07 10.0.0.5 GET /owa/auth/x.js - 443 - 203.0.113.24 ExchangeServicesClient/0.0.0.0 - 200 0 0 15\n');
  const zip = buildZip([
    { name: 'inetpub/logs/LogFiles/W3SVC1/u_ex210302.log', data: log },
    { name: '../../../tmp/evil.aspx', data: Buffer.from('<%@ Page %>') },
    { name: 'C:\\Windows\\System32\\evil.dll', data: Buffer.from('MZ') },
    { name: 'inetpub/logs/LogFiles/W3SVC1/u_ex210302.log', data: Buffer.from('replacement') },
    { name: 'inetpub/logs/LogFiles/W3SVC1/bomb.log', data: Buffer.alloc(2 << 20), declaredSize: 0xfffffff0 },
  ]);
  const hostile = join(dir, 'hostile.zip');
  await writeFile(hostile, zip);
  const json = join(root, 'hostile.json');
  const run = await runCli(['scan', hostile, '--json', json, '-q']);
  assert.ok(run.code !== null && run.code >= 0 && run.code !== 1, `no crash: ${run.stderr}`);
  const r = JSON.parse(await readFile(json, 'utf8')) as { coverage: { sources: Array<{ id: string; files: number }>; problems: Array<{ path: string; reason: string }> } };
  const skipped = r.coverage.problems.filter((p) => /archive entry skipped/.test(p.reason));
  assert.equal(skipped.length, 4);
  assert.ok(skipped.some((p) => /zip-slip/.test(p.reason)) && skipped.some((p) => /drive path/.test(p.reason)));
  assert.ok(skipped.some((p) => /duplicate/.test(p.reason)) && skipped.some((p) => /zip bomb/.test(p.reason)));
  assert.equal(r.coverage.sources.find((s) => s.id === 'IIS/W3SVC1')?.files, 1);
  assert.deepEqual(await readdir(dir), ['hostile.zip'], 'nothing written next to the archive');
  await assert.rejects(stat(join(root, '..', 'tmp', 'evil.aspx')));

  // A corrupted central directory: one line, exit 3 for scan; verify says FAILED (exit 7).
  const broken = join(dir, 'broken.zip');
  await writeFile(broken, buildZip([{ name: 'a.log', data: log }], { badCentralSignature: true }));
  const s = await runCli(['scan', broken]);
  assert.equal(s.code, 3);
  assert.match(s.stderr, /^exhunt: archive cannot be read \(corrupted or not a ZIP file\)/);
  const v = await runCli(['verify', broken]);
  assert.equal(v.code, 7);
  assert.match(v.stdout, /UNREADABLE/);
  assert.equal((await runCli(['verify', join(dir, 'missing.zip')])).code, 3);
  assert.deepEqual((await readdir(dir)).sort(), ['broken.zip', 'hostile.zip']);
});

test('verify: a manifest that does not parse is one difference, read once (by the index) with its reason', async () => {
  const dir = join(root, 'badmanifest');
  await mkdir(dir);
  const zip = join(dir, 'case.zip');
  await writeFile(zip, buildZip([
    { name: 'exhunt-collect/manifest.json', data: Buffer.from('{"schema": "exhunt.collect-manifest/1", "files": [') },
    { name: 'a.log', data: Buffer.from('x\n') },
  ]));
  const r = await verifyArchive(zip);
  assert.equal(r.ok, false);
  const m = r.differences.filter((d) => d.kind === 'manifest');
  assert.equal(m.length, 1);
  assert.match(m[0]!.detail, /^manifest not readable: .*JSON/);
});
