import type { LogKind } from '../readers/types.js';
import { sniffLog } from '../readers/index.js';
import { xmlLib } from '../lazy-deps.js';
import { EvidenceSource, type EntryInfo } from './source.js';
import { findWebRoots } from '../detect/files/web-roots.js';
import type { WebRoot } from '../detect/files/walk.js';

/** What a discovered file is read as: a text log kind, or a Windows event log. */
export type HuntKind = LogKind | 'evtx';

/** One log file the scan will read. */
export interface LogFileRef {
  rel: string;
  kind: HuntKind;
  /** Coverage group: files of one log that together form a timeline (`HttpProxy/Ecp`, `IIS/W3SVC1`). */
  group: string;
  size: number;
  mtimeMs: number;
  /** Found by its folder, not by its content: the reader checks the content first. */
  verify?: boolean;
}

export interface DiscoveryProblem {
  path: string;
  reason: string;
}

export interface Discovery {
  layout: 'system-drive' | 'exchange-folder' | 'log-folder' | 'single-file';
  /** Exchange install folder relative to the evidence root (`Program Files/Microsoft/Exchange Server/V15`). */
  installRel?: string;
  /** The install path as Windows wrote it, with trailing backslash (for OAB path checks). */
  installPath?: string;
  installPathAssumed: boolean;
  iisLogDirs: string[];
  logs: LogFileRef[];
  /** Folders whose files are inventoried for suspicious artefacts (lsass dumps, archives). */
  inventoryRoots: Array<{ rel: string; windowsPrefix: string }>;
  /** Web folders scanned for web shells (src/detect/files/web-roots.ts). */
  webRoots: WebRoot[];
  problems: DiscoveryProblem[];
  /** Source groups that were looked for and not found (reported in coverage). */
  missing: string[];
  /** SOFTWARE registry hive and IIS config files (build from the registry; mitigation verification). */
  configFiles: { softwareHive?: string; appHost?: string; webConfigs: string[] };
}

export const DEFAULT_INSTALL = 'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\';
const HTTPPROXY_PROTOCOLS = ['Autodiscover', 'Eas', 'Ecp', 'Ews', 'Mapi', 'Oab', 'Owa', 'OwaCalendar', 'PowerShell', 'RpcHttp'];
const LOG_NAME = /\.(log|txt|csv)$/i;

export interface DiscoverOptions {
  /** Bound on files looked at when walking a bare folder of logs. */
  maxFiles?: number;
}

export async function discover(src: EvidenceSource, opts: DiscoverOptions = {}): Promise<Discovery> {
  const d: Discovery = {
    layout: 'log-folder',
    installPathAssumed: false,
    iisLogDirs: [],
    logs: [],
    inventoryRoots: [],
    webRoots: [],
    problems: [],
    missing: [],
    configFiles: { webConfigs: [] },
  };
  if (src.kind === 'file') {
    d.layout = 'single-file';
    await addSniffed(src, d, { rel: src.fileName, name: src.fileName, type: 'file', size: 0, mtimeMs: 0, birthtimeMs: 0 }, '');
    const info = await src.info('');
    if (info && d.logs[0]) {
      d.logs[0].size = info.size;
      d.logs[0].mtimeMs = info.mtimeMs;
      d.logs[0].rel = '';
    }
    return d;
  }

  const windowsDir = await src.resolve('Windows');
  const appHostRel = await src.resolve('Windows/System32/inetsrv/config/applicationHost.config');
  const appHost = appHostRel ? await readAppHost(src, appHostRel, d) : undefined;

  // Exchange install: the default place, the path IIS maps the front end to, or a folder that looks like one.
  let installRel = (await src.resolve('Program Files/Microsoft/Exchange Server/V15')) ?? undefined;
  if (installRel) d.installPath = DEFAULT_INSTALL;
  if (!installRel && appHost?.exchangeInstall) {
    const rel = await src.resolve(stripDrive(appHost.exchangeInstall));
    if (rel) {
      installRel = rel;
      d.installPath = ensureBackslash(appHost.exchangeInstall);
    }
  }
  if (!installRel && (await looksLikeInstall(src, ''))) installRel = '';
  if (!installRel) installRel = await findInstall(src);
  if (installRel !== undefined) {
    d.installRel = installRel;
    if (!d.installPath) {
      // A copied folder does not tell where Exchange was installed: assume the default and say so.
      d.installPath = windowsDir && installRel ? `C:\\${installRel.split('/').join('\\')}\\` : DEFAULT_INSTALL;
      d.installPathAssumed = !windowsDir || !installRel;
    }
  }

  if (windowsDir || (await src.resolve('inetpub'))) d.layout = 'system-drive';
  else if (installRel !== undefined) d.layout = 'exchange-folder';

  if (installRel !== undefined) await addExchangeLogs(src, installRel, d);

  // IIS logs: per-site folders from applicationHost.config, else the default place.
  const iisBases = new Set<string>();
  for (const dir of appHost?.logDirs ?? []) {
    const rel = await src.resolve(stripDrive(dir));
    if (rel !== null) iisBases.add(rel);
  }
  const def = await src.resolve('inetpub/logs/LogFiles');
  if (def !== null) iisBases.add(def);
  for (const base of iisBases) {
    for (const e of (await src.list(base)) ?? []) {
      if (e.type === 'dir' && /^W3SVC\d+$/i.test(e.name)) {
        d.iisLogDirs.push(e.rel);
        await addFolder(src, d, e.rel, 'iis-w3c', `IIS/${e.name.toUpperCase()}`);
      }
    }
  }
  const httperr = await src.resolve('Windows/System32/LogFiles/HTTPERR');
  if (httperr !== null) await addFolder(src, d, httperr, 'httperr', 'HTTPERR');
  const winevt = await src.resolve('Windows/System32/winevt/Logs');
  if (winevt !== null) {
    for (const e of (await src.list(winevt)) ?? []) if (e.type === 'file') addEvtx(d, e);
  } else if (windowsDir) d.missing.push('Windows event logs (winevt\\Logs)');

  if (d.layout === 'system-drive') {
    if (!d.iisLogDirs.length) d.missing.push('IIS/W3SVC*');
    if (installRel === undefined) d.missing.push('Exchange install (Program Files\\Microsoft\\Exchange Server\\V15)');
    for (const [rel, win] of [
      ['root', 'C:\\root'],
      ['Windows/Temp', 'C:\\Windows\\Temp'],
      ['ProgramData', 'C:\\ProgramData'],
    ] as const) {
      const r = await src.resolve(rel);
      if (r !== null) d.inventoryRoots.push({ rel: r, windowsPrefix: win });
    }
  }
  await addConfigFiles(src, d, appHostRel, installRel);
  d.webRoots = await findWebRoots(src, { installRel, installPath: d.installPath, vdirPaths: appHost?.vdirPaths ?? [], bareFolder: d.layout === 'log-folder' });

  if (d.layout === 'log-folder') {
    // No known layout: sniff every text file, bounded.
    let n = 0;
    const max = opts.maxFiles ?? 200_000;
    for await (const e of src.walk('', { maxDepth: 16, onSkip: (p, r) => d.problems.push({ path: p, reason: r }) })) {
      if (++n > max) {
        d.problems.push({ path: '', reason: `stopped sniffing after ${max} files` });
        break;
      }
      await addSniffed(src, d, e, EvidenceSource.parent(e.rel));
    }
  }
  return d;
}

const EVTX_MAGIC = Buffer.from('ElfFile\0', 'latin1');

/** An event log, by name; its header is checked when it is read (a bad one is reported then). */
function addEvtx(d: Discovery, e: EntryInfo): void {
  if (!/\.evtx$/i.test(e.name)) return;
  if (e.size === 0) {
    d.problems.push({ path: e.rel, reason: 'empty file' });
    return;
  }
  // Archive-Application-2021-03-03-….evtx belongs with Application.evtx.
  const channel = e.name.replace(/\.evtx$/i, '').replace(/^Archive-(.+?)-\d{4}-\d{2}-\d{2}-.*$/i, '$1').replace(/%4/g, '/');
  d.logs.push({ rel: e.rel, kind: 'evtx', group: `EventLog/${channel}`, size: e.size, mtimeMs: e.mtimeMs });
}

async function addSniffed(src: EvidenceSource, d: Discovery, e: EntryInfo, dirHint: string): Promise<void> {
  if (/\.evtx$/i.test(e.name)) {
    let head: Uint8Array = new Uint8Array();
    try {
      head = await src.head(e.rel === src.fileName && src.kind === 'file' ? '' : e.rel, 8);
    } catch (err) {
      d.problems.push({ path: e.rel, reason: `cannot read: ${(err as Error).message}` });
      return;
    }
    if (Buffer.from(head).equals(EVTX_MAGIC)) addEvtx(d, e);
    else d.problems.push({ path: e.rel, reason: 'named .evtx but not an event log (no ElfFile header)' });
    return;
  }
  let head: Uint8Array;
  try {
    head = await src.head(e.rel === src.fileName && src.kind === 'file' ? '' : e.rel);
  } catch (err) {
    d.problems.push({ path: e.rel, reason: `cannot read: ${(err as Error).message}` });
    return;
  }
  if (!head.length) {
    if (LOG_NAME.test(e.name)) d.problems.push({ path: e.rel, reason: 'empty file' });
    return;
  }
  const kind = sniffLog(head, e.name, dirHint);
  // Plain text is only a log when it is named like one (a README is not evidence).
  if (kind === 'text' && !LOG_NAME.test(e.name)) return;
  if (!kind) {
    if (LOG_NAME.test(e.name)) d.problems.push({ path: e.rel, reason: 'not a recognised log format (binary or unknown text)' });
    return;
  }
  d.logs.push({ rel: e.rel, kind, group: groupFor(kind, dirHint), size: e.size, mtimeMs: e.mtimeMs });
}

function groupFor(kind: HuntKind, dirHint: string): string {
  const parts = dirHint.split('/').filter(Boolean);
  const last = parts[parts.length - 1] ?? '(top)';
  switch (kind) {
    case 'httpproxy':
    case 'tpl-export':
      return `HttpProxy/${HTTPPROXY_PROTOCOLS.find((p) => p.toLowerCase() === last.toLowerCase()) ?? last}`;
    case 'iis-w3c':
      return /^W3SVC\d+$/i.test(last) ? `IIS/${last.toUpperCase()}` : `IIS/${last}`;
    case 'httperr':
      return 'HTTPERR';
    case 'ecp-server':
      return 'ECP/Server';
    case 'oabgenerator':
      return 'OABGeneratorLog';
    case 'ews':
      return 'Ews';
    case 'rps-cmdlet': {
      // …\CmdletInfra\Powershell-Proxy\Cmdlet → CmdletInfra/Powershell-Proxy, as discovery names it.
      const i = parts.map((p) => p.toLowerCase()).lastIndexOf('cmdletinfra');
      return i >= 0 && parts[i + 1] ? `CmdletInfra/${parts[i + 1]}` : 'CmdletInfra';
    }
    default:
      return `${kind}/${last}`;
  }
}

async function addExchangeLogs(src: EvidenceSource, installRel: string, d: Discovery): Promise<void> {
  const join = (p: string) => (installRel ? `${installRel}/${p}` : p);
  const logging = await src.resolve(join('Logging'));
  if (logging === null) {
    d.missing.push('Exchange Logging folder');
    return;
  }
  const hp = await src.resolve(`${logging}/HttpProxy`);
  if (hp === null) d.missing.push('HttpProxy logs');
  else {
    for (const e of (await src.list(hp)) ?? []) {
      if (e.type !== 'dir') continue;
      const proto = HTTPPROXY_PROTOCOLS.find((p) => p.toLowerCase() === e.name.toLowerCase()) ?? e.name;
      await addFolder(src, d, e.rel, 'httpproxy', `HttpProxy/${proto}`);
    }
  }
  const ecp = await src.resolve(`${logging}/ECP/Server`);
  if (ecp === null) d.missing.push('ECP/Server logs');
  else await addFolder(src, d, ecp, 'ecp-server', 'ECP/Server');
  const oab = await src.resolve(`${logging}/OABGeneratorLog`);
  if (oab === null) d.missing.push('OABGeneratorLog');
  else await addFolder(src, d, oab, 'oabgenerator', 'OABGeneratorLog', true);
  // EWS and Remote PowerShell cmdlet logs: what an attacker's identity read and ran. Optional (older
  // builds and trimmed collections lack them), so their absence is not reported as missing.
  const ews = await src.resolve(`${logging}/Ews`);
  if (ews !== null) await addFolder(src, d, ews, 'ews', 'Ews');
  const cmdletInfra = await src.resolve(`${logging}/CmdletInfra`);
  if (cmdletInfra !== null) {
    // CmdletInfra\<Powershell-Proxy|LocalPowerShell|...>\Cmdlet holds the cmdlet logs; sibling folders
    // (Http, ...) hold other formats.
    for (const e of (await src.list(cmdletInfra)) ?? []) {
      if (e.type !== 'dir') continue;
      const cmdlet = await src.resolve(`${e.rel}/Cmdlet`);
      if (cmdlet !== null) await addFolder(src, d, cmdlet, 'rps-cmdlet', `CmdletInfra/${e.name}`);
    }
  }
}

/** Add every log file of a folder as `kind`, after checking its head really is text of that family. */
async function addFolder(src: EvidenceSource, d: Discovery, rel: string, kind: LogKind, group: string, recursive = false): Promise<void> {
  const entries: EntryInfo[] = [];
  if (recursive) for await (const e of src.walk(rel, { maxDepth: 4, onSkip: (p, r) => d.problems.push({ path: p, reason: r }) })) entries.push(e);
  else {
    for (const e of (await src.list(rel)) ?? []) {
      if (e.type === 'file') entries.push(e);
      else if (e.type === 'other' && LOG_NAME.test(e.name)) d.problems.push({ path: e.rel, reason: 'symlink, junction or special file (not followed)' });
    }
    // Its files are in d.logs now: the listing (~200 bytes a file) need not live through the scan.
    src.forget(rel);
  }
  for (const e of entries) {
    if (!LOG_NAME.test(e.name)) continue;
    if (e.size === 0) {
      d.problems.push({ path: e.rel, reason: 'empty file' });
      continue;
    }
    // The folder says what the log is; the worker that reads it checks the content (binary files are
    // reported, a Test-ProxyLogon export dropped in is read as one) — in parallel, not here.
    d.logs.push({ rel: e.rel, kind, group, size: e.size, mtimeMs: e.mtimeMs, verify: true });
  }
}

async function looksLikeInstall(src: EvidenceSource, rel: string): Promise<boolean> {
  const p = (x: string) => (rel ? `${rel}/${x}` : x);
  return (await src.resolve(p('Logging/HttpProxy'))) !== null || (await src.resolve(p('Bin/ExSetup.exe'))) !== null;
}

/** Bounded breadth-first search for an Exchange install folder ("or wherever it is"). */
async function findInstall(src: EvidenceSource): Promise<string | undefined> {
  let frontier = [''];
  for (let depth = 0; depth < 5 && frontier.length; depth++) {
    const next: string[] = [];
    for (const dir of frontier) {
      for (const e of (await src.list(dir)) ?? []) {
        if (e.type !== 'dir') continue;
        if (/^(windows|users|\$recycle\.bin|system volume information|inetpub)$/i.test(e.name) && depth === 0) continue;
        if (await looksLikeInstall(src, e.rel)) return e.rel;
        if (next.length < 2000) next.push(e.rel);
      }
    }
    frontier = next;
  }
  return undefined;
}

interface AppHostFacts {
  logDirs: string[];
  /** Physical paths of every virtual directory (web-shell scan roots). */
  vdirPaths: string[];
  exchangeInstall?: string;
}

/** applicationHost.config: IIS log folders per site and where the Exchange front end lives. */
async function readAppHost(src: EvidenceSource, rel: string, d: Discovery): Promise<AppHostFacts | undefined> {
  const facts: AppHostFacts = { logDirs: [], vdirPaths: [] };
  let text: string;
  try {
    const head = await src.head(rel, 8 * 1024 * 1024);
    text = Buffer.from(head).toString('utf8');
  } catch (err) {
    d.problems.push({ path: rel, reason: `cannot read: ${(err as Error).message}` });
    return undefined;
  }
  let doc: unknown;
  try {
    doc = new (xmlLib().XMLParser)({ ignoreAttributes: false, attributeNamePrefix: '@', processEntities: false }).parse(text);
  } catch (err) {
    d.problems.push({ path: rel, reason: `not valid XML: ${(err as Error).message}` });
    return undefined;
  }
  const visit = (node: unknown, key: string, depth: number): void => {
    if (depth > 40 || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const n of node) visit(n, key, depth + 1);
      return;
    }
    const o = node as Record<string, unknown>;
    if (key === 'logFile' && typeof o['@directory'] === 'string') facts.logDirs.push(expandEnv(o['@directory']));
    // Paths are short; an attribute of megabytes is not a path (and would cost the regex time).
    if (key === 'virtualDirectory' && typeof o['@physicalPath'] === 'string' && o['@physicalPath'].length < 1024) {
      const m = /^(.*?\\Exchange Server\\V1[45])\\/i.exec(expandEnv(o['@physicalPath']));
      if (m && !facts.exchangeInstall) facts.exchangeInstall = m[1]!;
      if (facts.vdirPaths.length < 500) facts.vdirPaths.push(expandEnv(o['@physicalPath']));
    }
    for (const [k, v] of Object.entries(o)) if (!k.startsWith('@')) visit(v, k, depth + 1);
  };
  visit(doc, '', 0);
  return facts;
}

function expandEnv(p: string): string {
  return p
    .replace(/%SystemDrive%/gi, 'C:')
    .replace(/%windir%|%SystemRoot%/gi, 'C:\\Windows')
    .replace(/%ExchangeInstallDir%/gi, DEFAULT_INSTALL.slice(0, -1));
}

function stripDrive(p: string): string {
  return p.replace(/^[a-z]:[\\/]?/i, '');
}

function ensureBackslash(p: string): string {
  return p.endsWith('\\') ? p : `${p}\\`;
}

/** The SOFTWARE hive, applicationHost.config, the site's web.config and each HttpProxy virtual directory's web.config. */
async function addConfigFiles(src: EvidenceSource, d: Discovery, appHostRel: string | null, installRel: string | undefined): Promise<void> {
  const hive = await src.resolve('Windows/System32/config/SOFTWARE');
  if (hive !== null) d.configFiles.softwareHive = hive;
  if (appHostRel !== null) d.configFiles.appHost = appHostRel;
  const site = await src.resolve('inetpub/wwwroot/web.config');
  if (site !== null) d.configFiles.webConfigs.push(site);
  if (installRel === undefined) return;
  const hp = await src.resolve(installRel ? `${installRel}/FrontEnd/HttpProxy` : 'FrontEnd/HttpProxy');
  if (hp === null) return;
  for (const e of (await src.list(hp)) ?? []) {
    if (e.type !== 'dir') continue;
    const wc = await src.resolve(`${e.rel}/web.config`);
    if (wc !== null) d.configFiles.webConfigs.push(wc);
  }
}
