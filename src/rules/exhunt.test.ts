import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExhunt, summaryFields } from './exhunt.js';
import { RuleProblem } from './problem.js';
import { makeRecord as rec, ruleFromYaml } from './testing.js';
import { renderSummary } from './summary.js';
import { normaliseWindowsPath, isUnderInstall } from './paths.js';

const RULE = `
title: Web shell written outside the Exchange web folders by the OAB virtual directory reset
id: exhunt-test-oab-path
status: experimental
level: critical
logsource:
  product: exchange
  service: ecp-server
detection:
  selection:
    CmdletName|contains: 'Reset-OabVirtualDirectory'
  condition: selection
exhunt:
  family: proxylogon
  cves: [cve-2021-27065]
  evidence: success
  summary: 'OAB reset by {User} wrote {ShellPath} from {ClientIp}'
  groupBy: [ShellPath]
  extract:
    - field: Parameters
      regex: '-FilePathName\\s+''?(?P<ShellPath>[^'']+)'
  where:
    - notUnderInstall: { field: ShellPath, subpath: 'FrontEnd\\HttpProxy\\OAB' }
  entities:
    ips: [ClientIp]
    paths: [ShellPath]
    accounts: [User]
  raiseWith: proxylogon
`;

const record = (path: string): ReturnType<typeof rec> =>
  rec({ CmdletName: 'Reset-OabVirtualDirectory', Parameters: `-Identity 'OAB (Default Web Site)' -FilePathName '${path}'`, User: 'SYSTEM', ClientIp: '203.0.113.24' });

test('valid extension parses with defaults', () => {
  const { ext } = parseExhunt(undefined);
  assert.deepEqual(ext, { cves: [], evidence: 'attempt', extract: [], where: [], entities: {} });
  const rule = ruleFromYaml(RULE);
  assert.equal(rule.exhunt.family, 'proxylogon');
  assert.deepEqual(rule.exhunt.cves, ['CVE-2021-27065']);
  assert.equal(rule.exhunt.evidence, 'success');
  assert.deepEqual(rule.exhunt.groupBy, ['ShellPath']);
  assert.deepEqual(rule.exhunt.entities, { ips: ['ClientIp'], paths: ['ShellPath'], accounts: ['User'] });
  assert.deepEqual(rule.exhunt.where, [{ notUnderInstall: { field: 'ShellPath', subpath: 'FrontEnd\\HttpProxy\\OAB' } }]);
  assert.equal(rule.exhunt.raiseWith, 'proxylogon');
  assert.equal(rule.level, 'critical');
});

test('extract feeds derived fields, where and summary', () => {
  const rule = ruleFromYaml(RULE);
  const ctx = { installPath: 'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\' };
  const r1 = record('C:\\inetpub\\wwwroot\\aspnet_client\\system_web\\x.aspx');
  const m1 = rule.match(r1, ctx);
  assert.ok(m1);
  assert.equal(m1.derived.ShellPath, 'C:\\inetpub\\wwwroot\\aspnet_client\\system_web\\x.aspx');
  assert.equal(renderSummary(rule, r1, m1), 'OAB reset by SYSTEM wrote C:\\inetpub\\wwwroot\\aspnet_client\\system_web\\x.aspx from 203.0.113.24');
  // The legitimate location is filtered out by `where`.
  assert.equal(rule.match(record('C:\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\HttpProxy\\OAB\\x'), ctx), null);
  // ... even written differently (case, slashes, no trailing backslash on the install path).
  assert.equal(rule.match(record('c:/program files/microsoft/exchange server/v15/frontend/httpproxy/oab/x'), { installPath: 'C:\\Program Files\\Microsoft\\Exchange Server\\V15' }), null);
  // `..` climbing out of the install folder is resolved: this is outside.
  assert.ok(rule.match(record('C:\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\HttpProxy\\OAB\\..\\..\\..\\..\\..\\..\\..\\inetpub\\wwwroot\\aspnet_client\\x.aspx'), ctx));
  // Without the install path: fallback on the default layout anywhere.
  assert.equal(rule.match(record('D:\\Exchange Server\\V15\\FrontEnd\\HttpProxy\\OAB\\x'), {}), null);
  assert.ok(rule.match(record('D:\\Temp\\x.aspx')));
  // No path captured: the predicate cannot hold, the hit is dropped.
  assert.equal(rule.match(rec({ CmdletName: 'Reset-OabVirtualDirectory', Parameters: '-Identity x' })), null);
});

test('summary: missing fields render as -, braces escape, long values are cut', () => {
  const rule = ruleFromYaml(RULE.replace("summary: 'OAB reset by {User} wrote {ShellPath} from {ClientIp}'", "summary: '{{x}} {Nope} {User}'"));
  const r = record('C:\\x');
  assert.equal(renderSummary(rule, r, rule.match(r)!), '{x} - SYSTEM');
  assert.equal(renderSummary(rule, rec({ User: 'a'.repeat(300) }), { derived: {} }, 10), '{x} - aaaaaaaaaa…');
  assert.deepEqual(summaryFields('{A} and {B}'), ['A', 'B']);
});

test('underInstall and _raw extraction', () => {
  const rule = ruleFromYaml(`
title: t
id: t2
level: low
logsource: { product: exhunt, category: file }
detection:
  selection: { Extension: '.aspx' }
  condition: selection
exhunt:
  extract:
    - { field: _raw, regex: '(?P<Dir>[A-Za-z]:\\\\[^\\\\]+)' }
  where:
    - underInstall: { field: TargetFilename, subpath: 'FrontEnd\\HttpProxy\\owa\\auth' }
`);
  const ctx = { installPath: "'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\'" };
  const inside = rec({ TargetFilename: "'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\HttpProxy\\owa\\auth\\x.aspx'", Extension: '.aspx' });
  const m = rule.match(inside, ctx);
  assert.ok(m);
  assert.equal(m.derived.Dir, 'C:\\Program Files');
  assert.equal(rule.match(rec({ TargetFilename: 'C:\\inetpub\\x.aspx', Extension: '.aspx' }), ctx), null);
});

test('invalid extensions are clear errors', () => {
  const bad = (raw: unknown, re: RegExp): void => {
    assert.throws(() => parseExhunt(raw), (e: unknown) => e instanceof RuleProblem && re.test(e.message), re.source);
  };
  bad({ familly: 'x' }, /unknown key 'familly'/);
  bad({ family: 'Proxy Logon' }, /lower-case id/);
  bad({ cves: ['2021-26855'] }, /not a CVE id/);
  bad({ evidence: 'proof' }, /must be one of success, attempt, probe, context/);
  bad({ summary: 'a {b' }, /unclosed/);
  bad({ summary: 'a } b' }, /stray/);
  bad({ extract: [{ field: 'x', regex: '(a)' }] }, /no named group/);
  bad({ extract: [{ field: 'x', regex: '(?P<A>a)(?=b)' }] }, /not RE2 syntax/);
  bad({ extract: [{ field: 'x', regex: '(?P<A>a)', flags: 'i' }] }, /unknown key 'flags'/);
  bad({ where: [{ underinstall: { field: 'x', subpath: 'y' } }] }, /unknown predicate 'underinstall'/);
  bad({ where: [{ underInstall: { field: 'x' } }] }, /subpath must be a string/);
  bad({ where: [{ underInstall: { field: 'x', subpath: 'y' }, notUnderInstall: { field: 'x', subpath: 'y' } }] }, /exactly one/);
  bad({ entities: { ip: ['c-ip'] } }, /unknown kind 'ip'/);
  bad({ entities: { ips: [] } }, /non-empty list/);
  bad('x', /must be a map/);
});

test('windows path normalisation', () => {
  assert.equal(normaliseWindowsPath("'C:/Program Files//Microsoft\\Exchange Server\\V15\\'"), 'c:\\program files\\microsoft\\exchange server\\v15');
  assert.equal(normaliseWindowsPath('C:\\a\\.\\b\\..\\c'), 'c:\\a\\c');
  assert.equal(normaliseWindowsPath('C:\\..\\..\\x'), 'c:\\x');
  assert.equal(normaliseWindowsPath('\\\\srv\\share\\..\\..\\x'), '\\\\srv\\share\\x');
  assert.ok(isUnderInstall('C:\\Program Files\\Microsoft\\Exchange Server\\V14\\ClientAccess\\Owa\\x', 'ClientAccess\\Owa', undefined));
  assert.ok(!isUnderInstall('C:\\Program Files\\Microsoft\\Exchange Server\\V15\\ClientAccess\\OwaX\\x', 'ClientAccess\\Owa', undefined));
  assert.ok(!isUnderInstall('C:\\Exch\\V15x\\a', '', 'C:\\Exch\\V15'));
  assert.ok(isUnderInstall('C:\\Exch\\V15', '', 'C:\\Exch\\V15\\'));
});

test('windows path normalisation tolerates unbalanced quotes', () => {
  assert.equal(normaliseWindowsPath("'C:\\inetpub\\x.aspx"), 'c:\\inetpub\\x.aspx');
  assert.equal(normaliseWindowsPath(`"'C:\\inetpub\\x.aspx'" `), 'c:\\inetpub\\x.aspx');
});
