import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EvtxRuleCache, channelService, evtxLogsources, isProcessCreation } from './evtx-logsource.js';
import { EvtxCoverageTracker, umCheckReasons } from './evtx-coverage.js';
import type { ReaderStats } from '../readers/types.js';
import type { LogSource } from '../model/record.js';
import type { CompiledRule } from '../rules/types.js';

test('channel → Sigma service: SigmaHQ names, unknown channels get a stable name', () => {
  assert.equal(channelService('Security'), 'security');
  assert.equal(channelService('MSExchange Management'), 'msexchange-management');
  assert.equal(channelService('Microsoft-Windows-Sysmon/Operational'), 'sysmon');
  assert.equal(channelService('Microsoft-Windows-PowerShell/Operational'), 'powershell');
  assert.equal(channelService('Windows PowerShell'), 'powershell-classic');
  assert.equal(channelService('Microsoft-Windows-Windows Defender/Operational'), 'windefend');
  assert.equal(channelService('Microsoft-Windows-Foo/Bar Baz'), 'foo-bar-baz');
  assert.equal(channelService(null), '');
});

test('event → Sigma categories (with the channel service)', () => {
  assert.deepEqual(evtxLogsources('Security', 4688), [{ product: 'windows', service: 'security', category: 'process_creation' }]);
  assert.deepEqual(evtxLogsources('Security', 4624), [{ product: 'windows', service: 'security' }]);
  assert.deepEqual(evtxLogsources('Microsoft-Windows-Sysmon/Operational', 1), [{ product: 'windows', service: 'sysmon', category: 'process_creation' }]);
  assert.deepEqual(evtxLogsources('Microsoft-Windows-Sysmon/Operational', 10), [{ product: 'windows', service: 'sysmon', category: 'process_access' }]);
  assert.deepEqual(
    evtxLogsources('Microsoft-Windows-Sysmon/Operational', 12, 'CreateKey').map((l) => l.category),
    ['registry_event', 'registry_add'],
  );
  assert.deepEqual(evtxLogsources('Microsoft-Windows-Sysmon/Operational', 13).map((l) => l.category), ['registry_event', 'registry_set']);
  assert.deepEqual(evtxLogsources('Microsoft-Windows-PowerShell/Operational', 4104), [{ product: 'windows', service: 'powershell', category: 'ps_script' }]);
  // Sysmon event ids in another channel are not Sysmon events.
  assert.deepEqual(evtxLogsources('Application', 1), [{ product: 'windows', service: 'application' }]);
  assert.ok(isProcessCreation('Security', 4688) && isProcessCreation('Microsoft-Windows-Sysmon/Operational', 1));
  assert.ok(!isProcessCreation('Application', 1) && !isProcessCreation('Security', 4689));
});

test('rule lists are computed once per (channel, provider, event id)', () => {
  const calls: LogSource[] = [];
  const r1 = { id: 'a' } as CompiledRule;
  const cache = new EvtxRuleCache((ls) => {
    calls.push(ls);
    return [r1];
  });
  for (let i = 0; i < 1000; i++) assert.deepEqual(cache.rulesFor('Security', 'Microsoft-Windows-Security-Auditing', 4688), [r1]);
  assert.equal(calls.length, 1);
  cache.rulesFor('Security', 'Microsoft-Windows-Security-Auditing', 4624);
  assert.equal(calls.length, 2);
});

const stats = (processCreation: number, channel: string): ReaderStats => ({
  bytes: 0, records: 1, lines: 0, headerBlocks: 0, malformed: 0, longRecords: 0, truncatedTail: false, assumedHeader: false, hours: new Set(),
  evtx: { channel, processCreation, ...(processCreation ? { processFirst: 1_600_000_000_000, processLast: 1_600_000_100_000 } : {}) },
});

test('coverage: no 4688 / Sysmon 1 events → process creation "not audited", never silent', () => {
  const t = new EvtxCoverageTracker();
  assert.equal(t.processCreation(), undefined, 'nothing to say without event logs');
  t.add(stats(0, 'System'));
  t.add(stats(0, 'Application'));
  const pc = t.processCreation()!;
  assert.equal(pc.status, 'not-audited');
  assert.match(pc.note, /not audited/);
  t.add(stats(3, 'Security'));
  assert.equal(t.processCreation()!.status, 'audited');
  assert.equal(t.processCreation()!.events, 3);
});

test('CVE-2021-26857 check: not applicable on Exchange 2019; could not run without the Application log', () => {
  const t = new EvtxCoverageTracker();
  t.add(stats(0, 'Application'));
  assert.match(umCheckReasons([{ build: '15.2.792.3' }], t).join(), /not applicable: Exchange 2019 \(15\.2\.792\.3\) has no Unified Messaging/);
  assert.deepEqual(umCheckReasons([{ build: '15.1.2176.2' }], t), []);
  assert.deepEqual(umCheckReasons([{ build: '15.2.792.3' }, { build: '15.1.2176.2' }], t), []);
  const noApp = new EvtxCoverageTracker();
  noApp.add(stats(0, 'Security'));
  assert.match(umCheckReasons([], noApp).join(), /could not run/);
});

test('--sigma: a SigmaHQ clone gives its rule folders (not deprecated/placeholder); any other folder is used as is', async () => {
  const { mkdtempSync, mkdirSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { sigmaRuleDirs } = await import('./sigma-pack.js');
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-sigma-dirs-'));
  try {
    assert.deepEqual(sigmaRuleDirs(dir), [dir]);
    for (const d of ['rules', 'rules-emerging-threats', 'deprecated', 'rules-placeholder']) mkdirSync(join(dir, d));
    assert.deepEqual(sigmaRuleDirs(dir), [join(dir, 'rules'), join(dir, 'rules-emerging-threats')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
