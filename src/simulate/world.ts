import { Rng } from './prng.js';

/** The simulated server and its organisation. Every value is invented. */
export interface Host {
  name: string;
  fqdn: string;
  netbios: string;
  domain: string;
  smtpDomain: string;
  publicHost: string;
  autodiscoverHost: string;
  ip: string;
  installPath: string;
  domainSid: string;
  databases: { name: string; guid: string }[];
  oabGuid: string;
  oabVdirGuid: string;
}

export interface Build {
  /** `15.1.2176.2` */
  version: string;
  label: string;
  major: number;
  minor: number;
  build: number;
  revision: number;
}

export function makeBuild(version: string, label: string): Build {
  const [major, minor, build, revision] = version.split('.').map(Number) as [number, number, number, number];
  return { version, label, major, minor, build, revision };
}

export const CU19 = makeBuild('15.1.2176.2', 'Exchange Server 2016 CU19');
export const CU19_MAR21SU = makeBuild('15.1.2176.9', 'Exchange Server 2016 CU19 Mar21SU');

/** `#Version:` header form: `15.01.2176.009`. */
export function headerVersion(b: Build): string {
  return `${b.major}.${pad(b.minor, 2)}.${pad(b.build, 4)}.${pad(b.revision, 3)}`;
}

/**
 * TargetServerVersion as real HttpProxy rows show it: the back end's build with revision `000`
 * (`15.01.2375.000` on a 15.1.2375.7 server, `15.02.0659.000` on 15.2.659.4 in the corpus).
 */
export function targetServerVersion(b: Build): string {
  return `${b.major}.${pad(b.minor, 2)}.${pad(b.build, 4)}.000`;
}

/**
 * The `FEAuth=BEVersion-<n>` number: 0x70008000 + major<<22 + minor<<16 + build (reproduces both corpus values:
 * 1942063431 for 15.1.2375, 1942127251 for 15.2.659).
 */
export function beVersionNumber(b: Build): number {
  return 0x70008000 + b.major * 4194304 + b.minor * 65536 + b.build;
}

function pad(n: number, w: number): string {
  return String(n).padStart(w, '0');
}

export interface User {
  first: string;
  last: string;
  sam: string;
  upn: string;
  sid: string;
  mailboxGuid: string;
  adGuid: string;
  db: number;
  desktopIp: string;
  homeIp: string;
  outlookUa: string;
  browserUa: string;
  mobile: { ua: string; deviceId: string; deviceType: string; ip: string } | null;
  /** Relative activity. */
  weight: number;
  isAdmin: boolean;
}

export interface HealthMailbox {
  account: string;
  sid: string;
  mailboxGuid: string;
  db: number;
}

export interface World {
  host: Host;
  users: User[];
  admin: User;
  health: HealthMailbox[];
  service: { account: string; sid: string; ip: string; ua: string; upn: string };
}

const FIRST = ['Anna', 'Ben', 'Carla', 'David', 'Elena', 'Farid', 'Greta', 'Hugo', 'Ines', 'Jonas', 'Kira', 'Lars', 'Maja',
  'Nils', 'Olga', 'Paul', 'Rosa', 'Sven', 'Tara', 'Umar', 'Vera', 'Willem', 'Yuki', 'Zoe', 'Amir', 'Bianca', 'Chen', 'Dora',
  'Emil', 'Frida', 'Gustav', 'Hanna', 'Ivan', 'Julia', 'Kai', 'Lena', 'Marco', 'Nora', 'Oskar', 'Priya'];
const LAST = ['Berg', 'Costa', 'Dahl', 'Eriksen', 'Fischer', 'Garcia', 'Holm', 'Ito', 'Jansen', 'Keller', 'Lind', 'Moreau',
  'Novak', 'Olsen', 'Petrov', 'Quinn', 'Rossi', 'Sato', 'Toivonen', 'Ueda', 'Vogel', 'Weber', 'Yilmaz', 'Zimmer', 'Amato',
  'Brandt', 'Castro', 'Dubois', 'Engel', 'Fontaine'];

const OUTLOOK_BUILDS = ['16.0.13127', '16.0.13231', '16.0.13328', '16.0.13530', '16.0.13628'];
const BROWSERS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/87.0.4280.141 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/88.0.4324.150 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/88.0.4324.150 Safari/537.36 Edg/88.0.705.63',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:85.0) Gecko/20100101 Firefox/85.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/14.0.2 Safari/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko',
];
const MOBILES: readonly (readonly [string, string])[] = [
  ['Apple-iPhone12C1/1804.231', 'iPhone'],
  ['Apple-iPhone11C8/1803.57', 'iPhone'],
  ['Apple-iPad8C1/1804.231', 'iPad'],
  ['Outlook-iOS-Android/1.0', 'Outlook'],
  ['Android-Mail/2021.01.03.349783125.Release', 'Android'],
  ['SAMSUNG-SM-G991B/101.10001', 'SAMSUNGSMG991B'],
];

function randomSidPart(rng: Rng): number {
  return rng.range(100_000_000, 4_000_000_000);
}

export function makeWorld(rng: Rng, userCount: number): World {
  const domainSid = `S-1-5-21-${randomSidPart(rng)}-${randomSidPart(rng)}-${randomSidPart(rng)}`;
  const host: Host = {
    name: 'EXCH01',
    fqdn: 'EXCH01.contoso.local',
    netbios: 'CONTOSO',
    domain: 'contoso.local',
    smtpDomain: 'contoso.com',
    publicHost: 'mail.contoso.com',
    autodiscoverHost: 'autodiscover.contoso.com',
    ip: '10.0.1.25',
    installPath: 'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\',
    domainSid,
    databases: [
      { name: 'DB01', guid: rng.guid() },
      { name: 'DB02', guid: rng.guid() },
    ],
    oabGuid: rng.guid(),
    oabVdirGuid: rng.guid(),
  };
  const used = new Set<string>();
  const users: User[] = [];
  let rid = 1105;
  for (let i = 0; i < userCount; i++) {
    let first = '';
    let last = '';
    do {
      first = rng.pick(FIRST);
      last = rng.pick(LAST);
    } while (used.has(first + last) && used.size < FIRST.length * LAST.length);
    used.add(first + last);
    const hasMobile = rng.chance(0.7);
    const [mobileUa, deviceType] = rng.pick(MOBILES);
    users.push({
      first,
      last,
      sam: `${first[0]}${last}`.toLowerCase(),
      upn: `${first}.${last}@${host.smtpDomain}`.toLowerCase(),
      sid: `${domainSid}-${rid++}`,
      mailboxGuid: rng.guid(),
      adGuid: rng.guid(),
      db: rng.int(host.databases.length),
      desktopIp: `10.0.${rng.range(20, 23)}.${rng.range(10, 250)}`,
      homeIp: rng.chance(0.5) ? `192.0.2.${rng.range(10, 199)}` : `100.${rng.range(64, 127)}.${rng.range(0, 255)}.${rng.range(1, 254)}`,
      outlookUa: `Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook ${rng.pick(OUTLOOK_BUILDS)}; Pro)`,
      browserUa: rng.pick(BROWSERS),
      mobile: hasMobile
        ? { ua: mobileUa, deviceType, deviceId: rng.hex(32).toUpperCase(), ip: `100.${rng.range(64, 127)}.${rng.range(0, 255)}.${rng.range(1, 254)}` }
        : null,
      weight: 0.3 + rng.next() * 1.7,
      isAdmin: false,
    });
  }
  const admin: User = {
    ...(users[0] as User),
    first: 'Exchange',
    last: 'Admin',
    sam: 'exadmin',
    upn: `exadmin@${host.smtpDomain}`,
    sid: `${domainSid}-1104`,
    mailboxGuid: rng.guid(),
    adGuid: rng.guid(),
    desktopIp: '10.0.5.12',
    mobile: null,
    weight: 0.5,
    isAdmin: true,
  };
  const health: HealthMailbox[] = [];
  for (let i = 0; i < 3; i++) {
    health.push({
      account: `HealthMailbox${rng.hex(32)}`,
      sid: `${domainSid}-${1140 + i}`,
      mailboxGuid: rng.guid(),
      db: i % host.databases.length,
    });
  }
  const service = {
    account: 'svc-crmsync',
    upn: `svc-crmsync@${host.smtpDomain}`,
    sid: `${domainSid}-1160`,
    ip: '10.0.5.40',
    ua: 'ExchangeServicesClient/15.00.0913.015',
  };
  return { host, users, admin, health, service };
}
