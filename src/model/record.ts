/**
 * The one shape every reader hands to the rule engine.
 * Field lookup is case-insensitive (PowerShell and Exchange disagree on casing, e.g. ClientIpAddress /
 * ClientIPAddress) and already applies the log source's field mapping (IIS `cs(User-Agent)` is also
 * reachable as Sigma's `cs-user-agent`).
 */
export type FieldValue = string | number | boolean | null | undefined;

export interface EventRecord {
  /** Value of a field, case-insensitive; `undefined` when the record has no such field. */
  get(field: string): FieldValue;
  /** Every field name the record has (original spelling), for keyword searches and exports. */
  fieldNames(): readonly string[];
  /** The record as text (a log line, or an event's values joined): what Sigma keyword searches see. */
  readonly raw: string;
}

/** Sigma log source triple. Exchange's own logs use product `exchange` with a service per log type. */
export interface LogSource {
  product?: string;
  category?: string;
  service?: string;
}

/** Where a piece of evidence sits: path relative to the scanned root, `/`-separated. */
export interface SourcePointer {
  path: string;
  /** 1-based line of the record's first line (text logs). */
  line?: number;
  /** Event record id (event logs). */
  record?: number;
  /** Byte offset (file content matches, or the record start in a text log). */
  offset?: number;
}
