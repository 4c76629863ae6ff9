import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectTargets, expandCidr, parseTarget, parseTargetList, readTargetFile, TargetError } from './targets.js';

test('host, host:port, IPv6 and URLs', () => {
  assert.deepEqual(parseTarget('127.0.0.1'), [{ input: '127.0.0.1', scheme: 'https', host: '127.0.0.1', port: 443, label: '127.0.0.1:443' }]);
  assert.equal(parseTarget('Mail.Example.TEST:8443')[0]!.label, 'mail.example.test:8443');
  assert.equal(parseTarget('[::1]:444')[0]!.label, '[::1]:444');
  assert.equal(parseTarget('::1')[0]!.port, 443);
  const u = parseTarget('https://127.0.0.1:4443/owa/')[0]!;
  assert.equal(u.scheme, 'https');
  assert.equal(u.port, 4443);
  const h = parseTarget('http://127.0.0.2')[0]!;
  assert.equal(h.scheme, 'http');
  assert.equal(h.port, 80);
  assert.equal(h.label, 'http://127.0.0.2:80');
  assert.equal(parseTarget('127.0.0.1', { defaultPort: 8443 })[0]!.port, 8443);
});

test('bad targets are refused with clear errors', () => {
  for (const bad of ['', 'ftp://127.0.0.1', 'host:0', 'host:70000', 'host:abc', '999.1.1.1', 'a b', 'https://u:p@127.0.0.1/', '127.0.0.1/8', '127.0.0.1/33', 'x'.repeat(400), 'foo/bar']) {
    assert.throws(() => parseTarget(bad), TargetError, bad);
  }
});

test('CIDR expansion and its limits', () => {
  assert.deepEqual(expandCidr('127.0.0.0/30'), ['127.0.0.1', '127.0.0.2']);
  assert.deepEqual(expandCidr('127.0.0.5/31'), ['127.0.0.4', '127.0.0.5']);
  assert.deepEqual(expandCidr('127.0.0.9/32'), ['127.0.0.9']);
  const c24 = expandCidr('127.0.1.77/24');
  assert.equal(c24.length, 254);
  assert.equal(c24[0], '127.0.1.1');
  assert.equal(c24.at(-1), '127.0.1.254');
  assert.equal(expandCidr('127.0.0.0/16').length, 65534);
  assert.throws(() => expandCidr('127.0.0.0/15'), /too large/);
  assert.throws(() => expandCidr('127.0.0.0/24', { maxRangeSize: 16 }), /more than the limit/);
  assert.throws(() => expandCidr('127.0.0.300/24'), TargetError);
  const withPort = parseTarget('127.0.0.0/30:8443');
  assert.deepEqual(withPort.map((t) => t.label), ['127.0.0.1:8443', '127.0.0.2:8443']);
});

test('target lists: comments, blank lines, CRLF, BOM', () => {
  const l = parseTargetList('\uFEFF# header\r\n127.0.0.1\r\n\r\n  127.0.0.2:444  # lab box\n#127.0.0.3\n');
  assert.deepEqual(l.map((x) => [x.line, x.text]), [[2, '127.0.0.1'], [4, '127.0.0.2:444']]);
});

test('target files and collectTargets: dedup, file:line in errors, total limit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-probe-'));
  const f = join(dir, 'targets.txt');
  writeFileSync(f, '# lab\n127.0.0.1\n127.0.0.0/30\nhttp://127.0.0.1\n');
  const ts = collectTargets(['127.0.0.1:443'], [f]);
  assert.deepEqual(ts.map((t) => t.label), ['127.0.0.1:443', '127.0.0.2:443', 'http://127.0.0.1:80']);
  const bad = join(dir, 'bad.txt');
  writeFileSync(bad, '127.0.0.1\n\nnot a host\n');
  assert.throws(() => collectTargets([], [bad]), /bad\.txt:3: /);
  assert.throws(() => readTargetFile(join(dir, 'missing.txt')), /cannot read target file/);
  const bin = join(dir, 'bin.txt');
  writeFileSync(bin, Buffer.from([0x31, 0, 0x32]));
  assert.throws(() => readTargetFile(bin), /not text/);
  assert.throws(() => readTargetFile(dir), /not a file/);
  assert.throws(() => collectTargets(['127.0.0.0/24'], [], { maxTargets: 100 }), /more than 100 targets/);
});
