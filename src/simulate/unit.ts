import { mkdirSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FOLDERS, type Context, type FamilyName } from './context.js';
import { floodHour } from './flood.js';
import { HOUR, csvField, csvRow, iisDateTime, iso, ymd, ymdh } from './format.js';
import { LineWriter } from './line-writer.js';
import { Rng } from './prng.js';
import {
  HTTPPROXY_FIELDS, IIS_FIELDS, PROTOCOLS, httpProxyLine, iisBackEndLine, iisFrontEndLine, type EcpEvent, type Protocol, type Req,
} from './request.js';
import { benignHour, type HttpErrLine, type OabLine } from './traffic.js';
import type { EvidenceSource, PlantedIndicator } from './truth.js';
import { CU19, headerVersion, type Build } from './world.js';
import { EWS_FIELDS, RPS_FIELDS, extraRow, type ExtraLine } from './attack-kit.js';

/** Remote PowerShell cmdlet and EWS logs (hourly files, like HttpProxy): written only by the 2021–2022 scenarios. */
export const EXTRA_LOG_FOLDERS = {
  rps: `${FOLDERS.httpProxy.replace(/\/HttpProxy$/, '')}/CmdletInfra/Powershell-Proxy/Cmdlet`,
  ews: `${FOLDERS.httpProxy.replace(/\/HttpProxy$/, '')}/Ews`,
} as const;

/**
 * One unit of generation: the hours of one day (the real run) or a few sample hours (the size estimator's dry
 * runs). Everything a unit writes depends only on the context and its hours — each hour has its own random
 * stream — so units can run on any thread in any order and the tree is the same.
 *
 * A unit writes the HttpProxy hourly files of its hours, the day's IIS (W3SVC1/W3SVC2), ECP and OABGenerator
 * files, and returns the HTTPERR lines (HTTPERR is one rotating file series for the whole period, appended by
 * the coordinator in day order), the planted indicators with their line numbers, and per-family statistics.
 */

export interface UnitTask {
  index: number;
  /** Hour starts (ms), ascending, all within one UTC day. */
  hours: number[];
  /** Count bytes only, write nothing (size estimation). */
  dry: boolean;
  /** Leave the flood out (the estimator accounts for it separately). */
  noFlood?: boolean;
}

export interface FamStat {
  files: number;
  bytes: number;
  first?: number;
  last?: number;
  /** Dry runs: bytes of lines of scale-proportional traffic, and of daily-file header blocks. */
  scaled: number;
  headers: number;
}

export interface HttpErrOut {
  t: number;
  text: string;
  scaled: boolean;
  mark?: { kind: PlantedIndicator['kind']; value: string; note: string; ip: string };
}

export interface FloodTally {
  kind: 'scanner' | 'webshell-access';
  source: EvidenceSource;
  count: number;
  first?: number;
  last?: number;
  samples: PlantedIndicator[];
}

export interface UnitResult {
  index: number;
  fam: Record<FamilyName, FamStat>;
  indicators: PlantedIndicator[];
  /** Indicators of the first line-of-business EWS request of this unit (the truth keeps the earliest unit's). */
  lob: PlantedIndicator[];
  httpErr: HttpErrOut[];
  floods: FloodTally[];
  /** Indices (into the flood plan's IP list) of scanner IPs used. */
  floodIps: number[];
}

export const FLOOD_SAMPLES = 3;

interface OpenLog {
  w: LineWriter;
  rel: string;
  opened: number;
  lastT: number;
  restarted: boolean;
}

export function iisHeader(t: number): string[] {
  return [
    '#Software: Microsoft Internet Information Services 10.0',
    '#Version: 1.0',
    `#Date: ${iisDateTime(t)}`,
    `#Fields: ${IIS_FIELDS}`,
  ];
}

function exchangeHeader(version: string, logType: string, t: number, fields: string): string[] {
  return ['#Software: Microsoft Exchange Server', `#Version: ${version}`, `#Log-type: ${logType}`, `#Date: ${iso(t)}`, `#Fields: ${fields}`];
}

const HTTPPROXY_FIELDS_LINE = HTTPPROXY_FIELDS.join(',');

export function runUnit(ctx: Context, task: UnitTask): UnitResult {
  const { host, seed, retentionStart, suStart, suEnd, buildAt, plan, world } = ctx;
  const dry = task.dry;
  const out = ctx.opts.out;
  const flood = task.noFlood ? undefined : ctx.flood;
  const trafficOpts = dry ? { ...ctx.trafficOpts, tagScaled: true } : ctx.trafficOpts;
  const newFam = (): FamStat => ({ files: 0, bytes: 0, scaled: 0, headers: 0 });
  const fam: Record<FamilyName, FamStat> = {
    httpProxy: newFam(), ecpServer: newFam(), oabGenerator: newFam(), iisFrontEnd: newFam(), iisBackEnd: newFam(), httpErr: newFam(),
  };
  const seen = (f: FamStat, t: number): void => {
    if (f.first === undefined || t < f.first) f.first = t;
    if (f.last === undefined || t > f.last) f.last = t;
  };
  const indicators: PlantedIndicator[] = [];
  const lob: PlantedIndicator[] = [];
  const floods = new Map<string, FloodTally>();
  const ipUsed = flood ? new Uint8Array(flood.ips.length) : undefined;
  let lobReq: Req | undefined;
  const note = (
    list: PlantedIndicator[], kind: PlantedIndicator['kind'], source: EvidenceSource, file: string, line: number | undefined, t: number,
    value: string, text: string, ip?: string,
  ): void => {
    list.push({ kind, source, file, ...(line !== undefined ? { line } : {}), time: iso(t), value, ...(ip ? { ip } : {}), note: text });
  };
  const tally = (r: Req, source: EvidenceSource, file: string, line: number, value: string): void => {
    const kind = r.flood === 'scanner' ? 'scanner' : 'webshell-access';
    const key = `${kind}|${source}`;
    let f = floods.get(key);
    if (!f) floods.set(key, (f = { kind, source, count: 0, samples: [] }));
    f.count++;
    if (f.first === undefined || r.t < f.first) f.first = r.t;
    if (f.last === undefined || r.t > f.last) f.last = r.t;
    if (f.samples.length < FLOOD_SAMPLES) note(f.samples, kind, source, file, line, r.t, value, r.mark?.note ?? '', r.ip);
  };

  const madeDirs = new Set<string>();
  const ensureDir = (rel: string): void => {
    const abs = join(out, rel);
    if (madeDirs.has(abs)) return;
    mkdirSync(abs, { recursive: true });
    madeDirs.add(abs);
  };
  const openLog = (rel: string, t: number, header: string[], family: FamStat | null, shared?: Buffer): OpenLog => {
    if (!dry) ensureDir(dirname(rel));
    const w = LineWriter.create(dry ? null : join(out, rel), shared);
    for (const h of header) w.line(h);
    if (family) family.headers += w.bytes;
    return { w, rel, opened: t, lastT: t, restarted: false };
  };
  const closeLog = (family: FamStat, log: OpenLog | null): void => {
    if (!log) return;
    log.w.close();
    if (!dry) {
      const mt = new Date(log.lastT);
      utimesSync(join(out, log.rel), mt, mt);
    }
    family.files++;
    family.bytes += log.w.bytes;
  };
  const line = (f: FamStat, log: OpenLog, text: string, scaled: boolean | undefined): number => {
    if (dry && scaled) {
      const b = log.w.bytes;
      const n = log.w.line(text);
      f.scaled += log.w.bytes - b;
      return n;
    }
    return log.w.line(text);
  };

  const dayKey = ymd(task.hours[0] as number);
  const daily: Record<'fe' | 'be' | 'ecp' | 'oab', OpenLog | null> = { fe: null, be: null, ecp: null, oab: null };
  const dailyFam = { fe: fam.iisFrontEnd, be: fam.iisBackEnd, ecp: fam.ecpServer, oab: fam.oabGenerator } as const;
  // A day's lines all go to that day's file (a record stamped a few ms before midnight by its request's start
  // stays in the file of the hour that produced it).
  const dailyLog = (which: 'fe' | 'be' | 'ecp' | 'oab', t: number): OpenLog => {
    const cur = daily[which];
    if (cur) return cur;
    let log: OpenLog;
    if (which === 'fe' || which === 'be') {
      const folder = which === 'fe' ? FOLDERS.iisFrontEnd : FOLDERS.iisBackEnd;
      log = openLog(`${folder}/u_ex${dayKey.slice(2)}.log`, t, iisHeader(t), dailyFam[which]);
    } else if (which === 'ecp') {
      log = openLog(`${FOLDERS.ecpServer}/ECPServer${dayKey}-1.LOG`, t,
        exchangeHeader('15.0.0.0', 'ECP Server Log', t, 'TimeStamp,ServerName,EventId,EventData'), dailyFam.ecp);
    } else {
      // The OABGenerator log format is not public (no real line was ever published): this header is a guess.
      log = openLog(`${FOLDERS.oabGenerator}/OABGeneratorLog_${dayKey}-1.LOG`, t,
        exchangeHeader(headerVersion(buildAt(t)), 'OABGenerator Log', t, 'DateTime,ServerName,ProcessId,ThreadId,Level,Message'), dailyFam.oab);
    }
    daily[which] = log;
    return log;
  };
  const maybeRestart = (log: OpenLog, f: FamStat, t: number): void => {
    // Installing the SU restarts IIS: the header block is written again in the middle of that day's file.
    if (suStart === undefined || suEnd === undefined || log.restarted) return;
    if (log.opened < suStart && t >= suEnd) {
      const b = log.w.bytes;
      for (const l of iisHeader(t)) log.w.line(l);
      f.headers += log.w.bytes - b;
      log.restarted = true;
    }
  };

  const planReqs = plan?.reqs ?? [];
  const planOab = plan?.oab ?? [];
  const planErr = plan?.httpErr ?? [];
  const oabPid = (t: number): number => (buildAt(t) === CU19 ? 6212 : 9480);
  const httpErr: HttpErrOut[] = [];
  const proxyBuf = dry ? undefined : Buffer.allocUnsafe(1 << 20);

  for (const h of task.hours) {
    const hourEnd = h + HOUR;
    const hr = Rng.derive(seed, `h${h}`);
    const traffic = benignHour(trafficOpts, h, hr);
    let reqs = traffic.reqs;
    if (suStart !== undefined && suEnd !== undefined) reqs = reqs.filter((r) => r.t < suStart || r.t >= suEnd);
    let added = false;
    for (const r of planReqs) {
      if (r.t >= h && r.t < hourEnd) {
        reqs.push(r);
        added = true;
      }
    }
    if (flood) {
      const fl = floodHour(flood, world, h, ipUsed);
      if (fl.length > 0) {
        for (const r of fl) reqs.push(r);
        added = true;
      }
    }
    if (added) reqs.sort((a, b) => a.t - b.t);
    if (h >= retentionStart) {
      // The first request of the line-of-business EWS client: a legitimate ExchangeServicesClient user agent.
      // Marked in every unit; the coordinator keeps the earliest unit's.
      if (lobReq === undefined) {
        const r = reqs.find((x) => x.ua === world.service.ua);
        if (r) {
          lobReq = r;
          r.mark = {
            kind: 'benign-trap', value: world.service.ua, backEnd: false,
            note: 'legitimate EWS Managed API client (ExchangeServicesClient/15.x user agent, authenticated service account)',
          };
        }
      }

      // HttpProxy: one file per protocol with traffic in this hour.
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
        const first = list[0] as Req;
        const rel = `${FOLDERS.httpProxy}/${proto}/HttpProxy_${ymdh(h)}-1.LOG`;
        const log = openLog(rel, first.t, exchangeHeader(headerVersion(buildAt(first.t)), 'HttpProxy Logs', first.t, HTTPPROXY_FIELDS_LINE), null, proxyBuf);
        for (const r of list) {
          const n = line(fam.httpProxy, log, httpProxyLine(r, buildAt(r.t), host), r.scaled);
          seen(fam.httpProxy, r.t);
          log.lastT = r.t;
          if (r.mark && r.mark.httpProxy !== false) {
            const value = r.mark.value ?? (r.anchor.startsWith('ServerInfo~') ? r.anchor : r.stem);
            if (r.flood) tally(r, 'httpproxy', rel, n, value);
            else note(r === lobReq ? lob : indicators, r.mark.kind, 'httpproxy', rel, n, r.t, value, r.mark.note, r.ip);
          }
        }
        closeLog(fam.httpProxy, log);
      }
    }

    // IIS front end (every request) and back end (proxied requests), daily files.
    for (const r of reqs) {
      const fe = dailyLog('fe', r.t);
      maybeRestart(fe, fam.iisFrontEnd, r.t);
      const n = line(fam.iisFrontEnd, fe, iisFrontEndLine(r), r.scaled);
      fe.lastT = r.t;
      seen(fam.iisFrontEnd, r.t);
      if (r.mark && r.mark.frontEnd !== false) {
        const value = r.mark.value ?? r.stem;
        if (r.flood) tally(r, 'iis-frontend', fe.rel, n, value);
        else note(r === lobReq ? lob : indicators, r.mark.kind, 'iis-frontend', fe.rel, n, r.t, value, r.mark.note, r.ip);
      }
      if (r.beStatus !== null && r.proto !== null) {
        const be = dailyLog('be', r.t);
        maybeRestart(be, fam.iisBackEnd, r.t);
        const m = line(fam.iisBackEnd, be, iisBackEndLine(r, host), r.scaled);
        be.lastT = r.t;
        seen(fam.iisBackEnd, r.t);
        if (r.mark && r.mark.backEnd !== false) {
          note(indicators, r.mark.kind, 'iis-backend', be.rel, m, r.t, r.beStem ?? r.stem, `${r.mark.note} (back-end view)`, r.ip);
        }
      }
    }

    if (h >= retentionStart) {
      // ECP server log.
      const events: EcpEvent[] = [];
      for (const r of reqs) if (r.ecp) events.push(...r.ecp);
      events.sort((a, b) => a.t - b.t);
      for (const ev of events) {
        const log = dailyLog('ecp', ev.t);
        const { text, markValue } = ecpLine(ev, host.name, buildAt(ev.t), hr);
        const n = log.w.line(text);
        log.lastT = Math.max(log.lastT, ev.t);
        seen(fam.ecpServer, ev.t);
        if (ev.mark && markValue !== undefined) note(indicators, ev.mark.kind, 'ecp-server', log.rel, n, ev.t, markValue, ev.mark.note);
      }
      // OABGenerator log.
      const oabLines: OabLine[] = [...traffic.oab, ...planOab.filter((l) => l.t >= h && l.t < hourEnd)].sort((a, b) => a.t - b.t);
      for (const l of oabLines) {
        const log = dailyLog('oab', l.t);
        const n = log.w.line(csvRow([iso(l.t), host.name, String(oabPid(l.t)), String(hr.range(8, 90)), l.level, l.message]));
        log.lastT = Math.max(log.lastT, l.t);
        seen(fam.oabGenerator, l.t);
        if (l.mark) note(indicators, l.mark.kind, 'oab-generator', log.rel, n, l.t, l.mark.value, l.mark.note);
      }
      // Remote PowerShell cmdlet and EWS logs: the scenario's rows of this hour (no benign traffic is modelled there).
      for (const [which, rows, fields, logType, prefix] of [
        ['rps', (plan as { rps?: ExtraLine[] } | undefined)?.rps, RPS_FIELDS, 'Rps Cmdlet Logs', 'Rps_Cmdlet_'],
        ['ews', (plan as { ews?: ExtraLine[] } | undefined)?.ews, EWS_FIELDS, 'EWS Logs', 'Ews_'],
      ] as const) {
        const mine = (rows ?? []).filter((l) => l.t >= h && l.t < hourEnd).sort((a, b) => a.t - b.t);
        if (!mine.length || dry) continue;
        const rel = `${EXTRA_LOG_FOLDERS[which]}/${prefix}${ymdh(h)}-1.LOG`;
        const log = openLog(rel, mine[0]!.t, exchangeHeader(headerVersion(buildAt(mine[0]!.t)), logType, mine[0]!.t, fields.join(',')), null);
        for (const l of mine) {
          const n = log.w.line(extraRow(fields, l, buildAt(l.t), host));
          log.lastT = l.t;
          if (l.mark) note(indicators, l.mark.kind, which === 'rps' ? 'rps-cmdlet' : 'ews', rel, n, l.t, l.mark.value, l.mark.note, l.mark.ip);
        }
        log.w.close();
        utimesSync(join(out, rel), new Date(log.lastT), new Date(log.lastT));
      }
    }

    // HTTPERR lines go back to the coordinator (one file series for the whole period).
    const errs: HttpErrLine[] = [...traffic.httpErr, ...planErr.filter((l) => l.t >= h && l.t < hourEnd)].sort((a, b) => a.t - b.t);
    for (const e of errs) {
      if (suStart !== undefined && suEnd !== undefined && e.t >= suStart && e.t < suEnd) continue;
      const text = [
        iisDateTime(e.t), e.clientIp, String(e.clientPort), host.ip, String(e.serverPort), e.version, e.method, e.uri, '-',
        e.status, e.siteId, e.reason, e.queue,
      ].join(' ');
      httpErr.push({
        t: e.t, text, scaled: !e.mark,
        ...(e.mark ? { mark: { kind: e.mark.kind, value: e.mark.value, note: e.mark.note, ip: e.clientIp } } : {}),
      });
    }
  }
  for (const k of ['fe', 'be', 'ecp', 'oab'] as const) closeLog(dailyFam[k], daily[k]);

  const floodIps: number[] = [];
  if (ipUsed) for (let i = 0; i < ipUsed.length; i++) if (ipUsed[i]) floodIps.push(i);
  return { index: task.index, fam, indicators, lob, httpErr, floods: [...floods.values()], floodIps };
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

/** Hours [from, to) of the UTC day `day` (ms) that fall in the period. */
export function dayHours(day: number, start: number, end: number): number[] {
  const hours: number[] = [];
  for (let h = Math.max(day, start); h < Math.min(day + 24 * HOUR, end); h += HOUR) hours.push(h);
  return hours;
}

export type { Protocol };
