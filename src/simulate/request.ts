import { csvField, exchangeUserAgent, iisDateTime, iso, w3cField } from './format.js';
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

/**
 * A request with defaults for the fields the caller leaves out; `extra` overrides `base` (the two-argument form
 * avoids a `{ ...base, … }` clone at the call site, which is slow in V8 when properties are added to it).
 */
export function newReq(rng: Rng, base: Partial<Req>, extra?: Partial<Req>): Req {
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
    ...extra,
  } as Req;
}

const tsvCache = new Map<Build, string>();

/** Logged user agents repeat (a few per user and device): their CSV/W3C forms are cached. */
const uaCache = new Map<string, [string, string]>();
function uaForms(ua: string): [string, string] {
  let f = uaCache.get(ua);
  if (f === undefined) {
    if (uaCache.size > 50_000) uaCache.clear();
    uaCache.set(ua, (f = [csvField(exchangeUserAgent(ua)), w3cField(ua)]));
  }
  return f;
}
function hpUserAgent(ua: string): string {
  return uaForms(ua)[0];
}
function iisUserAgent(ua: string): string {
  return uaForms(ua)[1];
}

/**
 * The 74 HttpProxy columns of a request, as one CSV line. Built as one template (this is the simulator's
 * hottest function); fields that can never hold `,` `"` or a line break — numbers, GUIDs, times, and the
 * fixed vocabularies of the generators (host, IP, protocol action, auth type, method, error code, routing
 * type and hint) — are not passed through the CSV quoting check.
 */
export function httpProxyLine(r: Req, build: Build, host: Host): string {
  const q = csvField;
  const rng = new Rng(r.seed);
  const begin = r.t - r.dur;
  const head =
    `${iso(r.t)},${r.requestId},${build.major},${build.minor},${build.build},${build.revision},${q(r.clientRequestId)},${r.proto ?? ''},` +
    `${r.host},${q(r.stem)},${r.protocolAction},${r.authType},${r.isAuth ? 'true' : 'false'},${q(r.user)},${q(r.org)},` +
    `${q(r.anchor)},${hpUserAgent(r.ua)},${r.ip},${host.name},${r.status},`;
  if (r.beStatus !== null) {
    const overhead = Math.min(r.dur, rng.range(1, 4));
    const backend = Math.max(0, r.dur - overhead);
    const t1 = begin + rng.range(0, Math.min(2, overhead));
    const t2 = Math.min(r.t, t1 + rng.range(0, 1));
    const t3 = Math.min(r.t, t2 + backend);
    const f36 = rng.range(0, 1);
    const f43 = rng.chance(0.1) ? rng.range(1, 6) : 0;
    const f48 = r.method === 'POST' ? rng.range(0, 2) : 0;
    const f61 = rng.range(0, 1);
    let tsv = tsvCache.get(build);
    if (tsv === undefined) tsvCache.set(build, (tsv = targetServerVersion(build)));
    // GenericInfo: times and constants, plus the request's extra pairs — the only part that may need quoting.
    const extraSafe = q(r.extraInfo) === r.extraInfo;
    const gi =
      `BeginRequest=${iso(begin)};CorrelationID=<empty>;ProxyState-Run=None;FEAuth=BEVersion-${beVersionNumber(build)};` +
      r.extraInfo +
      (r.method === 'POST' ? `BeginGetRequestStream=${iso(t1)};OnRequestStreamReady=${iso(t2)};` : '') +
      `BeginGetResponse=${iso(t2)};OnResponseReady=${iso(t3)};EndGetResponse=${iso(t3)};` +
      `ProxyState-Complete=ProxyResponseData;SharedCacheGuard=0;EndRequest=${iso(r.t)};`;
    const d = r.dur;
    return head +
      `${r.beStatus},${r.errorCode},${r.method},Proxy,${host.fqdn},${tsv},${r.routingType},${r.routingHint},${q(r.backEndCookie)},,,` +
      `${r.reqBytes},${r.respBytes},,,0,${f36},,0,,0,,0,${f43},,0,${d},0,${f48},0,0,${backend},0,0,0,0,0,${d},0,${backend},${overhead},${f61},` +
      `${overhead},${d},,${q(r.query)},,${extraSafe ? gi : q(gi)},${q(r.genericErrors)},,${r.dbGuid ? `|RoutingDB:${r.dbGuid}` : ''},${r.adGuid},,CafeV1`;
  }
  const gi = `BeginRequest=${iso(begin)};CorrelationID=<empty>;SharedCacheGuard=0;${r.extraInfo}EndRequest=${iso(r.t)};`;
  const giField = q(r.extraInfo) === r.extraInfo ? gi : q(gi);
  const d = r.dur;
  return head +
    `,${r.errorCode},${r.method},,,,,,,,,${r.reqBytes},,,,,,,,,,,,,,,${d},,,,,,,,,,,,,,0,,${d},${d},,${q(r.query)},,${giField},${q(r.genericErrors)},,,,,`;
}

function exchangeQuery(r: Req): string {
  if (r.iisQuery !== undefined) return r.iisQuery;
  const base = r.query.startsWith('?') ? r.query.slice(1) : r.query;
  if (r.proto === null) return base;
  const suffix = `CorrelationID=<empty>;&cafeReqId=${r.requestId};`;
  const enc = r.proto === 'Owa' ? '&encoding=;' : '';
  return base ? `${base}&${suffix}${enc}` : `&${suffix}${enc}`;
}

/**
 * `w3cField(exchangeQuery(r))` without scanning the appended `CorrelationID…cafeReqId…` part, which never holds a
 * space (and makes the field non-empty).
 */
function iisQueryField(r: Req): string {
  if (r.iisQuery !== undefined || r.proto === null) return w3cField(exchangeQuery(r));
  const raw = r.query.startsWith('?') ? r.query.slice(1) : r.query;
  const base = raw.indexOf(' ') < 0 ? raw : raw.replace(/ /g, '+');
  const suffix = `CorrelationID=<empty>;&cafeReqId=${r.requestId};`;
  const enc = r.proto === 'Owa' ? '&encoding=;' : '';
  return base ? `${base}&${suffix}${enc}` : `&${suffix}${enc}`;
}

/** The front-end (W3SVC1, port 443) W3C line. */
export function iisFrontEndLine(r: Req): string {
  return `${iisDateTime(r.t)} ${r.sip} ${r.method} ${r.stem} ${iisQueryField(r)} 443 ${w3cField(r.iisUser)} ${r.ip} ` +
    `${iisUserAgent(r.ua)} ${w3cField(r.referer)} ${r.status} 0 ${r.win32 ?? 0} ${r.dur}`;
}

/** The back-end (W3SVC2, port 444) W3C line: the front end on this same server is the client. */
export function iisBackEndLine(r: Req, host: Host): string {
  const raw = r.beQuery ?? (r.query.startsWith('?') ? r.query.slice(1) : r.query);
  // w3cField of the whole query; only the request's own part can hold a space.
  const base = raw.indexOf(' ') < 0 ? raw : raw.replace(/ /g, '+');
  const q = `${base ? base + '&' : '&'}CorrelationID=<empty>;&cafeReqId=${r.requestId};`;
  const be = Math.max(0, r.dur - 2);
  return `${iisDateTime(r.t - (r.dur - be))} ${host.ip} ${r.method} ${r.beStem ?? r.stem} ${q} 444 ` +
    `${w3cField(r.beUser ?? r.iisUser)} ${host.ip} ${iisUserAgent(r.ua)} - ${r.beStatus ?? 200} 0 0 ${be}`;
}
