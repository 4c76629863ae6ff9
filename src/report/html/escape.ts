/**
 * Escaping for the HTML report. Every string from the evidence is attacker-controlled: it is made
 * visible (controls and bidi overrides shown as `\u202E`, so a file name cannot pretend to be another),
 * cut to a bounded length, then HTML-escaped for text and quoted attributes alike.
 */

// C0/C1 controls (tab and newline kept), bidi embeddings/overrides/isolates and marks, line/paragraph
// separators and the BOM: each could reorder or hide what a reader sees.
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function visible(s: string): string {
  return s
    .replace(LONE_SURROGATE, '\ufffd')
    .replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
}

/** Text or attribute value: `& < > " ' \`` become character references. */
export function esc(v: unknown, max = 4000): string {
  let s = v === undefined || v === null ? '' : typeof v === 'string' ? v : String(v);
  if (s.length > max) s = `${s.slice(0, max)}… (${s.length - max} more characters)`;
  return visible(s).replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A value safe to put in an HTML id or fragment: our own identifiers only, anything else is dropped. */
export function safeId(v: unknown): string {
  const s = typeof v === 'string' ? v : '';
  return /^[A-Za-z0-9_-]{1,64}$/.test(s) ? s : '';
}

/** ISO time as `YYYY-MM-DD HH:MM:SS` (UTC), or '' for anything that is not a time. */
export function fmtTime(iso: unknown, withSeconds = true): string {
  if (typeof iso !== 'string') return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const s = new Date(t).toISOString().replace('T', ' ');
  return withSeconds ? s.slice(0, 19) : s.slice(0, 16);
}
