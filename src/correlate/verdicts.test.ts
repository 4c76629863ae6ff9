import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideVerdict, type FamilySpec } from './verdicts.js';
import { attributeUnclaimed, applyRaises } from './attribution.js';
import { emptyEntities, type EvidenceWeight, type Finding } from '../model/finding.js';
import type { Coverage, SourceCoverage } from '../evidence/coverage.js';

const FAMILY: FamilySpec = {
  id: 'proxylogon',
  name: 'ProxyLogon',
  cves: ['CVE-2021-26855'],
  windowStart: '2021-01-03T00:00:00.000Z',
  windowSource: 'test',
  detectableIn: [{ accepts: (g) => g === 'IIS/W3SVC1', label: 'IIS' }],
  isFixed: (b) => (b === '15.1.2176.9' ? true : b === '15.1.2176.2' ? false : undefined),
};

function finding(id: string, evidence: EvidenceWeight, family: string | null, time?: string, extra: Partial<Finding> = {}): Finding {
  return { id, ruleId: `r.${id}`, title: `t ${id}`, severity: 'high', family, cves: [], evidence, summary: '', count: 1, source: { path: 'x', kind: 'iis-w3c' }, fields: {}, entities: emptyEntities(), samples: [], tags: [], ...(time ? { time } : {}), ...extra };
}

function iis(first: string, last: string, gaps: SourceCoverage['gaps'] = []): Coverage {
  return {
    sources: [{ id: 'IIS/W3SVC1', kind: 'iis-w3c', files: 1, bytes: 1, records: 1, firstTime: first, lastTime: last, hoursWithRecords: 1, gaps, minGapHours: 24, longRecords: 0, malformed: 0, truncatedFiles: 0, skipped: [] }],
    missing: [],
    problems: [],
    evidenceStart: first,
    evidenceEnd: last,
  };
}

const FULL = iis('2020-12-28T00:00:00.000Z', '2021-03-20T00:00:00.000Z');

test('row 1: a success finding makes the family compromised', () => {
  const v = decideVerdict(FAMILY, { findings: [finding('F1', 'success', 'proxylogon', '2021-03-03T00:00:00Z'), finding('F2', 'attempt', 'proxylogon')], coverage: FULL, builds: [] });
  assert.equal(v.status, 'compromised');
  assert.deepEqual(v.findingIds, ['F1', 'F2']);
});

test('row 3: attempts only make it attempted; probes alone change nothing', () => {
  assert.equal(decideVerdict(FAMILY, { findings: [finding('F1', 'attempt', 'proxylogon')], coverage: FULL, builds: [] }).status, 'attempted');
  const probes = decideVerdict(FAMILY, { findings: [finding('F1', 'probe', 'proxylogon')], coverage: FULL, builds: [] });
  assert.equal(probes.status, 'clean');
  assert.match(probes.reasons.join(' '), /scanner probe/);
});

test('rows 5–7: clean only when a detecting log covers the window; gaps and late starts are inconclusive', () => {
  assert.equal(decideVerdict(FAMILY, { findings: [], coverage: FULL, builds: [] }).status, 'clean');
  const late = decideVerdict(FAMILY, { findings: [], coverage: iis('2021-02-15T00:00:00.000Z', '2021-03-20T00:00:00.000Z'), builds: [] });
  assert.equal(late.status, 'inconclusive');
  assert.match(late.reasons.join(' '), /starts 2021-02-15/);
  const gap = decideVerdict(FAMILY, { findings: [], coverage: iis('2020-12-28T00:00:00.000Z', '2021-03-20T00:00:00.000Z', [{ start: '2021-02-01T00:00:00.000Z', end: '2021-02-03T00:00:00.000Z', hours: 48 }]), builds: [] });
  assert.equal(gap.status, 'inconclusive');
  const none = decideVerdict(FAMILY, { findings: [], coverage: { sources: [], missing: [], problems: [] }, builds: [] });
  assert.equal(none.status, 'inconclusive');
});

test('the window ends at the first fixed build the logs show; logs covering only up to it are enough', () => {
  const cov = iis('2020-12-28T00:00:00.000Z', '2021-03-05T00:00:00.000Z');
  const builds = [
    { build: '15.1.2176.2', firstSeenMs: Date.parse('2020-12-28T00:00:00Z'), lastSeenMs: Date.parse('2021-03-04T00:00:00Z'), source: 'a' },
    { build: '15.1.2176.9', firstSeenMs: Date.parse('2021-03-04T10:00:00Z'), lastSeenMs: Date.parse('2021-03-05T00:00:00Z'), source: 'b' },
  ];
  const v = decideVerdict(FAMILY, { findings: [], coverage: cov, builds });
  assert.equal(v.window.end, '2021-03-04T10:00:00.000Z');
  assert.equal(v.status, 'clean');
});

test('row 4: evidence that ends before the family existed is not applicable', () => {
  const v = decideVerdict(FAMILY, { findings: [], coverage: iis('2019-09-03T10:00:00.000Z', '2019-09-03T11:00:00.000Z'), builds: [] });
  assert.equal(v.status, 'not-applicable');
});

test('row 2: a web shell used after the first attempt turns attempted into compromised, and raises context findings', () => {
  const attempt = finding('F1', 'attempt', 'proxylogon', '2021-03-03T00:00:00.000Z');
  const before = finding('F2', 'success', null, '2021-03-01T00:00:00.000Z');
  const shell = finding('F3', 'success', null, '2021-03-03T05:00:00.000Z');
  const archive = finding('F4', 'context', null, undefined, { severity: 'low', raiseWith: 'proxylogon' });
  const findings = [attempt, before, shell, archive];
  const verdicts = { proxylogon: decideVerdict(FAMILY, { findings, coverage: FULL, builds: [] }) };
  assert.equal(verdicts.proxylogon.status, 'attempted');
  attributeUnclaimed(findings, verdicts);
  applyRaises(findings, verdicts);
  assert.equal(verdicts.proxylogon.status, 'compromised');
  assert.ok(verdicts.proxylogon.findingIds.includes('F3') && !verdicts.proxylogon.findingIds.includes('F2'), 'only post-exploitation after the first attempt is linked');
  assert.ok(!verdicts.proxylogon.reasons.some((r) => r.startsWith('no file write')));
  assert.equal(archive.severity, 'high');
});
