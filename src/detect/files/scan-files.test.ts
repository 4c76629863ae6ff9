import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { scanWebFiles, windowFindings } from './scan-files.js';
import { HashDb } from './hash-db.js';
import { readAndScan } from './read-file.js';
import { RULE } from './judge.js';
import type { WebRoot } from './walk.js';

const isRoot = process.getuid?.() === 0;
const posix = process.platform !== 'win32';

describe('scanWebFiles on hostile trees', () => {
  let dir: string;
  const roots: WebRoot[] = [
    { rel: 'inetpub/wwwroot', windowsPrefix: 'C:\\inetpub\\wwwroot', why: 'test' },
    // Nested in the first: walked once.
    { rel: 'inetpub/wwwroot/aspnet_client', windowsPrefix: 'C:\\inetpub\\wwwroot\\aspnet_client', why: 'test' },
  ];
  const ac = (): string => join(dir, 'inetpub', 'wwwroot', 'aspnet_client');
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'exhunt-files-'));
    mkdirSync(join(ac(), 'system_web', '4_0_30319'), { recursive: true });
    writeFileSync(join(dir, 'inetpub', 'wwwroot', 'iisstart.htm'), '<html></html>');
    writeFileSync(join(ac(), 'system_web', 'Xf3kQ9aL.aspx'), 'page text\r\n');
    // A name that is not valid UTF-8 (bytes 0xff 0xfe): still scanned, shown escaped.
    if (posix) writeFileSync(Buffer.concat([Buffer.from(join(ac(), 'b')), Buffer.from([0xff, 0xfe]), Buffer.from('.aspx')]), 'x');
    // 4 GB, sparse: capped to its two ends, not hashed, fast.
    const big = join(ac(), 'system_web', 'big.bin');
    closeSync(openSync(big, 'w'));
    truncateSync(big, 4 * 1024 ** 3);
    if (posix) {
      execFileSync('mkfifo', [join(ac(), 'pipe.aspx')]);
      symlinkSync('.', join(ac(), 'loop'));
      symlinkSync(join(ac(), 'b2'), join(ac(), 'a2'));
      symlinkSync(join(ac(), 'a2'), join(ac(), 'b2'));
      writeFileSync(join(ac(), 'locked.aspx'), 'x');
      chmodSync(join(ac(), 'locked.aspx'), 0);
    }
  });
  after(() => {
    if (posix) chmodSync(join(ac(), 'locked.aspx'), 0o644);
    rmSync(dir, { recursive: true, force: true });
  });

  for (const workers of [1, 2]) {
    it(`reports shells, skips special files and links, caps huge files (${workers} worker${workers > 1 ? 's' : ''})`, async () => {
      const r = await scanWebFiles(dir, roots, { yara: { project: false, dirs: [] }, hashes: new HashDb(), workers });
      const paths = r.findings.map((f) => f.source.path);
      assert.ok(paths.includes('inetpub/wwwroot/aspnet_client/system_web/Xf3kQ9aL.aspx'));
      const shell = r.findings.find((f) => f.source.path.endsWith('Xf3kQ9aL.aspx'))!;
      assert.equal(shell.ruleId, RULE.aspnetClientPage);
      assert.equal(shell.fields['sha256'], createHash('sha256').update('page text\r\n').digest('hex'));
      assert.deepEqual(shell.entities.paths, ['C:\\inetpub\\wwwroot\\aspnet_client\\system_web\\Xf3kQ9aL.aspx']);
      assert.equal(new Set(paths).size, paths.length, 'nested roots walked once');
      assert.equal(r.stats.capped, 1);
      assert.ok(r.notes.some((n) => /at their ends only/.test(n) && n.includes("big.bin")));
      const big = r.findings.find((f) => f.source.path.endsWith('big.bin'));
      assert.equal(big, undefined, 'a big non-page file is no finding');
      if (posix) {
        assert.equal(r.stats.badNames, 1);
        const bad = r.findings.find((f) => f.source.path.includes('\\xff\\xfe'));
        assert.ok(bad, 'file with an invalid name is scanned and reported');
        assert.equal(bad.fields['name'], 'not valid UTF-8 (invalid bytes shown as \\xNN)');
        assert.equal(r.stats.special, 1);
        assert.ok(r.problems.some((p) => p.path.endsWith('pipe.aspx') && /FIFO/.test(p.reason)));
        assert.equal(r.stats.symlinks, 3);
        if (!isRoot) {
          assert.ok(r.problems.some((p) => p.path.endsWith('locked.aspx') && /cannot open/.test(p.reason)));
          assert.ok(r.stats.unreadable >= 1);
        }
      }
    });
  }

  it('an unreadable file is an error result, not an exception', (t) => {
    const r = readAndScan(join(dir, 'no-such-file.aspx'), 'no-such-file.aspx', undefined);
    assert.match(r.error ?? '', /cannot open: ENOENT/);
    if (posix && isRoot) t.diagnostic('running as root: chmod 000 does not make a file unreadable, so the tree test checks ENOENT only');
  });
});

describe('readAndScan', () => {
  it('hands the whole file to the scanner when small, head and tail when large', () => {
    const dir = mkdtempSync(join(tmpdir(), 'exhunt-read-'));
    try {
      const seen: number[] = [];
      const scanner = { scan: (b: Uint8Array) => (seen.push(b.length), b.includes(0x21) ? [{ rule: 'bang', tags: [], meta: {} }] : []) };
      writeFileSync(join(dir, 'a.aspx'), 'hello!');
      const small = readAndScan(join(dir, 'a.aspx'), 'a.aspx', scanner);
      assert.deepEqual(small.hits.map((h) => h.rule), ['bang']);
      assert.ok(small.hashes);
      const big = Buffer.alloc(3000, 0x20);
      big[2990] = 0x21;
      writeFileSync(join(dir, 'b.aspx'), big);
      seen.length = 0;
      const capped = readAndScan(join(dir, 'b.aspx'), 'b.aspx', scanner, { fullBytes: 1000, edgeBytes: 100 });
      assert.deepEqual(seen, [100, 100]);
      assert.deepEqual(capped.hits.map((h) => h.rule), ['bang'], 'the tail is scanned');
      assert.equal(capped.hashes, undefined);
      assert.match(capped.capped ?? '', /first and last/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('windowFindings', () => {
  it('groups unflagged files written inside a window into one low context finding raised with the family', () => {
    const w = [{ family: 'proxylogon', name: 'ProxyLogon', startMs: Date.parse('2021-01-03'), endMs: Date.parse('2021-03-09') }];
    const c = (rel: string, t: string) => ({ rel, windowsPath: `C:\\${rel}`, place: 'aspnet_client' as const, mtimeMs: Date.parse(t), size: 1 });
    const out = windowFindings([], [c('a/x.txt', '2021-03-03T10:00:00Z'), c('a/y.txt', '2021-03-04T10:00:00Z'), c('a/z.txt', '2020-05-01T00:00:00Z')], w);
    assert.equal(out.length, 1);
    assert.equal(out[0]!.count, 2);
    assert.equal(out[0]!.severity, 'low');
    assert.equal(out[0]!.evidence, 'context');
    assert.equal(out[0]!.raiseWith, 'proxylogon');
    assert.deepEqual(windowFindings([], [c('a/z.txt', '2020-05-01T00:00:00Z')], w), []);
  });
});

describe('scanWebFiles in an archive (a collection)', () => {
  it('reads entries through the source: same findings and hashes as on disk', async () => {
    const { ZipFile } = await import('yazl');
    const { EvidenceSource } = await import('../../evidence/source.js');
    const { createWriteStream } = await import('node:fs');
    const dir = mkdtempSync(join(tmpdir(), 'exhunt-zip-'));
    try {
      const zip = new ZipFile();
      zip.addBuffer(Buffer.from('page\r\n'), 'inetpub/wwwroot/aspnet_client/system_web/Xf3kQ9aL.aspx', { mtime: new Date('2021-03-03T10:00:00Z') });
      zip.addBuffer(Buffer.from('<html></html>'), 'inetpub/wwwroot/iisstart.htm', { mtime: new Date('2020-01-01T00:00:00Z') });
      zip.end();
      const file = join(dir, 'c.zip');
      await new Promise<void>((resolve, reject) => zip.outputStream.pipe(createWriteStream(file)).on('close', resolve).on('error', reject));
      const src = await EvidenceSource.open(file);
      assert.ok(src.archive);
      const r = await scanWebFiles(src.root, [{ rel: 'inetpub/wwwroot', windowsPrefix: 'C:\\inetpub\\wwwroot', why: 'test' }], { yara: { project: false, dirs: [] }, hashes: new HashDb(), archive: src });
      assert.equal(r.stats.files, 2);
      assert.equal(r.findings.length, 1);
      assert.equal(r.findings[0]!.fields['path'], 'C:\\inetpub\\wwwroot\\aspnet_client\\system_web\\Xf3kQ9aL.aspx');
      assert.equal(r.findings[0]!.fields['sha256'], createHash('sha256').update('page\r\n').digest('hex'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
