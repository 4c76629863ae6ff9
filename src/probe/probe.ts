import { buildReport, type BuildReport } from '../detect/build/index.js';
import { bestBuild, buildFromExportToolManifest, buildFromOwaPath, buildFromOwaVersionHeader, conflictingBuilds, type BuildEvidence } from './fingerprint.js';
import { DEFAULT_BODY_CAP, DEFAULT_TIMEOUT_MS, httpRequestRetry, ProbeHttpError, type HttpOptions, type HttpResponse, type TlsInfo } from './http.js';
import type { ProbeTarget } from './targets.js';

export type CheckId = 'proxylogon' | 'proxyshell';
export const CHECK_IDS: readonly CheckId[] = ['proxylogon', 'proxyshell'];

export const PROXYLOGON_PATH = '/owa/auth/x.js';
/** Microsoft's `http-vuln-cve2021-26855.nse` cookie (exchange-facts.md §1d.1). */
export const PROXYLOGON_COOKIE =
  'X-AnonResource=true; X-AnonResource-Backend=localhost/ecp/default.flt?~3; X-BEResource=localhost/owa/auth/logon.aspx?~3;';
/** Kevin Beaumont's `http-vuln-exchange-proxyshell.nse` request (exchange-facts.md §1d.2). */
export const PROXYSHELL_PATH = '/autodiscover/autodiscover.json?@test.com/owa/?&Email=autodiscover/autodiscover.json%3F@test.com';
export const EXPORTTOOL_PATH = '/ecp/Current/exporttool/microsoft.exchange.ediscovery.exporttool.application';

export interface CheckResult {
  status: 'vulnerable' | 'not-vulnerable' | 'unknown';
  /** What was sent and what decided it. */
  request: string;
  httpStatus?: number;
  reason: string;
}

export interface ProbeOptions {
  concurrency?: number;
  timeoutMs?: number;
  /** Extra attempts after a timeout or dropped connection (default 1). */
  retries?: number;
  bodyCap?: number;
  strictTls?: boolean;
  /** Trusted CA certificates (PEM) for strictTls. */
  ca?: string | string[];
  checks?: readonly CheckId[];
  /** Called after each target finishes. */
  onProgress?: (p: { done: number; total: number; target: ProbeTarget; result: ProbeResult }) => void;
}

export interface ProbeResult {
  target: string;
  scheme: 'https' | 'http';
  host: string;
  port: number;
  /** False when no request got an HTTP answer. */
  reachable: boolean;
  /** Why it was unreachable (timeout, refused, TLS failure …). */
  error?: string;
  /** TLS verification of the first answer (https only). Unverified certificates are accepted unless strictTls. */
  tls?: TlsInfo;
  /** True when something Exchange-specific answered (build evidence, X-OWA-Version, X-FEServer …). */
  exchange: boolean;
  /** The build read from outside, or null. */
  build: string | null;
  buildSource: BuildEvidence['source'] | null;
  /** `full` = SU level known; `cu` = three-part build, SU level unknown. */
  buildPrecision: 'full' | 'cu' | null;
  evidence: BuildEvidence[];
  /** Build facts and per-family statuses (the `exhunt build` object), when a build was read. */
  report: BuildReport | null;
  checks: Partial<Record<CheckId, CheckResult>>;
  /** Any family vulnerable by build, or any check vulnerable. */
  vulnerable: boolean;
  notes: string[];
  /** Requests sent (each shows up in the target's IIS / HttpProxy logs). */
  requests: number;
}

function httpOpts(o: ProbeOptions): HttpOptions & { retries: number } {
  return {
    timeoutMs: o.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    bodyCap: o.bodyCap ?? DEFAULT_BODY_CAP,
    strictTls: o.strictTls === true,
    retries: o.retries ?? 1,
    ...(o.ca ? { ca: o.ca } : {}),
  };
}

function errText(e: unknown): string {
  if (e instanceof ProbeHttpError) return `${e.kind}: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}

/** Same-host OWA redirect target (`/owa/auth/logon.aspx?…`) from a Location header, or undefined. */
function owaRedirectPath(location: string | undefined, t: ProbeTarget): string | undefined {
  if (!location) return undefined;
  let u: URL;
  try {
    u = new URL(location, `${t.scheme}://${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}/`);
  } catch {
    return undefined;
  }
  const sameHost = u.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase() === t.host.toLowerCase() || !/^[a-z]+:\/\//i.test(location);
  if (!sameHost || !/^\/owa\/auth\/logon\.aspx$/i.test(u.pathname)) return undefined;
  return `${u.pathname}${u.search}`.slice(0, 2048);
}

const EXCHANGE_HEADERS = ['x-owa-version', 'x-feserver', 'x-beserver', 'x-calculatedbetarget', 'x-diaginfo'];

/** Probe one target: read the build (header, OWA path, export tool manifest), run the requested checks, judge. */
export async function probeTarget(t: ProbeTarget, o: ProbeOptions = {}): Promise<ProbeResult> {
  const ho = httpOpts(o);
  const r: ProbeResult = {
    target: t.label,
    scheme: t.scheme,
    host: t.host,
    port: t.port,
    reachable: false,
    exchange: false,
    build: null,
    buildSource: null,
    buildPrecision: null,
    evidence: [],
    report: null,
    checks: {},
    vulnerable: false,
    notes: [],
    requests: 0,
  };
  const errors: string[] = [];
  const get = async (path: string, extra?: Record<string, string>): Promise<HttpResponse | undefined> => {
    r.requests++;
    try {
      const res = await httpRequestRetry(t, path, extra ? { ...ho, headers: extra } : ho);
      r.reachable = true;
      if (!r.tls && res.tls) r.tls = res.tls;
      if (EXCHANGE_HEADERS.some((h) => res.headers[h] !== undefined)) r.exchange = true;
      if (res.truncated) r.notes.push(`GET ${path.slice(0, 60)}: body longer than ${ho.bodyCap} bytes, only the start was read`);
      return res;
    } catch (e) {
      errors.push(`GET ${path.slice(0, 60)}: ${errText(e)}`);
      return undefined;
    }
  };

  // 1. GET /owa/ — X-OWA-Version header, OWA path in body or Location.
  const owa = await get('/owa/');
  if (!owa && errors.length) {
    // Nothing answered the first request (after retries): do not hammer a dead or refusing host.
    r.error = errors[0];
    return finish(r);
  }
  if (owa) {
    const add = (e: BuildEvidence | undefined) => e && r.evidence.push(e);
    add(buildFromOwaVersionHeader(owa.headers['x-owa-version'], 'GET /owa/'));
    add(buildFromOwaPath(owa.body, 'GET /owa/ (body)') ?? buildFromOwaPath(owa.headers['location'], 'GET /owa/ (Location)'));
    // One manual, same-host hop to the logon page (redirects are never followed automatically).
    const hop = r.evidence.some((e) => e.precision === 'full') ? undefined : owaRedirectPath(owa.headers['location'], t);
    if (hop) {
      const logon = await get(hop);
      if (logon) {
        add(buildFromOwaVersionHeader(logon.headers['x-owa-version'], `GET ${hop.split('?')[0]}`));
        add(buildFromOwaPath(logon.body, `GET ${hop.split('?')[0]} (body)`));
      }
    }
  }
  // 2. Export tool manifest, when no full build yet.
  if (!r.evidence.some((e) => e.precision === 'full')) {
    const m = await get(EXPORTTOOL_PATH);
    if (m && m.status === 200) {
      const e = buildFromExportToolManifest(m.body, 'GET /ecp/Current/exporttool/…exporttool.application');
      if (e) r.evidence.push(e);
    }
  }
  // 3. Checks.
  for (const c of o.checks ?? []) {
    if (c === 'proxylogon') {
      const res = await get(PROXYLOGON_PATH, { Cookie: PROXYLOGON_COOKIE });
      r.checks.proxylogon = judgeProxyLogon(res);
    } else if (c === 'proxyshell') {
      const res = await get(PROXYSHELL_PATH);
      r.checks.proxyshell = judgeProxyShell(res);
    }
  }
  if (!r.reachable) r.error = errors[0] ?? 'no answer';
  else if (errors.length) r.notes.push(...errors.slice(0, 5));
  return finish(r);
}

/** Microsoft nmap semantics: vulnerable iff `X-CalculatedBETarget` contains `localhost` (status code ignored). */
export function judgeProxyLogon(res: HttpResponse | undefined): CheckResult {
  const request = `GET ${PROXYLOGON_PATH} with the X-AnonResource/X-BEResource localhost cookie`;
  if (!res) return { status: 'unknown', request, reason: 'no HTTP answer' };
  const h = res.headers['x-calculatedbetarget'];
  if (h !== undefined && /localhost/i.test(h)) {
    return { status: 'vulnerable', request, httpStatus: res.status, reason: `X-CalculatedBETarget: ${h.slice(0, 100)} (CVE-2021-26855 SSRF)` };
  }
  return {
    status: 'not-vulnerable',
    request,
    httpStatus: res.status,
    reason: h === undefined ? 'no X-CalculatedBETarget header' : `X-CalculatedBETarget does not name localhost (${h.slice(0, 100)})`,
  };
}

/** GossiTheDog semantics: 302 → vulnerable (ProxyShell SSRF path), 400 → not vulnerable, anything else → unknown. */
export function judgeProxyShell(res: HttpResponse | undefined): CheckResult {
  const request = 'GET /autodiscover/autodiscover.json?@test.com/owa/?&Email=autodiscover/autodiscover.json%3F@test.com (redirect not followed)';
  if (!res) return { status: 'unknown', request, reason: 'no HTTP answer' };
  if (res.status === 302) return { status: 'vulnerable', request, httpStatus: 302, reason: 'HTTP 302: the autodiscover path confusion reached OWA (ProxyShell SSRF)' };
  if (res.status === 400) return { status: 'not-vulnerable', request, httpStatus: 400, reason: 'HTTP 400: the path confusion is rejected' };
  return { status: 'unknown', request, httpStatus: res.status, reason: `HTTP ${res.status}: neither 302 nor 400` };
}

function finish(r: ProbeResult): ProbeResult {
  const best = bestBuild(r.evidence);
  if (best) {
    r.exchange = true;
    r.build = best.build;
    r.buildSource = best.source;
    r.buildPrecision = best.precision;
    const conflict = conflictingBuilds(r.evidence);
    if (conflict.length) r.notes.push(`sources disagree: ${conflict.join(', ')} — a load balancer may front several servers; using ${best.build}`);
    if (best.precision === 'cu') r.notes.push(`only the CU level (${best.build}) is visible from outside: the SU level is unknown`);
    try {
      r.report = buildReport(best.build);
    } catch (e) {
      r.notes.push(`build ${best.build} not judged: ${errText(e)}`);
    }
  } else if (r.reachable) {
    r.notes.push(r.exchange ? 'Exchange answered but did not reveal its build' : 'no Exchange build found (not Exchange, or behind a proxy that hides it)');
  }
  if (r.tls && !r.tls.verified) r.notes.push(`TLS certificate not verified (${r.tls.error ?? 'unverified'}); accepted because --strict-tls was not given`);
  const famVuln = r.report ? Object.values(r.report.families).some((f) => f.status === 'vulnerable') : false;
  const checkVuln = Object.values(r.checks).some((c) => c?.status === 'vulnerable');
  r.vulnerable = famVuln || checkVuln;
  return r;
}

/** Probe every target with at most `concurrency` (default 16, max 256) in flight. Results keep the input order. */
export async function probeTargets(targets: readonly ProbeTarget[], o: ProbeOptions = {}): Promise<ProbeResult[]> {
  const limit = Math.max(1, Math.min(Math.floor(o.concurrency ?? 16), 256));
  const results: ProbeResult[] = new Array<ProbeResult>(targets.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= targets.length) return;
      const t = targets[i]!;
      const res = await probeTarget(t, o);
      results[i] = res;
      done++;
      o.onProgress?.({ done, total: targets.length, target: t, result: res });
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, targets.length) }, worker));
  return results;
}
