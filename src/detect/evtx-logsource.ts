/**
 * Which Sigma log sources a Windows event record belongs to, as data: channel → `service`, and
 * (channel, provider, event id[, EventType]) → `category`. Follows SigmaHQ's conventions (the THOR /
 * pySigma Windows log-source tables: `process_creation` is Sysmon 1 and Security 4688, `ps_script` is
 * PowerShell 4104, …). Documented in docs/rules.md ("Windows log sources").
 *
 * A record gets one log source per category it is in, each carrying the channel's service too, so a
 * rule written for `{product: windows, service: security}`, for `{product: windows, category:
 * process_creation}` or for both finds it. Records of a channel with no category get `{product: windows,
 * service}` only. The rule list per (channel, provider, event id, EventType) is computed once and cached.
 */
import type { LogSource } from '../model/record.js';
import type { CompiledRule } from '../rules/types.js';

/** Channel (case-insensitive, exact) → Sigma `service`. */
export const CHANNEL_SERVICES: Readonly<Record<string, string>> = {
  security: 'security',
  system: 'system',
  application: 'application',
  'msexchange management': 'msexchange-management',
  'microsoft-windows-sysmon/operational': 'sysmon',
  'microsoft-windows-powershell/operational': 'powershell',
  'powershellcore/operational': 'powershell',
  'windows powershell': 'powershell-classic',
  'microsoft-windows-taskscheduler/operational': 'taskscheduler',
  'microsoft-windows-wmi-activity/operational': 'wmi',
  'microsoft-windows-windows defender/operational': 'windefend',
  'microsoft-windows-ntlm/operational': 'ntlm',
  'microsoft-windows-dhcp-server/operational': 'dhcp',
  'dns server': 'dns-server',
  'microsoft-windows-printservice/admin': 'printservice-admin',
  'microsoft-windows-printservice/operational': 'printservice-operational',
  'microsoft-windows-smbclient/security': 'smbclient-security',
  'microsoft-windows-smbclient/connectivity': 'smbclient-connectivity',
  'microsoft-windows-smbserver/connectivity': 'smbserver-connectivity',
  'microsoft-windows-terminalservices-localsessionmanager/operational': 'terminalservices-localsessionmanager',
  'microsoft-windows-codeintegrity/operational': 'codeintegrity-operational',
  'microsoft-windows-applocker/exe and dll': 'applocker',
  'microsoft-windows-applocker/msi and script': 'applocker',
  'microsoft-windows-applocker/packaged app-deployment': 'applocker',
  'microsoft-windows-applocker/packaged app-execution': 'applocker',
  'microsoft-windows-windows firewall with advanced security/firewall': 'firewall-as',
  'microsoft-windows-bits-client/operational': 'bits-client',
  'microsoft-windows-security-mitigations/kernel mode': 'security-mitigations',
  'microsoft-windows-security-mitigations/user mode': 'security-mitigations',
  'microsoft-windows-diagnosis-scripted/operational': 'diagnosis-scripted',
  'microsoft-windows-shell-core/operational': 'shell-core',
  'openssh/operational': 'openssh',
  'microsoft-windows-ldap-client/debug': 'ldap',
  'microsoft-windows-bitlocker/bitlocker management': 'bitlocker',
  'microsoft-windows-vhdmp-operational': 'vhdmp',
  'microsoft-windows-vhdmp/operational': 'vhdmp',
  'microsoft-windows-appxdeploymentserver/operational': 'appxdeployment-server',
  'microsoft-windows-lsa/operational': 'lsa-server',
  'microsoft-windows-appxpackaging/operational': 'appxpackaging-om',
  'microsoft-windows-dns client events/operational': 'dns-client',
  'microsoft-windows-appmodel-runtime/admin': 'appmodel-runtime',
  'microsoft-windows-capi2/operational': 'capi2',
  'microsoft-windows-certificateservicesclient-lifecycle-system/operational': 'certificateservicesclient-lifecycle-system',
  'microsoft-windows-kernel-shimengine/operational': 'kernel-shimengine',
  'microsoft-windows-application-experience/program-telemetry': 'application-experience',
  'microsoft-windows-application-experience/program-compatibility-assistant': 'application-experience',
  'microsoft-windows-ntfs/operational': 'ntfs',
  'microsoft-windows-hyper-v-worker-admin': 'hyper-v-worker',
  'microsoft-windows-kernel-eventtracing/admin': 'kernel-event-tracing',
  'microsoft-windows-sense/operational': 'sense',
  'microsoft-servicebus-client': 'servicebus-client',
  'microsoft-iis-configuration/operational': 'iis-configuration',
  'microsoft-iis-configuration/administrative': 'iis-configuration',
  'microsoft-windows-driverframeworks-usermode/operational': 'driver-framework',
};

/** A category rule: records of `service` with one of `eventIds` (and, if set, `EventType` value) are in `category`. */
export interface CategoryRule {
  category: string;
  service: string;
  eventIds: readonly number[];
  /** Sysmon 12's registry sub-kinds: `EventType` value (case-insensitive). */
  eventType?: readonly string[];
}

export const EVENT_CATEGORIES: readonly CategoryRule[] = [
  { category: 'process_creation', service: 'sysmon', eventIds: [1] },
  { category: 'process_creation', service: 'security', eventIds: [4688] },
  { category: 'file_change', service: 'sysmon', eventIds: [2] },
  { category: 'network_connection', service: 'sysmon', eventIds: [3] },
  { category: 'sysmon_status', service: 'sysmon', eventIds: [4, 16] },
  { category: 'process_termination', service: 'sysmon', eventIds: [5] },
  { category: 'driver_load', service: 'sysmon', eventIds: [6] },
  { category: 'image_load', service: 'sysmon', eventIds: [7] },
  { category: 'create_remote_thread', service: 'sysmon', eventIds: [8] },
  { category: 'raw_access_thread', service: 'sysmon', eventIds: [9] },
  { category: 'process_access', service: 'sysmon', eventIds: [10] },
  { category: 'file_event', service: 'sysmon', eventIds: [11] },
  { category: 'registry_event', service: 'sysmon', eventIds: [12, 13, 14] },
  { category: 'registry_add', service: 'sysmon', eventIds: [12], eventType: ['CreateKey'] },
  { category: 'registry_delete', service: 'sysmon', eventIds: [12], eventType: ['DeleteKey', 'DeleteValue'] },
  { category: 'registry_set', service: 'sysmon', eventIds: [13] },
  { category: 'registry_rename', service: 'sysmon', eventIds: [14] },
  { category: 'create_stream_hash', service: 'sysmon', eventIds: [15] },
  { category: 'pipe_created', service: 'sysmon', eventIds: [17, 18] },
  { category: 'wmi_event', service: 'sysmon', eventIds: [19, 20, 21] },
  { category: 'dns_query', service: 'sysmon', eventIds: [22] },
  { category: 'file_delete', service: 'sysmon', eventIds: [23] },
  { category: 'clipboard_change', service: 'sysmon', eventIds: [24] },
  { category: 'process_tampering', service: 'sysmon', eventIds: [25] },
  { category: 'file_delete_detected', service: 'sysmon', eventIds: [26] },
  { category: 'file_block_executable', service: 'sysmon', eventIds: [27] },
  { category: 'file_block_shredding', service: 'sysmon', eventIds: [28] },
  { category: 'file_executable_detected', service: 'sysmon', eventIds: [29] },
  { category: 'sysmon_error', service: 'sysmon', eventIds: [255] },
  { category: 'ps_module', service: 'powershell', eventIds: [4103] },
  { category: 'ps_script', service: 'powershell', eventIds: [4104] },
  { category: 'ps_classic_start', service: 'powershell-classic', eventIds: [400] },
  { category: 'ps_classic_provider_start', service: 'powershell-classic', eventIds: [600] },
  { category: 'ps_classic_script', service: 'powershell-classic', eventIds: [800] },
  { category: 'antivirus', service: 'windefend', eventIds: [1006, 1007, 1008, 1009, 1010, 1011, 1012, 1017, 1018, 1019, 1115, 1116] },
];

/** Event ids that record a process start (coverage: "process creation not audited" when none is seen). */
export const PROCESS_CREATION_EVENTS: ReadonlyArray<{ service: string; eventId: number }> = EVENT_CATEGORIES.filter(
  (c) => c.category === 'process_creation',
).flatMap((c) => c.eventIds.map((eventId) => ({ service: c.service, eventId })));

/**
 * Sigma `service` of a channel: the table above; else the channel name lower-cased without a leading
 * `microsoft-windows-` and with spaces and slashes as `-` (so unknown channels still get a stable name).
 */
export function channelService(channel: string | null | undefined): string {
  const c = (channel ?? '').trim().toLowerCase();
  return CHANNEL_SERVICES[c] ?? c.replace(/^microsoft-windows-/, '').replace(/[\s/]+/g, '-');
}

/** Is a record with this channel and event id a process-creation event? */
export function isProcessCreation(channel: string | null | undefined, eventId: number | null | undefined): boolean {
  if (eventId !== 1 && eventId !== 4688) return false;
  const s = channelService(channel);
  return PROCESS_CREATION_EVENTS.some((p) => p.service === s && p.eventId === eventId);
}

/** Every Sigma log source of a record (see the module comment). */
export function evtxLogsources(channel: string | null | undefined, eventId?: number | null, eventType?: string | null): LogSource[] {
  const service = channelService(channel);
  const out: LogSource[] = [];
  if (eventId !== undefined && eventId !== null) {
    const et = eventType?.toLowerCase();
    for (const c of EVENT_CATEGORIES) {
      if (c.service !== service || !c.eventIds.includes(eventId)) continue;
      if (c.eventType && !(et !== undefined && c.eventType.some((x) => x.toLowerCase() === et))) continue;
      out.push({ product: 'windows', service, category: c.category });
    }
  }
  if (!out.length) out.push({ product: 'windows', service });
  return out;
}

/**
 * Rules for event records, cached per (channel, provider, event id, EventType): a log of a million
 * records costs a handful of rule-list computations. Provider is part of the key so rules may one day
 * be indexed by provider; today the log source does not depend on it.
 */
export class EvtxRuleCache {
  private readonly cache = new Map<string, readonly CompiledRule[]>();
  constructor(private readonly lookup: (ls: LogSource) => readonly CompiledRule[]) {}

  rulesFor(channel: string | null | undefined, provider: string | null | undefined, eventId: number | null | undefined, eventType?: string | null): readonly CompiledRule[] {
    const key = `${channel ?? ''}\0${provider ?? ''}\0${eventId ?? ''}\0${eventType ?? ''}`;
    let rules = this.cache.get(key);
    if (rules === undefined) {
      const seen = new Set<CompiledRule>();
      for (const ls of evtxLogsources(channel, eventId, eventType)) for (const r of this.lookup(ls)) seen.add(r);
      rules = [...seen];
      if (this.cache.size > 10_000) this.cache.clear(); // hostile files: bounded memory
      this.cache.set(key, rules);
    }
    return rules;
  }
}
