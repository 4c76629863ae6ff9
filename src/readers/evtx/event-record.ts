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
 * - System: `EventID`, `Qualifiers`, `Version`, `Level`, `Task`, `Opcode`, `Keywords`, `Provider_Name`
 *   (also `Provider`), `Provider_Guid`, `EventSourceName`, `Channel`, `Computer`, `TimeCreated`
 *   (also `TimeCreated_SystemTime`, `SystemTime`), `EventRecordID` (also `RecordID`), `UserID`
 *   (also `Security_UserID`), `ProcessID` / `Execution_ProcessID`, `ThreadID` / `Execution_ThreadID`,
 *   `ActivityID` / `Correlation_ActivityID`, `RelatedActivityID`.
 * - EventData `<Data Name=X>` and UserData leaves by name X (System names win on a clash;
 *   the EventData value stays reachable as `EventData.X`).
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
    set('EventID', r.eventId);
    set('Qualifiers', r.qualifiers);
    set('Version', r.version);
    set('Level', r.level);
    set('Task', r.task);
    set('Opcode', r.opcode);
    set('Keywords', r.keywords);
    set('Provider_Name', r.providerName, ['Provider', 'ProviderName']);
    set('Provider_Guid', r.providerGuid, ['ProviderGuid']);
    set('EventSourceName', r.eventSourceName, ['Provider_EventSourceName']);
    set('Channel', r.channel);
    set('Computer', r.computer);
    set('TimeCreated', r.timeCreated, ['TimeCreated_SystemTime', 'SystemTime']);
    set('EventRecordID', r.eventRecordId ?? r.recordId, ['RecordID']);
    set('UserID', r.userSid, ['Security_UserID']);
    set('ProcessID', r.processId, ['Execution_ProcessID']);
    set('ThreadID', r.threadId, ['Execution_ThreadID']);
    set('ActivityID', r.activityId, ['Correlation_ActivityID']);
    set('RelatedActivityID', r.relatedActivityId, ['Correlation_RelatedActivityID']);
    for (const [k, v] of Object.entries(r.data)) {
      set(k, fv(v));
      set(`EventData.${k}`, fv(v));
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
