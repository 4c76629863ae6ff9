import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FindingCollector, LIMITS, type Hit } from './collector.js';
import { RuleSet } from '../rules/index.js';
import type { EventRecord } from '../model/record.js';

const RULE = `
title: test rule
id: t.rule
logsource: { category: webserver }
detection:
  sel:
    cs-uri-stem|endswith: '.aspx'
  condition: sel
level: high
exhunt:
  evidence: success
  summary: '{cs-method} {cs-uri-stem} from {c-ip}'
  groupBy: [c-ip]
`;
const rule = RuleSet.fromSources([{ file: 't.yml', text: RULE }], { strict: true }).rules[0]!;

function rec(fields: Record<string, string>): EventRecord {
  const m = new Map(Object.entries(fields).map(([k, v]) => [k.toLowerCase(), v]));
  return { get: (f) => m.get(f.toLowerCase()), fieldNames: () => Object.keys(fields), raw: Object.values(fields).join(' ') };
}

function hit(ip: string, t: number, line: number, path = 'u_ex210303.log'): Hit {
  const r = rec({ 'c-ip': ip, 'cs-method': 'POST', 'cs-uri-stem': '/aspnet_client/x.aspx', 's-ip': '10.0.0.5' });
  return { rule, record: r, match: rule.match(r)!, time: t, source: { path, line }, sourceKind: 'iis-w3c' };
}

test('hits of one rule and key group into one counted finding with first/last time and bounded samples', () => {
  const c = new FindingCollector();
  for (let i = 0; i < 1000; i++) c.add(hit('198.51.100.7', Date.UTC(2021, 2, 3, 10) + i * 1000, i + 1));
  c.add(hit('203.0.113.9', Date.UTC(2021, 2, 3, 9), 5000));
  const fs = c.findings();
  assert.equal(fs.length, 2);
  const flood = fs.find((f) => f.entities.ips[0] === '198.51.100.7')!;
  assert.equal(flood.count, 1000);
  assert.equal(flood.time, '2021-03-03T10:00:00.000Z');
  assert.equal(flood.lastTime, new Date(Date.UTC(2021, 2, 3, 10) + 999_000).toISOString());
  assert.equal(flood.samples.length, LIMITS.samples);
  assert.equal(flood.samples.at(-1)!.source.line, 1000, 'the latest hit is kept');
  assert.equal(flood.summary, 'POST /aspnet_client/x.aspx from 198.51.100.7');
  assert.deepEqual(fs.map((f) => f.id), ['F0001', 'F0002']);
  assert.equal(fs[0]!.entities.ips[0], '203.0.113.9', 'ids follow time order');
});

test('groups per rule are capped; the rest fold into one overflow finding (memory stays bounded)', () => {
  const c = new FindingCollector();
  const n = LIMITS.groupsPerRule + 250;
  for (let i = 0; i < n; i++) c.add(hit(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, Date.UTC(2021, 2, 3) + i, i + 1));
  const fs = c.findings();
  assert.equal(fs.length, LIMITS.groupsPerRule + 1);
  assert.equal(fs.reduce((s, f) => s + f.count, 0), n, 'no hit is lost');
});

test('the server\'s own address is not an attacker entity', () => {
  const c = new FindingCollector();
  c.add(hit('10.0.0.5', Date.UTC(2021, 2, 3), 1));
  assert.deepEqual(c.findings()[0]!.entities.ips, []);
});

test('merging worker collectors gives the same findings as one collector, whatever the order', () => {
  const hits = Array.from({ length: 60 }, (_, i) => hit(i % 3 === 0 ? '203.0.113.9' : '198.51.100.7', Date.UTC(2021, 2, 3) + ((i * 7919) % 60) * 1000, i + 1, `f${i % 4}.log`));
  const one = new FindingCollector();
  for (const h of hits) one.add(h);
  for (const order of [[0, 1], [1, 0]]) {
    const parts = [new FindingCollector(), new FindingCollector()];
    hits.forEach((h, i) => parts[i % 2]!.add(h));
    const merged = new FindingCollector();
    for (const k of order) merged.merge(parts[k]!.export());
    const a = one.findings();
    const b = merged.findings();
    assert.deepEqual(b.map((f) => [f.count, f.time, f.lastTime, f.source.path, f.source.line]), a.map((f) => [f.count, f.time, f.lastTime, f.source.path, f.source.line]));
    for (const f of b) assert.ok(f.samples.length <= LIMITS.samples);
  }
});

test('records without a line (EVTX, by record offset): the samples do not depend on the order hits arrive in', () => {
  const evtx = (t: number, offset: number): Hit => {
    const h = hit('198.51.100.7', t, 0, 'Security.evtx');
    return { ...h, source: { path: 'Security.evtx', offset } };
  };
  const hits = Array.from({ length: 12 }, (_, i) => evtx(Date.UTC(2021, 2, 3) + ((i * 5) % 12) * 1000, 1000 + i));
  const runs = [hits, [...hits].reverse(), [...hits.slice(6), ...hits.slice(0, 6)]].map((order) => {
    const c = new FindingCollector();
    for (const h of order) c.add(h);
    const f = c.findings()[0]!;
    return { first: f.source.offset, samples: f.samples.map((s) => s.source.offset) };
  });
  assert.equal(runs[0]!.samples.length, LIMITS.samples);
  assert.deepEqual(runs[1], runs[0]);
  assert.deepEqual(runs[2], runs[0]);
});
