/**
 * Evaluation on the real third-party log material in `../shared/corpora/exchange-logs` (not part of the
 * project, never copied into it). Skipped when the folder is absent (a fresh clone).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { readLogFile } from './read-log.js';
import { sniffLog } from './sniff.js';
import type { LogKind, LogRecord, ReaderStats } from './types.js';

const ROOT = join(process.cwd(), '..', 'shared', 'corpora', 'exchange-logs');
const present = existsSync(ROOT);

function walk(d: string): string[] {
  return readdirSync(d).flatMap((n) => {
    const p = join(d, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

function sniffFile(p: string): LogKind | null {
  return sniffLog(readFileSync(p).subarray(0, 65536), basename(p), relative(ROOT, dirname(p)).split('\\').join('/'));
}

async function read(p: string, kind: LogKind): Promise<{ recs: LogRecord[]; stats: ReaderStats }> {
  const recs: LogRecord[] = [];
  const stats = await readLogFile(p, { kind, onRecord: (r) => recs.push(r) });
  return { recs, stats };
}

test('corpus: Qazeer examples sniff to the expected kinds; HttpProxy has 74 columns', async (t) => {
  if (!present) return t.skip('corpus not present');
  const dir = join(ROOT, 'qazeer-artefacts-help', 'examples');
  const expected: Record<string, LogKind> = {
    'Autodiscover__HttpProxy_2023010919-1.LOG': 'httpproxy',
    'Eas__HttpProxy_2023011116-1.LOG': 'httpproxy',
    'Ecp__HttpProxy_2023010611-1.LOG': 'httpproxy',
    'Ews__HttpProxy_2023010601-1.LOG': 'httpproxy',
    'Mapi__HttpProxy_2023010601-1.LOG': 'httpproxy',
    'Owa__HttpProxy_2023010602-1.LOG': 'httpproxy',
    'PowerShell__HttpProxy_2023011116-1.LOG': 'httpproxy',
    'RpcHttp__HttpProxy_2023010708-1.LOG': 'httpproxy',
    'ECPServer20230111-1.LOG': 'ecp-server',
    'ECPActivity_11500_20230111-1.LOG': 'ecp-activity',
    'Ews_2023010616-1.LOG': 'ews',
    'Rps_Cmdlet_2023011116-1.LOG': 'rps-cmdlet',
    'IIS_W3SVC1_u_exYYmmdd_example.log': 'iis-w3c',
    'MSGTRKMS2022091915-1.LOG': 'exchange-csv',
    'RECV2023011116-1.LOG': 'exchange-csv',
    'AgentLog20220913-1.LOG': 'exchange-csv',
    'audit20230111-1.LOG': 'exchange-csv',
  };
  for (const [f, kind] of Object.entries(expected)) {
    const p = join(dir, f);
    assert.equal(sniffFile(p), kind, f);
    const { recs, stats } = await read(p, kind);
    const dataLines = readFileSync(p, 'utf8').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#')).length;
    if (kind !== 'iis-w3c') assert.equal(stats.records, dataLines, `${f} records`);
    assert.equal(stats.malformed, 0, `${f} malformed`);
    assert.ok(recs.length > 0 && recs[0]!.time() !== undefined, `${f} time`);
    if (kind === 'httpproxy') {
      assert.equal(stats.logType, 'HttpProxy Logs');
      for (const r of recs) assert.equal(r.fieldNames().length, 74, f);
      assert.equal(recs[0]!.get('Protocol'), f.split('__')[0], `${f} Protocol`);
    }
  }
  const owa = await read(join(dir, 'Owa__HttpProxy_2023010602-1.LOG'), 'httpproxy');
  assert.equal(owa.stats.version, '15.01.2375.007');
  assert.equal(owa.recs[0]!.get('UrlStem'), '/owa/admin.cfg');
  assert.equal(owa.recs[0]!.get('httpstatus'), '302');
  assert.equal(owa.recs[0]!.line, 6);
  const ecp = await read(join(dir, 'ECPServer20230111-1.LOG'), 'ecp-server');
  assert.equal(ecp.recs[0]!.get('CMD'), 'Get-InboxRule');
  assert.equal(ecp.recs[0]!.get('BLD'), '15.1.2375.7');
  assert.equal(new Date(ecp.recs[0]!.time()!).toISOString(), '2023-01-11T00:02:33.966Z');
  const rps = await read(join(dir, 'Rps_Cmdlet_2023011116-1.LOG'), 'rps-cmdlet');
  assert.equal(rps.recs[0]!.get('Cmdlet'), 'Get-Mailbox');
  const ews = await read(join(dir, 'Ews_2023010616-1.LOG'), 'ews');
  assert.equal(ews.recs[0]!.get('SoapAction'), 'GetFolder');
});

test('corpus: real IIS log (CRLF, two header blocks)', async (t) => {
  if (!present) return t.skip('corpus not present');
  const p = join(ROOT, 'iis-generic-webshell', 'sbousseaden_Tunna_rdp_tunnel_IIS.log');
  assert.equal(sniffFile(p), 'iis-w3c');
  const { recs, stats } = await read(p, 'iis-w3c');
  assert.equal(stats.headerBlocks, 2);
  assert.equal(stats.lines, 4308);
  assert.equal(stats.records, 4298); // 4308 lines − 2×4 header lines − 1 comment − 1 empty line
  assert.equal(stats.malformed, 0);
  assert.equal(stats.software, 'Microsoft Internet Information Services 10.0');
  const first = recs[0]!;
  assert.equal(first.line, 7);
  assert.equal(first.get('cs-uri-stem'), '/erp/conn.aspx');
  assert.equal(first.get('cs-uri-query'), 'proxy&port=3389&ip=127.0.0.1');
  assert.equal(first.get('sc-status'), '200');
  assert.equal(new Date(first.time()!).toISOString(), '2019-09-03T10:13:36.000Z');
  assert.ok(!first.raw.endsWith('\r'));
  assert.ok(stats.hours.size >= 1);
});

test('corpus: Test-ProxyLogon Export-Csv (helsecert 01) reads as tpl-export', async (t) => {
  if (!present) return t.skip('corpus not present');
  const p = join(ROOT, 'helsecert-2021-march-exchange', '01_HttpProxy-Ecp_via-Test-ProxyLogon_CVE-2021-26855.csv');
  assert.equal(sniffFile(p), 'tpl-export');
  const { recs, stats } = await read(p, 'tpl-export');
  assert.equal(stats.headerBlocks, 1);
  assert.equal(recs.length, 11);
  for (const r of recs) assert.match(String(r.get('AnchorMailbox')), /^ServerInfo~a\]@/);
  assert.equal(recs[0]!.get('AnchorMailbox'), 'ServerInfo~a]@servernavn.xxx.local:444/autodiscover/autodiscover.xml?#');
  assert.equal(recs[0]!.get('UserAgent'), 'ExchangeServicesClient/0.0.0.0');
  assert.equal(recs[2]!.get('HttpStatus'), '241');
  assert.equal(recs[0]!.line, 3);
  assert.equal(new Date(recs[0]!.time()!).toISOString(), '2021-03-03T06:49:42.162Z');
});

test('corpus: every file sniffs and reads without throwing', async (t) => {
  if (!present) return t.skip('corpus not present');
  for (const p of walk(ROOT)) {
    if (/\.(md|GPL)$|LICENSE$/.test(p)) continue;
    const kind = sniffFile(p);
    assert.notEqual(kind, null, p);
    const { stats } = await read(p, kind!);
    assert.ok(stats.records > 0, p);
  }
  // the ECP Server extract keeps only some columns, no #Fields: read as text lines, the script tag in raw
  const p = join(ROOT, 'helsecert-2021-march-exchange', '02_ECPServer_selected-fields_CVE-2021-27065.log');
  assert.equal(sniffFile(p), 'ecp-server');
  const { recs } = await read(p, 'ecp-server');
  assert.ok(recs.some((r) => /Set-OabVirtualDirectory\.ExternalUrl=''http:\/\/f\/<script/.test(r.raw)));
});
