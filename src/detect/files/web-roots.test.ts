import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EvidenceSource } from '../../evidence/source.js';
import { discover } from '../../evidence/discovery.js';

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-roots-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, ...rel.split('/').slice(0, -1)), { recursive: true });
    if (!rel.endsWith('/')) writeFileSync(join(dir, ...rel.split('/')), text);
  }
  return dir;
}

const APPHOST = (extra: string) => `<?xml version="1.0"?><configuration><system.applicationHost><sites>
<site name="Default Web Site" id="1"><application path="/"><virtualDirectory path="/" physicalPath="%SystemDrive%\\inetpub\\wwwroot" /></application>
<application path="/owa"><virtualDirectory path="/" physicalPath="D:\\Exchange\\V15\\FrontEnd\\HttpProxy\\owa" /></application>
${extra}</site></sites></system.applicationHost></configuration>`;

describe('web roots', () => {
  it('default site, the Exchange install IIS maps to, extra virtual directories, Temporary ASP.NET Files; nested roots once', async () => {
    const dir = tree({
      'Windows/System32/inetsrv/config/applicationHost.config': APPHOST('<application path="/tools"><virtualDirectory path="/" physicalPath="E:\\WebTools" /></application>'),
      'inetpub/wwwroot/aspnet_client/system_web/4_0_30319/': '',
      'inetpub/wwwroot/iisstart.htm': 'x',
      'D/Exchange/V15/FrontEnd/HttpProxy/owa/auth/logon.aspx': 'x',
      'D/Exchange/V15/Bin/ExSetup.exe': 'MZ',
      'E/WebTools/tool.aspx': 'x',
      'WebTools/other.aspx': 'x',
      'Windows/Microsoft.NET/Framework64/v4.0.30319/Temporary ASP.NET Files/root/a/b/x.compiled': 'x',
      'Windows/Microsoft.NET/Framework/v2.0.50727/Temporary ASP.NET Files/': '',
    });
    try {
      const d = await discover(await EvidenceSource.open(dir));
      const rels = d.webRoots.map((r) => r.rel);
      assert.ok(rels.includes('inetpub/wwwroot'));
      assert.ok(rels.includes('Windows/Microsoft.NET/Framework64/v4.0.30319/Temporary ASP.NET Files'));
      assert.ok(rels.includes('Windows/Microsoft.NET/Framework/v2.0.50727/Temporary ASP.NET Files'));
      // The install found by its layout (Bin\ExSetup.exe) anywhere in the evidence is scanned; a path IIS puts
      // on another drive (E:) is not in this evidence and is not invented.
      assert.ok(rels.includes('D/Exchange/V15/FrontEnd/HttpProxy'));
      assert.ok(!rels.some((r) => r.startsWith('E/')));
      assert.ok(!rels.includes('WebTools'), 'C:\\WebTools is not E:\\WebTools');
      assert.equal(new Set(rels).size, rels.length);
      assert.ok(!rels.includes('inetpub/wwwroot/aspnet_client'), 'inside wwwroot: walked with it');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('virtual directories on the system drive and the Exchange front and back end', async () => {
    const dir = tree({
      'Windows/System32/inetsrv/config/applicationHost.config': APPHOST('<application path="/tools"><virtualDirectory path="/" physicalPath="C:\\WebTools" /></application>'),
      'inetpub/wwwroot/iisstart.htm': 'x',
      'Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth/logon.aspx': 'x',
      'Program Files/Microsoft/Exchange Server/V15/ClientAccess/OAB/oab.xml': 'x',
      'WebTools/tool.aspx': 'x',
    });
    try {
      const d = await discover(await EvidenceSource.open(dir));
      const byRel = new Map(d.webRoots.map((r) => [r.rel, r]));
      assert.equal(byRel.get('WebTools')?.windowsPrefix, 'C:\\WebTools');
      assert.equal(byRel.get('Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy')?.windowsPrefix, 'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\HttpProxy');
      assert.ok(byRel.has('Program Files/Microsoft/Exchange Server/V15/ClientAccess'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a bare folder is scanned whole', async () => {
    const dir = tree({ 'shells/a.aspx': 'x' });
    try {
      const d = await discover(await EvidenceSource.open(dir));
      assert.deepEqual(d.webRoots.map((r) => r.rel), ['']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
