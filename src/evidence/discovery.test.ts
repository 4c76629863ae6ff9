import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EvidenceSource } from './source.js';
import { discover } from './discovery.js';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'exhunt-disc-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

const HP = '#Software: Microsoft Exchange Server\r\n#Version: 15.01.2176.002\r\n#Log-type: HttpProxy Logs\r\n#Fields: DateTime,RequestId,AnchorMailbox\r\n2021-03-03T06:49:42.162Z,x,Smtp~a@contoso.com\r\n';
const IIS = '#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n#Fields: date time cs-method cs-uri-stem c-ip sc-status\r\n2021-03-03 06:49:42 GET /owa/ 192.0.2.1 200\r\n';

async function put(base: string, rel: string, text: string): Promise<void> {
  const p = join(base, ...rel.split('/'));
  await mkdir(join(p, '..'), { recursive: true });
  await writeFile(p, text);
}

test('a system drive copied with other case: install, logs and IIS folders from applicationHost.config', async () => {
  const d = join(root, 'c');
  await put(d, 'windows/system32/INETSRV/config/applicationHost.config', `<?xml version="1.0"?>
<configuration><system.applicationHost><sites>
  <site name="Default Web Site" id="1"><application path="/"><virtualDirectory path="/" physicalPath="%SystemDrive%\\inetpub\\wwwroot" /></application>
    <application path="/owa"><virtualDirectory path="/" physicalPath="C:\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\HttpProxy\\owa" /></application>
    <logFile directory="%SystemDrive%\\Logs\\IIS" /></site>
  <siteDefaults><logFile directory="%SystemDrive%\\inetpub\\logs\\LogFiles" /></siteDefaults>
</sites></system.applicationHost></configuration>`);
  await put(d, 'PROGRAM FILES/microsoft/exchange server/v15/logging/httpproxy/ecp/HttpProxy_2021030306-1.LOG', HP);
  await put(d, 'Logs/IIS/W3SVC1/u_ex210303.log', IIS);
  await put(d, 'inetpub/logs/LogFiles/W3SVC2/u_ex210303.log', IIS);
  await put(d, 'Windows/System32/LogFiles/HTTPERR/httperr1.log', '#Software: Microsoft HTTP API 2.0\r\n#Version: 1.0\r\n#Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri streamid sc-status s-siteid s-reason s-queuename\r\n');
  await put(d, 'ProgramData/x/a.zip', 'PK');
  const disc = await discover(await EvidenceSource.open(d));
  assert.equal(disc.layout, 'system-drive');
  assert.equal(disc.installRel, 'PROGRAM FILES/microsoft/exchange server/v15');
  assert.equal(disc.installPath, 'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\');
  assert.deepEqual(disc.iisLogDirs.sort(), ['Logs/IIS/W3SVC1', 'inetpub/logs/LogFiles/W3SVC2']);
  assert.deepEqual(disc.logs.map((l) => [l.group, l.kind]).sort(), [
    ['HTTPERR', 'httperr'],
    ['HttpProxy/Ecp', 'httpproxy'],
    ['IIS/W3SVC1', 'iis-w3c'],
    ['IIS/W3SVC2', 'iis-w3c'],
  ]);
  assert.deepEqual(disc.inventoryRoots.map((r) => r.windowsPrefix), ['C:\\ProgramData']);
});

test('Exchange installed elsewhere is found by its Logging\\HttpProxy folder', async () => {
  const d = join(root, 'd');
  await put(d, 'Exchange/V15/Logging/HttpProxy/Owa/HttpProxy_2021030306-1.LOG', HP);
  await mkdir(join(d, 'Windows'));
  const disc = await discover(await EvidenceSource.open(d));
  assert.equal(disc.installRel, 'Exchange/V15');
  assert.equal(disc.installPath, 'C:\\Exchange\\V15\\');
  assert.equal(disc.logs[0]!.group, 'HttpProxy/Owa');
});

test('a bare folder of logs is sniffed by content; a README is not evidence', async () => {
  const d = join(root, 'bare');
  await put(d, 'case42/proxy.txt', HP);
  await put(d, 'case42/web/access.log', IIS);
  await put(d, 'README.md', '# notes\n2021-03-03 something happened\n');
  await put(d, 'case42/garbage.LOG', '\u0000\u0001\u0002binary');
  const disc = await discover(await EvidenceSource.open(d));
  assert.equal(disc.layout, 'log-folder');
  assert.deepEqual(disc.logs.map((l) => [l.rel, l.kind]).sort(), [
    ['case42/proxy.txt', 'httpproxy'],
    ['case42/web/access.log', 'iis-w3c'],
  ]);
  assert.ok(disc.problems.some((p) => p.path === 'case42/garbage.LOG'));
});

test('path components with .. are refused', async () => {
  const src = await EvidenceSource.open(root);
  await assert.rejects(() => src.resolve('../etc/passwd'), /escapes the evidence root/);
});
