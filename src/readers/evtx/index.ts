/** exhunt's EVTX parser: public API. See FORMAT.md for the format and its sources. */
export { parseChunk, parseChunkHeader, CHUNK_SIZE, FILE_HEADER_SIZE } from './chunk.js';
export type { ChunkResult, EvtxChunkHeader, EvtxIssue, ParseChunkOptions } from './chunk.js';
export { EvtxFile, EvtxFormatError, openEvtx, parseEvtxFile, parseFileHeader, readEvtxRecords } from './file.js';
export type { EvtxFileHeader, EvtxSummary, ParseFileOptions, ReadOptions } from './file.js';
export type { EvtxRecord, EvtxFieldValue } from './record.js';
export type { EvtxScalar, EvtxValue, XmlAttr, XmlElement, XmlNode, XmlPI } from './binxml.js';
export { renderJson, renderXml } from './render.js';
export type { JsonValue } from './render.js';
export { EvtxEventRecord, toEventRecord } from './event-record.js';
export { recordToJsonLine } from './output.js';
export { EvtxWorkerPool, parseEvtxFileParallel, sharedWorkerPool } from './parallel.js';
export type { ParallelOptions } from './parallel.js';
