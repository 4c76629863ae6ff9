/**
 * Hunting in real event logs (../shared/corpora/evtx and evtx-conformance): our event rules fire on the
 * attack samples and the critical ones stay silent on ordinary logs. The files are copied to a temporary
 * folder (never into the project) and scanned through `scan()`, the real path. Skips when the corpus is
 * absent. The OTRF ProxyLogon lab capture is published as JSON lines (the lab's SIEM export), not EVTX: its
 * relevant events are written back into an EVTX file with the test fixture writer, so they too go
 * through the parser and the hunt.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { scan, type ScanResult } from '../../src/scan.js';
import { eventLogFile, type SampleEvent } from '../fixtures/evtx/events.js';

const EVTX = resolve('../shared/corpora/evtx');
const CONF = resolve('../shared/corpora/evtx-conformance/samples');
const present = existsSync(EVTX) && existsSync(CONF);
const why = `corpus ${EVTX} not present (it ships with the exhunt workspace, not with a clone)`;

function hitsByRule(r: ScanResult): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of r.findings) out[f.ruleId] = (out[f.ruleId] ?? 0) + f.count;
  return out;
}

async function scanFiles(files: string[]): Promise<ScanResult> {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-evtx-hunt-'));
  try {
    for (const f of files) copyFileSync(f, join(dir, basename(f)));
    return await scan(dir, { workers: 1 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const CASES: Array<{ name: string; file: string; expect: Record<string, number> }> = [
  {
    name: 'comsvcs.dll MiniDump of LSASS (lsassy; Security 4688)',
    file: 'mdecrevoisier-EVTX-to-MITRE-Attack/TA0006-Credential Access/T1003-Credential dumping/ID4688-4663-4656-LSASS dump with LSASSY (process).evtx',
    // PowerShell's command line and rundll32's both name comsvcs.dll MiniDump.
    expect: { 'exhunt.eventlog.lsass-dump-comsvcs': 2 },
  },
  {
    name: 'procdump and Task Manager opening LSASS (Sysmon 10)',
    file: 'sbousseaden-EVTX-ATTACK-SAMPLES/Credential Access/sysmon_10_11_lsass_memdump.evtx',
    expect: { 'exhunt.eventlog.lsass-access': 2 },
  },
  {
    name: 'IIS web shell: w3wp.exe -> cmd.exe /c net user (Sysmon 1)',
    file: 'sbousseaden-EVTX-ATTACK-SAMPLES/Lateral Movement/LM_typical_IIS_webshell_sysmon_1_10_traces.evtx',
    expect: { 'exhunt.eventlog.webshell-child-process': 1 },
  },
  {
    name: 'procdump -ma lsass.exe run through cmd (Sysmon 1, Atomic Red Team)',
    file: 'sbousseaden-EVTX-ATTACK-SAMPLES/AutomatedTestingTools/PanacheSysmon_vs_AtomicRedTeam01.evtx',
    expect: { 'exhunt.eventlog.lsass-dump-procdump': 1 },
  },
  {
    name: 'IIS web shell: w3wp.exe -> PowerShell/appcmd dumping the IIS configuration (Sysmon 1)',
    file: 'sbousseaden-EVTX-ATTACK-SAMPLES/Credential Access/discovery_sysmon_1_iis_pwd_and_config_discovery_appcmd.evtx',
    expect: { 'exhunt.eventlog.webshell-child-process': 1 },
  },
  {
    name: 'Security log cleared (1102)',
    file: 'hayabusa-sample-evtx/DeepBlueCLI/eventlog-dac.evtx',
    expect: { 'exhunt.eventlog.security-log-cleared': 1 },
  },
  {
    name: 'Event log cleared (System 104) and services stopped',
    file: 'hayabusa-sample-evtx/DeepBlueCLI/disablestop-eventlog.evtx',
    expect: { 'exhunt.eventlog.log-cleared': 1 },
  },
  {
    name: 'Metasploit PsExec: service with a shell command (7045)',
    file: 'hayabusa-sample-evtx/DeepBlueCLI/metasploit-psexec-native-target-system.evtx',
    expect: { 'exhunt.eventlog.service-installed': 1, 'exhunt.eventlog.service-suspicious': 1 },
  },
  {
    name: 'Scheduled task with SYSTEM rights (4698)',
    file: 'mdecrevoisier-EVTX-to-MITRE-Attack/TA0002-Execution/T1053.005-Scheduled Task/ID4688-4698 Persistent scheduled task with SYSTEM privileges creation.evtx',
    expect: { 'exhunt.eventlog.scheduled-task': 1 },
  },
  {
    name: 'Member added to an Exchange group (4756)',
    file: 'mdecrevoisier-EVTX-to-MITRE-Attack/TA0006-Credential Access/T1003-Credential dumping/ID4756-Exchange critical group change (DCsync).evtx',
    expect: { 'exhunt.eventlog.privileged-group-add': 1 },
  },
];

for (const c of CASES) {
  test(`evtx hunting: ${c.name}`, { skip: !present && why }, async (t) => {
    const path = join(EVTX, c.file);
    if (!existsSync(path)) return t.skip(`${c.file} not in this corpus snapshot`);
    const hits = hitsByRule(await scanFiles([path]));
    t.diagnostic(`hits per rule: ${JSON.stringify(hits)}`);
    for (const [rule, n] of Object.entries(c.expect)) assert.ok((hits[rule] ?? 0) >= n, `${rule} fires at least ${n} time(s) (got ${hits[rule] ?? 0})`);
  });
}

test('evtx hunting: MSExchange Management sample (forwarding set by Set-Mailbox, unnamed Data)', { skip: !present && why }, async () => {
  const r = await scanFiles([join(CONF, 'MSExchange_Management_wec.evtx')]);
  const hits = hitsByRule(r);
  assert.deepEqual(hits, { 'exhunt.eventlog.mgmt-mail-forwarding': 1 });
  const f = r.findings[0]!;
  assert.match(f.summary ?? '', /Set-Mailbox on Administrateur forwards to smtp:test2@example\.com/);
  // No process-creation events in a cmdlet log: coverage must say so.
  assert.equal(r.coverage.processCreation?.status, 'not-audited');
  assert.ok(r.coverage.notes?.some((n) => /not audited/.test(n)));
});

const CRITICAL = [
  'exhunt.eventlog.um-invalidcast',
  'exhunt.eventlog.um-child-process',
  'exhunt.eventlog.mgmt-vdir-script',
  'exhunt.eventlog.mgmt-export-webshell',
  'exhunt.eventlog.webshell-child-process',
  'exhunt.eventlog.lsass-dump-comsvcs',
  'exhunt.eventlog.lsass-dump-procdump',
];

test('evtx hunting: the critical event rules stay silent on ordinary logs (conformance samples)', { skip: !present && why }, async (t) => {
  const files = readdirSync(CONF).filter((f) => f.endsWith('.evtx')).map((f) => join(CONF, f));
  const r = await scanFiles(files);
  const hits = hitsByRule(r);
  t.diagnostic(`hits per rule on ${files.length} ordinary logs: ${JSON.stringify(hits)}`);
  for (const id of CRITICAL) assert.equal(hits[id] ?? 0, 0, `${id} must not fire on ordinary logs`);
  assert.equal(r.coverage.processCreation?.status, 'audited');
});

/** The OTRF ProxyLogon capture's JSON events → EVTX events (named fields; a cmdlet record's rendered Message as its only Data). */
function otrfToEvents(lines: string[]): SampleEvent[] {
  const SYSTEM = new Set(['SourceName', 'ProviderGuid', 'Level', 'Keywords', 'Channel', 'Hostname', 'TimeCreated', '@timestamp', 'EventID', 'Message', 'Task', 'Opcode', 'RecordNumber', 'ExecutionProcessID', 'ExecutionThreadID', 'Version', 'EventType', 'Severity', 'SeverityValue', 'EventTime', 'EventReceivedTime', 'SourceModuleName', 'SourceModuleType', 'Category', 'ActivityID', 'OpcodeValue', 'port', 'host', '@version', 'tags', 'AccountName', 'AccountType', 'Domain', 'UserID']);
  const out: SampleEvent[] = [];
  for (const l of lines) {
    let r: Record<string, unknown>;
    try {
      r = JSON.parse(l) as Record<string, unknown>;
    } catch {
      continue;
    }
    const ch = String(r['Channel'] ?? '');
    const id = Number(r['EventID']);
    const keep =
      ch === 'MSExchange Management' ||
      ch === 'Application' ||
      (ch === 'Security' && id === 4688) ||
      (ch === 'Microsoft-Windows-Sysmon/Operational' && (id === 1 || (id === 10 && /lsass\.exe$/i.test(String(r['TargetImage'] ?? '')))));
    if (!keep) continue;
    const e: SampleEvent = { Channel: ch, Provider: String(r['SourceName'] ?? ''), EventID: String(id), Level: String(r['Level'] ?? '4'), Time: String(r['TimeCreated'] ?? '2021-03-14T00:00:00Z') };
    let named = 0;
    for (const [k, v] of Object.entries(r)) {
      if (SYSTEM.has(k) || v === null || typeof v === 'object') continue;
      e[k] = String(v).slice(0, 2000);
      named++;
    }
    if (!named) e['Data[0]'] = String(r['Message'] ?? '').slice(0, 4000);
    out.push(e);
  }
  return out;
}

test('evtx hunting: OTRF ProxyLogon lab capture (Exchange 2019, public PoC)', { skip: !present && why }, async (t) => {
  const zip = join(EVTX, 'otrf-security-datasets/datasets/atomic/windows/persistence/host/proxylogon_ssrf_rce_poc.zip');
  if (!existsSync(zip)) return t.skip('OTRF ProxyLogon capture not in this corpus snapshot');
  let text: string;
  try {
    text = execFileSync('unzip', ['-p', zip], { maxBuffer: 64 << 20 }).toString('utf8');
  } catch {
    return t.skip('unzip not available');
  }
  const events = otrfToEvents(text.split('\n'));
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-otrf-'));
  try {
    writeFileSync(join(dir, 'proxylogon-lab.evtx'), eventLogFile(events));
    const r = await scan(dir, { workers: 1 });
    const hits = hitsByRule(r);
    t.diagnostic(`${events.length} events; hits per rule: ${JSON.stringify(hits)}`);
    // Set-OabVirtualDirectory -ExternalUrl "http://ffff/#<script ...>" in the cmdlet log, then w3wp.exe -> cmd /c whoami
    // (Sysmon 1 and Security 4688, twice each).
    assert.ok((hits['exhunt.eventlog.mgmt-vdir-script'] ?? 0) >= 1, 'the script set in the OAB URL is found');
    assert.ok((hits['exhunt.eventlog.webshell-child-process'] ?? 0) >= 2, 'w3wp.exe starting cmd /c whoami is found');
    assert.equal(r.verdicts['proxylogon']!.status, 'compromised');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
