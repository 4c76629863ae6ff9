/**
 * Timestamp parsing without `Date.parse`: `YYYY-MM-DD[T ]HH:MM:SS[.fff…][Z]`, optionally preceded by one `"`
 * (Export-Csv quotes every cell). Always UTC (Exchange writes `Z`, IIS and HTTP.sys log UTC). A numeric
 * offset (`+01:00`) after the seconds is not applied. The hour base is cached: consecutive records of the
 * same hour cost a few digit reads and no `Date.UTC` call.
 */

const D0 = 48;

function d2(b: ArrayLike<number>, p: number): number {
  const a = (b[p] ?? 0) - D0;
  const c = (b[p + 1] ?? 0) - D0;
  if (a < 0 || a > 9 || c < 0 || c > 9) return -1;
  return a * 10 + c;
}

/** Parses timestamps from bytes or from char codes, caching the hour. Not thread-safe; one per stream. */
export class TimestampParser {
  private lastKey = -1;
  private lastHourMs = 0;

  /** Epoch ms UTC of the timestamp at `p` (before `end`), or NaN. */
  parseBytes(b: Uint8Array, p: number, end: number): number {
    if (b[p] === 0x22) p++;
    if (end - p < 19) return NaN;
    const y1 = d2(b, p);
    const y2 = d2(b, p + 2);
    const mo = d2(b, p + 5);
    const d = d2(b, p + 8);
    const h = d2(b, p + 11);
    const mi = d2(b, p + 14);
    const s = d2(b, p + 17);
    const sep = b[p + 10];
    if (
      y1 < 0 || y2 < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || s < 0 ||
      b[p + 4] !== 0x2d || b[p + 7] !== 0x2d || (sep !== 0x54 && sep !== 0x20) || b[p + 13] !== 0x3a || b[p + 16] !== 0x3a ||
      mi > 59 || s > 60
    ) {
      return NaN;
    }
    let ms = 0;
    if (b[p + 19] === 0x2e) {
      let q = p + 20;
      let scale = 100;
      while (q < end) {
        const c = (b[q] ?? 0) - D0;
        if (c < 0 || c > 9) break;
        ms += c * scale;
        scale /= 10;
        q++;
      }
      ms = Math.floor(ms);
    }
    const key = ((y1 * 100 + y2) * 100 + mo) * 10000 + d * 100 + h;
    if (key !== this.lastKey) {
      if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23) return NaN;
      this.lastHourMs = Date.UTC(y1 * 100 + y2, mo - 1, d, h);
      this.lastKey = key;
    }
    return this.lastHourMs + mi * 60000 + s * 1000 + ms;
  }

  /** Same for a string (at index `p`). */
  parseString(str: string, p = 0): number {
    const n = Math.min(str.length, p + 40);
    const codes = new Uint8Array(n - p);
    for (let i = p; i < n; i++) { const c = str.charCodeAt(i); codes[i - p] = c < 0x80 ? c : 0; }
    return this.parseBytes(codes, 0, codes.length);
  }
}

/** Parses a W3C `date` and `time` pair (`2021-03-05`, `03:06:27`). */
export function parseW3cDateTime(date: string | undefined, time: string | undefined): number | undefined {
  if (!date || !time) return undefined;
  const t = new TimestampParser().parseString(`${date} ${time}`);
  return Number.isNaN(t) ? undefined : t;
}

/** Parses an ISO timestamp string (one-off; for lazy field-based time lookup). */
export function parseIsoTime(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const t = new TimestampParser().parseString(s);
  return Number.isNaN(t) ? undefined : t;
}
