/**
 * A parsed EVTX record: the System fields pulled out of the event tree, EventData/UserData as named
 * fields and as ordered values, and the tree itself for rendering (render.ts).
 */
import type { EvtxScalar, XmlElement, XmlNode } from './binxml.js';
import { isoToEpochMs, scalarText } from './binxml.js';

export type EvtxFieldValue = EvtxScalar | EvtxScalar[] | null;

export interface EvtxRecord {
  /** 0-based chunk number in the file. */
  chunkIndex: number;
  /** Byte offset of the record (its `**` magic) in the file. */
  offset: number;
  /** Record id from the record header. */
  recordId: number;
  /** System/EventRecordID (differs from recordId in forwarded-event logs); null when absent. */
  eventRecordId: number | null;
  /** Record header FILETIME (write time), ISO 8601 UTC with 7 fractional digits (100 ns). */
  writtenTime: string | null;
  eventId: number | null;
  /** EventID@Qualifiers (classic providers); null when absent. */
  qualifiers: number | null;
  version: number | null;
  level: number | null;
  task: number | null;
  opcode: number | null;
  /** Keywords as rendered (hex string, e.g. `0x8020000000000000`). */
  keywords: string | null;
  providerName: string | null;
  providerGuid: string | null;
  eventSourceName: string | null;
  channel: string | null;
  computer: string | null;
  /** System/TimeCreated@SystemTime, ISO 8601 UTC with 7 fractional digits (100 ns), e.g. `2021-11-19T16:52:33.8337335Z`. */
  timeCreated: string | null;
  /** timeCreated as milliseconds since the Unix epoch (sub-millisecond digits dropped). */
  timeCreatedMs: number | null;
  /** System/Security@UserID. */
  userSid: string | null;
  processId: number | null;
  threadId: number | null;
  activityId: string | null;
  relatedActivityId: string | null;
  /** Named EventData (`<Data Name=…>`, other EventData children) and UserData leaf fields. */
  data: Record<string, EvtxFieldValue>;
  /** Values of unnamed `<Data>` elements, in order (the MSExchange Management cmdlet log). */
  unnamedData: string[];
  /** Every EventData/UserData value in document order, as text (insertion strings). */
  values: string[];
  /** The Event element (null if the record holds no element). */
  root: XmlElement | null;
  /** Top-level nodes other than the root (extra fragments, processing instructions). */
  extra?: XmlNode[];
}

/** Set an own property even for names like `__proto__` (field names come from the file). */
export function setOwn<T>(o: Record<string, T>, k: string, v: T): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

function isElem(n: XmlNode): n is XmlElement {
  return typeof n === 'object' && !Array.isArray(n) && n.k === 1;
}

/** Text content of an element (concatenated text children), or null when it has none. */
export function elementText(e: XmlElement): EvtxFieldValue {
  const ch = e.children;
  if (ch.length === 0) return null;
  if (ch.length === 1) {
    const c = ch[0]!;
    if (!isElem(c) && !(typeof c === 'object' && !Array.isArray(c))) return c as EvtxScalar | EvtxScalar[];
  }
  let s = '';
  let any = false;
  for (const c of ch) {
    if (typeof c !== 'object') {
      s += String(c);
      any = true;
    } else if (Array.isArray(c)) {
      s += c.join(',');
      any = true;
    }
  }
  return any ? s : null;
}

function attr(e: XmlElement, name: string): EvtxFieldValue {
  for (const a of e.attrs) if (a.name === name) return a.value;
  return null;
}

function num(v: EvtxFieldValue): number | null {
  if (v === null) return null;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (/^\d+$/.test(v)) return Number(v);
    if (/^0x[0-9a-f]+$/i.test(v)) return parseInt(v, 16);
    return null;
  }
  return null;
}

function str(v: EvtxFieldValue): string | null {
  if (v === null) return null;
  return scalarText(v);
}

/** `2021-11-19T16:52:33.833733500Z` (reference rendering) → 7 fractional digits. */
function toIso7(v: string | null): string | null {
  if (v === null) return null;
  const m = /^(.*\.\d{7})00Z$/.exec(v);
  return m ? `${m[1]}Z` : v;
}

export function buildRecord(
  nodes: XmlNode[],
  chunkIndex: number,
  offset: number,
  recordId: number,
  writtenTime: string | null,
): EvtxRecord {
  let root: XmlElement | null = null;
  let extra: XmlNode[] | undefined;
  for (const n of nodes) {
    if (root === null && isElem(n)) root = n;
    else (extra ??= []).push(n);
  }
  const rec: EvtxRecord = {
    chunkIndex,
    offset,
    recordId,
    eventRecordId: null,
    writtenTime,
    eventId: null,
    qualifiers: null,
    version: null,
    level: null,
    task: null,
    opcode: null,
    keywords: null,
    providerName: null,
    providerGuid: null,
    eventSourceName: null,
    channel: null,
    computer: null,
    timeCreated: null,
    timeCreatedMs: null,
    userSid: null,
    processId: null,
    threadId: null,
    activityId: null,
    relatedActivityId: null,
    data: {},
    unnamedData: [],
    values: [],
    root,
  };
  if (extra) rec.extra = extra;
  if (root === null) return rec;
  for (const sec of root.children) {
    if (!isElem(sec)) continue;
    if (sec.name === 'System') system(rec, sec);
    else if (sec.name === 'EventData') eventData(rec, sec);
    else if (sec.name === 'UserData') userData(rec, sec, 0);
  }
  return rec;
}

function system(rec: EvtxRecord, sys: XmlElement): void {
  for (const e of sys.children) {
    if (!isElem(e)) continue;
    switch (e.name) {
      case 'Provider':
        rec.providerName = str(attr(e, 'Name'));
        rec.providerGuid = str(attr(e, 'Guid'));
        rec.eventSourceName = str(attr(e, 'EventSourceName'));
        break;
      case 'EventID':
        rec.eventId = num(elementText(e));
        rec.qualifiers = num(attr(e, 'Qualifiers'));
        break;
      case 'Version':
        rec.version = num(elementText(e));
        break;
      case 'Level':
        rec.level = num(elementText(e));
        break;
      case 'Task':
        rec.task = num(elementText(e));
        break;
      case 'Opcode':
        rec.opcode = num(elementText(e));
        break;
      case 'Keywords':
        rec.keywords = str(elementText(e));
        break;
      case 'TimeCreated': {
        rec.timeCreated = toIso7(str(attr(e, 'SystemTime')));
        if (rec.timeCreated !== null) {
          const ms = isoToEpochMs(rec.timeCreated);
          rec.timeCreatedMs = Number.isNaN(ms) ? null : ms;
        }
        break;
      }
      case 'Correlation':
        rec.activityId = str(attr(e, 'ActivityID'));
        rec.relatedActivityId = str(attr(e, 'RelatedActivityID'));
        break;
      case 'Execution':
        rec.processId = num(attr(e, 'ProcessID'));
        rec.threadId = num(attr(e, 'ThreadID'));
        break;
      case 'EventRecordID':
        rec.eventRecordId = num(elementText(e));
        break;
      case 'Channel':
        rec.channel = str(elementText(e));
        break;
      case 'Computer':
        rec.computer = str(elementText(e));
        break;
      case 'Security':
        rec.userSid = str(attr(e, 'UserID'));
        break;
    }
  }
}

function eventData(rec: EvtxRecord, ed: XmlElement): void {
  for (const e of ed.children) {
    if (!isElem(e)) {
      // Text directly inside EventData (rare): keep as an unnamed value.
      const t = typeof e === 'object' && !Array.isArray(e) ? null : scalarText(e as EvtxScalar | EvtxScalar[]);
      if (t !== null) {
        rec.unnamedData.push(t);
        rec.values.push(t);
      }
      continue;
    }
    const v = elementText(e);
    const text = v === null ? '' : scalarText(v);
    const name = e.name === 'Data' ? attr(e, 'Name') : e.name;
    if (name === null || name === '') {
      rec.unnamedData.push(text);
    } else {
      const key = scalarText(name);
      if (Object.hasOwn(rec.data, key)) {
        let i = 1;
        while (Object.hasOwn(rec.data, `${key}_${i}`)) i++;
        setOwn(rec.data, `${key}_${i}`, v);
      } else setOwn(rec.data, key, v);
    }
    rec.values.push(text);
  }
}

function userData(rec: EvtxRecord, e: XmlElement, depth: number): void {
  if (depth > 16) return;
  for (const c of e.children) {
    if (!isElem(c)) continue;
    for (const a of c.attrs) {
      if (a.name === 'xmlns' || a.name.startsWith('xmlns:') || (c.name === 'Data' && a.name === 'Name')) continue;
      if (!Object.hasOwn(rec.data, a.name)) setOwn(rec.data, a.name, a.value);
      rec.values.push(scalarText(a.value));
    }
    const hasElemChild = c.children.some(isElem);
    if (hasElemChild) {
      userData(rec, c, depth + 1);
      continue;
    }
    if (depth === 0 && c.children.length === 0) continue; // empty wrapper element
    const v = elementText(c);
    const key = c.name === 'Data' && attr(c, 'Name') !== null ? scalarText(attr(c, 'Name')!) : c.name;
    if (!Object.hasOwn(rec.data, key)) setOwn(rec.data, key, v);
    rec.values.push(v === null ? '' : scalarText(v));
  }
}
