/**
 * Decoders for values that attackers encode on purpose: URL percent-encoding (the ProxyNotShell
 * mitigation bypasses, exchange-facts §1b.5) and the Remote PowerShell `X-Rps-CAT` token (a base64
 * serialized CommonAccessToken naming the identity a request acts as). Every decoder is bounded and
 * linear in its input; none throws on hostile input (it returns what it could decode, or undefined).
 */

/** Longest value a decoder looks at (log records are capped at 1 MiB; URLs and tokens are far shorter). */
export const MAX_DECODE_CHARS = 64 * 1024;

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/**
 * One pass of URL decoding, as IIS URL Rewrite's `UrlDecode` and ASP.NET do: `%XX` is a byte (bytes
 * are read as UTF-8), `%uXXXX` a UTF-16 code unit; malformed escapes stay as written; `+` is kept (a
 * path does not turn `+` into a space, and rules match both spellings where it matters). One pass only:
 * `%2570` decodes to `%70`, which is what the server itself saw.
 */
export function urlDecode(s: string): string {
  if (s.indexOf('%') < 0) return s;
  const text = s.length > MAX_DECODE_CHARS ? s.slice(0, MAX_DECODE_CHARS) : s;
  let out = '';
  let bytes: number[] = [];
  const flush = (): void => {
    if (bytes.length) out += Buffer.from(bytes).toString('utf8');
    bytes = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 37 /* % */) {
      const h1 = hexVal(text.charCodeAt(i + 1));
      const h2 = hexVal(text.charCodeAt(i + 2));
      if (h1 >= 0 && h2 >= 0) {
        bytes.push(h1 * 16 + h2);
        i += 2;
        continue;
      }
      const u = text.charCodeAt(i + 1);
      if (u === 117 || u === 85) {
        const a = hexVal(text.charCodeAt(i + 2));
        const b = hexVal(text.charCodeAt(i + 3));
        const d = hexVal(text.charCodeAt(i + 4));
        const e = hexVal(text.charCodeAt(i + 5));
        if (a >= 0 && b >= 0 && d >= 0 && e >= 0) {
          flush();
          out += String.fromCharCode(((a * 16 + b) * 16 + d) * 16 + e);
          i += 5;
          continue;
        }
      }
    }
    flush();
    out += text[i];
  }
  flush();
  return out;
}

/**
 * The literals a raw line must contain when a URL-decoded value contains `lit` (case-insensitively):
 * `lit` itself, or an escape of one of its characters (`%xx` of either case of the letter, or `%u00`).
 * Lower-case, for a case-insensitive pre-filter: the hex digits of an escape may be written in either case.
 */
export function percentVariants(lit: string): string[] {
  // `%uXXXX` escapes of ASCII characters all start with `%u00`.
  const out = new Set<string>([lit.toLowerCase(), '%u00']);
  for (const ch of lit) {
    for (const v of new Set([ch, ch.toLowerCase(), ch.toUpperCase()])) {
      const code = v.charCodeAt(0);
      if (code < 0x80) out.add(`%${code.toString(16).padStart(2, '0')}`);
    }
  }
  return [...out];
}

/** Standard or URL-safe base64 with or without padding → bytes; undefined if it is not base64. */
export function base64Bytes(s: string, maxChars = 16 * 1024): Buffer | undefined {
  const t = s.trim();
  if (!t || t.length > maxChars || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(t)) return undefined;
  return Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

/** .NET BinaryWriter string: 7-bit encoded length, then the bytes. */
function readString(b: Buffer, pos: number): { value: string; next: number } | undefined {
  let len = 0;
  let shift = 0;
  let i = pos;
  for (; i < b.length && shift < 28; i++, shift += 7) {
    const x = b[i]!;
    len |= (x & 0x7f) << shift;
    if (!(x & 0x80)) break;
  }
  i++;
  if (len > 1024 || i + len > b.length) return undefined;
  return { value: b.toString('utf8', i, i + len), next: i + len };
}

/**
 * The identity inside an `X-Rps-CAT` value (URL-encoded base64 of Exchange's serialized
 * CommonAccessToken, as published in the ProxyShell write-ups): tagged fields `V` (version, 2 bytes),
 * `T` (token type, e.g. `Windows`), `C` (compression flag, 1 byte), `A` (authentication type), `L`
 * (logon name), `U` (user SID), then groups and extensions, which are not needed here. Returns the logon
 * name, else the SID, else undefined. Reads at most the first fields, so a hostile token costs nothing.
 */
export function rpsCatIdentity(value: string): string | undefined {
  const bytes = base64Bytes(urlDecode(value));
  if (!bytes || bytes.length < 3 || bytes[0] !== 0x56 /* V */) return undefined;
  let pos = 3;
  let logon: string | undefined;
  let sid: string | undefined;
  for (let fields = 0; fields < 8 && pos < bytes.length; fields++) {
    const tag = String.fromCharCode(bytes[pos]!);
    pos++;
    if (tag === 'C') {
      pos++;
      continue;
    }
    if (tag !== 'T' && tag !== 'A' && tag !== 'L' && tag !== 'U') break;
    const s = readString(bytes, pos);
    if (!s) break;
    pos = s.next;
    if (tag === 'L') logon = s.value;
    if (tag === 'U') sid = s.value;
  }
  const clean = (v: string | undefined): string | undefined => {
    // Control characters would only garble reports: an identity is printable text.
    const t = v?.replace(/[\u0000-\u001f\u007f]/g, '').trim();
    return t ? t : undefined;
  };
  return clean(logon) ?? clean(sid);
}

export type DecoderName = 'url' | 'base64' | 'rps-cat';
export const DECODERS: Record<DecoderName, (s: string) => string | undefined> = {
  url: urlDecode,
  base64: (s) => {
    const b = base64Bytes(s);
    return b ? b.toString('utf8') : undefined;
  },
  'rps-cat': rpsCatIdentity,
};
