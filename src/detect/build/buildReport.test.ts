import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildReport, REPORTED_FAMILIES } from './buildReport.js';
import { buildReportJson, formatBuildReport, runBuild } from '../../cli/commands/build.js';
import { BuildVersionError } from './version.js';

function capture(fn: () => number): { code: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const ow = process.stdout.write.bind(process.stdout);
  const ew = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string | Uint8Array) => (out.push(String(s)), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array) => (err.push(String(s)), true)) as typeof process.stderr.write;
  try {
    return { code: fn(), out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = ow;
    process.stderr.write = ew;
  }
}

test('buildReport carries every reported family', () => {
  const r = buildReport('15.1.2176.2');
  assert.deepEqual(Object.keys(r.families), [...REPORTED_FAMILIES]);
  assert.equal(r.families['proxylogon']?.status, 'vulnerable');
  assert.throws(() => buildReport('x'), BuildVersionError);
});

test('exhunt build --json: the contract fields', () => {
  const { code, out } = capture(() => runBuild('15.1.2176.2', { json: true }));
  assert.equal(code, 0);
  const j = JSON.parse(out);
  assert.equal(j.build, '15.1.2176.2');
  assert.equal(j.product, 'Exchange2016');
  assert.equal(j.cu, 'CU19');
  assert.equal(j.su, null);
  assert.equal(j.suStatus, 'cu-base-build');
  assert.equal(j.knowledgeDate, '2026-02');
  for (const id of ['proxylogon', 'proxyshell', 'proxynotshell', 'owassrf']) {
    assert.ok(['fixed', 'vulnerable', 'unknown'].includes(j.families[id].status), id);
    assert.ok('fixedBy' in j.families[id], id);
  }
  assert.equal(j.families.proxylogon.fixedBy.build, '15.1.2176.9');
  assert.equal(j.families.proxylogon.fixedBy.su, 'Mar21SU');
});

test('exhunt build: unknown builds keep the contract (nulls, unknown status)', () => {
  const j = buildReportJson(buildReport('14.3.513.0'));
  assert.equal(j['product'], null);
  assert.equal(j['cu'], null);
  assert.equal(j['su'], null);
  assert.equal((j['families'] as Record<string, { status: string; fixedBy: unknown }>)['proxylogon']?.status, 'unknown');
  assert.equal((j['families'] as Record<string, { status: string; fixedBy: unknown }>)['proxylogon']?.fixedBy, null);
});

test('exhunt build: text output and exit code 2 for a bad version', () => {
  const ok = capture(() => runBuild('15.01.2176.009', {}));
  assert.equal(ok.code, 0);
  assert.match(ok.out, /Exchange Server 2016 CU19 · Mar21SU KB5000871/);
  assert.match(ok.out, /ProxyLogon\s+fixed/);
  assert.match(ok.out, /ProxyShell\s+VULNERABLE\s+install May21SU KB5003435 → 15\.1\.2176\.14/);
  assert.match(ok.out, /build knowledge: .* 2026-02/);
  const bad = capture(() => runBuild('15.1.two', {}));
  assert.equal(bad.code, 2);
  assert.equal(bad.out, '');
  assert.match(bad.err, /not an Exchange build number/);
  assert.equal(capture(() => runBuild(undefined, {})).code, 2);
  assert.equal(capture(() => runBuild('15.1.2176.2', { asOf: 'yesterday' })).code, 2);
  assert.equal(capture(() => runBuild(undefined, { exsetup: '/nonexistent/ExSetup.exe' })).code, 2);
  assert.ok(formatBuildReport(buildReport('15.2.9999.1')).includes('newer than'));
});
