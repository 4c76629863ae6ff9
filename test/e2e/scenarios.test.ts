/**
 * End to end: the 2021–2022 scenarios (ProxyShell, ProxyNotShell, OWASSRF, several actors) scanned with the built
 * CLI and compared with what each scenario states about itself (truth.expect): verdicts, the number of incidents,
 * each incident's IPs, shells, mailboxes, accounts and timeline order, and the scanners kept out of incidents.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { simulate } from '../../src/simulate/index.js';
import type { ScanResult } from '../../src/scan.js';
import { STAGE_ORDER } from '../../src/correlate/timeline.js';
import { runCli, tempDir } from './helpers.js';

let root: string;
before(async () => {
  root = await tempDir('scenarios');
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

for (const scenario of ['proxyshell', 'proxynotshell', 'owassrf', 'multi'] as const) {
  test(`${scenario}: verdicts, incidents, timeline order, mailboxes`, async () => {
    const tree = join(root, scenario);
    const truth = await simulate({ out: tree, scenario, seed: 5 });
    const expect = truth.expect!;
    assert.ok(expect, 'the scenario states its expectations');
    const out = join(root, `${scenario}.json`);
    const run = await runCli(['scan', tree, '--json', out, '-q']);
    assert.ok(run.code === 5 || run.code === 6 || run.code === 4, `scan ran (exit ${run.code}): ${run.stderr}`);
    const r = JSON.parse(await readFile(out, 'utf8')) as ScanResult;

    assert.equal(r.incidents.length, expect.incidents.length,
      `incidents: ${JSON.stringify(r.incidents.map((i) => [i.status, i.ips.map((x) => x.ip)]))}`);
    expect.incidents.forEach((want, k) => {
      const got = r.incidents[k]!;
      const label = `${scenario} incident ${got.id}`;
      assert.equal(got.status, want.status, label);
      assert.deepEqual(new Set(got.ips.map((i) => i.ip)), new Set(want.ips), `${label} IPs`);
      assert.deepEqual(new Set(got.shells.map((s) => s.url)), new Set(want.shells), `${label} shells`);
      const boxes = new Set(got.mailboxes.map((m) => m.mailbox));
      for (const m of want.mailboxes) assert.ok(boxes.has(m), `${label}: mailbox ${m} listed (got ${[...boxes].join(', ') || 'none'})`);
      const accounts = new Set(got.accounts.map((a) => a.account.toLowerCase()));
      for (const a of want.accounts) assert.ok(accounts.has(a.toLowerCase()), `${label}: account ${a} listed (got ${[...accounts].join(', ') || 'none'})`);
      assert.equal(got.allMailboxesReachable, want.allMailboxesReachable, `${label} all mailboxes reachable`);
      // Every expected stage is there, and they first happen in the story's order.
      const firstAt = want.stages.map((s) => got.timeline.find((e) => e.stage === s)?.time);
      assert.deepEqual(want.stages.filter((_, i) => firstAt[i] === undefined), [], `${label}: stages present (got ${[...new Set(got.timeline.map((e) => e.stage))].join(' > ')})`);
      assert.deepEqual([...firstAt].sort(), firstAt, `${label}: ${want.stages.join(' → ')} in time order`);
      assert.ok(want.stages.every((s, i) => i === 0 || STAGE_ORDER.indexOf(s as never) > STAGE_ORDER.indexOf(want.stages[i - 1] as never)));
    });
    const inIncidents = new Set(r.incidents.flatMap((i) => i.ips.map((x) => x.ip)));
    for (const ip of expect.scannerIps) assert.ok(!inIncidents.has(ip), `scanner ${ip} is in no incident`);
    assert.equal(r.scanning?.ipCount ?? 0, expect.scannerIps.length, 'scanners counted apart');
    // Verdicts last: the incident checks above do not depend on the family's verdict code.
    for (const [family, status] of Object.entries(expect.verdicts)) {
      assert.equal(r.verdicts[family]?.status, status, `${family} verdict (${r.verdicts[family]?.reasons.join('; ') ?? 'no verdict for this family'})`);
    }
  });
}
