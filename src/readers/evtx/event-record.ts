/**
 * Adapter from a parsed EVTX record to the rule engine's `EventRecord` (src/model/record.ts):
 * case-insensitive field lookup with Sigma's Windows field names.
 */
import type { EventRecord, FieldValue } from '../../model/record.js';
import type { EvtxRecord, EvtxFieldValue } from './record.js';

function fv(v: EvtxFieldValue | undefined): FieldValue {
  if (v === undefined) return undefined;
  if (Array.isArray(v)) return v.map(String).join(',');
  return v;
}

/**
 * Fields offered (case-insensitive):
 * - System, always: `EventID`, `Provider_Name` (also `Provider`), `Channel`, `Computer`, `EventRecordID`
 *   (also `RecordID`), `TimeCreated` (also `TimeCreated_SystemTime`, `SystemTime`), and the prefixed
 *   `Provider_Guid`, `Provider_EventSourceName`, `Execution_ProcessID`, `Execution_ThreadID`,
 *   `Security_UserID`, `Correlation_ActivityID`, `Correlation_RelatedActivityID`, `EventID_Qualifiers`.
 * - EventData `<Data Name=X>` and UserData leaves by name X (also as `EventData.X`).
 * - Bare System names when no EventData field has that name: `Qualifiers`, `Version`, `Level`, `Task`,
 *   `Opcode`, `Keywords`, `EventSourceName`, `UserID`, `ProcessID`, `ThreadID`, `ActivityID`,
 *   `RelatedActivityID`.
 * - Unnamed `<Data>` values as `Data[0]`, `Data[1]`, … and all of them joined by spaces as `Data`.
 * - `raw`: every EventData/UserData value joined by spaces (what Sigma keyword searches see).
 */
export class EvtxEventRecord implements EventRecord {
  private readonly map = new Map<string, FieldValue>();
  private readonly names: string[] = [];
  readonly raw: string;

  constructor(readonly record: EvtxRecord) {
    const r = record;
    const set = (name: string, v: FieldValue, alias: string[] = []): void => {
      if (v === undefined || v === null) return;
      const k = name.toLowerCase();
      if (!this.map.has(k)) {
        this.map.set(k, v);
        this.names.push(name);
      }
      for (const a of alias) if (!this.map.has(a.toLowerCase())) this.map.set(a.toLowerCase(), v);
    };
    // Core System fields first: these names mean the System value in Sigma rules.
    set('EventID', r.eventId);
    set('Provider_Name', r.providerName, ['Provider', 'ProviderName']);
    set('Channel', r.channel);
    set('Computer', r.computer);
    set('EventRecordID', r.eventRecordId ?? r.recordId, ['RecordID']);
    set('TimeCreated', r.timeCreated, ['TimeCreated_SystemTime', 'SystemTime']);
    // Prefixed System names never clash with EventData.
    set('Provider_Guid', r.providerGuid, ['ProviderGuid']);
    set('Provider_EventSourceName', r.eventSourceName);
    set('Execution_ProcessID', r.processId);
    set('Execution_ThreadID', r.threadId);
    set('Security_UserID', r.userSid);
    set('Correlation_ActivityID', r.activityId);
    set('Correlation_RelatedActivityID', r.relatedActivityId);
    set('EventID_Qualifiers', r.qualifiers);
    // EventData / UserData by name: they win over the remaining bare System names (Sysmon's
    // EventData ProcessId is what Sigma's `ProcessId` means, not the logging service's Execution ProcessID).
    for (const [k, v] of Object.entries(r.data)) {
      set(k, fv(v));
      set(`EventData.${k}`, fv(v));
    }
    for (const [name, v, alias] of [
      ['Qualifiers', r.qualifiers, []],
      ['Version', r.version, []],
      ['Level', r.level, []],
      ['Task', r.task, []],
      ['Opcode', r.opcode, []],
      ['Keywords', r.keywords, []],
      ['EventSourceName', r.eventSourceName, []],
      ['UserID', r.userSid, []],
      ['ProcessID', r.processId, []],
      ['ThreadID', r.threadId, []],
      ['ActivityID', r.activityId, []],
      ['RelatedActivityID', r.relatedActivityId, []],
    ] as [string, FieldValue, string[]][]) {
      set(name, v, alias);
    }
    r.unnamedData.forEach((v, i) => set(`Data[${i}]`, v));
    if (r.unnamedData.length > 0) set('Data', r.unnamedData.join(' '));
    this.raw = r.values.join(' ');
  }

  get(field: string): FieldValue {
    return this.map.get(field.toLowerCase());
  }

  fieldNames(): readonly string[] {
    return this.names;
  }
}

/** Wrap a parsed record for the rule engine. */
export function toEventRecord(r: EvtxRecord): EvtxEventRecord {
  return new EvtxEventRecord(r);
}
