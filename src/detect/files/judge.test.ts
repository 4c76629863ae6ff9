import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { combine, judgeContent, judgePlace, rank, RULE, yaraSeverity } from './judge.js';
import { HashDb } from './hash-db.js';
import { looksRandom } from './names.js';
import { placeOf } from './place.js';

const FE = 'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\HttpProxy';
const top = (p: string) => judgePlace(p).sort((a, b) => rank(b.severity) - rank(a.severity))[0];

describe('placeOf', () => {
  it('finds the shell places by path components, whatever the drive or install folder', () => {
    assert.equal(placeOf('C:\\inetpub\\wwwroot\\aspnet_client\\system_web\\x.aspx').id, 'aspnet_client');
    assert.equal(placeOf('D:\\Exchange\\V15\\FrontEnd\\HttpProxy\\owa\\auth\\x.aspx').id, 'owa-auth');
    assert.equal(placeOf(`${FE}\\ecp\\auth\\x.aspx`).id, 'ecp-auth');
    assert.equal(placeOf('C:\\Program Files\\Microsoft\\Exchange Server\\V15\\ClientAccess\\OAB\\Temp\\LZX1.djs').id, 'oab');
    assert.equal(placeOf('C:\\inetpub\\wwwroot\\x.aspx').id, 'wwwroot');
    assert.equal(placeOf('C:\\inetpub\\wwwroot\\sub\\x.aspx').id, 'web');
    assert.equal(placeOf('C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\Temporary ASP.NET Files\\root\\a\\b\\x.dll').id, 'temp-aspnet');
    // A folder named like a place is the place only with its parent: owa\auth needs HttpProxy before it.
    assert.equal(placeOf('C:\\Program Files\\Microsoft\\Exchange Server\\V15\\ClientAccess\\Owa\\auth\\x.aspx').id, 'web');
  });
});

describe('judgePlace (names and places)', () => {
  it('positive: pages in aspnet_client, campaign names, pages Exchange does not ship in the sign-in folders', () => {
    assert.equal(top('C:\\inetpub\\wwwroot\\aspnet_client\\system_web\\Xf3kQ9aL.aspx')?.ruleId, RULE.aspnetClientPage);
    assert.equal(top('C:\\inetpub\\wwwroot\\aspnet_client\\x.ashx')?.severity, 'high');
    const redir = judgePlace(`${FE}\\owa\\auth\\RedirSuiteServerProxy.aspx`);
    assert.ok(redir.some((r) => r.ruleId === RULE.campaignName && r.severity === 'high' && r.text.includes('RedirSuiteServiceProxy.aspx')));
    assert.equal(top(`${FE}\\owa\\auth\\custom.aspx`)?.severity, 'medium');
    assert.equal(top(`${FE}\\owa\\auth\\QDguqtuw.aspx`)?.severity, 'high', 'random-looking name');
    assert.equal(top(`${FE}\\owa\\auth\\15.1.2176.9\\scripts\\x.aspx`)?.severity, 'high', 'page in a static resource folder');
    assert.equal(top(`${FE}\\owa\\auth\\Current\\one1.aspx`)?.severity, 'high');
    assert.equal(top(`${FE}\\ecp\\auth\\t.aspx`)?.ruleId, RULE.campaignName);
    assert.equal(top(`${FE}\\OAB\\log.aspx`)?.severity, 'high');
    assert.equal(top('C:\\inetpub\\wwwroot\\shell.aspx')?.ruleId, RULE.campaignName);
    assert.equal(top(`${FE}\\owa\\auth\\google.log`)?.ruleId, RULE.campaignName, 'campaign names of any extension');
  });

  it('negative: everything Exchange and IIS ship stays quiet', () => {
    for (const p of [
      `${FE}\\owa\\auth\\logon.aspx`,
      `${FE}\\owa\\auth\\LOGON.ASPX`,
      `${FE}\\owa\\auth\\RedirSuiteServiceProxy.aspx`,
      `${FE}\\owa\\auth\\OutlookCN.aspx`,
      `${FE}\\owa\\auth\\errorFE.aspx`,
      `${FE}\\owa\\auth\\getidtoken.htm`,
      `${FE}\\owa\\auth\\15.1.2176.9\\scripts\\premium\\flogon.js`,
      `${FE}\\owa\\auth\\15.1.2176.9\\themes\\resources\\logon.css`,
      `${FE}\\ecp\\auth\\TimeoutLogout.aspx`,
      'C:\\inetpub\\wwwroot\\iisstart.htm',
      'C:\\inetpub\\wwwroot\\web.config',
      'C:\\inetpub\\wwwroot\\aspnet_client\\system_web\\4_0_30319\\WebUIValidation.js',
      'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\ClientAccess\\OAB\\Temp\\LZX9A1B.djs',
      'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\ClientAccess\\OAB\\0f1e\\oab.xml',
      // Other Exchange applications hold thousands of pages (error.aspx among them): not judged by name.
      'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\ClientAccess\\ecp\\error.aspx',
      'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\ClientAccess\\ecp\\Organize\\EditMailbox.aspx',
    ]) {
      assert.deepEqual(judgePlace(p), [], p);
    }
  });
});

describe('looksRandom', () => {
  it('positive: names droppers generate', () => {
    for (const n of ['EtvrFNze.aspx', 'QDguqtuw.aspx', '8Lw7tAhF9i1pJnRo.aspx', 'xclkmcfldfi948398430fdjkfdkj.aspx', '0123456789abcdef0123.aspx']) assert.ok(looksRandom(n), n);
  });
  it('negative: names people and Microsoft choose', () => {
    for (const n of ['expiredpassword.aspx', 'RedirSuiteServiceProxy.aspx', 'OutlookCN.aspx', 'healthcheck.aspx', 'logon.aspx', 'errorEEE.aspx', 'ManageMailbox.aspx', 'DetailsCertificate.aspx', 'a.aspx', 'web-config.aspx']) assert.ok(!looksRandom(n), n);
  });
});

describe('judgeContent', () => {
  const db = new HashDb();
  db.addList('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855,test shell\n', 'unit');
  const hashes = { md5: 'd41d8cd98f00b204e9800998ecf8427e', sha1: 'da39a3ee5e6b4b0d3255bfef95601890afd80709', sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' };
  it('positive: a known-bad hash is critical and names its source', () => {
    const r = judgeContent({ size: 0, hits: [], hashes }, db);
    assert.equal(r[0]?.ruleId, RULE.hash);
    assert.equal(r[0]?.severity, 'critical');
    assert.match(r[0]!.text, /test shell.*user list unit/);
  });
  it('negative: unknown hashes, no YARA hits', () => {
    assert.deepEqual(judgeContent({ size: 1, hits: [], hashes: { ...hashes, sha256: '0'.repeat(64), sha1: '0'.repeat(40), md5: '0'.repeat(32) } }, db), []);
  });
  it('YARA hits carry severity, family and CVEs from the rule meta', () => {
    const r = judgeContent({ size: 1, hits: [{ rule: 'ChinaChopper', tags: [], meta: { description: 'China Chopper', severity: 'critical', family: 'proxylogon', cve: 'CVE-2021-27065' } }] }, db);
    assert.equal(r[0]?.severity, 'critical');
    assert.equal(r[0]?.family, 'proxylogon');
    assert.deepEqual(r[0]?.cves, ['CVE-2021-27065']);
    const chopper = judgeContent({ size: 1, hits: [{ rule: 'Chopper', tags: [], meta: { family: 'china-chopper' } }] }, db);
    assert.equal(chopper[0]?.family, null, 'a malware family is no exploitation family: the shell stays unclaimed');
    assert.equal(yaraSeverity({ rule: 'x', tags: [], meta: { score: 60 } }), 'medium');
    assert.equal(yaraSeverity({ rule: 'x', tags: [], meta: { score: 85 } }), 'high');
    assert.equal(yaraSeverity({ rule: 'x', tags: [], meta: {} }), 'high');
  });
  it('compiled artefacts: suspicious source pages are reported, shipped ones are not', () => {
    const bad = judgeContent({ size: 1, hits: [], compiledFrom: ['/aspnet_client/system_web/x.aspx'] }, db);
    assert.equal(bad[0]?.ruleId, RULE.compiled);
    assert.equal(bad[0]?.severity, 'high');
    assert.equal(judgeContent({ size: 1, hits: [], compiledFrom: ['auth_RedirSuiteServerProxy_aspx'] }, db)[0]?.severity, 'high');
    assert.deepEqual(judgeContent({ size: 1, hits: [], compiledFrom: ['/owa/auth/logon.aspx', 'auth_logon_aspx', '/ecp/Organize/EditMailbox.aspx', 'default_aspx'] }, db), []);
  });
});

describe('combine', () => {
  it('the strongest reason names the finding; only high and critical are success evidence', () => {
    assert.equal(combine([]), undefined);
    const c = combine([
      { ruleId: RULE.unshippedPage, severity: 'medium', text: 'a' },
      { ruleId: RULE.yara, severity: 'high', text: 'b', family: 'proxylogon' },
    ])!;
    assert.equal(c.ruleId, RULE.yara);
    assert.equal(c.evidence, 'success');
    assert.equal(c.family, 'proxylogon');
    assert.equal(combine([{ ruleId: RULE.unshippedPage, severity: 'medium', text: 'a' }])!.evidence, 'context');
    // Place and content, each medium, together are high.
    assert.equal(combine([{ ruleId: RULE.unshippedPage, severity: 'medium', text: 'a' }, { ruleId: RULE.yara, severity: 'medium', text: 'b' }])!.severity, 'high');
  });
});
