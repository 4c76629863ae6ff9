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

/** EWS log (`Logging\Ews\Ews_*.LOG`, Exchange 2016 CU22; older builds have fewer columns and say so in their own header). */
export const EWS_FIELDS: readonly string[] = (
  'DateTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,Ring,ClientRequestId,AuthenticationType,' +
  'IsAuthenticated,AuthenticatedUser,Organization,UserAgent,VersionInfo,ClientIpAddress,ServerHostName,FrontEndServer,' +
  'SoapAction,HttpStatus,RequestSize,ResponseSize,ErrorCode,ImpersonatedUser,ProxyAsUser,ActAsUser,Cookie,CorrelationGuid,' +
  'PrimaryOrProxyServer,TaskType,RemoteBackendCount,LocalMailboxCount,RemoteMailboxCount,LocalIdCount,RemoteIdCount,' +
  'BeginBudgetConnections,EndBudgetConnections,BeginBudgetHangingConnections,EndBudgetHangingConnections,BeginBudgetAD,' +
  'EndBudgetAD,BeginBudgetCAS,EndBudgetCAS,BeginBudgetRPC,EndBudgetRPC,BeginBudgetFindCount,EndBudgetFindCount,' +
  'BeginBudgetSubscriptions,EndBudgetSubscriptions,MDBResource,MDBHealth,MDBHistoricalLoad,ThrottlingPolicy,ThrottlingDelay,' +
  'ThrottlingRequestType,TotalDCRequestCount,TotalDCRequestLatency,TotalMBXRequestCount,TotalMBXRequestLatency,' +
  'RecipientLookupLatency,ExchangePrincipalLatency,HttpPipelineLatency,CheckAccessCoreLatency,AuthModuleLatency,' +
  'CallContextInitLatency,PreExecutionLatency,CoreExecutionLatency,TotalRequestTime,DetailedExchangePrincipalLatency,' +
  'ClientStatistics,GenericInfo,AuthenticationErrors,GenericErrors,Puid,StartTime,ProcessId,TimeInGC,StartTotalMemory,' +
  'EndTotalMemory,StartGCCounts,EndGCCounts,TokenBasedThrottlingPolicy,BudgetKey,CoinsCharged,CoinsChargedMethod,' +
  'SidBudgetInfo,AppBudgetInfo,TenantBudgetInfo,ResourceAccessed,ResourceHealthBasedThreshold,ThrottledBy,BackoffHint,' +
  'WorkClassification'
).split(',');

/** Remote PowerShell cmdlet log (`Logging\CmdletInfra\Powershell-Proxy\Cmdlet\Rps_Cmdlet_*.LOG`, Exchange 2016 CU22). */
export const RPS_CMDLET_FIELDS: readonly string[] = (
  'DateTime,StartTime,RequestId,ClientRequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,ServerHostName,' +
  'ProcessId,ProcessName,ThreadId,CultureInfo,Organization,AuthenticatedUser,ExecutingUserSid,EffectiveOrganization,' +
  'UserServicePlan,IsAdmin,ClientApplication,Cmdlet,Parameters,CmdletUniqueId,UserBudgetOnStart,ContributeToFailFast,' +
  'RunspaceSettingsCreationHint,ADViewEntireForest,ADRecipientViewRoot,ADConfigurationDomainControllers,' +
  'ADPreferredGlobalCatalogs,ADPreferredDomainControllers,ADUserConfigurationDomainController,ADUserPreferredGlobalCatalog,' +
  'ADuserPreferredDomainControllers,ThrottlingInfo,DelayInfo,ThrottlingDelay,IsOutputObjectRedacted,CmdletProxyStage,' +
  'CmdletProxyRemoteServer,CmdletProxyRemoteServerVersion,CmdletProxyMethod,ProxiedObjectCount,CmdletProxyLatency,' +
  'OutputObjectCount,ParameterBinding,BeginProcessing,ProcessRecord,EndProcessing,StopProcessing,BizLogic,PowerShellLatency,' +
  'UserInteractionLatency,ProvisioningLayerLatency,ActivityContextLifeTime,TotalTime,ErrorType,ExecutionResult,' +
  'CacheHitCount,CacheMissCount,GenericLatency,GenericInfo,GenericErrors,ObjectGuid,ExternalDirectoryOrganizationId,' +
  'ExternalDirectoryObjectId,NonPiiParameters'
).split(',');

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
    case 'ews':
      return EWS_FIELDS;
    case 'rps-cmdlet':
      return RPS_CMDLET_FIELDS;
    default:
      return undefined;
  }
}
