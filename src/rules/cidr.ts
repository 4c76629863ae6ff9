/**
 * `|cidr`: IPv4 and IPv6 networks. Addresses are parsed by hand into 16 bytes (IPv4 as `::ffff:a.b.c.d`,
 * so an IPv4 rule also matches IPv4-mapped IPv6 values such as IIS writes on dual-stack sites) and
 * compared by prefix. A record value that is not an IP address never matches.
 */
import { RuleProblem } from './problem.js';

export interface Network {
  bytes: Uint8Array;
  /** Prefix length in bits over the 16-byte form. */
  bits: number;
  text: string;
}

/** Dotted quad into out[at..at+3]; a hand scan so IPv4 values (the common case) allocate nothing. */
function parseV4(s: string, out: Uint8Array, at: number): boolean {
  let part = 0;
  let n = 0;
  let digits = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 46; // a virtual '.' ends the last part
    if (c === 46) {
      if (digits === 0 || part > 3) return false;
      out[at + part] = n;
      part++;
      n = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      n = n * 10 + (c - 48);
      if (++digits > 3 || n > 255) return false;
    } else {
      return false;
    }
  }
  return part === 4;
}

function parseHextet(h: string): number {
  if (h.length === 0 || h.length > 4) return -1;
  let n = 0;
  for (let k = 0; k < h.length; k++) {
    const c = h.charCodeAt(k);
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (d < 0) return -1;
    n = n * 16 + d;
  }
  return n;
}

/**
 * Parse an IPv4 or IPv6 address (optionally `[...]`-bracketed, with a `%zone`) into `out` (16 bytes).
 * Returns false for anything else. Allocates only for the split of IPv6 text.
 */
export function parseIp(text: string, out: Uint8Array): boolean {
  let s = text.trim();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const pct = s.indexOf('%');
  if (pct >= 0) s = s.slice(0, pct);
  out.fill(0);
  if (!s.includes(':')) {
    out[10] = 0xff;
    out[11] = 0xff;
    return parseV4(s, out, 12);
  }
  const dbl = s.indexOf('::');
  if (dbl !== s.lastIndexOf('::')) return false;
  const head = dbl >= 0 ? s.slice(0, dbl) : s;
  const tail = dbl >= 0 ? s.slice(dbl + 2) : '';
  const hp = head ? head.split(':') : [];
  const tp = tail ? tail.split(':') : [];
  // An embedded IPv4 tail (::ffff:1.2.3.4) takes two hextets.
  const groups: number[] = [];
  const all = dbl >= 0 ? [hp, tp] : [hp];
  const words: number[][] = [];
  for (const list of all) {
    const w: number[] = [];
    for (let i = 0; i < list.length; i++) {
      const g = list[i]!;
      if (g.includes('.')) {
        if (i !== list.length - 1 || list !== all[all.length - 1]) return false;
        const v4 = new Uint8Array(4);
        if (!parseV4(g, v4, 0)) return false;
        w.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        const n = parseHextet(g);
        if (n < 0) return false;
        w.push(n);
      }
    }
    words.push(w);
  }
  if (dbl >= 0) {
    const missing = 8 - words[0]!.length - words[1]!.length;
    if (missing < 1) return false;
    groups.push(...words[0]!, ...new Array<number>(missing).fill(0), ...words[1]!);
  } else {
    if (words[0]!.length !== 8) return false;
    groups.push(...words[0]!);
  }
  for (let i = 0; i < 8; i++) {
    out[i * 2] = groups[i]! >> 8;
    out[i * 2 + 1] = groups[i]! & 0xff;
  }
  return true;
}

/** Parse `a.b.c.d/n` or `x::y/n` (a bare address = a host route). */
export function parseCidr(text: string): Network {
  const s = String(text).trim();
  const slash = s.indexOf('/');
  const addr = slash >= 0 ? s.slice(0, slash) : s;
  const bytes = new Uint8Array(16);
  if (!parseIp(addr, bytes)) throw new RuleProblem(`'${s}' is not a CIDR network`, 'invalid');
  const v4 = !addr.includes(':');
  const max = v4 ? 32 : 128;
  let len = max;
  if (slash >= 0) {
    const p = s.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > max) throw new RuleProblem(`'${s}' has a bad prefix length`, 'invalid');
    len = Number(p);
  }
  return { bytes, bits: v4 ? 96 + len : len, text: s };
}

/** Does the (already parsed) address lie in the network? */
export function inNetwork(addr: Uint8Array, net: Network): boolean {
  const full = net.bits >> 3;
  for (let i = 0; i < full; i++) if (addr[i] !== net.bytes[i]) return false;
  const rem = net.bits & 7;
  if (rem === 0) return true;
  const mask = (0xff << (8 - rem)) & 0xff;
  return (addr[full]! & mask) === (net.bytes[full]! & mask);
}
