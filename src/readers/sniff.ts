/**
 * Format sniffing from a file's first bytes, its name and its folder.
 *
 * Order: binary check (NUL bytes, control bytes or invalid UTF-8 over 1% → `null`; an empty head → `null`);
 * then the file's own directives (`#Software:`, `#Log-type:`, `#Fields:`, `#TYPE`); then the Exchange /
 * IIS folder and file naming conventions; then the shape of the first data line; else `text`.
 * UTF-16 files (NUL bytes) are reported as `null` (not a format Exchange or IIS writes).
 */
import { isUtf8 } from 'node:buffer';
import { HTTPPROXY_FIELDS } from './default-headers.js';
import { splitCsv } from './fields.js';
import { TimestampParser } from './timestamp.js';
import type { LogKind } from './types.js';

const HEADER_NAME = /^[A-Za-z_][A-Za-z0-9_\-().]*$/;

function looksBinary(b: Uint8Array): boolean {
  let ctrl = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i] as number;
    if (c === 0) return true;
    if (c < 0x09 || (c > 0x0d && c < 0x20 && c !== 0x1b)) ctrl++;
  }
  if (ctrl * 100 > b.length) return true;
  // ignore a sequence cut at the end of the head
  let end = b.length;
  for (let k = 0; k < 3 && end > 0 && ((b[end - 1] as number) & 0xc0) === 0x80; k++) end--;
  if (end > 0 && (b[end - 1] as number) >= 0xc0) end--;
  const body = Buffer.from(b.buffer, b.byteOffset, end);
  if (isUtf8(body)) return false;
  const text = body.toString('utf8');
  let bad = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 0xfffd) bad++;
  return bad * 100 > text.length;
}

function kindFromLogType(t: string): LogKind | null {
  if (/httpproxy/i.test(t)) return 'httpproxy';
  if (/ecp\s*server/i.test(t)) return 'ecp-server';
  if (/ecp\s*activity/i.test(t)) return 'ecp-activity';
  if (/oab\s*gen/i.test(t)) return 'oabgenerator';
  if (/^ews\b/i.test(t)) return 'ews';
  if (/rps\s*cmdlet/i.test(t)) return 'rps-cmdlet';
  return null;
}

function kindFromPath(fileName: string, dir: string): LogKind | null {
  const f = fileName.toLowerCase();
  const d = `/${dir.toLowerCase().replace(/\\/g, '/')}/`;
  if (d.includes('/oabgeneratorlog/')) return 'oabgenerator';
  if (/^httpproxy_/.test(f) || d.includes('/httpproxy/')) return 'httpproxy';
  if (/^ecpserver/.test(f) || d.includes('/ecp/server/')) return 'ecp-server';
  if (/^ecpactivity_/.test(f) || d.includes('/ecp/activity/')) return 'ecp-activity';
  if (/^rps_cmdlet_/.test(f) || /\/cmdletinfra\/(.*\/)?cmdlet\//.test(d)) return 'rps-cmdlet';
  if (/^ews_\d/.test(f) || /\/logging\/ews\/$/.test(d)) return 'ews';
  if (/^httperr\d*\.log$/.test(f) || d.includes('/httperr/')) return 'httperr';
  if (/^u_ex.*\.log$/.test(f) || /\/w3svc\d+\//.test(d)) return 'iis-w3c';
  return null;
}

/** Guesses the log kind; `null` = binary, empty, or not a text log. */
export function sniffLog(head: Uint8Array, fileName: string, dirHint?: string): LogKind | null {
  let b = head;
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) b = b.subarray(3);
  if (b.length === 0 || looksBinary(b)) return null;
  const text = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
  const lines = text.split('\n', 64).map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.length > 1 && b.length >= 65536) lines.pop(); // possibly cut

  let software = '';
  let logType = '';
  let fields: string | undefined;
  let firstData: string | undefined;
  let typeLine = false;
  for (const l of lines) {
    if (l.startsWith('#')) {
      if (/^#TYPE /.test(l) && firstData === undefined) typeLine = true;
      const m = /^#\s*([A-Za-z-]+):\s?(.*)$/.exec(l);
      if (!m) continue;
      const name = (m[1] ?? '').toLowerCase();
      const value = (m[2] ?? '').trim();
      if (name === 'software') software ||= value;
      else if (name === 'log-type') logType ||= value;
      else if (name === 'fields') fields ??= value;
      continue;
    }
    if (l.trim() === '') continue;
    firstData ??= l;
    if (fields !== undefined || firstData !== undefined) break;
  }

  if (/internet information services/i.test(software)) return 'iis-w3c';
  if (/http api/i.test(software)) return 'httperr';
  const byType = kindFromLogType(logType);
  if (byType) return byType;
  const byPath = kindFromPath(fileName, dirHint ?? '');
  if (/microsoft exchange/i.test(software)) return byPath === 'oabgenerator' ? byPath : (byPath ?? 'exchange-csv');

  if (typeLine) return 'tpl-export';
  if (fields !== undefined) {
    if (!fields.includes(',') && /\bdate\b/.test(fields) && /\btime\b/.test(fields)) {
      return /\bs-reason\b/.test(fields) ? 'httperr' : 'iis-w3c';
    }
    if (byPath) return byPath;
    return 'exchange-csv';
  }
  if (byPath) return byPath;
  if (firstData === undefined) return 'text';

  // shape of the first data line
  const ts = new TimestampParser();
  const bytes = Buffer.from(firstData.slice(0, 40), 'utf8');
  const t = ts.parseBytes(bytes, 0, bytes.length);
  if (!Number.isNaN(t)) {
    if (firstData.charCodeAt(0) !== 0x22 && firstData.charCodeAt(10) === 0x20 && firstData.split(' ').length >= 8) return 'iis-w3c';
    if (firstData.charCodeAt(10) === 0x54 && splitCsv(firstData).length === HTTPPROXY_FIELDS.length) return 'httpproxy';
    return 'text';
  }
  const names = splitCsv(firstData).map((x) => x.trim());
  if (names.length >= 2 && names.every((n) => HEADER_NAME.test(n))) {
    return firstData.startsWith('"') ? 'tpl-export' : 'exchange-csv';
  }
  return 'text';
}
