/** Text formatting shared by the simulated log writers. */

/** RFC 4180 field: quoted when it holds a comma, a double quote or a line break; inner quotes doubled. */
export function csvField(value: string): string {
  if (/[",\r\n]/.test(value)) return `"${value.replace(/"/g, '""')}"`;
  return value;
}

export function csvRow(fields: readonly string[]): string {
  let s = '';
  for (let i = 0; i < fields.length; i++) {
    if (i > 0) s += ',';
    s += csvField(fields[i] as string);
  }
  return s;
}

/** ISO 8601 UTC with milliseconds and `Z`, as Exchange writes it. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** IIS W3C `date time` (UTC, whole seconds): `2021-03-03 06:49:42`. */
export function iisDateTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** `YYYYMMDD` (UTC). */
export function ymd(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10).replace(/-/g, '');
}

/** `YYYYMMDDHH` (UTC). */
export function ymdh(ms: number): string {
  const s = new Date(ms).toISOString();
  return s.slice(0, 10).replace(/-/g, '') + s.slice(11, 13);
}

/** IIS W3C field: empty becomes `-`, spaces become `+` (IIS does this in cs(User-Agent) and cs(Referer)). */
export function w3cField(value: string): string {
  if (value === '') return '-';
  return value.replace(/ /g, '+');
}

/** Exchange replaces commas in the logged user agent with spaces (`(KHTML  like Gecko)` in real logs). */
export function exchangeUserAgent(ua: string): string {
  return ua.replace(/,/g, ' ');
}

export const HOUR = 3_600_000;
export const DAY = 86_400_000;
export const MINUTE = 60_000;

export function dayStart(ms: number): number {
  return Math.floor(ms / DAY) * DAY;
}

/** Parses `YYYY-MM-DD` or a full ISO string as UTC. */
export function parseDate(s: string): number {
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s);
  if (Number.isNaN(t)) throw new RangeError(`not a date: ${s}`);
  return t;
}
