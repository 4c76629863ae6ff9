import { readFileSync, statSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import { ExhuntError } from '../model/errors.js';

/** A target that cannot be parsed or expands beyond the limits. Stable code `E_PROBE_TARGET`. */
export class TargetError extends ExhuntError {
  constructor(message: string) {
    super('E_PROBE_TARGET', message);
    this.name = 'TargetError';
  }
}

/** One host to probe. */
export interface ProbeTarget {
  /** What the user wrote (for a CIDR range: the range). */
  input: string;
  scheme: 'https' | 'http';
  /** Host name or IP address (IPv6 without brackets). */
  host: string;
  port: number;
  /** `host:port` (`[v6]:port`), with `http://` in front for plain HTTP. */
  label: string;
}

export interface TargetOptions {
  /** Port when the target names none (default 443 for https, 80 for http). */
  defaultPort?: number;
  /** Most addresses a single CIDR range may expand to (default 65,536 = a /16; smaller prefixes are refused). */
  maxRangeSize?: number;
  /** Most targets in total (default 65,536). */
  maxTargets?: number;
}

/** Smallest IPv4 prefix accepted (a /16 = 65,536 addresses). */
export const MIN_CIDR_PREFIX = 16;
export const DEFAULT_MAX_TARGETS = 65_536;
/** Target files larger than this are refused (a /16 written out one per line is under 1 MiB). */
export const MAX_TARGET_FILE_BYTES = 4 * 1024 * 1024;

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)*\.?$/;

function show(s: string): string {
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);
}

function parsePort(p: string, input: string): number {
  if (!/^\d{1,5}$/.test(p)) throw new TargetError(`bad port in target ${show(input)}`);
  const n = Number(p);
  if (n < 1 || n > 65535) throw new TargetError(`port out of range (1-65535) in target ${show(input)}`);
  return n;
}

function makeTarget(input: string, scheme: 'https' | 'http', host: string, port: number): ProbeTarget {
  const h = isIPv6(host) ? `[${host}]` : host;
  return { input, scheme, host, port, label: `${scheme === 'http' ? 'http://' : ''}${h}:${port}` };
}

function checkHost(host: string, input: string): string {
  if (isIPv4(host) || isIPv6(host)) return host;
  if (/^\d+(\.\d+){0,3}$/.test(host)) throw new TargetError(`not a valid IPv4 address in target ${show(input)}`);
  if (!HOSTNAME.test(host)) throw new TargetError(`not a host name, address, URL or CIDR range: ${show(input)}`);
  return host.toLowerCase().replace(/\.$/, '');
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

function intToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Smallest IPv6 prefix accepted: a /112 is 65,536 addresses, the same cap as an IPv4 /16. */
export const MIN_CIDR6_PREFIX = 112;

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a dotted IPv4 tail converted). */
export function ipv6Groups(ip: string): number[] {
  let s = ip.toLowerCase();
  const v4 = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (v4) {
    const o = v4.slice(1).map(Number) as [number, number, number, number];
    s = `${s.slice(0, v4.index)}${((o[0] << 8) | o[1]).toString(16)}:${((o[2] << 8) | o[3]).toString(16)}`;
  }
  const part = (x: string) => (x ? x.split(':').map((h) => parseInt(h, 16)) : []);
  const halves = s.split('::');
  if (halves.length === 2) {
    const a = part(halves[0]!);
    const b = part(halves[1]!);
    return [...a, ...new Array<number>(8 - a.length - b.length).fill(0), ...b];
  }
  return part(s);
}

/** RFC 5952 text: lower case, no leading zeros, the longest run of two or more zero groups as `::`. */
export function formatIpv6(g: readonly number[]): string {
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (bestLen < 2) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

function groupsToBig(g: readonly number[]): bigint {
  return g.reduce((acc, x) => (acc << 16n) | BigInt(x), 0n);
}

function bigToGroups(n: bigint): number[] {
  const out: number[] = [];
  for (let i = 7; i >= 0; i--) out.push(Number((n >> BigInt(i * 16)) & 0xffffn));
  return out;
}

/** Expand an IPv6 range `addr/n` (n ≥ 112 by default; every address, as IPv6 has no broadcast address). */
export function expandCidr6(cidr: string, opts: TargetOptions = {}): string[] {
  const m = /^([0-9A-Fa-f:.]{2,45})\/(\d{1,3})$/.exec(cidr.trim());
  if (!m || !isIPv6(m[1]!)) throw new TargetError(`not an IPv6 CIDR range: ${show(cidr)}`);
  const prefix = Number(m[2]);
  if (prefix > 128) throw new TargetError(`IPv6 prefix must be 0-128: ${show(cidr)}`);
  const maxRange = opts.maxRangeSize ?? 2 ** (128 - MIN_CIDR6_PREFIX);
  if (128 - prefix > 52 || 2 ** (128 - prefix) > maxRange) {
    throw new TargetError(`IPv6 range ${show(cidr)} is too large: 2^${128 - prefix} addresses, more than the limit of ${maxRange} (a /${128 - Math.floor(Math.log2(maxRange))})`);
  }
  const size = 2 ** (128 - prefix);
  const base = (groupsToBig(ipv6Groups(m[1]!)) >> BigInt(128 - prefix)) << BigInt(128 - prefix);
  const out: string[] = [];
  for (let i = 0; i < size; i++) out.push(formatIpv6(bigToGroups(base + BigInt(i))));
  return out;
}

/** Expand `a.b.c.d/n` (n ≥ 16), or an IPv6 `addr/n` (n ≥ 112). For IPv4 prefixes up to /30 the network and broadcast addresses are skipped. */
export function expandCidr(cidr: string, opts: TargetOptions = {}): string[] {
  if (cidr.includes(':')) return expandCidr6(cidr, opts);
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(cidr.trim());
  if (!m || !isIPv4(m[1]!)) throw new TargetError(`not an IPv4 CIDR range: ${show(cidr)}`);
  const prefix = Number(m[2]);
  if (prefix > 32) throw new TargetError(`CIDR prefix must be 0-32: ${show(cidr)}`);
  if (prefix < MIN_CIDR_PREFIX) throw new TargetError(`CIDR range ${show(cidr)} is too large: at most a /${MIN_CIDR_PREFIX} (65,536 addresses) per range`);
  const size = 2 ** (32 - prefix);
  const maxRange = opts.maxRangeSize ?? 2 ** (32 - MIN_CIDR_PREFIX);
  if (size > maxRange) throw new TargetError(`CIDR range ${show(cidr)} has ${size} addresses, more than the limit of ${maxRange}`);
  const base = (ipv4ToInt(m[1]!) - (ipv4ToInt(m[1]!) % size)) >>> 0;
  const out: string[] = [];
  const skipEdges = prefix <= 30;
  for (let i = skipEdges ? 1 : 0; i < (skipEdges ? size - 1 : size); i++) out.push(intToIpv4(base + i));
  return out;
}

/**
 * Parse one target: `host`, `host:port`, `[v6]:port`, `https://host[:port][/path]`, `http://…` (plain HTTP), or an
 * IPv4 CIDR range `a.b.c.d/n` (optionally `a.b.c.d/n:port`), or an IPv6 range `addr/n` (`[addr/n]:port`). A URL's path is ignored: probes use Exchange's own paths.
 */
export function parseTarget(input: string, opts: TargetOptions = {}): ProbeTarget[] {
  const raw = input.trim();
  if (!raw) throw new TargetError('empty target');
  if (raw.length > 300) throw new TargetError(`target too long: ${show(raw)}`);
  const portFor = (scheme: 'https' | 'http') => opts.defaultPort ?? (scheme === 'http' ? 80 : 443);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      throw new TargetError(`not a valid URL: ${show(raw)}`);
    }
    const scheme = u.protocol === 'https:' ? 'https' : u.protocol === 'http:' ? 'http' : undefined;
    if (!scheme) throw new TargetError(`only http:// and https:// URLs can be probed: ${show(raw)}`);
    if (u.username || u.password) throw new TargetError(`URLs with credentials are refused: ${show(raw.replace(/\/\/[^@/]*@/, '//…@'))}`);
    const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
    return [makeTarget(raw, scheme, checkHost(host, raw), u.port ? Number(u.port) : portFor(scheme))];
  }
  const cidr = /^(\d{1,3}(?:\.\d{1,3}){3}\/\d{1,2})(?::(\d+))?$/.exec(raw);
  if (cidr) {
    const port = cidr[2] ? parsePort(cidr[2], raw) : portFor('https');
    return expandCidr(cidr[1]!, opts).map((ip) => makeTarget(raw, 'https', ip, port));
  }
  // IPv6 range: `2001:db8::/120`, or `[2001:db8::/120]:8443` with a port.
  const cidr6 = /^\[([0-9A-Fa-f:.]{2,45}\/\d{1,3})\](?::(\d+))?$/.exec(raw) ?? /^([0-9A-Fa-f:.]{2,45}\/\d{1,3})()$/.exec(raw);
  if (cidr6 && cidr6[1]!.includes(':')) {
    const port = cidr6[2] ? parsePort(cidr6[2], raw) : portFor('https');
    return expandCidr6(cidr6[1]!, opts).map((ip) => makeTarget(raw, 'https', ip, port));
  }
  if (raw.includes('/')) throw new TargetError(`not a host name, address, URL or CIDR range: ${show(raw)}`);
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(raw);
  if (v6) {
    if (!isIPv6(v6[1]!)) throw new TargetError(`not a valid IPv6 address in target ${show(raw)}`);
    return [makeTarget(raw, 'https', v6[1]!, v6[2] ? parsePort(v6[2], raw) : portFor('https'))];
  }
  if (isIPv6(raw)) return [makeTarget(raw, 'https', raw, portFor('https'))];
  const hp = /^([^:]+):([^:]*)$/.exec(raw);
  if (hp) return [makeTarget(raw, 'https', checkHost(hp[1]!, raw), parsePort(hp[2]!, raw))];
  return [makeTarget(raw, 'https', checkHost(raw, raw), portFor('https'))];
}

/** Lines of a target file: one target per line; blank lines and `#` comments (whole-line or trailing) are skipped. */
export function parseTargetList(text: string, source = 'targets'): { line: number; text: string; source: string }[] {
  const out: { line: number; text: string; source: string }[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((l, i) => {
    const t = l.replace(/#.*$/, '').trim();
    if (t) out.push({ line: i + 1, text: t, source });
  });
  return out;
}

/** Read a target file (bounded size). Throws TargetError for a missing, oversized or binary file. */
export function readTargetFile(path: string): { line: number; text: string; source: string }[] {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new TargetError(`target file ${show(path)} is not a file`);
    size = st.size;
  } catch (e) {
    if (e instanceof TargetError) throw e;
    throw new TargetError(`cannot read target file ${show(path)}: ${(e as Error).message}`);
  }
  if (size > MAX_TARGET_FILE_BYTES) throw new TargetError(`target file ${show(path)} is larger than ${MAX_TARGET_FILE_BYTES} bytes`);
  const buf = readFileSync(path);
  if (buf.includes(0)) throw new TargetError(`target file ${show(path)} is not text`);
  return parseTargetList(buf.toString('utf8'), path);
}

/**
 * Every target from the arguments and target files, expanded and de-duplicated (same scheme, host and port),
 * in input order. Errors name the file and line.
 */
export function collectTargets(args: readonly string[], files: readonly string[] = [], opts: TargetOptions = {}): ProbeTarget[] {
  const max = opts.maxTargets ?? DEFAULT_MAX_TARGETS;
  const items: { text: string; where?: string }[] = args.map((a) => ({ text: a }));
  for (const f of files) for (const l of readTargetFile(f)) items.push({ text: l.text, where: `${l.source}:${l.line}` });
  const seen = new Set<string>();
  const out: ProbeTarget[] = [];
  for (const it of items) {
    let ts: ProbeTarget[];
    try {
      ts = parseTarget(it.text, opts);
    } catch (e) {
      if (e instanceof TargetError && it.where) throw new TargetError(`${it.where}: ${e.message}`);
      throw e;
    }
    for (const t of ts) {
      const key = `${t.scheme}|${t.host}|${t.port}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(t);
      if (out.length > max) throw new TargetError(`more than ${max} targets; split the list`);
    }
  }
  return out;
}
