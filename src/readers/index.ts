/**
 * Text log readers: Exchange CSV logs (HttpProxy, ECP, EWS, RPS cmdlet, OAB generator, others),
 * Test-ProxyLogon CSV exports, IIS and HTTPERR W3C logs, plain text. Contract in `types.ts`.
 */
export * from './types.js';
export { readLog, readLogFile, readLogFileSync, fileChunks, FILE_CHUNK_BYTES } from './read-log.js';
export { sniffLog } from './sniff.js';
export { FieldRecord, TextRecord } from './log-record.js';
export { HTTPPROXY_FIELDS, ECP_FIELDS, IIS_DEFAULT_FIELDS, HTTPERR_FIELDS, EWS_FIELDS, RPS_CMDLET_FIELDS, defaultFields } from './default-headers.js';
export { splitCsv, splitW3c, parseBag } from './fields.js';
export { LiteralScanner } from './literal-filter.js';
