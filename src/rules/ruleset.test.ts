import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { RuleError } from '../model/errors.js';
import { loadRuleSet, RuleSet, logsourceApplies } from './ruleset.js';
import { makeRecord as rec } from './testing.js';
import { renderSummary } from './summary.js';

// Tests run from the project root (`node --test dist/`).
const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'rules');

test('good fixtures load without issues, also strictly; collections merge the global document', async () => {
  const rs = await loadRuleSet(join(FIXTURES, 'good'), { strict: true });
  assert.deepEqual(rs.issues, []);
  assert.deepEqual(rs.rules.map((r) => r.id).sort(), [
    'fixture-httpproxy-serverinfo-anchor', 'fixture-web-autodiscover-at', 'fixture-web-ecp-js-post', 'fixture-web-ua',
  ]);
  const ecp = rs.get('fixture-web-ecp-js-post')!;
  assert.equal(ecp.level, 'medium');
  assert.equal(ecp.file, 'web/collection.yml');
  assert.deepEqual(ecp.logsource, { category: 'webserver' });
  assert.equal(rs.get('fixture-web-autodiscover-at')!.level, 'high');
});

test('forLogsource selects by product/category/service', async () => {
  const rs = await loadRuleSet(join(FIXTURES, 'good'));
  const ids = (ls: Parameters<RuleSet['forLogsource']>[0]): string[] => rs.forLogsource(ls).map((r) => r.id).sort();
  assert.deepEqual(ids({ product: 'exchange', service: 'httpproxy' }), ['fixture-httpproxy-serverinfo-anchor']);
  assert.deepEqual(ids({ product: 'Exchange', service: 'HttpProxy' }), ['fixture-httpproxy-serverinfo-anchor']);
  assert.deepEqual(ids({ product: 'exchange', service: 'ecp-server' }), []);
  assert.deepEqual(ids({ category: 'webserver', product: 'windows', service: 'iis' }), ['fixture-web-autodiscover-at', 'fixture-web-ecp-js-post', 'fixture-web-ua']);
  assert.ok(logsourceApplies({ product: 'windows' }, { product: 'windows', service: 'security' }));
  assert.ok(!logsourceApplies({ product: 'windows', service: 'system' }, { product: 'windows', service: 'security' }));
  assert.ok(rs.prefilterFor({ category: 'webserver' }));
});

test('our Exchange fixture rule end to end', async () => {
  const rs = await loadRuleSet(join(FIXTURES, 'good'));
  const rule = rs.get('fixture-httpproxy-serverinfo-anchor')!;
  const attack = rec({ AnchorMailbox: 'ServerInfo~mx1.example.local/ecp/y.js', AuthenticatedUser: '', ClientIpAddress: '203.0.113.24' });
  const m = rule.match(attack);
  assert.ok(m);
  assert.equal(renderSummary(rule, attack, m), 'SSRF from 203.0.113.24 to mx1.example.local');
  assert.equal(rule.match(rec({ AnchorMailbox: 'ServerInfo~mx1/ecp', AuthenticatedUser: 'EXAMPLE\\admin' })), null);
  assert.equal(rule.match(rec({ AnchorMailbox: 'SMTP:user@example.com', AuthenticatedUser: '' })), null);
  assert.deepEqual(rule.prefilter, { literals: ['serverinfo~'], caseSensitive: false });
});

test('webserver fixtures through the IIS field mapping', async () => {
  const rs = await loadRuleSet(join(FIXTURES, 'good'));
  const iis = (f: Record<string, string>): ReturnType<typeof rec> => rec({ 'cs-method': 'GET', 'cs-uri-stem': '/owa/', 'cs-uri-query': '-', 'cs(User-Agent)': 'Mozilla/5.0', 'sc-status': '200', ...f });
  const ua = rs.get('fixture-web-ua')!;
  assert.ok(ua.match(iis({ 'cs(User-Agent)': 'python-requests/2.25.1', 'sc-status': '302' })));
  assert.equal(ua.match(iis({ 'cs(User-Agent)': 'python-requests/2.25.1', 'sc-status': '401' })), null);
  const at = rs.get('fixture-web-autodiscover-at')!;
  // IIS splits the query off at '?': the rule still sees the whole URI.
  assert.ok(at.match(iis({ 'cs-uri-stem': '/autodiscover/autodiscover.json', 'cs-uri-query': '@evil.com/mapi/nspi/?&Email=autodiscover/autodiscover.json%3F@evil.com' })));
  // HTTPERR logs carry cs-uri directly.
  assert.ok(at.match(rec({ 'cs-uri': '/autodiscover/autodiscover.json?@evil.com/owa/' })));
  assert.equal(at.match(iis({ 'cs-uri-stem': '/autodiscover/autodiscover.json', 'cs-uri-query': 'x=1' })), null);
});

test('bad fixtures become issues with file, rule id and reason', async () => {
  const rs = await loadRuleSet(join(FIXTURES, 'bad'));
  const byFile = new Map(rs.issues.map((i) => [i.file, i]));
  const expect = (file: string, ruleId: string | undefined, re: RegExp): void => {
    const i = byFile.get(file);
    assert.ok(i, `no issue for ${file}`);
    assert.equal(i.ruleId, ruleId, file);
    assert.match(i.message, re, file);
  };
  expect('yaml-syntax.yml', undefined, /^invalid: YAML error/);
  expect('missing-id.yml', undefined, /^invalid: 'id' is required/);
  expect('duplicate-id.yml', 'fixture-bad-duplicate', /^invalid: duplicate rule id \(first defined in duplicate-id.yml\)/);
  expect('lookaround.yml', 'fixture-bad-lookaround', /^unsupported: .*look-around/);
  expect('aggregation.yml', 'fixture-bad-aggregation', /^unsupported: aggregation/);
  expect('exhunt-key.yml', 'fixture-bad-exhunt', /^invalid: exhunt: unknown key 'evidense'/);
  expect('level.yml', 'fixture-bad-level', /^invalid: 'level' is 'severe'/);
  assert.equal(rs.issues.length, 7);
  assert.deepEqual(rs.rules.map((r) => r.id), ['fixture-bad-duplicate']);
});

test('strict mode throws RuleError naming file and rule', async () => {
  await assert.rejects(loadRuleSet(join(FIXTURES, 'bad'), { strict: true }), (e: unknown) => {
    return e instanceof RuleError && e.code === 'E_RULE' && e.file === 'aggregation.yml' && /aggregation\.yml: rule fixture-bad-aggregation: unsupported: aggregation/.test(e.message);
  });
  assert.throws(
    () => RuleSet.fromSources([{ file: 'x/y.yml', text: 'title: t\nid: r1\nlevel: low\nlogsource: {product: exchange}\ndetection: {s: {a: b}, condition: nope}\n' }], { strict: true }),
    (e: unknown) => e instanceof RuleError && e.message.startsWith("x/y.yml: rule r1: invalid: condition 'nope': unknown selection 'nope'"),
  );
});

test('the example in docs/rules.md compiles and behaves as described', async () => {
  const { readFile } = await import('node:fs/promises');
  const md = await readFile(join(process.cwd(), 'docs', 'rules.md'), 'utf8');
  const block = /```yaml\n([\s\S]*?)```/.exec(md);
  assert.ok(block, 'no yaml example in docs/rules.md');
  const rs = RuleSet.fromSources([{ file: 'docs/rules.md', text: block[1]! }], { strict: true });
  const rule = rs.rules[0]!;
  const ctx = { installPath: 'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\' };
  const bad = rec({}, "2021-03-03T07:01:12.118Z,18,Warning,Download failed and temporary file 'C:\\inetpub\\wwwroot\\aspnet_client\\system_web\\e.aspx' needs to be removed");
  const m = rule.match(bad, ctx);
  assert.ok(m);
  assert.equal(renderSummary(rule, bad, m), "file written outside the OAB folder: 'C:\\inetpub\\wwwroot\\aspnet_client\\system_web\\e.aspx'");
  const benign = rec({}, "2021-03-01T02:00:41.512Z,11,Warning,Download failed and temporary file 'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\ClientAccess\\OAB\\Temp\\x.tmp' needs to be removed");
  assert.equal(rule.match(benign, ctx), null);
});

test('YAML numbers keep their source text; decimal ones still compare numerically', () => {
  const text = `title: t
id: yaml-numbers
level: low
logsource: { product: windows, service: security }
detection:
  sel:
    TicketOptions: 0x40810000
    EventID: 4769
    Ratio|gte: 1.50
  condition: sel
`;
  const rule = RuleSet.fromSources([{ file: 'n.yml', text }], { strict: true }).rules[0]!;
  assert.ok(rule.match(rec({ TicketOptions: '0x40810000', EventID: 4769, Ratio: '1.5' })));
  assert.ok(rule.match(rec({ TicketOptions: '0X40810000', EventID: '04769', Ratio: '2' })));
  // 0x40810000 is not read as the number 1082195968.
  assert.equal(rule.match(rec({ TicketOptions: '1082195968', EventID: 4769, Ratio: '2' })), null);
});

test('level is optional for third-party rules (medium), required for our own', () => {
  const text = 'title: t\nid: no-level\nlogsource: {product: exchange}\ndetection: {s: {a: b}, condition: s}\n';
  const lenient = RuleSet.fromSources([{ file: 'l.yml', text }]);
  assert.deepEqual(lenient.issues, []);
  assert.equal(lenient.rules[0]!.level, 'medium');
  assert.throws(() => RuleSet.fromSources([{ file: 'l.yml', text }], { strict: true }), /'level' is required/);
});

test('a set from documents compiles per log source on demand, with the same rules in the same order', async () => {
  const { ownRuleSources } = await import('../detect/rule-pack.js');
  const eager = RuleSet.fromSources(await ownRuleSources(), { strict: true });
  const sources = [
    { product: 'exchange', service: 'httpproxy' },
    { category: 'webserver', product: 'windows' },
    { product: 'exhunt', category: 'file' },
    { product: 'windows', service: 'security' },
  ];
  const lazy = RuleSet.fromDocs(eager.docs);
  assert.equal(lazy.size, eager.rules.length);
  for (const ls of sources) {
    const want = eager.forLogsource(ls).map((r) => r.id);
    assert.ok(want.length > 0, `rules for ${JSON.stringify(ls)}`);
    assert.deepEqual(lazy.forLogsource(ls).map((r) => r.id), want, JSON.stringify(ls));
  }
  // A document whose logsource block is not plain strings is compiled to decide (never skipped unseen).
  const odd = RuleSet.fromDocs([{ file: 'x.yml', doc: { ...(eager.docs[0]!.doc as object), logsource: { product: 42 } } }]);
  assert.throws(() => odd.forLogsource({ product: 'exchange' }));
  assert.deepEqual(lazy.rules.map((r) => r.id), eager.rules.map((r) => r.id));
  assert.equal(lazy.get(eager.rules[3]!.id)?.id, eager.rules[3]!.id);
});
