/**
 * The exploitation families end to end through `scan()`: a small Exchange layout with IIS, HttpProxy, EWS
 * and Remote PowerShell cmdlet logs (lines written here from the published request shapes), its discovery,
 * the family rules, the per-account findings and the verdicts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scan, type ScanResult } from '../scan.js';
import { EvidenceSource } from '../evidence/source.js';
import { discover } from '../evidence/discovery.js';
import { EWS_FIELDS, RPS_CMDLET_FIELDS } from '../readers/index.js';
import { FAMILIES } from './families.js';

let root: string;
let result: ScanResult;
const INSTALL = 'Program Files/Microsoft/Exchange Server/V15';

async function put(rel: string, text: string): Promise<void> {
  const p = join(root, ...rel.split('/'));
  await mkdir(join(p, '..'), { recursive: true });
  await writeFile(p, text);
}

const csv = (fields: readonly string[], values: Record<string, string>): string =>
  fields.map((f) => {
    const v = values[f] ?? '';
    return /[",]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
  }).join(',');

/** IIS lines: one per day from 2022-07-20 to 2022-12-31 (health traffic), plus the attacks. */
function iisLog(): string {
  const head = '#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\r\n';
  const lines: string[] = [];
  for (let t = Date.parse('2021-07-25T00:00:00Z'); t < Date.parse('2022-12-31T00:00:00Z'); t += 6 * 3600_000) {
    const d = new Date(t).toISOString();
    lines.push(`${d.slice(0, 10)} ${d.slice(11, 19)} 10.0.0.5 GET /owa/healthcheck.htm - 443 - 127.0.0.1 AMProbe/Local/ClientAccess - 200 0 0 3`);
  }
  lines.push(
    // ProxyShell: anonymous SSRF with an X-Rps-CAT token (encoded '@'), answered 200.
    '2021-08-21 04:12:09 10.0.0.5 GET /autodiscover/autodiscover.json %40evil.example/powershell/?X-Rps-CAT=VgEAVAdXaW5kb3dzQwBBCEtlcmJlcm9zTBlhZG1pbmlzdHJhdG9yQGNvbnRvc28uY29tVSxTLTEtNS0yMS0xMDA0MzM2MzQ4LTExNzcyMzg5MTUtNjgyMDAzMzMwLTUwMA%3D%3D&Email=autodiscover/autodiscover.json%3F%40evil.example 443 - 203.0.113.50 python-requests/2.26.0 - 200 0 0 287',
    // ProxyNotShell: a logged-in user, letters of "powershell" escaped (the mitigation bypass), 401.
    '2022-09-20 11:02:44 10.0.0.5 POST /autodiscover/autodiscover.json @evil.example/%70owers%68ell/?&Email=autodiscover/autodiscover.json%3F@evil.example 443 CONTOSO\\j.doe 198.51.100.23 Mozilla/5.0+(Windows+NT+10.0) - 401 0 0 95',
    // OWASSRF: POST 200 by another account.
    '2022-12-14 19:20:31 10.0.0.5 POST /owa/mastermailbox%40outlook.example/powershell - 443 CONTOSO\\k.ito 192.0.2.77 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64) - 200 0 0 1450',
    // A scanner probing for a shell name.
    '2022-12-20 01:00:00 10.0.0.5 GET /aspnet_client/system_web/supp0rt.aspx - 443 - 192.0.2.200 Mozilla/5.0 - 404 0 0 1',
  );
  lines.sort();
  return head + lines.join('\r\n') + '\r\n';
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'exhunt-fam-'));
  await put('inetpub/logs/LogFiles/W3SVC1/u_ex221231.log', iisLog());
  await put('Windows/placeholder.txt', 'x');
  await put(`${INSTALL}/Logging/CmdletInfra/Powershell-Proxy/Cmdlet/Rps_Cmdlet_2021082104-1.LOG`,
    `#Software: Microsoft Exchange Server\r\n#Version: 15.01.2176.002\r\n#Log-type: Rps Cmdlet Logs\r\n#Date: 2021-08-21T04:00:00.000Z\r\n#Fields: ${RPS_CMDLET_FIELDS.join(',')}\r\n` +
    `${csv(RPS_CMDLET_FIELDS, { DateTime: '2021-08-21T04:15:31.120Z', AuthenticatedUser: 'CONTOSO\\Administrator', Cmdlet: 'New-MailboxExportRequest', Parameters: '-Mailbox "ceo@contoso.com" -FilePath "\\\\127.0.0.1\\c$\\inetpub\\wwwroot\\aspnet_client\\xqrmd.aspx"', ExecutionResult: 'Success' })}\r\n`);
  await put(`${INSTALL}/Logging/Ews/Ews_2021082109-1.LOG`,
    `#Software: Microsoft Exchange Server\r\n#Version: 15.01.2176.002\r\n#Log-type: EWS Logs\r\n#Date: 2021-08-21T09:00:00.000Z\r\n#Fields: ${EWS_FIELDS.join(',')}\r\n` +
    `${csv(EWS_FIELDS, { DateTime: '2021-08-21T09:01:02.345Z', AuthenticatedUser: 'administrator@contoso.com', ImpersonatedUser: 'cfo@contoso.com', SoapAction: 'FindItem', HttpStatus: '200', ClientIpAddress: '203.0.113.50', UserAgent: 'python-requests/2.26.0' })}\r\n`);
  result = await scan(root, { workers: 1 });
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

test('discovery finds the EWS and Remote PowerShell cmdlet logs with their kinds', async () => {
  const d = await discover(await EvidenceSource.open(root));
  const kinds = new Map(d.logs.map((l) => [l.group, l.kind]));
  assert.equal(kinds.get('Ews'), 'ews');
  assert.equal(kinds.get('CmdletInfra/Powershell-Proxy'), 'rps-cmdlet');
});

test('every family in data/exchange-families.json gets a verdict with coverage from the IIS front end', () => {
  assert.deepEqual(FAMILIES.map((f) => f.id).sort(), ['ecp-viewstate', 'owassrf', 'proxylogon', 'proxynotshell', 'proxyshell', 'proxytoken']);
  for (const f of FAMILIES) assert.ok(f.detectableIn.some((d) => d.accepts('IIS/W3SVC1')), `${f.id} counts the front-end IIS log`);
  for (const f of FAMILIES) assert.ok(!f.detectableIn.some((d) => d.accepts('IIS/W3SVC2')), `${f.id} does not count the back end`);
});

test('verdicts: ProxyShell and OWASSRF compromised, ProxyNotShell attempted, ProxyToken clean', () => {
  const v = result.verdicts;
  assert.equal(v['proxyshell']?.status, 'compromised', v['proxyshell']?.reasons.join('\n'));
  assert.equal(v['owassrf']?.status, 'compromised', v['owassrf']?.reasons.join('\n'));
  assert.equal(v['proxynotshell']?.status, 'attempted', v['proxynotshell']?.reasons.join('\n'));
  assert.match(v['proxynotshell']!.reasons.join('\n'), /autodiscover→PowerShell request answered 200/);
  // The IIS log covers ProxyToken's window (2021-08-30 →) without a gap of a day.
  assert.equal(v['proxytoken']?.status, 'clean', v['proxytoken']?.reasons.join('\n'));
});

test('accounts used in exploitation are findings of their own, with the token identity as an entity', () => {
  const byRule = (id: string) => result.findings.filter((f) => f.ruleId === id);
  const pns = byRule('exhunt.proxynotshell.iis-account');
  assert.equal(pns.length, 1);
  assert.deepEqual(pns[0]!.entities.accounts, ['CONTOSO\\j.doe']);
  const owa = byRule('exhunt.owassrf.iis-account');
  assert.equal(owa.length, 1);
  assert.deepEqual(owa[0]!.entities.accounts, ['CONTOSO\\k.ito']);
  assert.equal(owa[0]!.severity, 'high');
  const ps = byRule('exhunt.proxyshell.iis-autodiscover-ssrf-success');
  assert.equal(ps.length, 1);
  assert.deepEqual(ps[0]!.entities.accounts, ['administrator@contoso.com'], 'identity decoded from X-Rps-CAT');
});

test('cmdlet and EWS logs: the export to a script and the mailbox read, with mailboxes and identities', () => {
  const exp = result.findings.find((f) => f.ruleId === 'exhunt.proxyshell.rps-export-webshell');
  assert.ok(exp, 'export finding');
  assert.deepEqual(exp.entities.mailboxes, ['ceo@contoso.com']);
  assert.equal(exp.evidence, 'success');
  const ews = result.findings.find((f) => f.ruleId === 'exhunt.post.ews-other-mailbox');
  assert.ok(ews, 'EWS finding');
  assert.deepEqual(ews.entities.accounts, ['administrator@contoso.com']);
  assert.ok(ews.entities.mailboxes.includes('cfo@contoso.com'));
  const probe = result.findings.find((f) => f.ruleId === 'exhunt.webshell-use.iis-shell-probe');
  assert.equal(probe?.evidence, 'probe');
});
