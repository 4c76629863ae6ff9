/** Text formatting shared by the simulated log writers. */

/** RFC 4180 field: quoted when it holds a comma, a double quote or a line break; inner quotes doubled. */
export function csvField(value: string): string {
  if (value === '' || (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0)) {
    return value;
  }
  return `"${value.replace(/"/g, '""')}"`;
}

export function csvRow(fields: readonly string[]): string {
  let s = '';
  for (let i = 0; i < fields.length; i++) {
    if (i > 0) s += ',';
    s += csvField(fields[i] as string);
  }
  return s;
}

const DAY_MS = 86_400_000;
let cachedDay = Number.NaN;
let cachedDate = '';

/** `YYYY-MM-DD` of a day number, cached (the writers format millions of times within the same day). */
function dateOf(day: number): string {
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDate = new Date(day * DAY_MS).toISOString().slice(0, 10);
  }
  return cachedDate;
}

const TWO: string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : String(i)));
const THREE: string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

function two(n: number): string {
  return TWO[n] as string;
}

/** Day number and time of day of an epoch-ms instant (UTC). */
function clock(ms: number): { day: number; h: number; m: number; s: number; milli: number } {
  const day = Math.floor(ms / DAY_MS);
  let r = ms - day * DAY_MS;
  const h = Math.floor(r / 3_600_000);
  r -= h * 3_600_000;
  const m = Math.floor(r / 60_000);
  r -= m * 60_000;
  const s = Math.floor(r / 1000);
  return { day, h, m, s, milli: r - s * 1000 };
}

/** ISO 8601 UTC with milliseconds and `Z`, as Exchange writes it. */
export function iso(ms: number): string {
  const c = clock(ms);
  return `${dateOf(c.day)}T${TWO[c.h]}:${TWO[c.m]}:${TWO[c.s]}.${THREE[c.milli]}Z`;
}

/** IIS W3C `date time` (UTC, whole seconds): `2021-03-03 06:49:42`. */
export function iisDateTime(ms: number): string {
  const c = clock(ms);
  return `${dateOf(c.day)} ${TWO[c.h]}:${TWO[c.m]}:${TWO[c.s]}`;
}

function hourOf(ms: number): number {
  return Math.floor((ms - Math.floor(ms / DAY_MS) * DAY_MS) / 3_600_000);
}

/** `YYYYMMDD` (UTC). */
export function ymd(ms: number): string {
  return dateOf(Math.floor(ms / DAY_MS)).replace(/-/g, '');
}

/** `YYYYMMDDHH` (UTC). */
export function ymdh(ms: number): string {
  return ymd(ms) + two(hourOf(ms));
}

/** IIS W3C field: empty becomes `-`, spaces become `+` (IIS does this in cs(User-Agent) and cs(Referer)). */
export function w3cField(value: string): string {
  if (value === '') return '-';
  return value.indexOf(' ') < 0 ? value : value.replace(/ /g, '+');
}

/** Exchange replaces commas in the logged user agent with spaces (`(KHTML  like Gecko)` in real logs). */
export function exchangeUserAgent(ua: string): string {
  return ua.indexOf(',') < 0 ? ua : ua.replace(/,/g, ' ');
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
