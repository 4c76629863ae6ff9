import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { mkdirSync, utimesSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import {
  buildContext, FAMILIES, FOLDERS, RETENTION_DAYS, SCENARIOS, type FamilyName, type FloodOptions, type Scenario, type UnitOptions,
} from './context.js';
import { SCANNER_STEM } from './flood.js';
import { DAY, MINUTE, iisDateTime, iso } from './format.js';
import { LineWriter } from './line-writer.js';
import { UnitPool } from './pool.js';
import { Rng } from './prng.js';
import { solveScale } from './size.js';
import { staticFiles } from './static-files.js';
import type { EvidenceSource, FloodSummary, LogSpan, PlantedIndicator, SimulationTruth } from './truth.js';
import { dayHours, type FamStat, type FloodTally, type UnitResult, type UnitTask } from './unit.js';
import { CU19, CU19_MAR21SU } from './world.js';

export { SCENARIOS, type Scenario, type FloodOptions };

export interface SimulateOptions {
  /** Folder that becomes the root of the simulated system drive (created if missing; existing files are overwritten). */
  out: string;
  scenario: Scenario;
  /** PRNG seed (default 1). Same seed and options → byte-identical tree, whatever the number of workers. */
  seed?: number;
  /** First day (UTC, `YYYY-MM-DD`). Default: clean 2020-12-28, proxylogon/flood 2021-02-15. */
  start?: string;
  /** Length of the period in days. Default: clean 75, proxylogon/flood 30. */
  days?: number;
  /** Traffic multiplier (default 1 = a small tree of a few MB). Not together with `size`. */
  scale?: number;
  /**
   * Target size of the tree in bytes: the traffic scale (users, devices, sessions, probes) is chosen so that the
   * total lands within ±5 % of it. With the `flood` scenario, the floods take ~20 % of it unless `flood` is given.
   */
  size?: number;
  /** Worker threads (default: 1 without `size`, else the available parallelism). Never changes the output. */
  workers?: number;
  /** Flood sizes for the `flood` scenario (default 20,000 scanner probes and 2,000 shell POSTs, or sized by `size`). */
  flood?: FloodOptions;
  /**
   * Day the March 2021 SU (15.1.2176.9) is installed; null = never. Default: clean 2021-03-04, proxylogon
   * 2021-03-09 when inside the period, else 80 % into it.
   */
  suDate?: string | null;
  /** HTTPERR rotation size (default HTTP.sys's 1 MB); tests lower it. */
  httpErrMaxBytes?: number;
  /** Called after each simulated day (`bytes`: log bytes written so far). */
  onProgress?: (p: { day: number; days: number; bytes?: number; phase?: 'sizing' | 'writing' }) => void;
}

/** HTTP.sys starts a new HTTPERR file when the current one reaches this size (ErrorLogFileTruncateSize, 1 MB default). */
export const HTTPERR_ROTATE_BYTES = 1024 * 1024;

const HTTPERR_HEADER = (t: number): string[] => [
  '#Software: Microsoft HTTP API 2.0',
  '#Version: 1.0',
  `#Date: ${iisDateTime(t)}`,
  '#Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri streamid sc-status s-siteid s-reason s-queuename',
];

/**
 * Writes a simulated Windows system-drive tree of one Exchange 2016 server (EXCH01, contoso.local) under
 * `options.out` and returns the ground truth (which is never written into the tree).
 *
 * Work is split into units of one day (all HttpProxy hourly files of the day, the day's IIS/ECP/OABGenerator
 * files) that run on worker threads; the coordinator appends HTTPERR and merges the truth in day order.
 */
export async function simulate(options: SimulateOptions): Promise<SimulationTruth> {
  const scenario = options.scenario;
  if (!SCENARIOS.includes(scenario)) throw new RangeError(`unknown scenario: ${String(scenario)}`);
  const seed = (options.seed ?? 1) >>> 0;
  if (options.size !== undefined) {
    if (!(options.size > 0) || !Number.isFinite(options.size)) throw new RangeError(`size must be a positive number of bytes, got ${options.size}`);
    if (options.scale !== undefined) throw new RangeError('give either size or scale, not both');
  }
  const workers = Math.max(1, Math.floor(options.workers ?? (options.size !== undefined ? availableParallelism() : 1)));
  const pool = new UnitPool(workers);
  try {
    let unitOpts: UnitOptions = {
      out: options.out, scenario, seed, scale: options.scale ?? 1,
      ...(options.start !== undefined ? { start: options.start } : {}),
      ...(options.days !== undefined ? { days: options.days } : {}),
      ...(options.suDate !== undefined ? { suDate: options.suDate } : {}),
      ...(options.flood ? { flood: options.flood } : {}),
    };
    if (options.size !== undefined) {
      unitOpts = await solveScale(pool, { ...unitOpts, smoothProbes: true }, options.size, options.flood !== undefined, (p) => options.onProgress?.({ ...p, phase: 'sizing' }));
    }
    const truth = await generate(pool, unitOpts, options.onProgress, options.httpErrMaxBytes ?? HTTPERR_ROTATE_BYTES);
    if (options.size !== undefined) return { ...truth, sizeTarget: options.size, scale: unitOpts.scale };
    return truth;
  } finally {
    await pool.close();
  }
}

async function generate(
  pool: UnitPool, opts: UnitOptions, onProgress: SimulateOptions['onProgress'], httpErrMaxBytes: number,
): Promise<SimulationTruth> {
  const ctx = buildContext(opts);
  const { world, host, start, end, days, plan, flood, suStart, cuInstalled, suEnd } = ctx;
  const out = opts.out;
  mkdirSync(out, { recursive: true });

  const fam = Object.fromEntries(FAMILIES.map((f) => [f, { files: 0, bytes: 0, scaled: 0, headers: 0 } as FamStat])) as Record<FamilyName, FamStat>;
  let totalFiles = 0;
  let totalBytes = 0;
  const indicators: PlantedIndicator[] = [];
  let lob: PlantedIndicator[] | undefined;
  const floods = new Map<string, FloodTally>();
  const floodIps = new Set<number>();
  const merge = (a: FamStat, b: FamStat): void => {
    a.files += b.files;
    a.bytes += b.bytes;
    if (b.first !== undefined && (a.first === undefined || b.first < a.first)) a.first = b.first;
    if (b.last !== undefined && (a.last === undefined || b.last > a.last)) a.last = b.last;
  };
  const note = (
    kind: PlantedIndicator['kind'], source: EvidenceSource, file: string, line: number | undefined, t: number, value: string, text: string, ip?: string,
  ): void => {
    indicators.push({ kind, source, file, ...(line !== undefined ? { line } : {}), time: iso(t), value, ...(ip ? { ip } : {}), note: text });
  };

  // HTTPERR: one file series for the whole period, rotated by size like HTTP.sys (httperr1.log, httperr2.log, …).
  let errLog: { w: LineWriter; rel: string; lastT: number } | null = null;
  let errFiles = 0;
  mkdirSync(join(out, FOLDERS.httpErr), { recursive: true });
  const closeErr = (): void => {
    if (!errLog) return;
    errLog.w.close();
    const mt = new Date(errLog.lastT);
    utimesSync(join(out, errLog.rel), mt, mt);
    fam.httpErr.files++;
    fam.httpErr.bytes += errLog.w.bytes;
    errLog = null;
  };

  const tasks: UnitTask[] = [];
  for (let d = start, i = 0; d < end; d += DAY, i++) tasks.push({ index: i, hours: dayHours(d, start, end), dry: false });
  let logBytes = 0;
  await pool.runOrdered(opts, tasks, (r: UnitResult, i: number) => {
    for (const f of FAMILIES) {
      if (f === 'httpErr') continue;
      merge(fam[f], r.fam[f]);
      logBytes += r.fam[f].bytes;
    }
    for (const ind of r.indicators) indicators.push(ind);
    if (lob === undefined && r.lob.length > 0) lob = r.lob;
    for (const t of r.floods) {
      const key = `${t.kind}|${t.source}`;
      const cur = floods.get(key);
      if (!cur) floods.set(key, { ...t, samples: [...t.samples] });
      else {
        cur.count += t.count;
        if (t.first !== undefined && (cur.first === undefined || t.first < cur.first)) cur.first = t.first;
        if (t.last !== undefined && (cur.last === undefined || t.last > cur.last)) cur.last = t.last;
        for (const s of t.samples) if (cur.samples.length < 3) cur.samples.push(s);
      }
    }
    for (const ip of r.floodIps) floodIps.add(ip);
    for (const e of r.httpErr) {
      if (errLog && errLog.w.bytes >= httpErrMaxBytes) closeErr();
      if (!errLog) {
        const rel = `${FOLDERS.httpErr}/httperr${++errFiles}.log`;
        const w = LineWriter.create(join(out, rel));
        for (const h of HTTPERR_HEADER(e.t)) w.line(h);
        errLog = { w, rel, lastT: e.t };
      }
      const n = errLog.w.line(e.text);
      errLog.lastT = e.t;
      if (fam.httpErr.first === undefined) fam.httpErr.first = e.t;
      fam.httpErr.last = e.t;
      logBytes += e.text.length + 2;
      if (e.mark) note(e.mark.kind, 'httperr', errLog.rel, n, e.t, e.mark.value, e.mark.note, e.mark.ip);
    }
    onProgress?.({ day: i + 1, days, bytes: logBytes, phase: 'writing' });
  });
  closeErr();
  if (lob) indicators.push(...lob);
  for (const f of FAMILIES) {
    totalFiles += fam[f].files;
    totalBytes += fam[f].bytes;
  }

  // Static files, then the attacker's files.
  const st = staticFiles({
    world, rng: Rng.derive(ctx.seed, 'static'), cuInstalled, ...(suEnd !== undefined ? { suInstalled: suEnd - 10 * MINUTE } : {}), periodEnd: end,
  });
  const made = new Set<string>();
  const ensureDir = async (rel: string): Promise<void> => {
    if (made.has(rel)) return;
    await mkdir(join(out, rel), { recursive: true });
    made.add(rel);
  };
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

  let floodSummaries: FloodSummary[] | undefined;
  if (flood) {
    const scannerIps = [...floodIps].sort((a, b) => a - b).map((i) => flood.ips[i] as string);
    const order: [FloodSummary['kind'], EvidenceSource][] = [['scanner', 'httpproxy'], ['scanner', 'iis-frontend'], ['webshell-access', 'iis-frontend']];
    floodSummaries = order.map(([kind, source]) => {
      const t = floods.get(`${kind}|${source}`);
      const scanner = kind === 'scanner';
      return {
        kind, source,
        value: scanner ? (source === 'httpproxy' ? 'ServerInfo~localhost' : SCANNER_STEM) : flood.shellUrl,
        count: t?.count ?? 0,
        ...(t?.first !== undefined ? { first: iso(t.first) } : {}),
        ...(t?.last !== undefined ? { last: iso(t.last) } : {}),
        ips: t ? (scanner ? scannerIps.length : 1) : 0,
        sampleIps: t ? (scanner ? scannerIps.slice(0, 5) : [flood.shellIp]) : [],
        samples: t?.samples ?? [],
        note: scanner
          ? 'ProxyLogon mass scanning: GET /owa/auth/x.js with an X-BEResource=localhost cookie (ServerInfo~localhost…), 500'
          : 'automated POSTs (200) to the dropped web shell from the shell operator',
      };
    });
  }

  const span = (f: FamilyName): LogSpan => {
    const s = fam[f];
    return {
      folder: FOLDERS[f], files: s.files, bytes: s.bytes,
      ...(s.first !== undefined ? { first: iso(s.first) } : {}),
      ...(s.last !== undefined ? { last: iso(s.last) } : {}),
    };
  };
  return {
    scenario: ctx.scenario,
    seed: ctx.seed,
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
            webShells: plan.files.filter((f) => f.kind === 'webshell-file').map((f) => f.rel).sort(),
          },
        }
      : {}),
    indicators,
    ...(plan && 'expect' in plan && plan.expect ? { expect: plan.expect } : {}),
    ...(floodSummaries ? { floods: floodSummaries } : {}),
    logs: {
      httpProxy: span('httpProxy'),
      ecpServer: span('ecpServer'),
      oabGenerator: span('oabGenerator'),
      iisFrontEnd: span('iisFrontEnd'),
      iisBackEnd: span('iisBackEnd'),
      httpErr: span('httpErr'),
    },
    totals: { files: totalFiles, bytes: totalBytes },
  };
}
