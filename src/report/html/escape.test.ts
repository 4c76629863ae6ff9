import { test } from 'node:test';
import assert from 'node:assert/strict';
import { esc, visible, safeId } from './escape.js';
import { patternString, isShareableIp } from '../stix.js';
import { createRedactor } from '../redact.js';
import { emptyEntities, type Finding } from '../../model/finding.js';
import type { ScanResult } from '../../scan.js';

test('esc: markup characters become references, in text and attributes alike', () => {
  assert.equal(esc(`<a href="x" onclick='y'>&\``), '&#60;a href=&#34;x&#34; onclick=&#39;y&#39;&#62;&#38;&#96;');
  assert.equal(esc(undefined), '');
  assert.equal(esc(42), '42');
  assert.match(esc('x'.repeat(50), 10), /^x{10}… \(40 more characters\)$/);
});

test('visible: bidi overrides, invisible and control characters are shown, not applied', () => {
  assert.equal(visible('evil\u202Egnp.aspx'), 'evil\\u202Egnp.aspx');
  assert.equal(visible('a\u0000b\u001bc\u2066d\u200Be\uFEFF'), 'a\\u0000b\\u001Bc\\u2066d\\u200Be\\uFEFF');
  assert.equal(visible('tab\tand\nnewline stay'), 'tab\tand\nnewline stay');
  assert.equal(visible('lone \ud800 surrogate'), 'lone \ufffd surrogate');
  assert.equal(visible('emoji 😀 stays'), 'emoji 😀 stays');
});

test('safeId: only our own identifier shapes', () => {
  assert.equal(safeId('F0001'), 'F0001');
  assert.equal(safeId('a" onmouseover="x'), '');
  assert.equal(safeId(undefined), '');
});

test('STIX string literals escape backslash and quote only', () => {
  assert.equal(patternString("C:\\it's"), "'C:\\\\it\\'s'");
  assert.equal(patternString('plain'), "'plain'");
});

test('only addresses that mean something elsewhere are shared', () => {
  for (const ip of ['203.0.113.5', '198.51.100.7', '8.8.8.8', '2001:db8::1']) assert.ok(isShareableIp(ip), ip);
  for (const ip of ['10.0.0.1', '192.168.1.1', '172.16.0.1', '172.31.255.1', '127.0.0.1', '169.254.1.1', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00::1', 'not-an-ip']) assert.ok(!isShareableIp(ip), ip);
});

test('redaction replaces whole names only, case-insensitively, with stable pseudonyms', () => {
  const f: Finding = {
    id: 'F0001', ruleId: 'r', title: 't', severity: 'high', family: null, cves: [], evidence: 'success', count: 1,
    summary: 'k.ito@contoso.com and K.ITO@CONTOSO.COM; administrator of admin.site; CONTOSO\\admin; SYSTEM',
    source: { path: 'Users/admin/x', kind: 'text' }, fields: { 'k.ito@contoso.com': 'key too' }, samples: [], tags: [],
    entities: { ...emptyEntities(), mailboxes: ['k.ito@contoso.com'], accounts: ['CONTOSO\\admin', 'SYSTEM'] },
  };
  const r = { findings: [f], nextSteps: [] } as unknown as ScanResult;
  const red = createRedactor(Buffer.from('k'));
  const out = red.redact(r).findings[0]!;
  const mbx = red.pseudonym('k.ito@contoso.com', 'mailbox');
  const acct = red.pseudonym('CONTOSO\\admin', 'account');
  const bare = red.pseudonym('admin', 'account');
  assert.equal(red.pseudonym('K.Ito@Contoso.com', 'mailbox'), mbx);
  assert.equal(out.summary, `${mbx} and ${mbx}; administrator of admin.site; ${acct}; SYSTEM`);
  assert.equal(out.source.path, `Users/${bare}/x`);
  assert.deepEqual(Object.keys(out.fields), [mbx]);
  assert.equal(r.findings[0]!.summary.startsWith('k.ito'), true, 'the input is not changed');
  assert.notEqual(createRedactor(Buffer.from('other')).pseudonym('k.ito@contoso.com', 'mailbox'), mbx);
});
