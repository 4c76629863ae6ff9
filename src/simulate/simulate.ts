import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DAY, HOUR, MINUTE, csvField, csvRow, dayStart, iisDateTime, iso, parseDate, ymd, ymdh } from './format.js';
import { LineWriter } from './line-writer.js';
import { planProxyLogon, type AttackPlan } from './proxylogon.js';
import { Rng } from './prng.js';
import {
  HTTPPROXY_FIELDS, IIS_FIELDS, PROTOCOLS, httpProxyLine, iisBackEndLine, iisFrontEndLine, type EcpEvent, type Protocol, type Req,
} from './request.js';
import { staticFiles, V15 } from './static-files.js';
import { benignHour, type HttpErrLine, type OabLine } from './traffic.js';
import type { EvidenceSource, LogSpan, PlantedIndicator, SimulationTruth } from './truth.js';
import { CU19, CU19_MAR21SU, headerVersion, makeWorld, type Build } from './world.js';

export type Scenario = 'clean' | 'proxylogon';
export const SCENARIOS: readonly Scenario[] = ['clean', 'proxylogon'];

export interface SimulateOptions {
  /** Folder that becomes the root of the simulated system drive (created if missing; existing files are overwritten). */
  out: string;
  scenario: Scenario;
  /** PRNG seed (default 1). Same seed and options → byte-identical tree. */
  seed?: number;
  /** First day (UTC, `YYYY-MM-DD`). Default: clean 2020-12-28, proxylogon 2021-02-15. */
  start?: string;
  /** Length of the period in days. Default: clean 75, proxylogon 30. */
  days?: number;
  /** Traffic multiplier (default 1 = a small tree of a few MB). */
  scale?: number;
  /**
   * Day the March 2021 SU (15.1.2176.9) is installed; null = never. Default: clean 2021-03-04, proxylogon
   * 2021-03-09 when inside the period, else 80 % into it.
   */
  suDate?: string | null;
  /** Called after each simulated day. */
  onProgress?: (p: { day: number; days: number }) => void;
}

const DEFAULTS: Record<Scenario, { start: string; days: number; su: string; exploit: string }> = {
  clean: { start: '2020-12-28', days: 75, su: '2021-03-04', exploit: '2021-03-03' },
  proxylogon: { start: '2021-02-15', days: 30, su: '2021-03-09', exploit: '2021-03-03' },
};

/** Exchange's default retention for its own logs (HttpProxy, ECP, OABGenerator). */
const RETENTION_DAYS = 30;

const LOGGING = `${V15}/Logging`;
const FOLDERS = {
  httpProxy: `${LOGGING}/HttpProxy`,
  ecpServer: `${LOGGING}/ECP/Server`,
  oabGenerator: `${LOGGING}/OABGeneratorLog`,
  iisFrontEnd: 'inetpub/logs/LogFiles/W3SVC1',
  iisBackEnd: 'inetpub/logs/LogFiles/W3SVC2',
  httpErr: 'Windows/System32/LogFiles/HTTPERR',
} as const;
type FamilyName = keyof typeof FOLDERS;

class Family {
  files = 0;
  bytes = 0;
  first: number | undefined;
  last: number | undefined;
  constructor(readonly folder: string) {}
  seen(t: number): void {
    if (this.first === undefined || t < this.first) this.first = t;
    if (this.last === undefined || t > this.last) this.last = t;
  }
  span(): LogSpan {
    return {
      folder: this.folder, files: this.files, bytes: this.bytes,
      ...(this.first !== undefined ? { first: iso(this.first) } : {}),
      ...(this.last !== undefined ? { last: iso(this.last) } : {}),
    };
  }
}

/** A log file that is open while its period (a day) is being written. */
interface OpenLog {
  w: LineWriter;
  rel: string;
  key: string;
  opened: number;
  lastT: number;
  restarted: boolean;
}

/**
 * Writes a simulated Windows system-drive tree of one Exchange 2016 server (EXCH01, contoso.local) under
 * `options.out` and returns the ground truth (which is never written into the tree).
 */
export async function simulate(options: SimulateOptions): Promise<SimulationTruth> {
  const scenario = options.scenario;
  if (!SCENARIOS.includes(scenario)) throw new RangeError(`unknown scenario: ${String(scenario)}`);
  const d = DEFAULTS[scenario];
  const seed = (options.seed ?? 1) >>> 0;
  const scale = options.scale ?? 1;
  if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`scale must be a positive number, got ${scale}`);
  const days = options.days ?? d.days;
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`days must be a positive integer, got ${days}`);
  const start = dayStart(parseDate(options.start ?? d.start));
  const end = start + days * DAY;
  const retentionStart = Math.max(start, end - RETENTION_DAYS * DAY);

  const rng = Rng.derive(seed, 'main');
  const world = makeWorld(Rng.derive(seed, 'world'), Math.max(8, Math.round(30 * Math.sqrt(scale))));
  const host = world.host;

  // Build history: CU19 installed a week before the period, then maybe the March 2021 SU.
  const cuInstalled = start - 7 * DAY + 15 * HOUR + rng.int(HOUR);
  let suDay: number | undefined;
  if (options.suDate !== null) {
    const wanted = options.suDate !== undefined ? dayStart(parseDate(options.suDate)) : dayStart(parseDate(d.su));
    if (wanted > start && wanted < end - DAY) suDay = wanted;
    else if (options.suDate === undefined && days >= 5) suDay = start + Math.round(days * 0.8) * DAY;
  }
  const suStart = suDay !== undefined ? suDay + 17 * HOUR + rng.range(20, 50) * MINUTE + rng.int(MINUTE) : undefined;
  const suEnd = suStart !== undefined ? suStart + rng.range(70, 95) * MINUTE : undefined;
  const buildAt = (t: number): Build => (suStart !== undefined && t >= suStart ? CU19_MAR21SU : CU19);

  // The attack.
  let plan: AttackPlan | undefined;
  if (scenario === 'proxylogon') {
    const stopBefore = suStart ?? end;
    let exploitDay = dayStart(parseDate(d.exploit));
    if (exploitDay < start + 6 * DAY || exploitDay > stopBefore - 4 * DAY) exploitDay = start + Math.floor(days * 0.5) * DAY;
    if (exploitDay < start + DAY || exploitDay > stopBefore - 2 * DAY) {
      throw new RangeError('the proxylogon scenario needs a period of at least 8 days with the SU (if any) well after its middle');
    }
    const arng = Rng.derive(seed, 'proxylogon');
    const exploitTime = exploitDay + arng.range(1, 20) * HOUR + arng.int(HOUR);
    plan = planProxyLogon({ world, rng: arng, exploitTime, periodStart: start, stopBefore });
  }

  const out = options.out;
  const indicators: PlantedIndicator[] = [];
  const fam: Record<FamilyName, Family> = {
    httpProxy: new Family(FOLDERS.httpProxy),
    ecpServer: new Family(FOLDERS.ecpServer),
    oabGenerator: new Family(FOLDERS.oabGenerator),
    iisFrontEnd: new Family(FOLDERS.iisFrontEnd),
    iisBackEnd: new Family(FOLDERS.iisBackEnd),
    httpErr: new Family(FOLDERS.httpErr),
  };
  let totalFiles = 0;
  let totalBytes = 0;
  const made = new Set<string>();
  const ensureDir = async (rel: string): Promise<void> => {
    if (made.has(rel)) return;
    await mkdir(join(out, rel), { recursive: true });
    made.add(rel);
  };
  const note = (
    kind: PlantedIndicator['kind'], source: EvidenceSource, file: string, line: number | undefined, t: number, value: string,
    text: string, ip?: string,
  ): void => {
    indicators.push({ kind, source, file, ...(line !== undefined ? { line } : {}), time: iso(t), value, ...(ip ? { ip } : {}), note: text });
  };

  const openLog = async (rel: string, key: string, t: number, header: string[]): Promise<OpenLog> => {
    await ensureDir(dirname(rel));
    const w = await LineWriter.create(join(out, rel));
    for (const h of header) await w.line(h);
    return { w, rel, key, opened: t, lastT: t, restarted: false };
  };
  const closeLog = async (family: FamilyName, log: OpenLog | null): Promise<void> => {
    if (!log) return;
    await log.w.close();
    const mt = new Date(log.lastT);
    await utimes(join(out, log.rel), mt, mt);
    fam[family].files++;
    fam[family].bytes += log.w.bytes;
    totalFiles++;
    totalBytes += log.w.bytes;
  };

  const iisHeader = (t: number): string[] => [
    '#Software: Microsoft Internet Information Services 10.0',
    '#Version: 1.0',
    `#Date: ${iisDateTime(t)}`,
    `#Fields: ${IIS_FIELDS}`,
  ];
  const exchangeHeader = (version: string, logType: string, t: number, fields: string): string[] => [
    '#Software: Microsoft Exchange Server',
    `#Version: ${version}`,
    `#Log-type: ${logType}`,
    `#Date: ${iso(t)}`,
    `#Fields: ${fields}`,
  ];

  const daily: Record<'fe' | 'be' | 'ecp' | 'oab', OpenLog | null> = { fe: null, be: null, ecp: null, oab: null };
  const dailyFamily = { fe: 'iisFrontEnd', be: 'iisBackEnd', ecp: 'ecpServer', oab: 'oabGenerator' } as const;
  const dailyLog = async (which: 'fe' | 'be' | 'ecp' | 'oab', t: number): Promise<OpenLog> => {
    const key = ymd(t);
    const cur = daily[which];
    if (cur && cur.key === key) return cur;
    await closeLog(dailyFamily[which], cur);
    let log: OpenLog;
    if (which === 'fe' || which === 'be') {
      const folder = which === 'fe' ? FOLDERS.iisFrontEnd : FOLDERS.iisBackEnd;
      log = await openLog(`${folder}/u_ex${key.slice(2)}.log`, key, t, iisHeader(t));
    } else if (which === 'ecp') {
      log = await openLog(`${FOLDERS.ecpServer}/ECPServer${key}-1.LOG`, key, t,
        exchangeHeader('15.0.0.0', 'ECP Server Log', t, 'TimeStamp,ServerName,EventId,EventData'));
    } else {
      // The OABGenerator log format is not public (no real line was ever published): this header is a guess.
      log = await openLog(`${FOLDERS.oabGenerator}/OABGeneratorLog_${key}-1.LOG`, key, t,
        exchangeHeader(headerVersion(buildAt(t)), 'OABGenerator Log', t, 'DateTime,ServerName,ProcessId,ThreadId,Level,Message'));
    }
    daily[which] = log;
    return log;
  };

  let httpErrLog: OpenLog | null = null;
  let planIdx = 0;
  const planReqs = plan?.reqs ?? [];
  const planOab = plan?.oab ?? [];
  const planErr = plan?.httpErr ?? [];
  const oabTrapAt = Math.max(retentionStart, end - 12 * DAY) + 9 * HOUR + rng.int(6 * HOUR) ;
  const trafficOpts = { world, scale, buildText: (t: number) => buildAt(t).version, oabTrapAt };
  const oabPid = (t: number): number => (buildAt(t) === CU19 ? 6212 : 9480);

  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  const track = async (p: Promise<void>): Promise<void> => {
    const q: Promise<void> = p
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => inFlight.delete(q));
    inFlight.add(q);
    if (inFlight.size >= 24) await Promise.race(inFlight);
    if (failure) throw failure.error;
  };
  const writeHttpProxyFile = async (proto: Protocol, h: number, list: Req[]): Promise<void> => {
    const first = list[0] as Req;
    const rel = `${FOLDERS.httpProxy}/${proto}/HttpProxy_${ymdh(h)}-1.LOG`;
    const log = await openLog(rel, rel, first.t,
      exchangeHeader(headerVersion(buildAt(first.t)), 'HttpProxy Logs', first.t, HTTPPROXY_FIELDS.join(',')));
    for (const r of list) {
      const n = await log.w.line(httpProxyLine(r, buildAt(r.t), host));
      fam.httpProxy.seen(r.t);
      log.lastT = r.t;
      if (r.mark && r.mark.httpProxy !== false) {
        note(r.mark.kind, 'httpproxy', rel, n, r.t, r.mark.value ?? (r.anchor.startsWith('ServerInfo~') ? r.anchor : r.stem), r.mark.note, r.ip);
      }
    }
    await closeLog('httpProxy', log);
  };

  let dayCount = 0;
  let lobMarked = false;
  for (let h = start; h < end; h += HOUR) {
    const hr = Rng.derive(seed, `h${h}`);
    const traffic = benignHour(trafficOpts, h, hr);
    let reqs = traffic.reqs;
    if (suStart !== undefined && suEnd !== undefined) reqs = reqs.filter((r) => r.t < suStart || r.t >= suEnd);
    const hourEnd = h + HOUR;
    let planned = false;
    while (planIdx < planReqs.length && (planReqs[planIdx] as Req).t < hourEnd) {
      const r = planReqs[planIdx++] as Req;
      if (r.t >= h) {
        reqs.push(r);
        planned = true;
      }
    }
    if (planned) reqs.sort((a, b) => a.t - b.t);
    if (!lobMarked && h >= retentionStart) {
      // The first request of the line-of-business EWS client: a legitimate ExchangeServicesClient user agent.
      const lob = reqs.find((r) => r.ua === world.service.ua);
      if (lob) {
        lob.mark = {
          kind: 'benign-trap', value: world.service.ua, backEnd: false,
          note: 'legitimate EWS Managed API client (ExchangeServicesClient/15.x user agent, authenticated service account)',
        };
        lobMarked = true;
      }
    }

    // HttpProxy: one file per protocol with traffic in this hour.
    if (h >= retentionStart) {
      const byProto = new Map<Protocol, Req[]>();
      for (const r of reqs) {
        if (r.proto === null) continue;
        let list = byProto.get(r.proto);
        if (!list) byProto.set(r.proto, (list = []));
        list.push(r);
      }
      for (const proto of PROTOCOLS) {
        const list = byProto.get(proto);
        if (!list || list.length === 0) continue;
        // Files of one hour are written concurrently (bounded): line numbers are per file, so the result
        // does not depend on the interleaving.
        await track(writeHttpProxyFile(proto, h, list));
      }
    }

    // IIS front end (every request) and back end (proxied requests), daily files.
    for (const r of reqs) {
      const fe = await dailyLog('fe', r.t);
      await maybeRestart(fe, r.t);
      const n = await fe.w.line(iisFrontEndLine(r));
      fe.lastT = r.t;
      fam.iisFrontEnd.seen(r.t);
      if (r.mark && r.mark.frontEnd !== false) note(r.mark.kind, 'iis-frontend', fe.rel, n, r.t, r.mark.value ?? r.stem, r.mark.note, r.ip);
      if (r.beStatus !== null && r.proto !== null) {
        const be = await dailyLog('be', r.t);
        await maybeRestart(be, r.t);
        const m = await be.w.line(iisBackEndLine(r, host));
        be.lastT = r.t;
        fam.iisBackEnd.seen(r.t);
        if (r.mark && r.mark.backEnd !== false) {
          note(r.mark.kind, 'iis-backend', be.rel, m, r.t, r.beStem ?? r.stem, `${r.mark.note} (back-end view)`, r.ip);
        }
      }
    }

    if (h >= retentionStart) {
      // ECP server log.
      const events: EcpEvent[] = [];
      for (const r of reqs) if (r.ecp) events.push(...r.ecp);
      events.sort((a, b) => a.t - b.t);
      for (const ev of events) {
        const log = await dailyLog('ecp', ev.t);
        const { text, markValue } = ecpLine(ev, host.name, buildAt(ev.t), hr);
        const n = await log.w.line(text);
        log.lastT = Math.max(log.lastT, ev.t);
        fam.ecpServer.seen(ev.t);
        if (ev.mark && markValue !== undefined) note(ev.mark.kind, 'ecp-server', log.rel, n, ev.t, markValue, ev.mark.note);
      }
      // OABGenerator log.
      const oabLines: OabLine[] = [...traffic.oab, ...planOab.filter((l) => l.t >= h && l.t < hourEnd)].sort((a, b) => a.t - b.t);
      for (const l of oabLines) {
        const log = await dailyLog('oab', l.t);
        const n = await log.w.line(csvRow([iso(l.t), host.name, String(oabPid(l.t)), String(hr.range(8, 90)), l.level, l.message]));
        log.lastT = Math.max(log.lastT, l.t);
        fam.oabGenerator.seen(l.t);
        if (l.mark) note(l.mark.kind, 'oab-generator', log.rel, n, l.t, l.mark.value, l.mark.note);
      }
    }

    // HTTPERR: one file for the whole period (it rotates by size, and this one stays small).
    const errs: HttpErrLine[] = [...traffic.httpErr, ...planErr.filter((l) => l.t >= h && l.t < hourEnd)].sort((a, b) => a.t - b.t);
    for (const e of errs) {
      if (suStart !== undefined && suEnd !== undefined && e.t >= suStart && e.t < suEnd) continue;
      if (!httpErrLog) {
        httpErrLog = await openLog(`${FOLDERS.httpErr}/httperr1.log`, 'httperr', e.t, [
          '#Software: Microsoft HTTP API 2.0',
          '#Version: 1.0',
          `#Date: ${iisDateTime(e.t)}`,
          '#Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri streamid sc-status s-siteid s-reason s-queuename',
        ]);
      }
      const n = await httpErrLog.w.line([
        iisDateTime(e.t), e.clientIp, String(e.clientPort), host.ip, String(e.serverPort), e.version, e.method, e.uri, '-',
        e.status, e.siteId, e.reason, e.queue,
      ].join(' '));
      httpErrLog.lastT = e.t;
      fam.httpErr.seen(e.t);
      if (e.mark) note(e.mark.kind, 'httperr', httpErrLog.rel, n, e.t, e.mark.value, e.mark.note, e.clientIp);
    }

    if ((h + HOUR) % DAY === 0) options.onProgress?.({ day: ++dayCount, days });
  }
  await Promise.all(inFlight);
  if (failure) throw failure.error;
  for (const k of ['fe', 'be', 'ecp', 'oab'] as const) await closeLog(dailyFamily[k], daily[k]);
  await closeLog('httpErr', httpErrLog);

  async function maybeRestart(log: OpenLog, t: number): Promise<void> {
    // Installing the SU restarts IIS: the header block is written again in the middle of that day's file.
    if (suStart === undefined || suEnd === undefined || log.restarted) return;
    if (log.opened < suStart && t >= suEnd) {
      for (const line of iisHeader(t)) await log.w.line(line);
      log.restarted = true;
    }
  }

  // Static files, then the attacker's files.
  const st = staticFiles({
    world, rng: Rng.derive(seed, 'static'), cuInstalled, ...(suEnd !== undefined ? { suInstalled: suEnd - 10 * MINUTE } : {}), periodEnd: end,
  });
  const writeOne = async (rel: string, content: Buffer | string, mtime: number): Promise<void> => {
    await ensureDir(dirname(rel));
    const p = join(out, rel);
    await writeFile(p, content);
    const mt = new Date(mtime);
    await utimes(p, mt, mt);
    totalFiles++;
    totalBytes += typeof content === 'string' ? Buffer.byteLength(content) : content.length;
  };
  await Promise.all(st.files.map((f) => writeOne(f.rel, f.content, f.mtime)));
  for (const f of st.files) {
    if (f.trap) note('benign-trap', 'file', f.rel, undefined, f.mtime, f.rel.split('/').pop() as string, f.trap.note);
  }
  for (const dir of st.emptyDirs) await ensureDir(dir);
  if (plan) {
    for (const f of plan.files) {
      await writeOne(f.rel, f.content, f.mtime);
      let line: number | undefined;
      let value = f.rel.split('/').pop() as string;
      if (f.lineValue !== undefined) {
        const lines = f.content.toString('utf8').split('\r\n');
        const i = lines.findIndex((l) => l.includes(f.lineValue as string));
        if (i >= 0) {
          line = i + 1;
          value = f.lineValue;
        }
      }
      note(f.kind, 'file', f.rel, line, f.mtime, value, f.note, f.ip);
    }
  }

  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  indicators.sort((a, b) => cmp(a.time, b.time) || cmp(a.source, b.source) || cmp(a.file, b.file) || (a.line ?? 0) - (b.line ?? 0));
  const builds = [{ version: CU19.version, label: CU19.label, from: iso(cuInstalled), ...(suStart !== undefined ? { to: iso(suStart) } : {}) }];
  if (suStart !== undefined) builds.push({ version: CU19_MAR21SU.version, label: CU19_MAR21SU.label, from: iso(suStart) });

  return {
    scenario,
    seed,
    host: { name: host.name, fqdn: host.fqdn, domain: host.domain, publicHost: host.publicHost, ip: host.ip, installPath: host.installPath },
    period: { start: iso(start), end: iso(end), days },
    retentionDays: RETENTION_DAYS,
    builds,
    ...(suStart !== undefined ? { suInstalled: iso(suStart) } : {}),
    attackerIps: plan ? [plan.exploitIp, plan.shellIp, ...plan.scannerIps, ...plan.failedAttemptIps] : [],
    ...(plan
      ? {
          attack: {
            exploitIp: plan.exploitIp,
            shellIp: plan.shellIp,
            scannerIps: plan.scannerIps,
            failedAttemptIps: plan.failedAttemptIps,
            exploitTime: iso(plan.exploitTime),
            shellPath: plan.shellRel,
            shellUrl: plan.shellUrl,
            shellPassword: plan.secret,
            lsassDump: plan.lsassRel,
            archive: plan.archiveRel,
          },
        }
      : {}),
    indicators,
    logs: {
      httpProxy: fam.httpProxy.span(),
      ecpServer: fam.ecpServer.span(),
      oabGenerator: fam.oabGenerator.span(),
      iisFrontEnd: fam.iisFrontEnd.span(),
      iisBackEnd: fam.iisBackEnd.span(),
      httpErr: fam.httpErr.span(),
    },
    totals: { files: totalFiles, bytes: totalBytes },
  };
}

/**
 * One ECP server log line. EventData is a `;`-separated `S:KEY=value` bag; a pair whose value holds `'` or `;`
 * is wrapped in single quotes with inner `'` doubled (as in the HelseCERT extract), then the whole field gets
 * RFC 4180 quoting when it holds `"` or `,`. Returns the escaped form of the event's marked value too.
 */
function ecpLine(ev: EcpEvent, server: string, build: Build, rng: Rng): { text: string; markValue?: string } {
  const pairs: [string, string][] = [
    ['TIME', String(rng.range(8, 400))], ['SID', ev.sid], ['CMD', ev.cmd], ['REQID', ''], ['URL', ev.url], ['REFERRER', ''],
    ['EX', ev.ex], ['ACTID', rng.guid()], ['RS', '0'], ['BLD', build.version], ['TNAME', '<null>'], ['TID', ''],
    ['USID', rng.guid()], ['EDOID', ''], ['ACID', ''],
  ];
  let cmdQuoted = false;
  const data = pairs
    .map(([k, v]) => {
      const pair = `S:${k}=${v}`;
      if (!/[';]/.test(v)) return pair;
      if (k === 'CMD') cmdQuoted = true;
      return `'${pair.replace(/'/g, "''")}'`;
    })
    .join(';');
  const field = csvField(data);
  const csvQuoted = field !== data;
  const text = `${iso(ev.t)},${server},ECP.Request,${field}`;
  if (!ev.mark) return { text };
  let v = ev.mark.value;
  if (cmdQuoted) v = v.replace(/'/g, "''");
  if (csvQuoted) v = v.replace(/"/g, '""');
  return { text, markValue: v };
}

