import { buildContext, FAMILIES, type Context, type UnitOptions } from './context.js';
import { floodHour, type FloodPlan } from './flood.js';
import { DAY, HOUR, MINUTE } from './format.js';
import type { UnitPool } from './pool.js';
import { Rng } from './prng.js';
import { httpProxyLine, iisFrontEndLine } from './request.js';
import { staticFiles } from './static-files.js';
import { dayHours, iisHeader, type UnitResult, type UnitTask } from './unit.js';

/**
 * Choosing the traffic scale for a target size (`simulate({ size })`).
 *
 * The tree's bytes split into a part that grows linearly with the scale (user sessions, the line-of-business
 * client, internet noise, HTTPERR lines — `Req.scaled`) and a part that does not (health probes, which saturate
 * at every protocol every 2 minutes from scale 10, admin work, OAB generation, headers, static files, the
 * attack, the floods). A dry run (everything formatted, nothing written) at a trial scale S measures both, and
 * the scale for the target T is S × (T − fixed) / scaled; repeated until the dry run lands within 2 % (below
 * scale ~25 the probe schedule makes the curve a staircase) or both scales are in the linear range.
 *
 * Dry runs cover every hour of the period for small targets (≤ 64 MB or ≤ 7 days: exact), else one stratified
 * sample: for each (hour of day, weekday/weekend) class a few real hours inside the retention window, weighted
 * by how many hours of that class the period has inside and outside the retention window (outside, only the IIS
 * and HTTPERR part counts). The floods are added analytically (exact line counts × measured line sizes).
 */

const EXACT_BYTES = 64 * 1024 * 1024;
const TOLERANCE = 0.02;
const LINEAR_FROM = 25;

interface Estimate {
  total: number;
  fixed: number;
  scaled: number;
}

/** `10GB`, `500MB`, `1.5GiB`, `123456` → bytes. KB/MB/GB/TB (and bare K/M/G/T) are powers of 1000, KiB/MiB/GiB/TiB of 1024. */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?)(b?)\s*$/i.exec(text);
  if (!m) throw new RangeError(`not a size: ${text} (examples: 500MB, 2GB, 10GB, 1GiB)`);
  const unit = (m[2] ?? '').toLowerCase();
  const binary = (m[3] ?? '') !== '';
  if (binary && unit === '') throw new RangeError(`not a size: ${text}`);
  const pow = unit === '' ? 0 : 'kmgt'.indexOf(unit) + 1;
  const n = Number(m[1]) * (binary ? 1024 : 1000) ** pow;
  if (!(n >= 1)) throw new RangeError(`size too small: ${text}`);
  return Math.round(n);
}

/** Bytes of the static and attacker files (no logs). */
function fileBytes(ctx: Context): number {
  const st = staticFiles({
    world: ctx.world, rng: Rng.derive(ctx.seed, 'static'), cuInstalled: ctx.cuInstalled,
    ...(ctx.suEnd !== undefined ? { suInstalled: ctx.suEnd - 10 * MINUTE } : {}), periodEnd: ctx.end,
  });
  let n = 0;
  for (const f of st.files) n += typeof f.content === 'string' ? Buffer.byteLength(f.content) : f.content.length;
  for (const f of ctx.plan?.files ?? []) n += f.content.length;
  return n;
}

/** Mean line bytes of the flood: scanner probe in HttpProxy and W3SVC1, shell POST in W3SVC1. */
function floodLineBytes(ctx: Context, flood: FloodPlan): { hp: number; fe: number; shell: number } {
  const h = flood.scanner.from;
  const sample: FloodPlan = {
    ...flood,
    scanner: { from: h, counts: Int32Array.of(400), total: 400, stopBefore: h + HOUR },
    shell: { from: h, counts: Int32Array.of(100), total: 100, stopBefore: h + HOUR },
  };
  let hp = 0;
  let fe = 0;
  let shell = 0;
  for (const r of floodHour(sample, ctx.world, h)) {
    const iis = Buffer.byteLength(iisFrontEndLine(r)) + 2;
    if (r.flood === 'scanner') {
      hp += Buffer.byteLength(httpProxyLine(r, ctx.buildAt(r.t), ctx.host)) + 2;
      fe += iis;
    } else shell += iis;
  }
  return { hp: hp / 400, fe: fe / 400, shell: shell / 100 };
}

function floodBytes(ctx: Context): number {
  const f = ctx.flood;
  if (!f) return 0;
  const b = floodLineBytes(ctx, f);
  let n = 0;
  for (let i = 0; i < f.scanner.counts.length; i++) {
    const h = f.scanner.from + i * HOUR;
    n += (f.scanner.counts[i] as number) * (b.fe + (h >= ctx.retentionStart ? b.hp : 0));
  }
  return n + f.shell.total * b.shell;
}

function sumResult(r: UnitResult): { total: number; scaled: number; headers: number; err: number; errScaled: number } {
  let total = 0;
  let scaled = 0;
  let headers = 0;
  for (const f of FAMILIES) {
    total += r.fam[f].bytes;
    scaled += r.fam[f].scaled;
    headers += r.fam[f].headers;
  }
  let err = 0;
  let errScaled = 0;
  for (const e of r.httpErr) {
    const b = Buffer.byteLength(e.text) + 2;
    err += b;
    if (e.scaled) errScaled += b;
  }
  return { total: total + err, scaled: scaled + errScaled, headers, err, errScaled };
}

const HTTPERR_HEADER_BYTES = 260;

async function exactEstimate(pool: UnitPool, opts: UnitOptions, ctx: Context): Promise<Estimate> {
  const tasks: UnitTask[] = [];
  for (let d = ctx.start, i = 0; d < ctx.end; d += DAY, i++) tasks.push({ index: i, hours: dayHours(d, ctx.start, ctx.end), dry: true });
  let total = 0;
  let scaled = 0;
  let err = 0;
  await pool.runOrdered(opts, tasks, (r) => {
    const s = sumResult(r);
    total += s.total;
    scaled += s.scaled;
    err += s.err;
  });
  total += fileBytes(ctx) + (Math.floor(err / (1024 * 1024)) + 1) * HTTPERR_HEADER_BYTES;
  return { total, scaled, fixed: total - scaled };
}

async function sampledEstimate(pool: UnitPool, opts: UnitOptions, ctx: Context): Promise<Estimate> {
  const { start, end, retentionStart, suStart, suEnd } = ctx;
  // Classes: hour of day × weekend.
  const classOf = (h: number): number => {
    const d = new Date(h);
    const dow = d.getUTCDay();
    return d.getUTCHours() * 2 + (dow === 0 || dow === 6 ? 1 : 0);
  };
  const nIn = new Array<number>(48).fill(0);
  const nOut = new Array<number>(48).fill(0);
  const candidates: number[][] = Array.from({ length: 48 }, () => []);
  for (let h = start; h < end; h += HOUR) {
    const c = classOf(h);
    if (h >= retentionStart) {
      nIn[c]!++;
      const nearSu = suStart !== undefined && suEnd !== undefined && h + HOUR > suStart - HOUR && h < suEnd + HOUR;
      if (!nearSu) candidates[c]!.push(h);
    } else nOut[c]!++;
  }
  const reps = Math.max(1, Math.min(6, Math.ceil(128 / ctx.scale)));
  const tasks: UnitTask[] = [];
  const taskClass: number[] = [];
  const taskReps: number[] = [];
  for (let c = 0; c < 48; c++) {
    const list = candidates[c]!;
    if (list.length === 0) continue;
    const r = Math.min(reps, list.length);
    const hours: number[] = [];
    for (let j = 0; j < r; j++) hours.push(list[Math.floor(((j + 0.5) * list.length) / r)] as number);
    tasks.push({ index: tasks.length, hours, dry: true, noFlood: true });
    taskClass.push(c);
    taskReps.push(r);
  }
  let total = 0;
  let scaled = 0;
  let errTotal = 0;
  await pool.runOrdered(opts, tasks, (r, i) => {
    const c = taskClass[i] as number;
    const n = taskReps[i] as number;
    const s = sumResult(r);
    const f = r.fam;
    const iisAll = f.iisFrontEnd.bytes - f.iisFrontEnd.headers + f.iisBackEnd.bytes - f.iisBackEnd.headers + s.err;
    const iisScaled = f.iisFrontEnd.scaled + f.iisBackEnd.scaled + s.errScaled;
    const all = s.total - s.headers;
    const w = (nIn[c] as number) / n;
    const wo = (nOut[c] as number) / n;
    total += w * all + wo * iisAll;
    scaled += w * s.scaled + wo * iisScaled;
    errTotal += (w + wo) * s.err;
  });
  // Daily headers (W3SVC1/2 every day, OABGenerator every retained day, the IIS restart block), HTTPERR headers.
  const iisHead = iisHeader(start).reduce((a, l) => a + l.length + 2, 0);
  const days = Math.round((end - start) / DAY);
  const retained = Math.round((end - retentionStart) / DAY);
  let fixedExtra = 2 * days * iisHead + retained * 330 + (suStart !== undefined ? 2 * iisHead : 0);
  fixedExtra += (Math.floor(errTotal / (1024 * 1024)) + 1) * HTTPERR_HEADER_BYTES;
  fixedExtra += fileBytes(ctx) + floodBytes(ctx);
  total += fixedExtra;
  return { total, scaled, fixed: total - scaled };
}

/**
 * Returns the options with the scale (and, for the flood scenario without explicit flood sizes, the flood sizes)
 * that make the tree `target` bytes, ±5 %.
 */
export async function solveScale(
  pool: UnitPool, base: UnitOptions, target: number, floodGiven: boolean, onProgress?: (p: { day: number; days: number }) => void,
): Promise<UnitOptions> {
  let opts: UnitOptions = { ...base, scale: 1 };
  const ctx1 = buildContext(opts);
  if (ctx1.scenario === 'flood' && !floodGiven && ctx1.flood) {
    // The floods take ~20 % of the tree: millions of probes at 10 GB; thousands of shell POSTs.
    const b = floodLineBytes(ctx1, ctx1.flood);
    opts = {
      ...opts,
      flood: {
        scannerProbes: Math.max(500, Math.round((0.2 * target) / (b.hp + b.fe))),
        shellRequests: Math.min(20_000, Math.max(2_000, Math.round((0.002 * target) / b.shell))),
      },
    };
  }
  const exact = target <= EXACT_BYTES || ctx1.days <= 7;
  let scale = exact ? 1 : 64;
  let best: { scale: number; err: number } | undefined;
  let lo: { scale: number; total: number } | undefined;
  let hi: { scale: number; total: number } | undefined;
  for (let iter = 0; iter < 10; iter++) {
    const o: UnitOptions = { ...opts, scale };
    const ctx = buildContext(o);
    const e = exact ? await exactEstimate(pool, o, ctx) : await sampledEstimate(pool, o, ctx);
    onProgress?.({ day: iter + 1, days: 10 });
    const err = Math.abs(e.total - target) / target;
    if (process.env.EXHUNT_SIM_DEBUG) process.stderr.write(`size: scale ${scale} → total ${e.total} fixed ${e.fixed} scaled ${e.scaled} (${exact ? 'exact' : 'sampled'})\n`);
    if (!best || err < best.err) best = { scale, err };
    if (err <= TOLERANCE) break;
    if (e.total < target) {
      if (!lo || scale > lo.scale) lo = { scale, total: e.total };
    } else if (!hi || scale < hi.scale) hi = { scale, total: e.total };
    // Local linear model: fixed part + part proportional to the scale.
    let next = e.scaled > 0 && target > e.fixed ? (scale * (target - e.fixed)) / e.scaled : scale / 4;
    next = Math.min(scale * 64, Math.max(scale / 16, next));
    if (lo && hi && !(next > lo.scale && next < hi.scale)) {
      // Outside the bracket: interpolate log(bytes) against log(scale) between its ends.
      const a = Math.log(lo.scale);
      const b = Math.log(hi.scale);
      const fa = Math.log(lo.total / target);
      const fb = Math.log(hi.total / target);
      const x = fb !== fa ? a - (fa * (b - a)) / (fb - fa) : (a + b) / 2;
      next = Math.exp(Math.min(b - 0.1 * (b - a), Math.max(a + 0.1 * (b - a), x)));
    }
    if (!exact && scale >= LINEAR_FROM && next >= LINEAR_FROM) {
      // Linear range: the extrapolation is as good as another dry run at the new scale.
      best = { scale: next, err: 0 };
      break;
    }
    scale = Math.max(0.01, next);
  }
  return { ...opts, scale: Number((best?.scale ?? scale).toPrecision(6)) };
}
