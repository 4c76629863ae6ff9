/**
 * A column header (from `#Fields:`, a header row, or a default), shared by all records that follow it.
 */
import type { LogKind } from './types.js';

export interface Header {
  readonly names: readonly string[];
  /** Lower-cased name (and W3C `cs-name` aliases) → column index (first occurrence wins). */
  readonly index: ReadonlyMap<string, number>;
  /** W3C (space separated, `-` = empty) or CSV. */
  readonly w3c: boolean;
  /**
   * Where the timestamp is: `start` = the record starts with it (CSV first column `DateTime`/`TimeStamp`/…,
   * or W3C `date time` as first two columns); `fields` = elsewhere (split the fields); `none`.
   */
  readonly timeAt: 'start' | 'fields' | 'none';
  /** Column of the ISO timestamp (CSV) or of `time` (W3C); -1 if none. */
  readonly timeCol: number;
  /** W3C `date` column; -1 if none. */
  readonly dateCol: number;
  /** Column holding an ECP `S:KEY=value` bag (`EventData`), or -1. */
  readonly bagCol: number;
}

const TIME_NAMES = new Set(['datetime', 'timestamp', 'date-time', 'time']);

export function isW3cKind(kind: LogKind): boolean {
  return kind === 'iis-w3c' || kind === 'httperr';
}

export function makeHeader(names: readonly string[], kind: LogKind): Header {
  const w3c = isW3cKind(kind);
  const index = new Map<string, number>();
  names.forEach((n, i) => {
    const k = n.toLowerCase();
    if (!index.has(k)) index.set(k, i);
  });
  if (w3c) {
    names.forEach((n, i) => {
      const m = /^(cs|sc|s|c)\((.+)\)$/i.exec(n);
      if (m) {
        const alias = `${m[1]}-${m[2]}`.toLowerCase();
        if (!index.has(alias)) index.set(alias, i);
      }
    });
  }
  let timeAt: Header['timeAt'] = 'none';
  let timeCol = -1;
  let dateCol = -1;
  if (w3c) {
    dateCol = index.get('date') ?? -1;
    timeCol = index.get('time') ?? -1;
    if (dateCol === 0 && timeCol === 1) timeAt = 'start';
    else if (dateCol >= 0 && timeCol >= 0) timeAt = 'fields';
  } else {
    const first = names[0]?.toLowerCase();
    if (first !== undefined && TIME_NAMES.has(first)) {
      timeAt = 'start';
      timeCol = 0;
    } else {
      for (const [i, n] of names.entries()) {
        if (TIME_NAMES.has(n.toLowerCase())) {
          timeAt = 'fields';
          timeCol = i;
          break;
        }
      }
    }
  }
  const bagCol = kind === 'ecp-server' || kind === 'ecp-activity' ? (index.get('eventdata') ?? -1) : -1;
  return { names, index, w3c, timeAt, timeCol, dateCol, bagCol };
}
