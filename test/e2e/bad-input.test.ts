/** Bad input never stops a scan: each problem is reported in coverage, with a clear message and exit code. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile, rm, readFile, symlink, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { runCli, tempDir } from './helpers.js';
import { HTTPPROXY_FIELDS } from '../../src/readers/index.js';

let root: string;
before(async () => {
  root = await tempDir('bad');
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

function httpProxyRow(values: Record<string, string>): string {
  return HTTPPROXY_FIELDS.map((f) => values[f] ?? '').join(',');
}

test('no PATH is a one-line usage error (exit 2)', async () => {
  const r = await runCli(['scan']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /missing required argument 'path'/);
  assert.equal(r.stdout, '');
});

test('a PATH that does not exist is one clear line (exit 3)', async () => {
  const r = await runCli(['scan', join(root, 'nope')]);
  assert.equal(r.code, 3);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, /^exhunt: evidence path not found or not readable: /);
});

test('a bad option value is a usage error (exit 2)', async () => {
  const r = await runCli(['scan', root, '--since', 'yesterday-ish']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--since: not a date/);
});

test('an empty tree: inconclusive, says no logs were found (exit 4)', async () => {
  const dir = join(root, 'empty');
  await mkdir(dir);
  const r = await runCli(['scan', dir]);
  assert.equal(r.code, 4);
  assert.match(r.stdout, /ProxyLogon\s+INCONCLUSIVE/);
  assert.match(r.stdout, /no logs found/);
});

test('garbage, header-less, special and unreadable files are reported; the real hit is still found', async () => {
  const dir = join(root, 'mixed');
  const ecp = join(dir, 'Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp');
  await mkdir(ecp, { recursive: true });
  await mkdir(join(dir, 'Windows'), { recursive: true });
  // Binary garbage named like a log.
  await writeFile(join(ecp, 'HttpProxy_2021030301-1.LOG'), Buffer.concat([Buffer.from([0, 1, 2, 0xff, 0xfe, 0]), randomBytes(4096)]));
  // A header-less HttpProxy log (the #Fields lines were cut off): the default 74 columns are assumed.
  const row = httpProxyRow({
    DateTime: '2021-03-03T06:49:46.210Z',
    ClientIpAddress: '203.0.113.9',
    UrlStem: '/ecp/y.js',
    AnchorMailbox: 'ServerInfo~a]@mx01.contoso.local:444/ecp/proxyLogon.ecp?#',
    HttpStatus: '241',
  });
  await writeFile(join(ecp, 'HttpProxy_2021030306-1.LOG'), `${row}\r\n`);
  // An empty log, a dangling symlink and (where the OS enforces it) an unreadable log.
  await writeFile(join(ecp, 'HttpProxy_2021030307-1.LOG'), '');
  await symlink(join(root, 'does-not-exist'), join(ecp, 'HttpProxy_2021030308-1.LOG'));
  const locked = join(ecp, 'HttpProxy_2021030309-1.LOG');
  await writeFile(locked, `${row}\r\n`);
  await chmod(locked, 0);
  const out = join(root, 'mixed.json');
  const r = await runCli(['scan', dir, '--json', out]);
  await chmod(locked, 0o644);
  assert.equal(r.code, 6, r.stderr);
  const res = JSON.parse(await readFile(out, 'utf8')) as { findings: Array<{ ruleId: string; source: { path: string } }>; coverage: { problems: Array<{ path: string; reason: string }> } };
  assert.ok(res.findings.some((f) => f.ruleId === 'exhunt.proxylogon.ssrf-ecp' && f.source.path.endsWith('HttpProxy_2021030306-1.LOG')));
  const reasons = new Map(res.coverage.problems.map((p) => [p.path.split('/').pop(), p.reason]));
  assert.match(reasons.get('HttpProxy_2021030301-1.LOG') ?? '', /not a recognised log format/);
  assert.match(reasons.get('HttpProxy_2021030307-1.LOG') ?? '', /empty/);
  assert.match(reasons.get('HttpProxy_2021030308-1.LOG') ?? '', /symlink/);
  if (process.getuid?.() !== 0) assert.match(reasons.get('HttpProxy_2021030309-1.LOG') ?? '', /cannot read/);
  assert.match(r.stdout, /problem\(s\)/);
});

test('a single log file can be scanned on its own', async () => {
  const file = join(root, 'HttpProxy_2021030306-1.LOG');
  const header = `#Software: Microsoft Exchange Server\r\n#Version: 15.01.2176.002\r\n#Log-type: HttpProxy Logs\r\n#Fields: ${HTTPPROXY_FIELDS.join(',')}\r\n`;
  const row = httpProxyRow({ DateTime: '2021-03-03T06:49:42.162Z', ClientIpAddress: '203.0.113.9', UrlStem: '/ecp/y.js', AnchorMailbox: 'ServerInfo~a]@mx01:444/autodiscover/autodiscover.xml?#', HttpStatus: '200' });
  await writeFile(file, header + row + '\r\n');
  const out = join(root, 'single.json');
  const r = await runCli(['scan', file, '--json', out, '-q']);
  assert.equal(r.code, 5, 'attempted');
  const res = JSON.parse(await readFile(out, 'utf8')) as { findings: Array<{ ruleId: string; source: { path: string; line: number } }> };
  assert.deepEqual(res.findings.map((f) => [f.ruleId, f.source.path, f.source.line]), [['exhunt.proxylogon.ssrf-autodiscover', 'HttpProxy_2021030306-1.LOG', 5]]);
});

test('the installed build comes from Bin\\ExSetup.exe and sets the exposure per family', async () => {
  const { buildPe } = await import('../fixtures/pe/build.js');
  const dir = join(root, 'exsetup');
  const install = join(dir, 'Program Files/Microsoft/Exchange Server/V15');
  await mkdir(join(install, 'Bin'), { recursive: true });
  await mkdir(join(dir, 'Windows'), { recursive: true });
  await writeFile(join(install, 'Bin', 'ExSetup.exe'), buildPe({ file: [15, 1, 2176, 2] }));
  const out = join(root, 'exsetup.json');
  await runCli(['scan', dir, '--json', out, '-q']);
  const res = JSON.parse(await readFile(out, 'utf8')) as { host: { exchange: { exSetup?: { version: string; path: string }; exposure?: { build: string; families: Record<string, { status: string }> } } } };
  assert.equal(res.host.exchange.exSetup?.version, '15.1.2176.2');
  assert.equal(res.host.exchange.exSetup?.path, 'Program Files/Microsoft/Exchange Server/V15/Bin/ExSetup.exe');
  assert.equal(res.host.exchange.exposure?.build, '15.1.2176.2');
  assert.equal(res.host.exchange.exposure?.families['proxylogon']?.status, 'vulnerable');
});
