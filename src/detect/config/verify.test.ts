import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { assetPath } from '../../assets.js';
import { verifyMitigations, type ConfigFileInput, type IisConfigInput } from './verify.js';
import { parseConfigXml, ConfigXmlError, decodeEntities } from './xml.js';
import { webConfigFragment } from '../../mitigate/webconfig.js';

const fx = (name: string): ConfigFileInput => ({ path: `fixtures/${name}`, text: readFileSync(assetPath(`test/fixtures/config/${name}`), 'utf8') });
const plainHost = fx('applicationHost-plain.config');
const verify = (i: Partial<IisConfigInput>) => verifyMitigations({ appHost: plainHost, ...i });

test('valid ProxyNotShell rule in the site web.config: mitigated; OWASSRF and ProxyShell never are', () => {
  const r = verify({ siteWebConfig: fx('site-valid.web.config') });
  assert.equal(r.families['proxynotshell']!.status, 'mitigated');
  assert.equal(r.families['proxynotshell']!.rules[0]!.valid, true);
  assert.equal(r.families['owassrf']!.status, 'not-mitigated');
  assert.equal(r.families['owassrf']!.rewriteMitigationExists, false);
  assert.ok(r.families['owassrf']!.reasons.some((x) => /does not stop OWASSRF/.test(x)));
  assert.equal(r.families['proxyshell']!.status, 'not-mitigated');
  assert.equal(r.families['proxylogon']!.status, 'not-mitigated');
  assert.match(r.note, /not a fix/);
});

test('ProxyLogon rules in applicationHost.config <location path="Default Web Site">: mitigated', () => {
  const r = verifyMitigations({ appHost: fx('applicationHost.config') });
  assert.equal(r.families['proxylogon']!.status, 'mitigated', r.families['proxylogon']!.reasons.join('\n'));
  assert.equal(r.families['proxynotshell']!.status, 'not-mitigated');
});

test('a valid rule under another name with CustomResponse counts (HealthChecker checks behaviour, not names)', () => {
  assert.equal(verify({ siteWebConfig: fx('site-other-name.web.config') }).families['proxynotshell']!.status, 'mitigated');
});

test('wrong (old, bypassable) pattern under the expected name: conflicting', () => {
  const f = verify({ siteWebConfig: fx('site-wrong-pattern.web.config') }).families['proxynotshell']!;
  assert.equal(f.status, 'conflicting-or-disabled');
  assert.ok(f.rules[0]!.problems.some((p) => /condition is "\{REQUEST_URI\}"/.test(p)), f.rules[0]!.problems.join('; '));
  assert.ok(f.reasons.some((x) => /roll back, then re-apply/.test(x)));
});

test('disabled rule: conflicting-or-disabled', () => {
  const f = verify({ siteWebConfig: fx('site-disabled.web.config') }).families['proxynotshell']!;
  assert.equal(f.status, 'conflicting-or-disabled');
  assert.ok(f.reasons.some((x) => /disabled/.test(x)));
});

test('removed by a child web.config (<remove> or <clear/>): not mitigated, naming the file', () => {
  for (const child of ['child-remove.web.config', 'child-clear.web.config']) {
    const f = verify({ siteWebConfig: fx('site-valid.web.config'), children: [{ ...fx(child), vdir: 'autodiscover' }] }).families['proxynotshell']!;
    assert.equal(f.status, 'not-mitigated', child);
    assert.ok(f.reasons.some((x) => x.startsWith('/autodiscover:') && x.includes(child)), f.reasons.join('\n'));
  }
  const neutral = verify({ siteWebConfig: fx('site-valid.web.config'), children: [{ ...fx('child-neutral.web.config'), vdir: 'owa' }] });
  assert.equal(neutral.families['proxynotshell']!.status, 'mitigated');
});

test('an applicationHost.config <location path="Default Web Site/ecp"> that clears rules removes ProxyLogon for /ecp', () => {
  const host = fx('applicationHost.config');
  const text = host.text!.replace('</configuration>', '<location path="Default Web Site/ecp"><system.webServer><rewrite><rules><clear/></rules></rewrite></system.webServer></location></configuration>');
  const f = verifyMitigations({ appHost: { ...host, text } }).families['proxylogon']!;
  assert.equal(f.status, 'not-mitigated');
  assert.ok(f.reasons.some((x) => x.startsWith('/ecp:')));
});

test('unparsable XML anywhere: unknown, with the parser message', () => {
  const f = verify({ siteWebConfig: fx('site-valid.web.config'), children: [{ ...fx('unparsable.web.config'), vdir: 'autodiscover' }] });
  assert.equal(f.families['proxynotshell']!.status, 'unknown');
  assert.ok(f.families['proxynotshell']!.reasons[0]!.includes('not valid XML'));
  assert.equal(f.files.find((x) => x.role === 'child web.config')!.error !== undefined, true);
  assert.equal(verify({ siteWebConfig: fx('unparsable.web.config') }).families['proxylogon']!.status, 'unknown');
  // ProxyShell stays not-mitigated whatever the files hold: no rule can mitigate it.
  assert.equal(f.families['proxyshell']!.status, 'not-mitigated');
});

test('no config at all: unknown', () => {
  const r = verifyMitigations({});
  assert.equal(r.families['proxylogon']!.status, 'unknown');
  assert.equal(r.families['proxynotshell']!.status, 'unknown');
});

test('our own generated web.config fragment verifies as mitigated (generator and verifier agree)', () => {
  for (const fam of ['proxylogon', 'proxynotshell'] as const) {
    const r = verify({ siteWebConfig: { path: 'generated', text: webConfigFragment(fam) } });
    assert.equal(r.families[fam]!.status, 'mitigated', r.families[fam]!.reasons.join('\n'));
  }
});

test('rule checks: Wildcard syntax, other match url, wrong action, narrowing condition, stopProcessing', () => {
  const base = readFileSync(assetPath('test/fixtures/config/site-valid.web.config'), 'utf8');
  const cases: Array<[string, string, RegExp]> = [
    ['stopProcessing="true"', 'stopProcessing="true" patternSyntax="Wildcard"', /patternSyntax/],
    ['<match url=".*" />', '<match url="autodiscover.*" />', /match url/],
    ['<action type="AbortRequest" />', '<action type="None" />', /action is "None"/],
    ['</conditions>', '<add input="{HTTP_HOST}" pattern="^mail$" /></conditions>', /narrow/],
  ];
  for (const [from, to, why] of cases) {
    const f = verify({ siteWebConfig: { path: 'x', text: base.replace(from, to) } }).families['proxynotshell']!;
    assert.equal(f.status, 'conflicting-or-disabled', to);
    assert.ok(f.rules[0]!.problems.some((p) => why.test(p)), `${to}: ${f.rules[0]!.problems.join('; ')}`);
  }
  // stopProcessing=false is fine when it is the only rule, not when others follow (HealthChecker).
  const alone = base.replace('stopProcessing="true"', 'stopProcessing="false"');
  assert.equal(verify({ siteWebConfig: { path: 'x', text: alone } }).families['proxynotshell']!.status, 'mitigated');
  const followed = alone.replace('</rules>', '<rule name="other"><match url="x" /><action type="None" /></rule></rules>');
  assert.equal(verify({ siteWebConfig: { path: 'x', text: followed } }).families['proxynotshell']!.status, 'conflicting-or-disabled');
});

test('XML bounds and entities: deep nesting refused, entities decoded, no DTD expansion', () => {
  assert.throws(() => parseConfigXml(`<configuration>${'<a>'.repeat(100)}${'</a>'.repeat(100)}</configuration>`), ConfigXmlError);
  assert.throws(() => parseConfigXml('<notconfig/>'), /no <configuration>/);
  assert.throws(() => parseConfigXml('garbage <<<'), ConfigXmlError);
  assert.equal(decodeEntities('a&amp;b&#x41;&#66;&foo;'), 'a&bAB&foo;');
  const doc = parseConfigXml('<configuration><x v="&lt;&#40;"/></configuration>');
  assert.equal(doc.children[0]!.attrs['v'], '<(');
});
