/**
 * The pre-filtered path finds exactly what plain per-record evaluation finds: on simulated servers, and
 * on random logs with planted indicators, quoted newlines and matches that straddle chunk boundaries.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rng } from '../support/rng.js';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { simulate } from '../../src/simulate/index.js';
import { scan, type ScanResult } from '../../src/scan.js';
import { loadProjectRules } from '../../src/detect/rule-pack.js';
import { logsourceFor } from '../../src/detect/source-fields.js';
import { unionLiterals, evaluate } from '../../src/detect/hunt.js';
import { FindingCollector } from '../../src/detect/collector.js';
import { readLog, HTTPPROXY_FIELDS, IIS_DEFAULT_FIELDS, type LogKind } from '../../src/readers/index.js';
import { DEFAULT_INSTALL } from '../../src/evidence/discovery.js';
import { tempDir } from './helpers.js';

let root: string;
before(async () => {
  root = await tempDir('eq');
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

function digest(r: ScanResult): unknown {
  return {
    verdicts: Object.fromEntries(Object.entries(r.verdicts).map(([k, v]) => [k, v.status])),
    findings: r.findings.map((f) => [f.ruleId, f.count, f.time, f.lastTime, f.source.path, f.source.line, f.samples.map((s) => `${s.source.path}:${s.source.line}`)]),
    coverage: r.coverage.sources.map((s) => [s.id, s.files, s.records, s.firstTime, s.lastTime, s.gaps.length]),
  };
}

for (const scenario of ['proxylogon', 'clean'] as const) {
  test(`simulated ${scenario} server: pre-filtered scan = unfiltered scan (1 and 2 workers)`, async () => {
    const dir = join(root, scenario);
    await simulate({ out: dir, scenario, seed: 11, days: 14, ...(scenario === 'clean' ? { start: '2021-02-20' } : {}) });
    const reference = digest(await scan(dir, { noPrefilter: true, workers: 1 }));
    assert.deepEqual(digest(await scan(dir, { workers: 1 })), reference);
    assert.deepEqual(digest(await scan(dir, { workers: 2 })), reference);
  });
}


const HTTPPROXY_VALUES: Record<string, string[]> = {
  AnchorMailbox: ['Smtp~user1@contoso.com', 'ServerInfo~a]@mx01:444/mapi/emsmdb/?#', 'ServerInfo~a]@mx01:444/ecp/proxyLogon.ecp?#', 'ServerInfo~localhost/owa/auth/logon.aspx?', 'ServerInfo~a]@mx01:444/autodiscover/autodiscover.xml?#', 'ServerInfo~a]@mx01:444/ecp/DDI/DDIService.svc/SetObject?schema=ResetOABVirtualDirectory#', 'SERVERINFO~B]@MX01:444/ECP/x', 'Sid~S-1-5-21-1'],
  HttpStatus: ['200', '241', '302', '500'],
  UserAgent: ['python-requests/2.25.1', 'Microsoft Office/16.0', '"quoted, ""agent""\r\nwith newline"', 'ExchangeServicesClient/0.0.0.0'],
  UrlStem: ['/ecp/y.js', '/owa/', '/mapi/emsmdb/', '/EWS/Exchange.asmx'],
  ClientIpAddress: ['203.0.113.9', '198.51.100.7', '10.0.0.8'],
  GenericInfo: ['', 'a "note"', '"multi\nline, with comma"', 'x'.repeat(300)],
};
const IIS_VALUES: Record<string, string[]> = {
  'cs-method': ['GET', 'POST'],
  'cs-uri-stem': ['/ecp/y.js', '/owa/auth/x.js', '/aspnet_client/system_web/a.aspx', '/owa/auth/Current/themes/resources/logon.css', '/ecp/DDI/DDIService.svc/SetObject', '/owa/', '/OWA/AUTH/RedirSuiteServerProxy.aspx'],
  'cs-uri-query': ['-', 'schema=ResetOABVirtualDirectory', '&CorrelationID=<empty>;'],
  'cs(User-Agent)': ['python-requests/2.25.1', 'Mozilla/5.0+(Windows)', 'antSword/v2.1'],
  'sc-status': ['200', '302', '404', '500'],
  'cs-username': ['-', 'CONTOSO\\admin'],
  'c-ip': ['203.0.113.9', '198.51.100.7'],
};

function randomLog(kind: 'httpproxy' | 'iis-w3c', r: () => number, lines: number): string {
  const pick = (xs: string[]) => xs[Math.floor(r() * xs.length)]!;
  const out: string[] = [];
  if (kind === 'httpproxy') {
    out.push('#Software: Microsoft Exchange Server', '#Version: 15.01.2176.002', '#Log-type: HttpProxy Logs', `#Fields: ${HTTPPROXY_FIELDS.join(',')}`);
    for (let i = 0; i < lines; i++) {
      const t = new Date(Date.UTC(2021, 2, 3, 0, 0, i * 7)).toISOString();
      out.push(HTTPPROXY_FIELDS.map((f) => (f === 'DateTime' ? t : HTTPPROXY_VALUES[f] ? pick(HTTPPROXY_VALUES[f]!) : '')).join(','));
    }
  } else {
    out.push('#Software: Microsoft Internet Information Services 10.0', '#Version: 1.0', `#Fields: ${IIS_DEFAULT_FIELDS.join(' ')}`);
    for (let i = 0; i < lines; i++) {
      const t = new Date(Date.UTC(2021, 2, 3, 0, 0, i * 7)).toISOString();
      out.push(IIS_DEFAULT_FIELDS.map((f) => (f === 'date' ? t.slice(0, 10) : f === 'time' ? t.slice(11, 19) : IIS_VALUES[f] ? pick(IIS_VALUES[f]!) : '-')).join(' '));
    }
  }
  return out.join('\r\n') + '\r\n';
}

async function hitsOf(text: string, kind: LogKind, chunk: number, withFilter: boolean): Promise<string[]> {
  const pack = await loadProjectRules();
  const rules = pack.forLogsource(logsourceFor(kind));
  const collector = new FindingCollector();
  const hits: string[] = [];
  const buf = Buffer.from(text, 'utf8');
  async function* chunks() {
    for (let i = 0; i < buf.length; i += chunk) yield buf.subarray(i, i + chunk);
  }
  const lit = unionLiterals(rules);
  await readLog(chunks(), {
    kind,
    ...(withFilter && lit ? { literalFilter: lit } : {}),
    onRecord: (rec) => {
      for (const rule of rules) if (rule.match(rec, { installPath: DEFAULT_INSTALL })) hits.push(`${rule.id}@${rec.line}`);
      evaluate(rules, rec, rec.time(), { path: 'x', line: rec.line }, kind, { ruleContext: { installPath: DEFAULT_INSTALL } }, collector);
    },
  });
  return hits;
}

test('property: random logs with quoted newlines, any chunk size — filtered hits = unfiltered hits', async () => {
  let planted = 0;
  for (let seed = 1; seed <= 24; seed++) {
    const r = rng(seed);
    const kind = seed % 2 ? 'httpproxy' : 'iis-w3c';
    const text = randomLog(kind, r, 60);
    const chunk = [1, 7, 64, 333, 4096, 1 << 20][seed % 6]!;
    const reference = await hitsOf(text, kind, 1 << 20, false);
    const filtered = await hitsOf(text, kind, chunk, true);
    assert.deepEqual(filtered, reference, `seed ${seed} (${kind}, chunks of ${chunk} bytes)`);
    planted += reference.length;
  }
  assert.ok(planted > 100, `the random logs exercise the rules (${planted} hits)`);
});
