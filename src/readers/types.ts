/**
 * Contract of the text log readers (Exchange CSV logs, IIS/HTTPERR W3C logs, plain text lines).
 *
 * Design (see also `read-log.ts`):
 * - A reader streams byte chunks, splits records with `Buffer.indexOf` (newline, and `"` only where a
 *   line holds one), and hands each record on as a {@link LogRecord} that keeps only its raw text and
 *   a shared header: fields are split lazily on the first `get()`.
 * - `literalFilter` (optional) rejects records on their raw bytes before decoding; `prefilter(raw)` runs
 *   before any field split. Records it rejects are still counted in the stats
 *   (records, hours, first/last time), but are not passed to `onRecord`.
 * - Memory is bounded by `maxRecordBytes` + one chunk, whatever the input.
 *
 * Field values (documented for the rule engine):
 * - Every value is a string. Lookup is case-insensitive. A column the header does not have → `undefined`.
 *   A cell the row does not reach (short or truncated row) → `undefined`.
 * - An empty CSV cell → `''`. The W3C "no value" marker `-` → `''` as well (W3C cannot tell a literal
 *   `-` from "empty"). So Sigma's `field: null` ("absent or empty") must match both `undefined` and `''`.
 * - W3C `+` in User-Agent etc. is kept as logged (no decoding).
 * - W3C `cs(Name)` / `sc(Name)` / `s(Name)` / `c(Name)` columns are also reachable as `cs-name` (Sigma's
 *   webserver taxonomy, e.g. `cs-user-agent`, `cs-referer`); `fieldNames()` lists only the logged spelling.
 * - ECP Server / Activity logs: each `S:KEY=value` item of the `EventData` bag (`;`-separated, items may be
 *   `'…'`-quoted with `''` doubling) is also a field named `KEY` (`CMD`, `URL`, `EX`, `BLD`, `REQID` …).
 *   Columns win over bag keys of the same name.
 * - Text records (kind `text`, or a file of a CSV kind without any usable header) have no fields; rules
 *   search `raw`.
 */
import type { EventRecord } from '../model/record.js';
import type { LiteralFilter } from './literal-filter.js';

export type { LiteralFilter };

/** Log formats the readers know. */
export type LogKind =
  | 'httpproxy' // Logging\HttpProxy\<Protocol>\HttpProxy_*.LOG
  | 'ecp-server' // Logging\ECP\Server\ECPServer*.LOG
  | 'ecp-activity' // Logging\ECP\Activity\ECPActivity_*.LOG
  | 'oabgenerator' // Logging\OABGeneratorLog\*.LOG (format unknown: CSV when it has #Fields, else text)
  | 'ews' // Logging\Ews\Ews_*.LOG
  | 'rps-cmdlet' // Logging\CmdletInfra\Powershell-Proxy\Cmdlet\Rps_Cmdlet_*.LOG
  | 'exchange-csv' // any other Exchange CSV log (message tracking, agent log, SMTP receive, audit …)
  | 'tpl-export' // Test-ProxyLogon / Import-Csv | Export-Csv output (`#TYPE …` + quoted header)
  | 'iis-w3c' // IIS W3C extended log (u_exYYMMDD.log)
  | 'httperr' // HTTP.sys error log (httperrN.log)
  | 'text'; // plain lines, no fields

/** One record of a text log. */
export interface LogRecord extends EventRecord {
  /** 1-based line number of the record's first line. */
  readonly line: number;
  /** Byte offset of the record's start in the stream (file offset, BOM included). */
  readonly offset: number;
  /** Record time, epoch ms UTC; `undefined` when the record has no parseable timestamp. */
  time(): number | undefined;
}

export interface ReaderStats {
  /** Bytes read from the stream. */
  bytes: number;
  /** Data records seen (directive, header, comment and empty lines excluded; prefilter-rejected and malformed included). */
  records: number;
  /** Physical lines (a final line without newline counts). */
  lines: number;
  /** Header lines read from the file: `#Fields:` lines, or a CSV header row (`"DateTime",…`). */
  headerBlocks: number;
  /**
   * Malformed records: containing NUL bytes (binary; not passed on), invalid UTF-8 (passed on with U+FFFD),
   * no parseable timestamp where the header puts one first (passed on), or a quote left open for more than
   * `maxRecordBytes` / until the end (re-read as single lines).
   */
  malformed: number;
  /** Records longer than `maxRecordBytes`: passed on with their first part only. */
  longRecords: number;
  /** The stream did not end with a newline (last record possibly cut). */
  truncatedTail: boolean;
  /** No header in the file: the kind's default header was assumed. */
  assumedHeader: boolean;
  /** Earliest and latest record time (epoch ms UTC), over all records incl. prefilter-rejected ones. */
  firstTime?: number;
  lastTime?: number;
  /** Hour index `floor(ms / 3.6e6)` of every timed record seen. */
  hours: Set<number>;
  /** `#Software:`, `#Version:`, `#Log-type:` directive values (first seen). */
  software?: string;
  version?: string;
  logType?: string;
  /**
   * Event logs only (src/detect/hunt-evtx.ts): the channel of the records, and the process-creation events
   * (Security 4688, Sysmon 1) seen with their first and last time (epoch ms).
   */
  evtx?: { channel?: string; processCreation: number; processFirst?: number; processLast?: number };
}

export interface ReadOptions {
  kind: LogKind;
  /** Records longer than this are cut to it (default 1 MiB, minimum 64). Bounds memory: one chunk + this. */
  maxRecordBytes?: number;
  /** Cheap test on the raw text, before any field split; `false` = count the record but do not pass it on. */
  prefilter?: (raw: string) => boolean;
  /**
   * Byte-level literal pre-filter, run before the record is even decoded (see `literal-filter.ts`): records
   * containing none of the literals are counted like prefilter-rejected ones. Same shape as a compiled
   * rule's `prefilter`, so the hunt engine can pass the union of its rules' literals. Runs before `prefilter`.
   */
  literalFilter?: LiteralFilter;
  /**
   * `rules`: with a clause filter (`literalFilter.rules`), the indexes of the rules whose clauses the
   * record satisfies (ascending; only those can match it, every clause being necessary); else undefined.
   * Valid during the call only.
   */
  onRecord: (rec: LogRecord, rules?: readonly number[]) => void;
  /** Called after each chunk read from a file, with the bytes read so far (progress of long files). */
  onBytes?: (bytesSoFar: number) => void;
  signal?: AbortSignal;
}

export const DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;
