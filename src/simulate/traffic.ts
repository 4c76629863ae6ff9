import { DAY, HOUR, MINUTE, iso } from './format.js';
import { Rng } from './prng.js';
import { newReq, PROTOCOLS, type EcpEvent, type Protocol, type Req } from './request.js';
import type { World, User } from './world.js';

/** A line of the OABGenerator log. */
export interface OabLine {
  t: number;
  level: string;
  message: string;
  mark?: { kind: 'oab-write' | 'benign-trap'; note: string; value: string };
}

/** A line of HTTPERR. */
export interface HttpErrLine {
  t: number;
  clientIp: string;
  clientPort: number;
  serverPort: number;
  version: string;
  method: string;
  uri: string;
  status: string;
  siteId: string;
  reason: string;
  queue: string;
  mark?: { kind: 'scanner'; note: string; value: string };
}

export interface HourTraffic {
  reqs: Req[];
  oab: OabLine[];
  httpErr: HttpErrLine[];
}

export interface TrafficOptions {
  world: World;
  scale: number;
  /** Build number text (`15.1.2176.2`) at a time, for S:BLD and PowerShell ExchClientVer. */
  buildText: (t: number) => string;
  /** A benign OAB download failure (inside ClientAccess\OAB) is logged at this time, if set. */
  oabTrapAt?: number;
  /** Mark requests whose number grows with the scale (`Req.scaled`), for the size estimator. */
  tagScaled?: boolean;
  /** Probe schedule that grows smoothly with the scale (size runs); the default one has rounding steps. */
  smoothProbes?: boolean;
}

const PROBE_UA = 'AMProbe/Local/ClientAccess';
const OWA_PROBE_UA = 'Mozilla/4.0 (compatible; MSIE 9.0; Windows NT 6.1; MSEXCHMON; ACTIVEMONITORING; OWACTP)';
const ECP_PROBE_UA = 'Mozilla/4.0 (compatible; MSIE 9.0; Windows NT 6.1; MSEXCHMON; ACTIVEMONITORING; ECPCTP)';

/**
 * Volume at scale 1 (kept small so tests can build trees often): probes every PROBE_MINUTES in one protocol every
 * other hour, and SESSIONS_PER_PEAK_HOUR user sessions in a weekday office hour. `scale` multiplies both.
 */
const PROBE_MINUTES = 20;
const SESSIONS_PER_PEAK_HOUR = 3;

/** Relative load by hour of day (UTC; the organisation works ~07–17 UTC) and weekday. */
export function loadFactor(t: number): number {
  const d = new Date(t);
  const h = d.getUTCHours();
  const dow = d.getUTCDay();
  let w = h >= 7 && h < 17 ? 1 : h === 6 || (h >= 17 && h < 20) ? 0.35 : 0.04;
  if (h === 12) w = 0.7;
  if (dow === 0 || dow === 6) w *= 0.12;
  return w;
}

function isWorkHour(t: number): boolean {
  const d = new Date(t);
  const h = d.getUTCHours();
  const dow = d.getUTCDay();
  return dow >= 1 && dow <= 5 && h >= 7 && h < 17;
}

/** Generates one hour of benign traffic. Deterministic for (world, hourStart, rng state). */
export function benignHour(opts: TrafficOptions, hourStart: number, rng: Rng): HourTraffic {
  const { world, scale } = opts;
  const out: HourTraffic = { reqs: [], oab: [], httpErr: [] };
  const end = hourStart + HOUR;
  const push = (r: Req): void => {
    if (r.t >= hourStart && r.t < end) out.reqs.push(r);
  };
  // Requests whose number grows linearly with the scale (the size estimator's split; no effect on the output).
  const pushScaled = opts.tagScaled
    ? (r: Req): void => {
        r.scaled = true;
        push(r);
      }
    : push;

  // Managed-availability probes from the server itself, every few minutes. At scale 1 only one protocol is probed
  // in every other hour (so the default tree stays small); scale 10 probes every protocol every 2 minutes.
  const hourIndex = Math.floor(hourStart / HOUR);
  const everyHours = Math.max(1, Math.round(2 / scale));
  if (opts.smoothProbes) {
    // Size runs: every protocol, every PROBE_MINUTES / scale minutes (at least 2), without the rounding steps of
    // the default schedule — so the tree's size grows smoothly with the scale and a size target can be met.
    const spacing = Math.max(2 * MINUTE, (PROBE_MINUTES * MINUTE) / Math.min(10, scale));
    const pushProbe = scale < 10 ? pushScaled : push;
    for (const proto of PROTOCOLS) {
      for (let tick = hourStart + rng.next() * spacing; tick < end; tick += spacing) pushProbe(probe(opts, proto, Math.floor(tick) + rng.int(20_000), rng));
    }
  } else if (hourIndex % everyHours === 0) {
    const perHour = Math.min(PROTOCOLS.length, Math.max(1, Math.round(scale)));
    const spacing = Math.max(2, Math.round(PROBE_MINUTES / scale)) * MINUTE;
    for (let j = 0; j < perHour; j++) {
      const proto = PROTOCOLS[(Math.floor(hourIndex / everyHours) * perHour + j) % PROTOCOLS.length] as Protocol;
      for (let tick = hourStart + rng.int(spacing); tick < end; tick += spacing) push(probe(opts, proto, tick + rng.int(20_000), rng));
    }
  }

  // User sessions, following the office day.
  const load = loadFactor(hourStart);
  const sessions = rng.poisson(SESSIONS_PER_PEAK_HOUR * scale * load);
  for (let i = 0; i < sessions; i++) {
    const user = pickUser(world.users, rng);
    const t = hourStart + rng.int(HOUR);
    const kind = rng.weighted<string>([
      ['outlook', 0.5],
      ['mobile', user.mobile ? 0.25 : 0],
      ['owa', 0.18],
      ['rpc', 0.02],
    ]);
    if (kind === 'outlook') outlook(opts, user, t, rng).forEach(pushScaled);
    else if (kind === 'mobile') mobile(opts, user, t, rng).forEach(pushScaled);
    else if (kind === 'owa') owa(opts, user, t, rng).forEach(pushScaled);
    else rpcHttp(opts, user, t, rng).forEach(pushScaled);
  }

  // Line-of-business EWS client (a legitimate ExchangeServicesClient user agent).
  if (isWorkHour(hourStart)) {
    const n = rng.poisson(0.5 * scale);
    for (let i = 0; i < n; i++) pushScaled(crmSync(opts, hourStart + rng.int(HOUR), rng));
    if (rng.chance(0.12)) adminEcp(opts, hourStart + rng.int(HOUR - 5 * MINUTE), rng).forEach(push);
    if (rng.chance(0.06)) adminShell(opts, hourStart + rng.int(HOUR - 2 * MINUTE), rng).forEach(push);
  }
  if (rng.chance(0.04 * scale)) pushScaled(calendar(opts, hourStart + rng.int(HOUR), rng));

  // Internet background noise: crawlers and scanners that are not exploits.
  const noise = rng.poisson(0.15 * scale);
  for (let i = 0; i < noise; i++) pushScaled(internetNoise(opts, hourStart + rng.int(HOUR), rng));

  // OAB generation every 8 hours.
  const h = new Date(hourStart).getUTCHours();
  if (h % 8 === 2) out.oab.push(...oabCycle(opts, hourStart + rng.range(5, 25) * MINUTE + rng.int(MINUTE), rng));
  if (opts.oabTrapAt !== undefined && opts.oabTrapAt >= hourStart && opts.oabTrapAt < end) {
    out.oab.push(...oabTrap(opts, opts.oabTrapAt, rng));
  }

  // HTTP.sys errors: idle connections dropped, clients giving up.
  const errs = rng.poisson(0.18 * Math.max(1, scale));
  for (let i = 0; i < errs; i++) out.httpErr.push(httpErr(opts, hourStart + rng.int(HOUR), rng));

  out.reqs.sort((a, b) => a.t - b.t);
  out.oab.sort((a, b) => a.t - b.t);
  out.httpErr.sort((a, b) => a.t - b.t);
  return out;
}

function pickUser(users: readonly User[], rng: Rng): User {
  let total = 0;
  for (const u of users) total += u.weight;
  let x = rng.next() * total;
  for (const u of users) {
    x -= u.weight;
    if (x < 0) return u;
  }
  return users[users.length - 1] as User;
}

function cookieExpiry(t: number): string {
  return iso(t + 30 * DAY).slice(0, 19);
}

function probe(opts: TrafficOptions, proto: Protocol, t: number, rng: Rng): Req {
  const { world } = opts;
  const hm = rng.pick(world.health);
  const db = world.host.databases[hm.db]!;
  const local = rng.chance(0.5) ? '127.0.0.1' : '::1';
  const base = {
    t,
    proto,
    host: 'localhost',
    ip: local,
    sip: local,
    ua: PROBE_UA,
    authType: 'Negotiate',
    isAuth: true,
    user: `${world.host.netbios}\\${hm.account}`,
    iisUser: `${world.host.netbios}\\${hm.account}`,
    anchor: `Sid~${hm.sid}`,
    routingHint: 'WindowsIdentity',
    dbGuid: db.guid,
    dur: rng.lognormal(6, 0.7, 2000) + 1,
  };
  switch (proto) {
    case 'Autodiscover':
      return newReq(rng, base, { stem: '/autodiscover/autodiscover.xml', method: 'POST', reqBytes: rng.range(330, 380), respBytes: rng.range(2800, 3400) });
    case 'Eas':
      return newReq(rng, base, {
        stem: '/Microsoft-Server-ActiveSync/default.eas', method: 'POST', protocolAction: 'FolderSync',
        query: `?Cmd=FolderSync&User=${hm.account}&DeviceId=EASProbeDeviceId1&DeviceType=EASProbeDeviceType`,
        reqBytes: 13, respBytes: rng.range(380, 520),
      });
    case 'Ecp':
      return newReq(rng, base, { stem: '/ecp/', ua: ECP_PROBE_UA, respBytes: rng.range(9000, 12000) });
    case 'Ews':
      return newReq(rng, base, { stem: '/ews/', reqBytes: 0 });
    case 'Mapi': {
      const ci = rng.guid();
      return newReq(rng, base, {
        stem: '/mapi/emsmdb/', method: 'POST', ua: 'MapiHttpClient', ip: world.host.ip, sip: world.host.ip,
        host: world.host.fqdn, org: world.host.domain, anchor: `MailboxGuid~${hm.mailboxGuid}`,
        routingHint: 'MailboxGuidWithDomain', query: `?mailboxId=${hm.mailboxGuid}@${world.host.domain}`,
        clientRequestId: `R:${rng.guid()}:1;RT:Connect;CI:${ci}:1;CID:${rng.guid()}`,
        backEndCookie: `Database~${db.guid}~~${cookieExpiry(t)}`, reqBytes: rng.range(250, 400), respBytes: rng.range(280, 460),
      });
    }
    case 'Oab':
      return newReq(rng, base, { stem: `/OAB/${world.host.oabGuid}/oab.xml`, respBytes: rng.range(900, 1100) });
    case 'Owa':
      return newReq(rng, base, { stem: '/owa/', ua: OWA_PROBE_UA, protocolAction: 'GetOwaUserConfiguration', respBytes: rng.range(30000, 60000) });
    case 'OwaCalendar':
      return newReq(rng, base, {
        stem: `/owa/calendar/${hm.account}@${world.host.smtpDomain}/${rng.hex(32)}/calendar.html`,
        authType: '', isAuth: false, user: '', iisUser: '', anchor: `AnonymousPublishingUrl~${hm.account}@${world.host.smtpDomain}`,
        routingHint: 'AnonymousPublishingUrl', respBytes: rng.range(4000, 8000),
      });
    case 'PowerShell':
      return newReq(rng, base, {
        stem: '/powershell', method: 'POST', ua: 'Microsoft WinRM Client', authType: 'Kerberos',
        protocolAction: rng.pick(['New-PSSession:Receive', 'Get-Mailbox:Command', 'Test-ServiceHealth:Command']),
        query: `?clientApplication=ActiveMonitor;PSVersion=5.1.14393.4169`, anchor: `ServerVersion~Version 15.1 (Build 2176.0)`,
        routingHint: 'ExchClientVer-ServerCookie', backEndCookie: `Server~${world.host.fqdn}~${t % 1000000000}~${iso(t + 10 * MINUTE).slice(0, 19)}`,
        reqBytes: rng.range(1800, 5200), respBytes: rng.range(800, 1000),
      });
    case 'RpcHttp':
      return newReq(rng, base, {
        stem: '/rpc/rpcproxy.dll', method: 'RPC_IN_DATA', ua: 'MSRPC', authType: 'NTLM',
        query: `?${world.host.fqdn}:6001`, protocolAction: 'RPC_IN_DATA', respBytes: 0, reqBytes: rng.range(100, 300),
      });
  }
}

function userBase(opts: TrafficOptions, u: User, t: number, remote: boolean) {
  const { world } = opts;
  const db = world.host.databases[u.db]!;
  return {
    t,
    host: world.host.publicHost,
    ip: remote ? u.homeIp : u.desktopIp,
    isAuth: true,
    user: `${world.host.netbios}\\${u.sam}`,
    iisUser: `${world.host.netbios}\\${u.sam}`,
    anchor: `Smtp~${u.upn}`,
    dbGuid: db.guid,
    adGuid: u.adGuid,
    backEndCookie: `Database~${db.guid}~~${cookieExpiry(t)}`,
  };
}

function outlook(opts: TrafficOptions, u: User, t0: number, rng: Rng): Req[] {
  const remote = rng.chance(0.2);
  const b = userBase(opts, u, t0, remote);
  const out: Req[] = [];
  let t = t0;
  const ci = rng.guid();
  const reqSeq = rng.guid();
  const n = rng.range(1, 3);
  for (let i = 0; i < n; i++) {
    t += rng.range(200, 40_000);
    const nspi = rng.chance(0.15);
    out.push(newReq(rng, b, {
      t, proto: 'Mapi', stem: nspi ? '/mapi/nspi/' : '/mapi/emsmdb/', method: 'POST', ua: u.outlookUa,
      authType: 'Negotiate', org: opts.world.host.domain,
      anchor: nspi ? `DatabaseGuid~${b.dbGuid}` : `MailboxGuid~${u.mailboxGuid}`,
      routingHint: nspi ? 'DatabaseGuid' : 'MailboxGuidWithDomain', query: `?mailboxId=${u.mailboxGuid}@${opts.world.host.domain}`,
      clientRequestId: `R:${reqSeq}:${i + 1};RT:${nspi ? 'Bind' : 'Execute'};CI:${ci}:${i + 1};CID:${rng.guid()}`,
      dur: rng.lognormal(14, 0.9, 30_000) + 1, reqBytes: rng.lognormal(600, 1, 200_000), respBytes: rng.lognormal(2000, 1.2, 2_000_000),
      beUser: `${opts.world.host.netbios}\\${u.sam}`,
    }));
  }
  if (rng.chance(0.3)) {
    t += rng.range(100, 5000);
    out.push(newReq(rng, b, {
      t, proto: 'Ews', stem: '/EWS/Exchange.asmx', method: 'POST', ua: u.outlookUa, authType: 'Negotiate',
      protocolAction: rng.pick(['GetUserAvailability', 'GetUserOofSettings', 'GetUserPhoto', 'FindItem']),
      routingHint: 'WindowsIdentity', dur: rng.lognormal(40, 0.8, 60_000) + 1,
      reqBytes: rng.range(900, 3000), respBytes: rng.range(1500, 40_000),
    }));
  }
  if (rng.chance(0.15)) {
    t += rng.range(100, 5000);
    out.push(newReq(rng, b, {
      t, proto: 'Autodiscover', host: rng.chance(0.5) ? opts.world.host.autodiscoverHost : opts.world.host.publicHost,
      stem: '/autodiscover/autodiscover.xml', method: 'POST', ua: u.outlookUa, authType: 'Negotiate',
      anchor: `Sid~${u.sid}`, routingHint: 'WindowsIdentity', dur: rng.lognormal(15, 0.6, 5000) + 1,
      reqBytes: rng.range(330, 380), respBytes: rng.range(3000, 4200),
    }));
  }
  if (rng.chance(0.05)) {
    t += rng.range(100, 5000);
    out.push(newReq(rng, b, {
      t, proto: 'Oab', stem: `/OAB/${opts.world.host.oabGuid}/oab.xml`, ua: u.outlookUa, authType: 'Negotiate',
      routingHint: 'WindowsIdentity', dur: rng.lognormal(8, 0.5, 3000) + 1, respBytes: rng.range(900, 1100),
    }));
  }
  return out;
}

function mobile(opts: TrafficOptions, u: User, t0: number, rng: Rng): Req[] {
  const m = u.mobile!;
  const b = userBase(opts, u, t0, true);
  const ping = rng.chance(0.6);
  const cmd = ping ? 'Ping' : rng.pick(['Sync', 'Sync', 'FolderSync', 'ItemOperations', 'SendMail', 'GetItemEstimate']);
  const dur = ping ? rng.range(60_000, 900_000) : rng.lognormal(120, 0.9, 30_000) + 1;
  const status = rng.chance(0.02) ? 401 : 200;
  return [newReq(rng, b, {
    ip: m.ip, proto: 'Eas', stem: '/Microsoft-Server-ActiveSync/default.eas', method: 'POST', ua: m.ua,
    authType: 'Basic', isAuth: status === 200, user: status === 200 ? u.upn : '', iisUser: u.upn,
    anchor: `Sid~${u.sid}`, routingHint: 'WindowsIdentity', protocolAction: cmd, status,
    beStatus: status === 200 ? 200 : null,
    query: `?Cmd=${cmd}&User=${encodeURIComponent(u.upn)}&DeviceId=${m.deviceId}&DeviceType=${m.deviceType}`,
    dur, reqBytes: rng.range(13, 2000), respBytes: ping ? 8 : rng.lognormal(1500, 1.2, 5_000_000),
    beStem: '/Microsoft-Server-ActiveSync/Proxy/default.eas',
    errorCode: status === 401 ? 'BasicAuthFailure' : '',
  })];
}

const OWA_ACTIONS = ['GetItem', 'FindItem', 'FindConversation', 'GetConversationItems', 'CreateItem', 'UpdateItem',
  'GetOwaUserConfiguration', 'GetFolderMruConfiguration', 'GetAttachmentDataProviderItems', 'SubscribeToNotification'];

function owa(opts: TrafficOptions, u: User, t0: number, rng: Rng): Req[] {
  const { world } = opts;
  const remote = rng.chance(0.6);
  const b = userBase(opts, u, t0, remote);
  const out: Req[] = [];
  const clientId = rng.hex(32).toUpperCase();
  let t = t0;
  const owaUrl = `https://${world.host.publicHost}/owa/`;
  if (rng.chance(0.35)) {
    const anon = { ...b, isAuth: false, user: '', iisUser: '', anchor: '', dbGuid: '', adGuid: '', backEndCookie: '', beStatus: null, authType: 'FBA' };
    out.push(newReq(rng, anon, { t, proto: 'Owa', stem: '/owa/', ua: u.browserUa, status: 302, dur: rng.range(0, 3), extraInfo: 'NoCookies=302 - GET/E14AuthPost;' }));
    t += rng.range(50, 400);
    out.push(newReq(rng, anon, {
      t, proto: 'Owa', stem: '/owa/auth/logon.aspx', ua: u.browserUa, dur: rng.range(2, 15),
      query: '?url=https%3a%2f%2fmail.contoso.com%2fowa%2f&reason=0', respBytes: rng.range(9000, 11000),
    }));
    t += rng.range(4000, 20_000);
    const bad = rng.chance(0.08);
    out.push(newReq(rng, anon, {
      t, proto: 'Owa', stem: '/owa/auth.owa', method: 'POST', ua: u.browserUa, status: 302, dur: rng.range(10, 90),
      iisUser: u.upn, reqBytes: rng.range(150, 260),
      referer: `https://${world.host.publicHost}/owa/auth/logon.aspx?replaceCurrent=1&url=https%3a%2f%2f${world.host.publicHost}%2fowa%2f`,
      extraInfo: bad ? 'LogonFailed-LogonFailure;' : '',
    }));
    if (bad) return out;
    t += rng.range(50, 500);
    out.push(newReq(rng, b, {
      t, proto: 'Owa', stem: '/owa/', ua: u.browserUa, authType: 'FBA', status: 200, dur: rng.lognormal(60, 0.5, 5000),
      query: `?ClientId=${clientId}`, respBytes: rng.range(40_000, 70_000), referer: `https://${world.host.publicHost}/owa/auth/logon.aspx`,
      routingHint: 'Smtp-OwaFBA',
    }));
  }
  const n = rng.range(1, 4);
  for (let i = 0; i < n; i++) {
    t += rng.range(300, 60_000);
    const action = rng.pick(OWA_ACTIONS);
    const expired = rng.chance(0.03);
    out.push(newReq(rng, b, {
      t, proto: 'Owa', stem: '/owa/service.svc', method: 'POST', ua: u.browserUa, authType: 'FBA',
      protocolAction: action, query: `?action=${action}&app=Mail&n=${rng.range(1, 120)}`,
      clientRequestId: `${clientId}_${t}`, status: expired ? 440 : 200, beStatus: expired ? 440 : 200,
      dur: rng.lognormal(45, 0.9, 30_000) + 1, reqBytes: rng.range(200, 4000), respBytes: rng.lognormal(3000, 1.1, 3_000_000),
      referer: owaUrl, routingHint: 'Smtp-OwaFBA',
    }));
  }
  return out;
}

function rpcHttp(opts: TrafficOptions, u: User, t0: number, rng: Rng): Req[] {
  const b = userBase(opts, u, t0, false);
  const common = {
    ...b, proto: 'RpcHttp' as const, stem: '/rpc/rpcproxy.dll', ua: 'MSRPC', authType: 'NTLM',
    query: `?${opts.world.host.fqdn}:6001`, routingHint: 'RpcHttpProxyRequest', anchor: `Sid~${u.sid}`,
  };
  return [
    newReq(rng, common, { t: t0, method: 'RPC_IN_DATA', protocolAction: 'RPC_IN_DATA', dur: rng.range(500, 60_000), reqBytes: rng.range(1000, 50_000) }),
    newReq(rng, common, { t: t0 + rng.range(1, 50), method: 'RPC_OUT_DATA', protocolAction: 'RPC_OUT_DATA', dur: rng.range(500, 60_000), respBytes: rng.range(1000, 90_000) }),
  ];
}

function crmSync(opts: TrafficOptions, t: number, rng: Rng): Req {
  const { world } = opts;
  const s = world.service;
  const target = rng.pick(world.users);
  return newReq(rng, {
    t, proto: 'Ews', host: world.host.fqdn, ip: s.ip, stem: '/EWS/Exchange.asmx', method: 'POST', ua: s.ua,
    authType: 'NTLM', isAuth: true, user: `${world.host.netbios}\\${s.account}`, iisUser: `${world.host.netbios}\\${s.account}`,
    anchor: `Smtp~${target.upn}`, routingHint: 'ExchangeImpersonation', protocolAction: rng.pick(['FindItem', 'GetItem', 'SyncFolderItems']),
    dbGuid: world.host.databases[target.db]!.guid, dur: rng.lognormal(60, 0.8, 60_000) + 1,
    reqBytes: rng.range(1200, 2500), respBytes: rng.lognormal(8000, 1, 2_000_000),
  });
}

function calendar(opts: TrafficOptions, t: number, rng: Rng): Req {
  const { world } = opts;
  const u = rng.pick(world.users);
  return newReq(rng, {
    t, proto: 'OwaCalendar', host: world.host.publicHost, ip: `192.0.2.${rng.range(200, 230)}`,
    stem: `/owa/calendar/${u.mailboxGuid.replace(/-/g, '')}@${world.host.smtpDomain}/${rng.hex(20)}/calendar.ics`,
    ua: 'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.13530; Pro)', anchor: `AnonymousPublishingUrl~${u.upn}`,
    routingHint: 'AnonymousPublishingUrl', dbGuid: world.host.databases[u.db]!.guid, dur: rng.lognormal(90, 0.6, 20_000) + 1,
    respBytes: rng.range(5000, 90_000),
  });
}

function adminEcp(opts: TrafficOptions, t0: number, rng: Rng): Req[] {
  const { world } = opts;
  const a = world.admin;
  const b = { ...userBase(opts, a, t0, false), ip: a.desktopIp, authType: 'FBA' };
  const canary = rng.alnum(64, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');
  const out: Req[] = [];
  let t = t0;
  out.push(newReq(rng, b, { t, proto: 'Ecp', stem: '/ecp/', ua: a.browserUa, dur: rng.lognormal(120, 0.4), respBytes: rng.range(20_000, 40_000), routingHint: 'Smtp-EcpFBA' }));
  const actions: readonly (readonly [string, string, string])[] = [
    ['GetList', 'Mailboxes', 'Get-Mailbox'],
    ['GetList', 'DistributionGroup', 'Get-DistributionGroup'],
    ['GetObject', 'MailboxPropertiesMaster', 'Get-Mailbox'],
    ['GetList', 'ReceiveConnectors', 'Get-ReceiveConnector'],
    ['GetList', 'MessageTrace', 'Get-MessageTrackingLog'],
    ['GetObject', 'OWAVirtualDirectory', 'Get-OwaVirtualDirectory'],
    ['GetList', 'DatabaseCopyStatus', 'Get-MailboxDatabaseCopyStatus'],
  ];
  const n = rng.range(1, 4);
  for (let i = 0; i < n; i++) {
    t += rng.range(2000, 60_000);
    const [method, schema, cmd] = rng.pick(actions);
    const url = `/ecp/DDI/DDIService.svc/${method}?schema=${schema}&msExchEcpCanary=${canary}`;
    const r = newReq(rng, b, {
      t, proto: 'Ecp', stem: `/ecp/DDI/DDIService.svc/${method}`, method: 'POST', ua: a.browserUa, protocolAction: method,
      query: `?schema=${schema}&msExchEcpCanary=${canary}`, dur: rng.lognormal(300, 0.7, 20_000) + 1,
      reqBytes: rng.range(100, 900), respBytes: rng.range(600, 60_000), routingHint: 'Smtp-EcpFBA',
      referer: `https://${world.host.publicHost}/ecp/`,
    });
    const ev: EcpEvent = {
      t: t - rng.range(5, 40), sid: a.sid,
      cmd: schema === 'OWAVirtualDirectory' ? `${cmd}.Identity='${world.host.name}\\owa (Default Web Site)'` : `${cmd}.ResultSize='500'`,
      url, ex: '',
    };
    r.ecp = [ev];
    out.push(r);
  }
  return out;
}

function adminShell(opts: TrafficOptions, t0: number, rng: Rng): Req[] {
  const { world } = opts;
  const a = world.admin;
  const out: Req[] = [];
  const n = rng.range(2, 5);
  let t = t0;
  for (let i = 0; i < n; i++) {
    t += rng.range(100, 20_000);
    out.push(newReq(rng, {
      t, proto: 'PowerShell', host: world.host.fqdn, ip: a.desktopIp, stem: '/powershell', method: 'POST',
      ua: 'Microsoft WinRM Client', authType: 'Kerberos', isAuth: true, user: `${world.host.netbios}\\${a.sam}`,
      iisUser: `${world.host.netbios}\\${a.sam}`, anchor: `ServerVersion~Version 15.1 (Build 2176.0)`,
      routingHint: 'ExchClientVer-ServerCookie',
      protocolAction: i === 0 ? 'New-PSSession:Receive' : rng.pick(['Get-Mailbox:Command', 'Get-MessageTrackingLog:Command', 'Get-Queue:Command', 'Get-ExchangeServer:Command']),
      query: `?serializationLevel=Full;ExchClientVer=${opts.buildText(t)};clientApplication=ManagementShell;TargetServer=;PSVersion=5.1.14393.4169`,
      dur: rng.lognormal(80, 0.9, 120_000) + 1, reqBytes: rng.range(2000, 9000), respBytes: rng.range(900, 60_000),
    }));
  }
  return out;
}

const NOISE_UAS = ['Mozilla/5.0 zgrab/0.x', 'Mozilla/5.0 (compatible; CensysInspect/1.1; +https://about.censys.io/)',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/79.0.3945.88 Safari/537.36',
  'python-requests/2.22.0', 'Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.1; Trident/6.0)'];

function internetNoise(opts: TrafficOptions, t: number, rng: Rng): Req {
  const { world } = opts;
  const ip = `192.0.2.${rng.range(200, 254)}`;
  const ua = rng.pick(NOISE_UAS);
  const host = rng.chance(0.5) ? world.host.publicHost : '192.0.2.10';
  const which = rng.int(5);
  switch (which) {
    case 0:
      return newReq(rng, { t, ip, ua, host, stem: '/', proto: null, beStatus: null, dur: rng.range(0, 5), respBytes: 703 });
    case 1:
      return newReq(rng, { t, ip, ua, host, proto: 'Owa', stem: '/owa/auth/logon.aspx', authType: 'FBA', beStatus: null, dur: rng.range(2, 15), respBytes: rng.range(9000, 11000) });
    case 2:
      return newReq(rng, {
        t, ip, ua, host, proto: 'Ecp', stem: '/ecp/Current/exporttool/microsoft.exchange.ediscovery.exporttool.application',
        authType: 'FBA', anchor: 'ServerVersion~Version 15.0 (Build 0.0)', routingHint: 'EDiscoveryExportTool-ServerVersion',
        dur: rng.range(10, 40), respBytes: 10112, extraInfo: 'Krb=UA;CT=An;',
      });
    case 3:
      return newReq(rng, {
        t, ip, ua, host, proto: 'Autodiscover', stem: '/autodiscover/autodiscover.xml', method: 'POST', status: 401, beStatus: null,
        authType: 'Basic', errorCode: 'BasicAuthFailure', dur: rng.range(5, 300), reqBytes: rng.range(300, 400),
        iisUser: `${rng.pick(world.users).sam}@${world.host.smtpDomain}`,
      });
    default:
      return newReq(rng, { t, ip, ua, host, proto: 'RpcHttp', stem: '/rpc/', status: 401, beStatus: null, authType: 'NTLM', dur: rng.range(0, 4) });
  }
}

const OAB_PATH = 'ClientAccess\\OAB\\';

function oabCycle(opts: TrafficOptions, t: number, rng: Rng): OabLine[] {
  const { world } = opts;
  const oab = 'Default Offline Address Book';
  const entries = world.users.length + world.health.length + rng.range(5, 12);
  const ms = rng.range(1800, 9000);
  return [
    { t, level: 'Information', message: `OABGeneratorAssistant: starting generation of OAB '\\${oab}' (${world.host.oabGuid}), type Full.` },
    { t: t + rng.range(100, 600), level: 'Information', message: `Processing address list '\\Default Global Address List': ${entries} entries.` },
    { t: t + ms, level: 'Information', message: `OAB '\\${oab}' generated in ${ms} ms; ${rng.range(4, 9)} files uploaded to arbitration mailbox SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}.` },
    { t: t + ms + rng.range(200, 2000), level: 'Information', message: `Download of OAB files to '${world.host.installPath}${OAB_PATH}${world.host.oabGuid}' completed, 0 files failed.` },
  ];
}

/** A legitimate failed OAB download: the same phrase as CVE-2021-26858, with a path inside ClientAccess\OAB. */
function oabTrap(opts: TrafficOptions, t: number, rng: Rng): OabLine[] {
  const { world } = opts;
  const path = `${world.host.installPath}${OAB_PATH}${world.host.oabGuid}\\${rng.guid()}-data-${rng.range(1, 9)}.lzx`;
  const phrase = `Download failed and temporary file '${path}' needs to be removed`;
  return [
    { t, level: 'Warning', message: `${phrase}. Error: The remote server returned an error: (503) Server Unavailable.`,
      mark: { kind: 'benign-trap', note: 'legitimate failed OAB download inside ClientAccess\\OAB (same phrase as CVE-2021-26858)', value: phrase } },
  ];
}

function httpErr(opts: TrafficOptions, t: number, rng: Rng): HttpErrLine {
  const { world } = opts;
  const cancelled = rng.chance(0.25);
  const u = rng.pick(world.users);
  return {
    t,
    clientIp: cancelled ? (u.mobile?.ip ?? u.homeIp) : rng.chance(0.5) ? u.homeIp : u.desktopIp,
    clientPort: rng.range(49152, 65535),
    serverPort: 443,
    version: cancelled ? 'HTTP/1.1' : '-',
    method: cancelled ? 'POST' : '-',
    uri: cancelled ? '/Microsoft-Server-ActiveSync/default.eas?Cmd=Ping' : '-',
    status: '-',
    siteId: cancelled ? '1' : '-',
    reason: cancelled ? 'Request_Cancelled' : 'Timer_ConnectionIdle',
    queue: cancelled ? 'MSExchangeSyncAppPool' : '-',
  };
}
