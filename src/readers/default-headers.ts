/**
 * Default column lists, used only when a file has no header line (exchange-facts.md §1a.12,
 * corpora/exchange-logs/FORMATS.md). Files with a `#Fields:` line always use their own.
 */
import type { LogKind } from './types.js';

/** HttpProxy (Exchange 2016/2019), 74 columns. */
export const HTTPPROXY_FIELDS: readonly string[] = (
  'DateTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,ClientRequestId,Protocol,UrlHost,' +
  'UrlStem,ProtocolAction,AuthenticationType,IsAuthenticated,AuthenticatedUser,Organization,AnchorMailbox,UserAgent,' +
  'ClientIpAddress,ServerHostName,HttpStatus,BackEndStatus,ErrorCode,Method,ProxyAction,TargetServer,' +
  'TargetServerVersion,RoutingType,RoutingHint,BackEndCookie,ServerLocatorHost,ServerLocatorLatency,RequestBytes,' +
  'ResponseBytes,TargetOutstandingRequests,AuthModulePerfContext,HttpPipelineLatency,CalculateTargetBackEndLatency,' +
  'GlsLatencyBreakup,TotalGlsLatency,AccountForestLatencyBreakup,TotalAccountForestLatency,' +
  'ResourceForestLatencyBreakup,TotalResourceForestLatency,ADLatency,SharedCacheLatencyBreakup,' +
  'TotalSharedCacheLatency,ActivityContextLifeTime,ModuleToHandlerSwitchingLatency,ClientReqStreamLatency,' +
  'BackendReqInitLatency,BackendReqStreamLatency,BackendProcessingLatency,BackendRespInitLatency,' +
  'BackendRespStreamLatency,ClientRespStreamLatency,KerberosAuthHeaderLatency,HandlerCompletionLatency,' +
  'RequestHandlerLatency,HandlerToModuleSwitchingLatency,ProxyTime,CoreLatency,RoutingLatency,HttpProxyOverhead,' +
  'TotalRequestTime,RouteRefresherLatency,UrlQuery,BackEndGenericInfo,GenericInfo,GenericErrors,EdgeTraceId,' +
  'DatabaseGuid,UserADObjectGuid,PartitionEndpointLookupLatency,RoutingStatus'
).split(',');

/** ECP Server and ECP Activity Context logs. */
export const ECP_FIELDS: readonly string[] = ['TimeStamp', 'ServerName', 'EventId', 'EventData'];

/** IIS default W3C field set (IIS 8.5+ defaults; seen in real u_ex files). */
export const IIS_DEFAULT_FIELDS: readonly string[] =
  'date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken'.split(
    ' ',
  );

/** HTTP.sys error log: fixed field set. */
export const HTTPERR_FIELDS: readonly string[] =
  'date time c-ip c-port s-ip s-port cs-version cs-method cs-uri streamid sc-status s-siteid s-reason s-queuename'.split(' ');

/** The header assumed for a header-less file of this kind, if any. */
export function defaultFields(kind: LogKind): readonly string[] | undefined {
  switch (kind) {
    case 'httpproxy':
      return HTTPPROXY_FIELDS;
    case 'ecp-server':
    case 'ecp-activity':
      return ECP_FIELDS;
    case 'iis-w3c':
      return IIS_DEFAULT_FIELDS;
    case 'httperr':
      return HTTPERR_FIELDS;
    default:
      return undefined;
  }
}
