/**
 * Incidents on real incident extracts (../shared/corpora/exchange-logs): each extract tells one coherent story.
 * Skips when the corpus is absent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { scan } from '../../src/scan.js';

const CORPUS = resolve('../shared/corpora/exchange-logs');
const present = existsSync(CORPUS);
const why = `corpus ${CORPUS} not present (it ships with the exhunt workspace, not with a clone)`;

test('HelseCERT: one compromised incident; RedirSuiteServerProxy.aspx tied to its five 200 access lines and to the OAB reset', { skip: !present && why }, async () => {
  const r = await scan(join(CORPUS, 'helsecert-2021-march-exchange'));
  assert.equal(r.incidents.length, 1, JSON.stringify(r.incidents.map((i) => [i.id, i.status, i.ips.map((x) => x.ip)])));
  const inc = r.incidents[0]!;
  assert.equal(inc.status, 'compromised');
  assert.deepEqual(inc.families, ['proxylogon']);
  assert.deepEqual(inc.ips.map((i) => i.ip), ['130.255.189.21', '139.162.202.236', '67.205.176.9']);
  // Every finding of the extract belongs to the story.
  assert.deepEqual([...inc.findingIds].sort(), r.findings.map((f) => f.id).sort());
  assert.equal(inc.shells.length, 1);
  const shell = inc.shells[0]!;
  assert.equal(shell.url, '/owa/auth/RedirSuiteServerProxy.aspx');
  assert.equal(shell.accesses, 5);
  assert.deepEqual(shell.accessIps, ['139.162.202.236', '67.205.176.9']);
  // The 200 lines of the IIS extract (line 3 is the publisher's "-----" separator).
  assert.ok(shell.accessLines.every((l) => l.path.startsWith('03_IIS-W3SVC1')));
  assert.deepEqual(shell.accessLines.map((l) => l.line).sort((a, b) => a! - b!), [1, 2, 4, 5, 6]);
  assert.equal(shell.firstAccess, '2021-03-05T03:06:27.000Z');
  assert.equal(shell.lastAccess, '2021-03-06T17:27:45.000Z');
  // The shell users are tied to the SSRF actor's OAB reset by time order, and the link says so.
  assert.ok(inc.links.some((l) => /tied by time order to the file write/.test(l)), inc.links.join('\n'));
  // Timeline: SSRF first, the ECP script write, then the shell use; no stage goes back in the story.
  const stages = inc.timeline.map((e) => e.stage);
  assert.equal(stages[0], 'exploit');
  assert.ok(stages.indexOf('file-write') < stages.indexOf('shell-access'));
  assert.equal(stages.lastIndexOf('exploit') < stages.indexOf('shell-access'), true);
  assert.equal(inc.allMailboxesReachable, true);
  assert.equal(inc.exposure!.start, '2021-03-03T06:49:46.210Z', 'exposure starts at the 241 proxyLogon.ecp (SSRF as the server)');
  assert.equal(r.scanning, null);
});

test('Microsoft Q&A extracts: one attempted incident per pasted extract, and one for the folder', { skip: !present && why }, async () => {
  for (const file of ['qa-302014_HttpProxy_AnchorMailbox_CVE-2021-26855.txt', 'qa-309846_HttpProxy_AnchorMailbox_CVE-2021-26855.txt']) {
    const r = await scan(join(CORPUS, 'microsoft-qa', file));
    assert.equal(r.incidents.length, 1, file);
    const inc = r.incidents[0]!;
    assert.equal(inc.status, 'attempted', file);
    assert.deepEqual([...inc.findingIds].sort(), r.findings.map((f) => f.id).sort(), `${file}: every finding in the incident`);
    assert.equal(inc.allMailboxesReachable, false);
    assert.deepEqual(inc.ips, [], 'the pasted extracts carry no client IPs');
  }
  const r = await scan(join(CORPUS, 'microsoft-qa'));
  assert.equal(r.incidents.length, 1);
  assert.equal(r.incidents[0]!.window.start, '2021-03-03T04:23:22.370Z');
});

test('real benign material gives no incident', { skip: !present && why }, async () => {
  for (const folder of ['qazeer-artefacts-help', 'iis-generic-webshell']) {
    const r = await scan(join(CORPUS, folder));
    assert.deepEqual(r.incidents, [], folder);
  }
});
