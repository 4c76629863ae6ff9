/**
 * Evaluation on real Exchange/IIS log material (../shared/corpora/exchange-logs): the real incident
 * extracts give the expected findings, the real benign lines none. Skips when the corpus is absent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { scan, type ScanResult } from '../../src/scan.js';

const CORPUS = resolve('../shared/corpora/exchange-logs');
const present = existsSync(CORPUS);
const why = `corpus ${CORPUS} not present (it ships with the exhunt workspace, not with a clone)`;

function hitsByRule(r: ScanResult): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of r.findings) out[f.ruleId] = (out[f.ruleId] ?? 0) + f.count;
  return out;
}

test('HelseCERT ProxyLogon incident extracts: every step of the chain is found', { skip: !present && why }, async (t) => {
  const r = await scan(join(CORPUS, 'helsecert-2021-march-exchange'));
  const hits = hitsByRule(r);
  t.diagnostic(`hits per rule: ${JSON.stringify(hits)}`);
  assert.deepEqual(hits, {
    // 11 HttpProxy\Ecp rows exported by Test-ProxyLogon: 2 autodiscover-only, 2 SSRF to MAPI,
    // 7 SSRF reaching ECP (2 proxyLogon.ecp 241, 2 GetObject, 3 SetObject), of which 1 resets the OAB vdir.
    'exhunt.proxylogon.ssrf-autodiscover': 2,
    'exhunt.proxylogon.ssrf': 2,
    'exhunt.proxylogon.ssrf-ecp': 7,
    'exhunt.proxylogon.reset-vdir': 1,
    // ECP server log: two Set-OabVirtualDirectory with a script, one Remove- and one New-OABVirtualDirectory.
    'exhunt.proxylogon.ecp-set-vdir-script': 2,
    'exhunt.proxylogon.ecp-oab-vdir-reset': 2,
    // IIS: the dropped RedirSuiteServerProxy.aspx answered 200 five times (302s are not use).
    'exhunt.webshell.access': 5,
  });
  // Parity with Test-ProxyLogon on the same rows: 9 CVE-2021-26855 hits and 1 reset-vdir hit.
  assert.equal(hits['exhunt.proxylogon.ssrf']! + hits['exhunt.proxylogon.ssrf-ecp']!, 9);
  assert.equal(r.verdicts['proxylogon']!.status, 'compromised');
  const ips = new Set(r.findings.flatMap((f) => f.entities.ips));
  for (const ip of ['130.255.189.21', '139.162.202.236', '67.205.176.9']) assert.ok(ips.has(ip), `attacker ${ip}`);
});

test('victims\' pasted Test-ProxyLogon extracts (Microsoft Q&A): every non-scanner SSRF value, nothing from the benign logs', { skip: !present && why }, async () => {
  const r = await scan(join(CORPUS, 'microsoft-qa'));
  // qa-302014: 7 ServerInfo~ rows; qa-309846: 46 rows of which 14 are Microsoft's localhost scanner.
  assert.deepEqual(hitsByRule(r), { 'exhunt.proxylogon.ssrf-text': 7 + 32 });
  assert.ok(r.findings.every((f) => f.source.path.endsWith('.txt')), 'the benign IIS/HttpProxy .log lines give nothing');
  assert.equal(r.verdicts['proxylogon']!.status, 'attempted');
});

for (const folder of ['qazeer-artefacts-help', 'iis-generic-webshell']) {
  test(`real benign lines give no ProxyLogon finding: ${folder}`, { skip: !present && why }, async (t) => {
    const r = await scan(join(CORPUS, folder));
    t.diagnostic(`${r.stats.logFiles} log files, ${r.stats.records} records, findings: ${r.findings.map((f) => f.ruleId).join(', ') || 'none'}`);
    assert.ok(r.stats.records > 0, 'records were read');
    assert.deepEqual(r.findings.filter((f) => f.evidence !== 'context').map((f) => `${f.ruleId} ${f.source.path}:${f.source.line}`), []);
  });
}
