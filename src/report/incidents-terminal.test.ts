import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderTerminal } from './terminal.js';
import { correlateIncidents } from '../correlate/incidents.js';
import { emptyEntities, type Finding } from '../model/finding.js';
import type { ScanResult } from '../scan.js';

const ESC = '\u001b[2J';

function finding(id: string, o: Partial<Finding>): Finding {
  return {
    id, ruleId: 'exhunt.webshell.access', title: 't', severity: 'critical', family: null, cves: [], evidence: 'success', summary: `${ESC}shell used`,
    time: '2021-03-03T16:00:00.000Z', count: 3, source: { path: `inetpub/${ESC}x.log`, line: 1, kind: 'iis-w3c' }, fields: {}, samples: [], tags: [],
    entities: { ...emptyEntities(), ips: [`203.0.113.9${ESC}`], paths: [`/aspnet_client/${ESC}s.aspx`], mailboxes: [`a${ESC}@b.c`], accounts: [`CONTOSO\\${ESC}x`] },
    ...o,
  };
}

test('incident section: attacker text from the evidence is escaped, and the section follows the verdicts', () => {
  const findings = [finding('F0001', {})];
  const c = correlateIncidents({ findings, verdicts: {} });
  const r = {
    tool: { version: '0', durationMs: 1, rulePack: { rules: 1, issues: [] } },
    host: { evidence: { layout: 'log-folder' }, exchange: { builds: [] } },
    stats: { logBytes: 1, logFiles: 1, records: 1, filesInventoried: 0 },
    verdicts: {}, findings, coverage: { sources: [], missing: [], problems: [] }, nextSteps: [],
    incidents: c.incidents, scanning: c.scanning,
  } as unknown as ScanResult;
  for (const verbose of [false, true]) {
    const out = renderTerminal(r, { color: false, verbose });
    const section = out.slice(out.indexOf('Incident I1'), out.indexOf('Findings ('));
    assert.match(section, /COMPROMISED/);
    assert.match(section, /Shell: /);
    assert.ok(!section.includes('\u001b'), 'no raw escape character in the incident section');
    assert.match(section, /\\x1b\[2J/);
  }
});
