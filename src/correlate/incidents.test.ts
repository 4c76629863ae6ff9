import { test } from 'node:test';
import assert from 'node:assert/strict';
import { correlateIncidents } from './incidents.js';
import { normaliseMailbox } from './mailboxes.js';
import { shellKey, stageOf } from './timeline.js';
import { emptyEntities, type Finding } from '../model/finding.js';

let n = 0;
function f(p: Partial<Finding> & { ruleId: string; evidence: Finding['evidence'] }, ent: Partial<Finding['entities']> = {}): Finding {
  n++;
  return {
    id: `F${String(n).padStart(4, '0')}`, title: p.ruleId, severity: 'high', family: null, cves: [], summary: p.ruleId, count: 1,
    source: { path: 'x.log', line: n, kind: 'iis-w3c' }, fields: {}, samples: [], tags: [],
    ...p, entities: { ...emptyEntities(), ...ent },
  };
}

test('shell keys tie disk paths, UNC export paths and URLs', () => {
  assert.equal(shellKey("'C:\\inetpub\\wwwroot\\aspnet_client\\system_web\\a.aspx'"), 'system_web/a.aspx');
  assert.equal(shellKey('\\\\127.0.0.1\\c$\\inetpub\\wwwroot\\aspnet_client\\Shell.ASPX'), 'aspnet_client/shell.aspx');
  assert.equal(shellKey('/aspnet_client/shell.aspx?x=1'), 'aspnet_client/shell.aspx');
  assert.equal(shellKey('/ecp/y.js'), undefined);
});

test('mailbox identities are normalised; server anchors are not mailboxes', () => {
  assert.equal(normaliseMailbox('SMTP:K.Ito@Example-Law.com'), 'k.ito@example-law.com');
  assert.equal(normaliseMailbox('ServerInfo~a]@EXCH01.contoso.local:444/ecp/proxyLogon.ecp?#'), undefined);
  assert.equal(normaliseMailbox('a@b.c:444'), undefined);
  assert.equal(normaliseMailbox('"x y"@b'), undefined);
});

test('one intrusion from exploit IP, ECP record, OAB write and shell IP; attempts merged; scanners apart', () => {
  const t = (m: number) => new Date(Date.UTC(2021, 2, 3, 16, 0) + m * 60_000).toISOString();
  const ssrf = f({ ruleId: 'exhunt.proxylogon.ssrf-ecp', evidence: 'success', family: 'proxylogon', time: t(0) }, { ips: ['203.0.113.27'], mailboxes: ['SMTP:k.ito@contoso.com'] });
  const ecp = f({ ruleId: 'exhunt.proxylogon.ecp-set-vdir-script', evidence: 'success', family: 'proxylogon', time: t(1) });
  const write = f({ ruleId: 'exhunt.proxylogon.oab-write', evidence: 'success', family: 'proxylogon', time: t(2) }, { paths: ["'C:\\inetpub\\wwwroot\\aspnet_client\\system_web\\s.aspx'"] });
  const use = f({ ruleId: 'exhunt.webshell.access', evidence: 'success', time: t(120), lastTime: t(300), count: 12 }, { ips: ['198.51.100.7'], paths: ['/aspnet_client/system_web/s.aspx'] });
  const dump = f({ ruleId: 'exhunt.files.lsass-dump', evidence: 'success', source: { path: 'Windows/Temp/lsass.dmp', kind: 'file' }, fields: { Modified: t(200) } });
  const benign = f({ ruleId: 'exhunt.files.programdata-archive', evidence: 'context', source: { path: 'ProgramData/b/config.zip', kind: 'file' }, fields: { Modified: t(-60 * 24 * 30) } });
  const tries = [1, 2].map((i) => f({ ruleId: 'exhunt.proxylogon.ssrf-autodiscover', evidence: 'attempt', family: 'proxylogon', time: t(-600 * i) }, { ips: [`192.0.2.${i}`] }));
  const scan = f({ ruleId: 'exhunt.proxylogon.ssrf-scanner', evidence: 'probe', family: 'proxylogon', time: t(-900), count: 40 }, { ips: ['198.51.100.40'] });
  const probeOfAttacker = f({ ruleId: 'exhunt.proxylogon.iis-scanner', evidence: 'probe', family: 'proxylogon', time: t(-30) }, { ips: ['203.0.113.27'] });
  const all = [ssrf, ecp, write, use, dump, benign, ...tries, scan, probeOfAttacker];
  const r = correlateIncidents({ findings: all, verdicts: {}, evidenceEnd: t(10_000) });
  assert.equal(r.incidents.length, 2);
  const [i1, i2] = r.incidents;
  assert.equal(i1!.status, 'compromised');
  assert.deepEqual(i1!.ips.map((x) => x.ip), ['203.0.113.27', '198.51.100.7']);
  assert.deepEqual(new Set(i1!.findingIds), new Set([ssrf, ecp, write, use, dump, probeOfAttacker].map((x) => x.id)), 'the benign archive a month earlier stays out');
  assert.deepEqual(i1!.timeline.map((e) => e.stage), ['probe', 'exploit', 'file-write', 'file-write', 'shell-access', 'credential-dump']);
  assert.equal(i1!.shells.length, 1);
  assert.equal(i1!.shells[0]!.written!.findingId, write.id);
  assert.equal(i1!.shells[0]!.accesses, 12);
  assert.equal(i1!.allMailboxesReachable, true);
  assert.match(i1!.allMailboxesReason!, /web shell/);
  assert.deepEqual(i1!.mailboxes.map((m) => m.mailbox), ['k.ito@contoso.com']);
  assert.equal(i1!.exposure!.start, t(0));
  assert.equal(i1!.exposure!.end, t(10_000));
  assert.equal(i2!.status, 'attempted');
  assert.deepEqual(i2!.ips.map((x) => x.ip).sort(), ['192.0.2.1', '192.0.2.2']);
  assert.equal(r.scanning!.ipCount, 1);
  assert.equal(r.scanning!.top[0]!.ip, '198.51.100.40');
  assert.equal(r.scanning!.requests, 40);
});

test('a shell used with no write in the evidence joins the earlier writer by time order; a ProxyToken success alone does not open every mailbox', () => {
  const t = (h: number) => new Date(Date.UTC(2021, 7, 20) + h * 3_600_000).toISOString();
  const reset = f({ ruleId: 'exhunt.proxylogon.reset-vdir', evidence: 'success', family: 'proxylogon', time: t(0) }, { ips: ['192.0.2.50'] });
  const use = f({ ruleId: 'exhunt.webshell.access', evidence: 'success', time: t(40) }, { ips: ['192.0.2.60'], paths: ['/owa/auth/x.aspx'] });
  const r = correlateIncidents({ findings: [reset, use], verdicts: {} });
  assert.equal(r.incidents.length, 1);
  assert.ok(r.incidents[0]!.links.some((l) => /time order/.test(l)));
  const token = f({ ruleId: 'exhunt.proxytoken.ecp-forwarding', evidence: 'success', family: 'proxytoken', time: t(0) }, { ips: ['192.0.2.70'], mailboxes: ['victim@contoso.com'] });
  const r2 = correlateIncidents({ findings: [token], verdicts: {} });
  assert.equal(r2.incidents[0]!.allMailboxesReachable, false);
  assert.deepEqual(r2.incidents[0]!.mailboxes.map((m) => m.mailbox), ['victim@contoso.com']);
  assert.equal(r2.scanning, null);
  assert.equal(stageOf(use), 'shell-access');
});

test('nothing but probes and context: no incident', () => {
  const p = f({ ruleId: 'exhunt.proxylogon.iis-scanner', evidence: 'probe', family: 'proxylogon', time: '2021-03-01T00:00:00.000Z' }, { ips: ['198.51.100.1'] });
  const c = f({ ruleId: 'exhunt.files.programdata-archive', evidence: 'context', source: { path: 'a.zip', kind: 'file' } });
  const r = correlateIncidents({ findings: [p, c], verdicts: {} });
  assert.deepEqual(r.incidents, []);
  assert.equal(r.scanning!.ipCount, 1);
});

test('context without IP or shell joins by time: the first incident whose activity surrounds it, wide spans included', () => {
  const t = (m: number) => new Date(Date.UTC(2021, 2, 3, 16, 0) + m * 60_000).toISOString();
  const hit = (ip: string, a: string, b: string) => f({ ruleId: 'exhunt.proxylogon.ssrf-ecp', evidence: 'success', family: 'proxylogon', time: a, lastTime: b }, { ips: [ip] });
  const ctx = (time: string) => f({ ruleId: 'exhunt.files.programdata-archive', evidence: 'context', time, source: { path: `ProgramData/${time}.zip`, kind: 'file' } });
  const a = hit('203.0.113.1', t(0), t(120)); // window t(-10)..t(180)
  const b = hit('203.0.113.2', t(60), t(300)); // window t(50)..t(360)
  const wide = hit('203.0.113.3', '2021-01-01T00:00:00.000Z', t(100)); // two months: checked for every time
  const inAll = ctx(t(90));
  const onlyB = ctx(t(250));
  const edgeA = ctx(t(-5));
  const onlyWide = ctx('2021-02-01T00:00:00.000Z');
  const nowhere = ctx(t(2000));
  const r = correlateIncidents({ findings: [a, b, wide, inAll, onlyB, edgeA, onlyWide, nowhere], verdicts: {} });
  const of = (x: Finding) => r.incidents.find((i) => i.findingIds.includes(x.id))?.ips.map((p) => p.ip);
  assert.deepEqual(of(inAll), ['203.0.113.1'], 'inside all three: the first group found wins');
  assert.deepEqual(of(onlyB), ['203.0.113.2']);
  assert.deepEqual(of(edgeA), ['203.0.113.1'], 'within the margin before the activity');
  assert.deepEqual(of(onlyWide), ['203.0.113.3']);
  assert.equal(of(nowhere), undefined);
  const entry = r.incidents.flatMap((i) => i.timeline).find((e) => e.findingId === onlyB.id)!;
  assert.equal(entry.linkedBy, 'time: inside the activity of this incident');
});
