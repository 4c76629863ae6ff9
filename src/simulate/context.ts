import { DAY, HOUR, MINUTE, dayStart, parseDate } from './format.js';
import { planFlood, type FloodPlan } from './flood.js';
import { planProxyLogon, type AttackPlan } from './proxylogon.js';
import type { ScenarioPlan } from './attack-kit.js';
import { planProxyShell } from './proxyshell.js';
import { planProxyNotShell } from './proxynotshell.js';
import { planOwassrf } from './owassrf.js';
import { planMulti } from './multi.js';
import { Rng } from './prng.js';
import { V15 } from './static-files.js';
import type { TrafficOptions } from './traffic.js';
import { CU19, CU19_MAR21SU, makeWorld, type Build, type Host, type World } from './world.js';

export type Scenario = 'clean' | 'proxylogon' | 'flood' | 'proxyshell' | 'proxynotshell' | 'owassrf' | 'multi';
export const SCENARIOS: readonly Scenario[] = ['clean', 'proxylogon', 'flood', 'proxyshell', 'proxynotshell', 'owassrf', 'multi'];

/** Flood sizes of the `flood` scenario. */
export interface FloodOptions {
  /** ProxyLogon scanner probes (`GET /owa/auth/x.js`, `ServerInfo~localhost…`) from many IPs. */
  scannerProbes?: number;
  /** POSTs to the web shell from the attacker's shell IP. */
  shellRequests?: number;
}

/**
 * Everything a generation unit needs to rebuild the simulation context on its own thread: plain data only
 * (it is posted to worker threads). Same value → same bytes.
 */
export interface UnitOptions {
  out: string;
  scenario: Scenario;
  seed: number;
  start?: string;
  days?: number;
  scale: number;
  suDate?: string | null;
  flood?: FloodOptions;
  /** Size runs: the probe schedule grows smoothly with the scale (see traffic.ts). */
  smoothProbes?: boolean;
}

const DEFAULTS: Record<Scenario, { start: string; days: number; su: string; exploit: string }> = {
  clean: { start: '2020-12-28', days: 75, su: '2021-03-04', exploit: '2021-03-03' },
  proxylogon: { start: '2021-02-15', days: 30, su: '2021-03-09', exploit: '2021-03-03' },
  flood: { start: '2021-02-15', days: 30, su: '2021-03-09', exploit: '2021-03-03' },
  // 2021–2022 waves against a server left on the March 2021 SU (installed on the period's second day).
  proxyshell: { start: '2021-08-10', days: 21, su: '2021-08-11', exploit: '2021-08-20' },
  multi: { start: '2021-08-10', days: 21, su: '2021-08-11', exploit: '2021-08-20' },
  proxynotshell: { start: '2022-09-10', days: 21, su: '2022-09-11', exploit: '2022-09-22' },
  owassrf: { start: '2022-11-25', days: 21, su: '2022-11-26', exploit: '2022-12-06' },
};

/** Scenarios whose attack is a ScenarioPlan (requests, cmdlet and EWS log rows, files, expectations). */
const WAVE_PLANNERS: Partial<Record<Scenario, (i: { world: World; rng: Rng; exploitTime: number; periodStart: number; stopBefore: number }) => ScenarioPlan>> = {
  proxyshell: planProxyShell,
  proxynotshell: planProxyNotShell,
  owassrf: planOwassrf,
  multi: planMulti,
};

export function defaultDays(scenario: Scenario): number {
  return DEFAULTS[scenario].days;
}

/** Exchange's default retention for its own logs (HttpProxy, ECP, OABGenerator). */
export const RETENTION_DAYS = 30;

const LOGGING = `${V15}/Logging`;
export const FOLDERS = {
  httpProxy: `${LOGGING}/HttpProxy`,
  ecpServer: `${LOGGING}/ECP/Server`,
  oabGenerator: `${LOGGING}/OABGeneratorLog`,
  iisFrontEnd: 'inetpub/logs/LogFiles/W3SVC1',
  iisBackEnd: 'inetpub/logs/LogFiles/W3SVC2',
  httpErr: 'Windows/System32/LogFiles/HTTPERR',
} as const;
export type FamilyName = keyof typeof FOLDERS;
export const FAMILIES = Object.keys(FOLDERS) as FamilyName[];

export interface Context {
  opts: UnitOptions;
  scenario: Scenario;
  seed: number;
  scale: number;
  days: number;
  start: number;
  end: number;
  retentionStart: number;
  world: World;
  host: Host;
  cuInstalled: number;
  suStart: number | undefined;
  suEnd: number | undefined;
  buildAt: (t: number) => Build;
  plan: AttackPlan | (AttackPlan & Partial<ScenarioPlan>) | undefined;
  flood: FloodPlan | undefined;
  oabTrapAt: number;
  trafficOpts: TrafficOptions;
}

/** Validates the options and derives the context (world, build history, attack plan) from the seed. */
export function buildContext(opts: UnitOptions): Context {
  const scenario = opts.scenario;
  if (!SCENARIOS.includes(scenario)) throw new RangeError(`unknown scenario: ${String(scenario)}`);
  const d = DEFAULTS[scenario];
  const seed = opts.seed >>> 0;
  const scale = opts.scale;
  if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`scale must be a positive number, got ${scale}`);
  const days = opts.days ?? d.days;
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`days must be a positive integer, got ${days}`);
  const start = dayStart(parseDate(opts.start ?? d.start));
  const end = start + days * DAY;
  const retentionStart = Math.max(start, end - RETENTION_DAYS * DAY);

  const rng = Rng.derive(seed, 'main');
  const world = makeWorld(Rng.derive(seed, 'world'), Math.max(8, Math.round(30 * Math.sqrt(scale))));
  const host = world.host;

  // Build history: CU19 installed a week before the period, then maybe the March 2021 SU.
  const cuInstalled = start - 7 * DAY + 15 * HOUR + rng.int(HOUR);
  let suDay: number | undefined;
  if (opts.suDate !== null) {
    const wanted = opts.suDate !== undefined ? dayStart(parseDate(opts.suDate)) : dayStart(parseDate(d.su));
    if (wanted > start && wanted < end - DAY) suDay = wanted;
    else if (opts.suDate === undefined && days >= 5) suDay = start + Math.round(days * 0.8) * DAY;
  }
  const suStart = suDay !== undefined ? suDay + 17 * HOUR + rng.range(20, 50) * MINUTE + rng.int(MINUTE) : undefined;
  const suEnd = suStart !== undefined ? suStart + rng.range(70, 95) * MINUTE : undefined;
  const buildAt = (t: number): Build => (suStart !== undefined && t >= suStart ? CU19_MAR21SU : CU19);

  // The attack (the flood scenario is the same attack plus the floods).
  let plan: AttackPlan | undefined;
  let flood: FloodPlan | undefined;
  if (scenario === 'proxylogon' || scenario === 'flood') {
    const stopBefore = suStart ?? end;
    let exploitDay = dayStart(parseDate(d.exploit));
    if (exploitDay < start + 6 * DAY || exploitDay > stopBefore - 4 * DAY) exploitDay = start + Math.floor(days * 0.5) * DAY;
    if (exploitDay < start + DAY || exploitDay > stopBefore - 2 * DAY) {
      throw new RangeError(`the ${scenario} scenario needs a period of at least 8 days with the SU (if any) well after its middle`);
    }
    const arng = Rng.derive(seed, 'proxylogon');
    const exploitTime = exploitDay + arng.range(1, 20) * HOUR + arng.int(HOUR);
    plan = planProxyLogon({ world, rng: arng, exploitTime, periodStart: start, stopBefore });
    if (scenario === 'flood') flood = planFlood({ seed, plan, periodStart: start, stopBefore, ...(opts.flood ? { sizes: opts.flood } : {}) });
  }
  const wave = WAVE_PLANNERS[scenario];
  if (wave) {
    const stopBefore = end;
    let exploitDay = dayStart(parseDate(d.exploit));
    if (exploitDay < start + 3 * DAY || exploitDay > end - 8 * DAY) exploitDay = start + Math.floor(days * 0.4) * DAY;
    if (exploitDay < start + DAY || exploitDay > end - 2 * DAY) throw new RangeError(`the ${scenario} scenario needs a period of at least 10 days`);
    const arng = Rng.derive(seed, scenario);
    plan = wave({ world, rng: arng, exploitTime: exploitDay + arng.range(1, 14) * HOUR + arng.int(HOUR), periodStart: start, stopBefore });
  }

  const oabTrapAt = Math.max(retentionStart, end - 12 * DAY) + 9 * HOUR + rng.int(6 * HOUR);
  const trafficOpts: TrafficOptions = {
    world, scale, buildText: (t: number) => buildAt(t).version, oabTrapAt, ...(opts.smoothProbes ? { smoothProbes: true } : {}),
  };
  return {
    opts, scenario, seed, scale, days, start, end, retentionStart, world, host, cuInstalled, suStart, suEnd, buildAt, plan, flood,
    oabTrapAt, trafficOpts,
  };
}
