/**
 * Field splitting on a record's raw text (run lazily, on the first `get()`), and the ECP `S:KEY=value` bag.
 */

/**
 * RFC-4180 split: `"` opens a quoted field only at the start of a field; inside it `""` is a quote and
 * `,` / newlines are data. A `"` elsewhere is literal. An unterminated quoted field runs to the end.
 */
export function splitCsv(s: string): string[] {
  if (s.indexOf('"') < 0) return s.split(',');
  const out: string[] = [];
  const n = s.length;
  let i = 0;
  for (;;) {
    if (i < n && s.charCodeAt(i) === 0x22) {
      // quoted field
      let val = '';
      let j = i + 1;
      for (;;) {
        const k = s.indexOf('"', j);
        if (k < 0) {
          val += s.slice(j);
          i = n;
          break;
        }
        val += s.slice(j, k);
        if (s.charCodeAt(k + 1) === 0x22) {
          val += '"';
          j = k + 2;
        } else {
          i = k + 1;
          break;
        }
      }
      // text after the closing quote up to the next comma is kept (lenient)
      const c = s.indexOf(',', i);
      if (c < 0) {
        out.push(val + s.slice(i));
        return out;
      }
      out.push(val + s.slice(i, c));
      i = c + 1;
    } else {
      const c = s.indexOf(',', i);
      if (c < 0) {
        out.push(s.slice(i));
        return out;
      }
      out.push(s.slice(i, c));
      i = c + 1;
    }
  }
}

/** W3C split: single spaces; `-` (no value) becomes `''`. */
export function splitW3c(s: string): string[] {
  const out = s.split(' ');
  for (let i = 0; i < out.length; i++) if (out[i] === '-') out[i] = '';
  return out;
}

/**
 * ECP `EventData` bag: `S:KEY=value;S:KEY2=value2;…`; an item may be wrapped in `'…'` with `''` for a
 * quote (then `;` inside is data). The type prefix (`S:`, `I32:`, `F:` …) is dropped; the first
 * occurrence of a key wins. Returns lower-cased key → [original key, value].
 */
export function parseBag(s: string): Map<string, [string, string]> {
  const out = new Map<string, [string, string]>();
  const n = s.length;
  let i = 0;
  while (i < n) {
    const ch = s.charCodeAt(i);
    if (ch === 0x3b /* ; */) {
      i++;
      continue;
    }
    let item: string;
    if (ch === 0x27 /* ' */) {
      item = '';
      let j = i + 1;
      for (;;) {
        const k = s.indexOf("'", j);
        if (k < 0) {
          item += s.slice(j);
          i = n;
          break;
        }
        item += s.slice(j, k);
        if (s.charCodeAt(k + 1) === 0x27) {
          item += "'";
          j = k + 2;
        } else {
          const semi = s.indexOf(';', k + 1);
          i = semi < 0 ? n : semi + 1;
          break;
        }
      }
    } else {
      const semi = s.indexOf(';', i);
      item = s.slice(i, semi < 0 ? n : semi);
      i = semi < 0 ? n : semi + 1;
    }
    const eq = item.indexOf('=');
    if (eq <= 0) continue;
    const lhs = item.slice(0, eq);
    const colon = lhs.indexOf(':');
    const key = (colon >= 0 ? lhs.slice(colon + 1) : lhs).trim();
    if (!key) continue;
    const lk = key.toLowerCase();
    if (!out.has(lk)) out.set(lk, [key, item.slice(eq + 1)]);
  }
  return out;
}
