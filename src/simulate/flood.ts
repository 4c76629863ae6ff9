import { DAY, HOUR } from './format.js';
import { Rng } from './prng.js';
import { newReq, type Req } from './request.js';
import type { AttackPlan } from './proxylogon.js';
import type { World } from './world.js';

/**
 * The `flood` scenario: the ProxyLogon attack plus two floods that a scanner must aggregate instead of listing —
 * mass scanning for CVE-2021-26855 (the nmap check `GET /owa/auth/x.js` with an `X-BEResource=localhost/…` cookie,
 * `ServerInfo~localhost…` in HttpProxy) from thousands of IPs over the days around the exploit, and one attacker's
 * thousands of POSTs to the dropped web shell. Every hour draws its flood lines from its own random stream, and the
 * number of lines per hour is fixed by the plan, so a unit of work can generate its hours alone.
 */

export interface FloodSizes {
  scannerProbes?: number;
  shellRequests?: number;
}

export const DEFAULT_FLOOD = { scannerProbes: 20_000, shellRequests: 2_000 } as const;

export interface FloodStream {
  /** First hour (ms, hour-aligned) and the per-hour line counts from there. */
  from: number;
  counts: Int32Array;
  total: number;
  /** Requests stop before this time (the SU install or the period end). */
  stopBefore: number;
}

export interface FloodPlan {
  seed: number;
  scanner: FloodStream;
  shell: FloodStream;
  /** Source IPs of the scanner flood; low indices send most probes. */
  ips: string[];
  shellIp: string;
  shellUrl: string;
  shellUa: string;
}

export const SCANNER_ANCHORS = ['ServerInfo~localhost/owa/auth/logon.aspx?', 'ServerInfo~localhost/ecp/default.flt?'];
export const SCANNER_STEM = '/owa/auth/x.js';
const SCANNER_UAS = [
  'Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)',
  'python-requests/2.25.1',
  'Mozilla/5.0 zgrab/0.x',
  'Go-http-client/1.1',
  'curl/7.68.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/89.0.4389.82 Safari/537.36',
];

/** Spreads `total` lines over hours [from, to) with bursty, seeded weights; exact sum. */
function stream(rng: Rng, from: number, to: number, total: number, stopBefore: number): FloodStream {
  const hours = Math.max(0, Math.ceil((to - from) / HOUR));
  const counts = new Int32Array(hours);
  if (hours === 0 || total <= 0) return { from, counts, total: 0, stopBefore };
  const w = new Float64Array(hours);
  let sum = 0;
  for (let i = 0; i < hours; i++) {
    // Campaign waves: a few hot hours, a long tail.
    const x = Math.exp(1.3 * rng.gauss()) * (rng.chance(0.08) ? 6 : 1);
    w[i] = x;
    sum += x;
  }
  let acc = 0;
  let prev = 0;
  for (let i = 0; i < hours; i++) {
    acc += w[i] as number;
    const cur = i === hours - 1 ? total : Math.round((total * acc) / sum);
    counts[i] = cur - prev;
    prev = cur;
  }
  return { from, counts, total, stopBefore };
}

export interface FloodInput {
  seed: number;
  plan: AttackPlan;
  periodStart: number;
  stopBefore: number;
  sizes?: FloodSizes;
}

export function planFlood(input: FloodInput): FloodPlan {
  const { seed, plan, periodStart, stopBefore } = input;
  const scannerProbes = Math.max(0, Math.round(input.sizes?.scannerProbes ?? DEFAULT_FLOOD.scannerProbes));
  const shellRequests = Math.max(0, Math.round(input.sizes?.shellRequests ?? DEFAULT_FLOOD.shellRequests));
  const rng = Rng.derive(seed, 'flood-plan');
  const hourOf = (t: number): number => Math.floor(t / HOUR) * HOUR;
  // Mass scanning starts a few days before this server is exploited and goes on until it is patched.
  const scanFrom = hourOf(Math.max(periodStart + HOUR, plan.exploitTime - rng.range(2, 4) * DAY));
  const scanner = stream(rng, scanFrom, stopBefore, scannerProbes, stopBefore);
  // The shell attacker comes back with automation a couple of hours after the shell is written.
  const shellFrom = hourOf(plan.resetTime + rng.range(2, 5) * HOUR);
  const shell = stream(rng, shellFrom, stopBefore, shellRequests, stopBefore);

  // Thousands of scanner addresses (documentation ranges only: 2001:db8::/32 and the two attacker /24s).
  const taken = new Set([plan.exploitIp, plan.shellIp, ...plan.scannerIps, ...plan.failedAttemptIps]);
  const ips: string[] = [];
  const n = Math.min(4000, Math.max(50, Math.round(Math.sqrt(scannerProbes) * 4)));
  const seen = new Set<string>();
  while (ips.length < n) {
    const v4 = rng.chance(0.12);
    const ip = v4
      ? `${rng.chance(0.5) ? '198.51.100' : '203.0.113'}.${rng.range(1, 254)}`
      : `2001:db8:${rng.int(0x10000).toString(16)}:${rng.int(0x10000).toString(16)}::${rng.range(1, 0xfff).toString(16)}`;
    if (taken.has(ip) || seen.has(ip)) continue;
    seen.add(ip);
    ips.push(ip);
  }
  return { seed, scanner, shell, ips, shellIp: plan.shellIp, shellUrl: plan.shellUrl, shellUa: plan.shellUa };
}

function countAt(s: FloodStream, h: number): number {
  const i = Math.floor((h - s.from) / HOUR);
  return i >= 0 && i < s.counts.length ? (s.counts[i] as number) : 0;
}

/** Flood requests of the hour starting at `h` (unsorted). `ipUsed[i]` is set for each scanner IP index used. */
export function floodHour(f: FloodPlan, world: World, h: number, ipUsed?: Uint8Array): Req[] {
  const ns = countAt(f.scanner, h);
  const nh = countAt(f.shell, h);
  const out: Req[] = [];
  if (ns + nh === 0) return out;
  const rng = Rng.derive(f.seed, `flood${h}`);
  const host = world.host;
  const span = (s: FloodStream): number => Math.max(1, Math.min(HOUR, s.stopBefore - h));
  const scanSpan = span(f.scanner);
  for (let i = 0; i < ns; i++) {
    const u = rng.next();
    const ipIndex = Math.floor(f.ips.length * u * u * u);
    if (ipUsed) ipUsed[ipIndex] = 1;
    const anchor = SCANNER_ANCHORS[rng.chance(0.7) ? 0 : 1] as string;
    out.push(newReq(rng, {
      t: h + rng.int(scanSpan), proto: 'Owa', host: rng.pick([host.publicHost, host.publicHost, '192.0.2.10']),
      ip: f.ips[ipIndex] as string, ua: rng.pick(SCANNER_UAS), stem: SCANNER_STEM, method: 'GET', status: 500, beStatus: null,
      authType: '', anchor, routingHint: 'X-BEResource-Cookie', dur: rng.range(5, 120), errorCode: 'NegotiateSecurityContext',
      genericErrors: 'Microsoft.Exchange.HttpProxy.HttpProxyException:NegotiateSecurityContext',
      mark: { kind: 'scanner', note: 'ProxyLogon mass-scanning probe (ServerInfo~localhost)' },
      flood: 'scanner',
    }));
  }
  const shellSpan = span(f.shell);
  for (let i = 0; i < nh; i++) {
    out.push(newReq(rng, {
      t: h + rng.int(shellSpan), proto: null, host: host.publicHost, ip: f.shellIp, ua: f.shellUa, stem: f.shellUrl, method: 'POST',
      status: 200, beStatus: null, dur: rng.range(60, 3000), reqBytes: rng.range(200, 1400), respBytes: rng.range(40, 20_000),
      mark: { kind: 'webshell-access', note: 'automated POST to the web shell (flood)' },
      flood: 'shell',
    }));
  }
  return out;
}
