import type { Entities } from '../model/finding.js';
import type { LogSource } from '../model/record.js';

/**
 * Per log kind: which Sigma log source its records are, which fields a finding shows, how floods group,
 * and where entities come from. Data, not logic: rules may override groupBy and entities.
 */
interface KindProfile {
  logsource: LogSource;
  keyFields: string[];
  groupBy: string[];
  entities: Partial<Record<keyof Entities, string[]>>;
}

const HTTPPROXY: KindProfile = {
  logsource: { product: 'exchange', service: 'httpproxy' },
  keyFields: ['DateTime', 'RequestId', 'ClientIpAddress', 'UrlHost', 'UrlStem', 'RoutingHint', 'UserAgent', 'AnchorMailbox', 'HttpStatus', 'Method', 'AuthenticatedUser'],
  groupBy: ['ClientIpAddress', 'UrlStem', 'AnchorMailbox'],
  entities: { ips: ['ClientIpAddress'], userAgents: ['UserAgent'], accounts: ['AuthenticatedUser'], mailboxes: ['AnchorMailbox'] },
};

const WEB: KindProfile = {
  logsource: { category: 'webserver' },
  keyFields: ['date', 'time', 'c-ip', 'cs-method', 'cs-uri-stem', 'cs-uri-query', 'cs-uri', 'cs-username', 'cs(User-Agent)', 'sc-status', 's-port'],
  groupBy: ['c-ip', 'cs-method', 'cs-uri-stem', 'sc-status'],
  entities: { ips: ['c-ip'], userAgents: ['cs(User-Agent)'], accounts: ['cs-username'] },
};

const PROFILES: Record<string, KindProfile> = {
  httpproxy: HTTPPROXY,
  'tpl-export': HTTPPROXY,
  'ecp-server': {
    logsource: { product: 'exchange', service: 'ecp-server' },
    keyFields: ['TimeStamp', 'ServerName', 'EventId', 'CMD', 'URL', 'EX'],
    groupBy: ['_raw'],
    entities: {},
  },
  oabgenerator: {
    logsource: { product: 'exchange', service: 'oabgenerator' },
    keyFields: [],
    groupBy: ['_raw'],
    entities: {},
  },
  // EWS: who read which mailbox (AuthenticatedUser acting as ImpersonatedUser / ActAsUser / ProxyAsUser).
  ews: {
    logsource: { product: 'exchange', service: 'ews' },
    keyFields: ['DateTime', 'RequestId', 'ClientIpAddress', 'AuthenticatedUser', 'ImpersonatedUser', 'ActAsUser', 'ProxyAsUser', 'SoapAction', 'HttpStatus', 'UserAgent'],
    groupBy: ['ClientIpAddress', 'AuthenticatedUser', 'SoapAction'],
    entities: { ips: ['ClientIpAddress'], userAgents: ['UserAgent'], accounts: ['AuthenticatedUser'], mailboxes: ['ImpersonatedUser', 'ActAsUser', 'ProxyAsUser'] },
  },
  // Remote PowerShell cmdlets: what was run, with which parameters, by whom.
  'rps-cmdlet': {
    logsource: { product: 'exchange', service: 'rps-cmdlet' },
    keyFields: ['DateTime', 'RequestId', 'ServerHostName', 'AuthenticatedUser', 'ExecutingUserSid', 'ClientApplication', 'Cmdlet', 'Parameters', 'ExecutionResult', 'ErrorType'],
    groupBy: ['AuthenticatedUser', 'Cmdlet', 'Parameters'],
    entities: { accounts: ['AuthenticatedUser'] },
  },
  'iis-w3c': WEB,
  httperr: WEB,
  evtx: {
    logsource: { product: 'windows' },
    // System fields, then the EventData a responder reads first (absent ones are skipped): process creation
    // (Sysmon 1 / Security 4688), process access, accounts, tasks, services, and the cmdlet log's unnamed
    // values (cmdlet, parameters, user, process).
    keyFields: [
      'EventID', 'Provider_Name', 'Channel', 'Computer', 'TimeCreated', 'EventRecordID', 'Security_UserID',
      'Image', 'NewProcessName', 'CommandLine', 'ParentImage', 'ParentProcessName', 'User', 'SourceImage', 'TargetImage', 'GrantedAccess',
      'SubjectUserName', 'SubjectDomainName', 'TargetUserName', 'TargetDomainName', 'MemberName', 'MemberSid', 'TaskName', 'ServiceName', 'ImagePath',
      'Data[0]', 'Data[1]', 'Data[2]', 'Data[6]',
    ],
    groupBy: ['EventID', '_raw'],
    entities: { accounts: ['SubjectUserName', 'TargetUserName'], ips: ['IpAddress'] },
  },
  file: {
    logsource: { product: 'exhunt', category: 'file' },
    keyFields: ['TargetFilename', 'Size', 'Modified', 'Created'],
    groupBy: ['TargetFilename'],
    entities: { paths: ['TargetFilename'] },
  },
};

const FALLBACK: KindProfile = { logsource: { product: 'exchange', service: 'text' }, keyFields: [], groupBy: ['_raw'], entities: {} };

export function profile(kind: string): KindProfile {
  return PROFILES[kind] ?? FALLBACK;
}
export const logsourceFor = (kind: string): LogSource => profile(kind).logsource;
export const keyFields = (kind: string): string[] => profile(kind).keyFields;
export const defaultGroupBy = (kind: string): string[] => profile(kind).groupBy;
export const defaultEntityFields = (kind: string): Partial<Record<keyof Entities, string[]>> => profile(kind).entities;
