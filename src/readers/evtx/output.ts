/** Line-oriented output of records (used by `exhunt evtx dump`). */
import type { EvtxRecord } from './record.js';
import { renderJson } from './render.js';

/** One JSON object per record: the summary fields, then `Event` in the reference JSON shape. */
export function recordToJsonLine(r: EvtxRecord): string {
  const o = {
    recordId: r.recordId,
    chunk: r.chunkIndex,
    offset: r.offset,
    timeCreated: r.timeCreated,
    timeCreatedMs: r.timeCreatedMs,
    eventId: r.eventId,
    qualifiers: r.qualifiers,
    provider: r.providerName,
    providerGuid: r.providerGuid,
    channel: r.channel,
    computer: r.computer,
    level: r.level,
    task: r.task,
    opcode: r.opcode,
    keywords: r.keywords,
    userSid: r.userSid,
    processId: r.processId,
    threadId: r.threadId,
    data: r.data,
    unnamedData: r.unnamedData,
    ...renderJson(r),
  };
  return JSON.stringify(o);
}
