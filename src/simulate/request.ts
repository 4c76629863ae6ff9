import { csvRow, exchangeUserAgent, iisDateTime, iso, w3cField } from './format.js';
import { Rng } from './prng.js';
import type { IndicatorKind } from './truth.js';
import { beVersionNumber, targetServerVersion, type Build, type Host } from './world.js';

export type Protocol =
  | 'Autodiscover' | 'Eas' | 'Ecp' | 'Ews' | 'Mapi' | 'Oab' | 'Owa' | 'OwaCalendar' | 'PowerShell' | 'RpcHttp';

export const PROTOCOLS: readonly Protocol[] = [
  'Autodiscover', 'Eas', 'Ecp', 'Ews', 'Mapi', 'Oab', 'Owa', 'OwaCalendar', 'PowerShell', 'RpcHttp',
];

export const HTTPPROXY_FIELDS = [
  'DateTime', 'RequestId', 'MajorVersion', 'MinorVersion', 'BuildVersion', 'RevisionVersion', 'ClientRequestId', 'Protocol',
  'UrlHost', 'UrlStem', 'ProtocolAction', 'AuthenticationType', 'IsAuthenticated', 'AuthenticatedUser', 'Organization',
  'AnchorMailbox', 'UserAgent', 'ClientIpAddress', 'ServerHostName', 'HttpStatus', 'BackEndStatus', 'ErrorCode', 'Method',
  'ProxyAction', 'TargetServer', 'TargetServerVersion', 'RoutingType', 'RoutingHint', 'BackEndCookie', 'ServerLocatorHost',
  'ServerLocatorLatency', 'RequestBytes', 'ResponseBytes', 'TargetOutstandingRequests', 'AuthModulePerfContext',
  'HttpPipelineLatency', 'CalculateTargetBackEndLatency', 'GlsLatencyBreakup', 'TotalGlsLatency',
  'AccountForestLatencyBreakup', 'TotalAccountForestLatency', 'ResourceForestLatencyBreakup', 'TotalResourceForestLatency',
  'ADLatency', 'SharedCacheLatencyBreakup', 'TotalSharedCacheLatency', 'ActivityContextLifeTime',
  'ModuleToHandlerSwitchingLatency', 'ClientReqStreamLatency', 'BackendReqInitLatency', 'BackendReqStreamLatency',
  'BackendProcessingLatency', 'BackendRespInitLatency', 'BackendRespStreamLatency', 'ClientRespStreamLatency',
  'KerberosAuthHeaderLatency', 'HandlerCompletionLatency', 'RequestHandlerLatency', 'HandlerToModuleSwitchingLatency',
  'ProxyTime', 'CoreLatency', 'RoutingLatency', 'HttpProxyOverhead', 'TotalRequestTime', 'RouteRefresherLatency', 'UrlQuery',
  'BackEndGenericInfo', 'GenericInfo', 'GenericErrors', 'EdgeTraceId', 'DatabaseGuid', 'UserADObjectGuid',
  'PartitionEndpointLookupLatency', 'RoutingStatus',
] as const;

export const IIS_FIELDS =
  'date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken';

/** A planted indicator carried by a generated record: every line the record produces is listed in the truth. */
export interface Mark {
  kind: IndicatorKind;
  note: string;
  /** The value to list for the HttpProxy and IIS lines (default: the ServerInfo~ anchor, else the URL stem). */
  value?: string;
  /** Per log family: false = do not list that line (e.g. a back-end echo that proves nothing). */
  httpProxy?: boolean;
  frontEnd?: boolean;
  backEnd?: boolean;
}

/** One line of the ECP server log triggered by a request. */
export interface EcpEvent {
  t: number;
  sid: string;
  /** `S:CMD=` value, unescaped (the writer applies Exchange's `'…'` pair quoting and CSV quoting). */
  cmd: string;
  url: string;
  ex: string;
  mark?: Mark & { value: string };
}

/** One HTTP request as the front end (HttpProxy + W3SVC1) and optionally the back end (W3SVC2) saw it. */
export interface Req {
  /** Log time (request end), ms since epoch. */
  t: number;
  /** Total request time, ms. */
  dur: number;
  /** Exchange protocol (HttpProxy folder); null for plain IIS content (no HttpProxy row). */
  proto: Protocol | null;
  requestId: string;
  host: string;
  stem: string;
  /** HttpProxy UrlQuery form: `?a=b` or ''. */
  query: string;
  method: string;
  status: number;
  /** Back-end status; null when the front end answered itself (no proxying, no W3SVC2 line). */
  beStatus: number | null;
  authType: string;
  isAuth: boolean;
  user: string;
  iisUser: string;
  org: string;
  anchor: string;
  ua: string;
  ip: string;
  sip: string;
  protocolAction: string;
  clientRequestId: string;
  routingHint: string;
  routingType: string;
  backEndCookie: string;
  errorCode: string;
  reqBytes: number;
  respBytes: number;
  dbGuid: string;
  adGuid: string;
  /** Extra `Key=value;` pairs for GenericInfo. */
  extraInfo: string;
  genericErrors: string;
  referer: string;
  /** Full IIS cs-uri-query override (front end); otherwise derived from `query` plus Exchange's suffix. */
  iisQuery?: string;
  /** Back-end (port 444) stem when it differs from the front-end one. */
  beStem?: string;
  /** Back-end query (without `?`) when it differs from `query`. */
  beQuery?: string;
  beUser?: string;
  /** Seed for the latency columns (so formatting does not consume the hour's random stream). */
  seed: number;
  ecp?: EcpEvent[];
  mark?: Mark;
  win32?: number;
  /** Set on flood requests: their lines are counted in the truth's flood summaries, not listed one by one. */
  flood?: 'scanner' | 'shell';
  /** Set on benign requests whose number grows with the scale (sessions, noise): the size estimator's split. */
  scaled?: boolean;
}

export function newReq(rng: Rng, base: Partial<Req> & Pick<Req, 't' | 'stem' | 'ua' | 'ip'>): Req {
  return {
    dur: 10,
    proto: null,
    requestId: rng.guid(),
    host: 'mail.contoso.com',
    query: '',
    method: 'GET',
    status: 200,
    beStatus: 200,
    authType: '',
    isAuth: false,
    user: '',
    iisUser: '',
    org: '',
    anchor: '',
    sip: '10.0.1.25',
    protocolAction: '',
    clientRequestId: '',
    routingHint: '',
    routingType: 'IntraForest',
    backEndCookie: '',
    errorCode: '',
    reqBytes: 0,
    respBytes: 0,
    dbGuid: '',
    adGuid: '',
    extraInfo: '',
    genericErrors: '',
    referer: '',
    seed: rng.u32(),
    ...base,
  };
}

/** The 74 HttpProxy columns of a request, as one CSV line. */
export function httpProxyLine(r: Req, build: Build, host: Host): string {
  const rng = new Rng(r.seed);
  const f: string[] = new Array<string>(74).fill('');
  const begin = r.t - r.dur;
  f[0] = iso(r.t);
  f[1] = r.requestId;
  f[2] = String(build.major);
  f[3] = String(build.minor);
  f[4] = String(build.build);
  f[5] = String(build.revision);
  f[6] = r.clientRequestId;
  f[7] = r.proto ?? '';
  f[8] = r.host;
  f[9] = r.stem;
  f[10] = r.protocolAction;
  f[11] = r.authType;
  f[12] = r.isAuth ? 'true' : 'false';
  f[13] = r.user;
  f[14] = r.org;
  f[15] = r.anchor;
  f[16] = exchangeUserAgent(r.ua);
  f[17] = r.ip;
  f[18] = host.name;
  f[19] = String(r.status);
  f[21] = r.errorCode;
  f[22] = r.method;
  f[65] = r.query;
  f[68] = r.genericErrors;
  if (r.beStatus !== null) {
    const overhead = Math.min(r.dur, rng.range(1, 4));
    const backend = Math.max(0, r.dur - overhead);
    const t1 = begin + rng.range(0, Math.min(2, overhead));
    const t2 = Math.min(r.t, t1 + rng.range(0, 1));
    const t3 = Math.min(r.t, t2 + backend);
    f[20] = String(r.beStatus);
    f[23] = 'Proxy';
    f[24] = host.fqdn;
    f[25] = targetServerVersion(build);
    f[26] = r.routingType;
    f[27] = r.routingHint;
    f[28] = r.backEndCookie;
    f[31] = String(r.reqBytes);
    f[32] = String(r.respBytes);
    f[35] = '0';
    f[36] = String(rng.range(0, 1));
    f[38] = '0';
    f[40] = '0';
    f[42] = '0';
    f[43] = String(rng.chance(0.1) ? rng.range(1, 6) : 0);
    f[45] = '0';
    f[46] = String(r.dur);
    f[47] = '0';
    f[48] = String(r.method === 'POST' ? rng.range(0, 2) : 0);
    f[49] = '0';
    f[50] = '0';
    f[51] = String(backend);
    f[52] = '0';
    f[53] = '0';
    f[54] = '0';
    f[55] = '0';
    f[56] = '0';
    f[57] = String(r.dur);
    f[58] = '0';
    f[59] = String(backend);
    f[60] = String(overhead);
    f[61] = String(rng.range(0, 1));
    f[62] = String(overhead);
    f[63] = String(r.dur);
    f[67] =
      `BeginRequest=${iso(begin)};CorrelationID=<empty>;ProxyState-Run=None;FEAuth=BEVersion-${beVersionNumber(build)};` +
      r.extraInfo +
      (r.method === 'POST' ? `BeginGetRequestStream=${iso(t1)};OnRequestStreamReady=${iso(t2)};` : '') +
      `BeginGetResponse=${iso(t2)};OnResponseReady=${iso(t3)};EndGetResponse=${iso(t3)};` +
      `ProxyState-Complete=ProxyResponseData;SharedCacheGuard=0;EndRequest=${iso(r.t)};`;
    if (r.dbGuid) f[70] = `|RoutingDB:${r.dbGuid}`;
    if (r.adGuid) f[71] = r.adGuid;
    f[73] = 'CafeV1';
  } else {
    f[31] = String(r.reqBytes);
    f[46] = String(r.dur);
    f[60] = '0';
    f[62] = String(r.dur);
    f[63] = String(r.dur);
    f[67] = `BeginRequest=${iso(begin)};CorrelationID=<empty>;SharedCacheGuard=0;${r.extraInfo}EndRequest=${iso(r.t)};`;
  }
  return csvRow(f);
}

function exchangeQuery(r: Req): string {
  if (r.iisQuery !== undefined) return r.iisQuery;
  const base = r.query.startsWith('?') ? r.query.slice(1) : r.query;
  if (r.proto === null) return base;
  const suffix = `CorrelationID=<empty>;&cafeReqId=${r.requestId};`;
  const enc = r.proto === 'Owa' ? '&encoding=;' : '';
  return base ? `${base}&${suffix}${enc}` : `&${suffix}${enc}`;
}

/** The front-end (W3SVC1, port 443) W3C line. */
export function iisFrontEndLine(r: Req): string {
  return [
    iisDateTime(r.t), r.sip, r.method, r.stem, w3cField(exchangeQuery(r)), '443', w3cField(r.iisUser), r.ip,
    w3cField(r.ua), w3cField(r.referer), String(r.status), '0', String(r.win32 ?? 0), String(r.dur),
  ].join(' ');
}

/** The back-end (W3SVC2, port 444) W3C line: the front end on this same server is the client. */
export function iisBackEndLine(r: Req, host: Host): string {
  const base = r.beQuery ?? (r.query.startsWith('?') ? r.query.slice(1) : r.query);
  const q = `${base ? base + '&' : '&'}CorrelationID=<empty>;&cafeReqId=${r.requestId};`;
  const be = Math.max(0, r.dur - 2);
  return [
    iisDateTime(r.t - (r.dur - be)), host.ip, r.method, r.beStem ?? r.stem, w3cField(q), '444',
    w3cField(r.beUser ?? r.iisUser), host.ip, w3cField(r.ua), '-', String(r.beStatus ?? 200), '0', '0', String(be),
  ].join(' ');
}
