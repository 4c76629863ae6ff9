/**
 * Field mappings, as data: which record field(s) a Sigma field name reads, per log source.
 *
 * Readers hand records whose `get()` is case-insensitive and keyed by the log's own column names
 * (IIS W3C `cs(User-Agent)`, Exchange CSV `ClientIpAddress`, ...). Rules use Sigma's taxonomy names
 * (`cs-user-agent`). A mapping entry lists the record names to try in order — the first one present is
 * the field's value — plus optional `also` names whose values may satisfy a string/regex test too (an
 * OR, like pySigma's one-to-many field mappings).
 *
 * Names starting with `@` are virtual fields computed from others (see VIRTUAL_FIELDS); `_raw` is the
 * record's raw text. Unknown names map to themselves (identity), which is what Exchange logs (column
 * names) and most Windows event logs use; Sigma's `process_creation` maps Security 4688's names.
 */
import type { EventRecord, FieldValue, LogSource } from '../model/record.js';
import { urlDecode } from './decode.js';

export interface FieldMapping {
  /** Record (or `@virtual`) fields tried in order; the first present one is the value. */
  names: string[];
  /** Further fields whose values may also satisfy string and regex tests (OR). */
  also?: string[];
}

export interface SourceMapping {
  id: string;
  description: string;
  /** The mapping applies to rules whose logsource has these values (case-insensitive). */
  when: LogSource;
  fields: Record<string, FieldMapping>;
  /** Values that mean "empty" for `field: null` (IIS writes `-` for an empty field). */
  emptyValues: string[];
}

export interface VirtualField {
  description: string;
  compute(record: EventRecord): FieldValue;
  /**
   * Characters the computation inserts between record values. A literal spanning one of them may not
   * appear in the raw text, so the pre-filter splits literals there.
   */
  joiners: string;
  /**
   * The value is URL-decoded (src/rules/decode.ts): a literal of it may be percent-encoded in the raw
   * text, so the pre-filter adds the escapes of its characters (docs/rules.md, "Decoded fields").
   */
  urlDecoded?: boolean;
}

const isEmpty = (v: FieldValue): boolean => v === undefined || v === null || v === '' || v === '-';

export const VIRTUAL_FIELDS: Record<string, VirtualField> = {
  '@uri': {
    description:
      'Full request URI: `cs-uri` when the log has it (HTTPERR), else `cs-uri-stem` + `?` + `cs-uri-query` (query omitted when empty or `-`).',
    compute(r) {
      const full = r.get('cs-uri');
      if (!isEmpty(full)) return full;
      const stem = r.get('cs-uri-stem');
      if (isEmpty(stem)) return undefined;
      const q = r.get('cs-uri-query');
      return isEmpty(q) ? String(stem) : `${String(stem)}?${String(q)}`;
    },
    joiners: '?',
  },
  '@uri.decoded': {
    description: 'The full request URI (`@uri`), URL-decoded once like IIS URL Rewrite\'s `{UrlDecode:{REQUEST_URI}}`.',
    compute(r) {
      const v = VIRTUAL_FIELDS['@uri']!.compute(r);
      return v === undefined || v === null ? v : urlDecode(String(v));
    },
    joiners: '?',
    urlDecoded: true,
  },
  '@url.decoded': {
    description: 'Exchange HttpProxy request URL: `UrlStem` + `UrlQuery` (which starts with `?`), URL-decoded once.',
    compute(r) {
      const stem = r.get('UrlStem');
      if (isEmpty(stem)) return undefined;
      const q = r.get('UrlQuery');
      const query = isEmpty(q) ? '' : String(q);
      return urlDecode(query === '' || query.startsWith('?') ? `${String(stem)}${query}` : `${String(stem)}?${query}`);
    },
    joiners: '?',
    urlDecoded: true,
  },
  '@pc.User': {
    description:
      'Process creation `User`: Sysmon 1 `User`; Security 4688 `TargetDomainName\\TargetUserName` (the new process\'s account, Windows 10+), else `SubjectDomainName\\SubjectUserName` (its creator).',
    compute(r) {
      const u = r.get('User');
      if (!isEmpty(u)) return u;
      for (const [d, n] of [['TargetDomainName', 'TargetUserName'], ['SubjectDomainName', 'SubjectUserName']] as const) {
        const name = r.get(n);
        if (isEmpty(name)) continue;
        const dom = r.get(d);
        return isEmpty(dom) ? String(name) : `${String(dom)}\\${String(name)}`;
      }
      return undefined;
    },
    joiners: '\\',
  },
  '@pc.ProcessId': {
    description: 'Process creation `ProcessId` (the new process): Sysmon 1 `ProcessId`; Security 4688 `NewProcessId`.',
    compute: (r) => (String(r.get('EventID')) === '4688' ? r.get('NewProcessId') : r.get('ProcessId')),
    joiners: '',
  },
  '@pc.ParentProcessId': {
    description: 'Process creation `ParentProcessId`: Sysmon 1 `ParentProcessId`; Security 4688 `ProcessId` (the creator).',
    compute: (r) => (String(r.get('EventID')) === '4688' ? r.get('ProcessId') : r.get('ParentProcessId')),
    joiners: '',
  },
};

/**
 * IIS W3C (and HTTPERR) logs as Sigma's `category: webserver`.
 *
 * SigmaHQ's webserver rules put paths into `cs-uri-query` (`cs-uri-query|contains: '/owa/auth/'`), i.e.
 * they treat it as the whole URI, while IIS's `cs-uri-query` column holds only the query string. So
 * `cs-uri-query` reads the query column and, for string/regex tests, also the full URI. Null checks
 * (`cs-uri-query: null`) and comparisons read only the query column.
 */
const WEBSERVER: SourceMapping = {
  id: 'iis-w3c',
  description: 'IIS W3C extended logs and HTTPERR logs (`category: webserver`)',
  when: { category: 'webserver' },
  emptyValues: ['-'],
  fields: {
    'cs-user-agent': { names: ['cs-user-agent', 'cs(User-Agent)'] },
    'c-useragent': { names: ['cs-user-agent', 'cs(User-Agent)'] },
    'cs-referer': { names: ['cs-referer', 'cs(Referer)'] },
    'cs-referrer': { names: ['cs-referer', 'cs(Referer)'] },
    'cs-cookie': { names: ['cs-cookie', 'cs(Cookie)'] },
    'cs-host': { names: ['cs-host', 'cs(Host)'] },
    'cs-uri': { names: ['@uri'] },
    'cs-uri-query': { names: ['cs-uri-query'], also: ['@uri'] },
    'c-uri': { names: ['@uri'] },
    'cs-uri-stem': { names: ['cs-uri-stem'] },
    // exhunt's own name (not Sigma's): the full URI after one pass of URL decoding.
    'cs-uri-decoded': { names: ['@uri.decoded'] },
    'c-ip': { names: ['c-ip'] },
    'cs-method': { names: ['cs-method'] },
    'sc-status': { names: ['sc-status'] },
    'cs-username': { names: ['cs-username'] },
    's-ip': { names: ['s-ip'] },
    's-port': { names: ['s-port'] },
  },
};

/** Exchange's own CSV logs: column names as written in the `#Fields:` header, case-insensitive. */
const EXCHANGE: SourceMapping = {
  id: 'exchange',
  description: 'Exchange CSV logs (`product: exchange`, services httpproxy, ecp-server, oabgenerator, ...): identity',
  when: { product: 'exchange' },
  emptyValues: [],
  // exhunt's own name: HttpProxy `UrlStem` + `UrlQuery`, URL-decoded once.
  fields: { UrlDecoded: { names: ['@url.decoded'] } },
};

/**
 * Sigma's `process_creation` over both of its Windows sources: Sysmon 1 uses Sigma's names already;
 * Security 4688 names them differently (SigmaHQ's THOR config: `Image`→`NewProcessName`,
 * `ParentImage`→`ParentProcessName`). The first present name wins, so a Sysmon record reads its own field.
 * Not in 4688, so absent there: `ParentCommandLine`, `Hashes`, `OriginalFileName`, `CurrentDirectory`,
 * `IntegrityLevel` (4688 has `MandatoryLabel` as a SID).
 */
const PROCESS_CREATION: SourceMapping = {
  id: 'windows-process-creation',
  description: 'Windows process creation (`category: process_creation`): Sysmon 1 as is, Security 4688 mapped',
  when: { product: 'windows', category: 'process_creation' },
  emptyValues: [],
  fields: {
    Image: { names: ['Image', 'NewProcessName'] },
    ParentImage: { names: ['ParentImage', 'ParentProcessName'] },
    CommandLine: { names: ['CommandLine'] },
    User: { names: ['@pc.User'] },
    LogonId: { names: ['LogonId', 'TargetLogonId', 'SubjectLogonId'] },
    ProcessId: { names: ['@pc.ProcessId'] },
    ParentProcessId: { names: ['@pc.ParentProcessId'] },
  },
};

/** Defender's EventData names have spaces (`Threat Name`); Sigma writes them without (`ThreatName`). */
const DEFENDER_FIELDS = [
  'Product Name', 'Product Version', 'Detection ID', 'Detection Time', 'Threat ID', 'Threat Name', 'Severity ID', 'Severity Name',
  'Category ID', 'Category Name', 'Status Code', 'Status Description', 'Source ID', 'Source Name', 'Process Name', 'Detection User',
  'Origin ID', 'Origin Name', 'Execution ID', 'Execution Name', 'Type ID', 'Type Name', 'Pre Execution Status', 'Action ID',
  'Action Name', 'Error Code', 'Error Description', 'Post Clean Status', 'Additional Actions ID', 'Additional Actions String',
  'Remediation User', 'Security intelligence Version', 'Engine Version', 'Old Value', 'New Value', 'Feature Name', 'Scan ID',
  'Scan Type', 'Scan Parameters', 'Domain', 'User',
];
const defenderFields = (extra: Record<string, FieldMapping>): Record<string, FieldMapping> => ({
  ...Object.fromEntries(DEFENDER_FIELDS.map((n) => [n.replace(/\s+/g, ''), { names: [n.replace(/\s+/g, ''), n] }])),
  ...extra,
});

/** Microsoft Defender (`service: windefend`, `category: antivirus`; SigmaHQ's THOR config: `Signature`→`ThreatName`, `Filename`→`Path`). */
const DEFENDER: SourceMapping = {
  id: 'windows-defender',
  description: 'Microsoft Defender Antivirus operational log (`service: windefend`)',
  when: { product: 'windows', service: 'windefend' },
  emptyValues: [],
  fields: defenderFields({}),
};
const ANTIVIRUS: SourceMapping = {
  id: 'windows-antivirus',
  description: 'Antivirus detections from Microsoft Defender (`category: antivirus`)',
  when: { product: 'windows', category: 'antivirus' },
  emptyValues: [],
  fields: defenderFields({ Signature: { names: ['Signature', 'Threat Name'] }, Filename: { names: ['Filename', 'Path'] } }),
};

/** Other Windows event logs: the event's own field names (EventData `Name`s, System fields; src/readers/evtx/event-record.ts). */
const WINDOWS: SourceMapping = {
  id: 'windows',
  description: 'Windows event logs (`product: windows`): field names as the event writes them',
  when: { product: 'windows' },
  emptyValues: [],
  fields: {},
};

const IDENTITY: SourceMapping = {
  id: 'identity',
  description: 'Any other log source: field names used as written',
  when: {},
  emptyValues: [],
  fields: {},
};

/** All mappings, most specific first; the first whose `when` fits the rule's logsource is used. */
export const MAPPINGS: readonly SourceMapping[] = [WEBSERVER, EXCHANGE, PROCESS_CREATION, ANTIVIRUS, DEFENDER, WINDOWS, IDENTITY];

const eq = (a: string | undefined, b: string | undefined): boolean =>
  a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();

export function mappingFor(ls: LogSource): SourceMapping {
  for (const m of MAPPINGS) {
    const w = m.when;
    if (w.category !== undefined && !eq(w.category, ls.category)) continue;
    if (w.product !== undefined && !eq(w.product, ls.product)) continue;
    if (w.service !== undefined && !eq(w.service, ls.service)) continue;
    return m;
  }
  return IDENTITY;
}

/** How a Sigma field name resolves under a mapping (identity when not listed). */
export function resolveField(mapping: SourceMapping, sigmaName: string): FieldMapping {
  const key = sigmaName.toLowerCase();
  for (const k of Object.keys(mapping.fields)) if (k.toLowerCase() === key) return mapping.fields[k]!;
  return { names: [sigmaName] };
}

/** Read one record field or virtual field (`@uri`) or `_raw`. */
export function readName(record: EventRecord, name: string): FieldValue {
  if (name === '_raw') return record.raw;
  if (name.startsWith('@')) {
    const v = VIRTUAL_FIELDS[name];
    if (v) return v.compute(record);
  }
  return record.get(name);
}

/**
 * The value of a Sigma field for a record under a log source's mapping: the first present mapped
 * name. For stages after matching (summaries, grouping, entities) that speak Sigma names.
 */
export function readField(record: EventRecord, logsource: LogSource, sigmaName: string): FieldValue {
  const fm = resolveField(mappingFor(logsource), sigmaName);
  for (const n of fm.names) {
    const v = readName(record, n);
    if (v !== undefined && v !== null) return v;
  }
  return undefined;
}
