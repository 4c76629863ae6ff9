import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProbe, type ProbeCliOptions } from '../cli/commands/probe.js';
import { buildReportJson } from '../cli/commands/build.js';
import { buildReport } from '../detect/build/index.js';
import { exchangeHandler, PATCHED_2019_CU14, startServer, VULNERABLE_2016_CU19, type FakeServer } from './testServers.js';

// Servers listen on 127.0.0.1 only.
const servers: FakeServer[] = [];
after(async () => Promise.all(servers.map((s) => s.close())));
async function serve(...a: Parameters<typeof startServer>): Promise<FakeServer> {
  const s = await startServer(...a);
  servers.push(s);
  return s;
}
async function run(args: string[], o: ProbeCliOptions = {}) {
  let out = '';
  let err = '';
  const code = await runProbe(args, { timeout: '5', ...o }, { out: (s) => void (out += s), err: (s) => void (err += s) });
  return { code, out, err };
}
const dir = mkdtempSync(join(tmpdir(), 'exhunt-probe-cli-'));

test('vulnerable and patched servers: exit 5, table, JSON and CSV', async () => {
  const v = await serve(exchangeHandler(VULNERABLE_2016_CU19), { tls: true });
  const p = await serve(exchangeHandler(PATCHED_2019_CU14), { tls: true });
  const json = join(dir, 'out.json');
  const csv = join(dir, 'out.csv');
  const r = await run([v.target, `https://127.0.0.1:${p.port}/owa/`], { check: 'proxylogon,proxyshell', json, csv });
  assert.equal(r.code, 5);
  assert.match(r.err, /leave entries in the targets' IIS and HttpProxy logs/);
  assert.match(r.err, /TLS certificates are not verified/);
  assert.match(r.out, /15\.1\.2176\.2\s+x-owa-version\s+VULN/);
  assert.match(r.out, /15\.2\.1544\.14\s+x-owa-version\s+fixed/);
  assert.match(r.out, /2 target\(s\): 1 vulnerable, 0 unreachable/);
  const j = JSON.parse(readFileSync(json, 'utf8')) as Record<string, any>[];
  assert.equal(j.length, 2);
  assert.equal(j[0]!['target'], v.target + '');
  assert.equal(j[0]!['build'], '15.1.2176.2');
  assert.equal(j[0]!['families']['proxylogon']['status'], 'vulnerable');
  // The same families object as `exhunt build --json`.
  assert.deepEqual(j[0]!['families'], JSON.parse(JSON.stringify(buildReportJson(buildReport('15.1.2176.2'))['families'])));
  assert.equal(j[0]!['checks']['proxylogon']['status'], 'vulnerable');
  assert.equal(j[0]!['buildInfo']['cu'], 'CU19');
  assert.equal(j[1]!['families']['owassrf']['status'], 'fixed');
  assert.equal(j[1]!['tls']['verified'], false);
  const lines = readFileSync(csv, 'utf8').trim().split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[0]!, /^target,reachable,exchange,build,/);
  assert.match(lines[1]!, /,vulnerable,vulnerable,/);
});

test('only patched: exit 0', async () => {
  const p = await serve(exchangeHandler(PATCHED_2019_CU14));
  const r = await run([p.target], { check: 'proxyshell' });
  assert.equal(r.code, 0);
  assert.match(r.out, /proxyshell check/);
});

test('usage errors exit 2 before any request', async () => {
  const p = await serve(exchangeHandler(PATCHED_2019_CU14));
  for (const [args, o, msg] of [
    [[], {}, /at least one target/],
    [[p.target], { check: 'proxynotshell' }, /unknown --check/],
    [[p.target], { concurrency: '0' }, /--concurrency/],
    [[p.target], { timeout: 'abc' }, /--timeout/],
    [[p.target], { port: '99999' }, /--port/],
    [['10.0.0.0/8'], {}, /too large/],
    [['not a host'], {}, /not a host name/],
  ] as [string[], ProbeCliOptions, RegExp][]) {
    const r = await run(args, o);
    assert.equal(r.code, 2, JSON.stringify(args));
    assert.match(r.err, msg);
  }
  assert.equal(p.requests.length, 0);
});

test('--file with comments and --port', async () => {
  const p = await serve(exchangeHandler(VULNERABLE_2016_CU19), { tls: true });
  const f = join(dir, 'targets.txt');
  writeFileSync(f, `# lab\n127.0.0.1   # fake CU19\n`);
  const r = await run([], { file: [f], port: String(p.port) });
  assert.equal(r.code, 5);
  assert.match(r.out, new RegExp(`127\\.0\\.0\\.1:${p.port}\\s+15\\.1\\.2176\\.2`));
});
