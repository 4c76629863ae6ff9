/**
 * End to end: the ProxyLogon scenario's findings become one intrusion (exploit IP → shell → LSASS dump → archive),
 * one incident of failed attempts, and scanners that are no incident; the terminal shows them after the verdicts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { simulate } from '../../src/simulate/index.js';
import type { ScanResult } from '../../src/scan.js';
import { runCli, tempDir } from './helpers.js';

let root: string;
let truth: Awaited<ReturnType<typeof simulate>>;
let r: ScanResult;
let stdout: string;

before(async () => {
  root = await tempDir('incidents');
  truth = await simulate({ out: join(root, 'tree'), scenario: 'proxylogon', seed: 11 });
  const run = await runCli(['scan', join(root, 'tree'), '--json', join(root, 'r.json')]);
  assert.equal(run.code, 6, run.stderr);
  stdout = run.stdout;
  r = JSON.parse(await readFile(join(root, 'r.json'), 'utf8')) as ScanResult;
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

test('one compromised incident: exploit IP and shell IP, the shell written then used, every mailbox reachable', () => {
  const a = truth.attack!;
  const compromised = r.incidents.filter((i) => i.status === 'compromised');
  assert.equal(compromised.length, 1);
  const inc = compromised[0]!;
  assert.equal(inc.id, 'I1');
  assert.deepEqual(inc.ips.map((i) => i.ip), [a.exploitIp, a.shellIp]);
  const shell = inc.shells.find((s) => s.url === a.shellUrl)!;
  assert.ok(shell, `the shell ${a.shellUrl} is listed`);
  assert.equal(shell.path, a.shellPath, 'the file on disk is the requested shell');
  // Shells found on disk with no request in the logs are in the same intrusion (time order), each with its hash.
  const dropped = truth.indicators.filter((i) => i.kind === 'webshell-file' && i.file.endsWith('.aspx')).map((i) => i.file);
  const listed = new Set(inc.shells.map((s) => s.path));
  const found = new Set(r.findings.filter((f) => f.source.kind === 'file' && f.evidence === 'success').map((f) => f.source.path));
  for (const p of dropped) if (found.has(p)) assert.ok(listed.has(p), `shell on disk ${p} is in the incident`);
  assert.ok(inc.shells.filter((s) => s.path && found.has(s.path)).every((s) => /^[0-9a-f]{64}$/.test(s.sha256 ?? '')), 'shells on disk carry their sha256');
  assert.ok(shell.written, 'the OAB generator write is the shell\'s write');
  assert.ok(shell.written!.time! < shell.firstAccess!, 'written before it was used');
  assert.deepEqual(new Set(shell.accessIps), new Set([a.exploitIp, a.shellIp]));
  const planted = truth.indicators.filter((i) => i.kind === 'webshell-access' && i.source === 'iis-frontend').length;
  assert.equal(shell.accesses, planted, 'every request to the shell is counted');
  assert.equal(inc.allMailboxesReachable, true);
  assert.match(inc.allMailboxesReason!, /web shell/);
  assert.equal(inc.exposure!.end, r.coverage.evidenceEnd, 'a shell keeps access open to the end of the evidence');
  // The story's order: exploit → file write → shell use → credential dump → exfiltration.
  const first = (s: string) => inc.timeline.find((e) => e.stage === s)?.time;
  const order = ['exploit', 'file-write', 'shell-access', 'credential-dump', 'exfiltration'].map(first);
  assert.ok(order.every((t) => t !== undefined), JSON.stringify(order));
  assert.deepEqual([...order].sort(), order);
  // The LSASS dump and the staging archive are in it; the backup agent's archive is not.
  const paths = inc.timeline.map((e) => e.source.path);
  assert.ok(paths.includes(a.lsassDump) && paths.includes(a.archive));
  assert.ok(!paths.some((p) => p.includes('Northwind Backup')));
});

test('failed attempts are one attempted incident; scanners are no incident', () => {
  const a = truth.attack!;
  const attempted = r.incidents.filter((i) => i.status === 'attempted');
  assert.equal(attempted.length, 1);
  assert.deepEqual(new Set(attempted[0]!.ips.map((i) => i.ip)), new Set(a.failedAttemptIps));
  assert.equal(r.scanning!.ipCount, a.scannerIps.length);
  assert.deepEqual(new Set(r.scanning!.top.map((t) => t.ip)), new Set(a.scannerIps));
  const inIncidents = new Set(r.incidents.flatMap((i) => i.ips.map((x) => x.ip)));
  for (const ip of a.scannerIps) assert.ok(!inIncidents.has(ip), `scanner ${ip} is in no incident`);
  // Every finding that is not context belongs to an incident or to the scanning group.
  const placed = new Set([...r.incidents.flatMap((i) => i.findingIds), ...r.scanning!.findingIds]);
  assert.deepEqual(r.findings.filter((f) => f.evidence !== 'context' && !placed.has(f.id)).map((f) => f.id), []);
});

test('terminal: the incident after the verdicts, before the findings', () => {
  const v = stdout.indexOf('ProxyLogon     COMPROMISED');
  const i = stdout.indexOf('Incident I1 · COMPROMISED');
  const f = stdout.indexOf('Findings (');
  assert.ok(v >= 0 && i > v && f > i, stdout.slice(0, 2000));
  const block = stdout.slice(i, f);
  assert.match(block, /Mailboxes reachable: ALL/);
  assert.match(block, new RegExp(`Shell: .*${truth.attack!.shellUrl.split('/').pop()!.replace('.', '\\.')}`));
  assert.match(block, /Scanning only \(no incident\): 2 IP\(s\)/);
});
