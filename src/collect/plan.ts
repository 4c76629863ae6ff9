/**
 * What a collection copies: exactly what `exhunt scan` reads, taken from the same discovery (logs, event
 * logs, the artefact folders it inventories, web folders, configs, ExSetup.exe), plus the user's extra
 * paths. Planning only lists; nothing is opened for reading yet.
 */
import { basename, isAbsolute, relative, resolve, sep } from 'node:path';
import { EvidenceSource } from '../evidence/source.js';
import type { Discovery } from '../evidence/discovery.js';
import type { CollectCategory, NotCollected } from './manifest.js';
import { COLLECT_DIR } from '../evidence/zip-source.js';

export interface PlannedFile {
  /** Entry name in the archive. */
  name: string;
  /** OS path to read. */
  abs: string;
  size: number;
  category: CollectCategory;
  kind?: string;
}

export interface Plan {
  files: PlannedFile[];
  notCollected: NotCollected[];
  /** Folders to keep as (possibly empty) folder entries. */
  folders: string[];
  bytes: number;
}

/** Top-level folder of extra paths that lie outside the collected root. */
export const EXTRA_DIR = 'exhunt-extra';

/** Configuration files read by people after an incident (and by the scan's discovery). */
const CONFIGS = ['Windows/System32/inetsrv/config/applicationHost.config', 'inetpub/wwwroot/web.config', 'ExchangeSetupLogs/ExchangeSetup.log'];
const INSTALL_CONFIGS = [
  'FrontEnd/HttpProxy/owa/web.config',
  'FrontEnd/HttpProxy/ecp/web.config',
  'FrontEnd/HttpProxy/ews/web.config',
  'FrontEnd/HttpProxy/autodiscover/web.config',
  'FrontEnd/HttpProxy/mapi/web.config',
  'FrontEnd/HttpProxy/oab/web.config',
  'ClientAccess/Owa/web.config',
  'ClientAccess/ecp/web.config',
];

export async function planCollection(src: EvidenceSource, d: Discovery, extras: string[]): Promise<Plan> {
  const plan: Plan = { files: [], notCollected: [], folders: [], bytes: 0 };
  const seen = new Set<string>();
  const add = (name: string, abs: string, size: number, category: CollectCategory, kind?: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    plan.files.push({ name, abs, size, category, ...(kind ? { kind } : {}) });
    plan.bytes += size;
  };
  const skipped = (rel: string, reason: string) => plan.notCollected.push({ path: src.kind === 'file' ? src.root : src.absolute(rel), reason });

  for (const l of d.logs) {
    const name = src.kind === 'file' ? src.fileName : l.rel;
    add(name, src.absolute(l.rel), l.size, l.kind === 'evtx' ? 'event-log' : 'log', l.kind);
  }
  // Files discovery looked at and set aside (empty, not a log format) are copied too: the scan of the
  // archive then reports the same problems. Anything that is not a regular file is listed, not copied.
  if (src.kind === 'folder') {
    for (const p of d.problems) {
      if (!p.path || seen.has(p.path)) continue;
      let info = null;
      try {
        info = await src.info(p.path);
      } catch {
        info = null;
      }
      if (info?.type === 'file') add(p.path, src.absolute(p.path), info.size, 'log');
      else skipped(p.path, p.reason);
    }
  }

  const walkInto = async (root: string, category: CollectCategory): Promise<void> => {
    for await (const e of src.walk(root, { maxDepth: 24, onSkip: (p, r) => skipped(p, r) })) add(e.rel, src.absolute(e.rel), e.size, category);
  };
  for (const r of d.inventoryRoots) await walkInto(r.rel, 'file-artefact');
  // Web folders the web-shell scan reads (IIS virtual directories, aspnet_client, owa/ecp auth, Temporary ASP.NET Files).
  for (const w of d.webRoots) await walkInto(w.rel, 'web-file');

  if (src.kind === 'folder') {
    const inInstall = d.installRel !== undefined ? INSTALL_CONFIGS.map((c) => (d.installRel ? `${d.installRel}/${c}` : c)) : [];
    const cf = d.configFiles;
    // The SOFTWARE hive (installed build, from the registry) and the IIS configs discovery found.
    const found = [...(cf.softwareHive ? [cf.softwareHive] : []), ...(cf.appHost ? [cf.appHost] : []), ...cf.webConfigs];
    for (const c of [...found, ...CONFIGS, ...inInstall]) {
      const rel = await src.resolve(c);
      const info = rel ? await src.info(rel) : null;
      if (rel && info?.type === 'file') add(rel, src.absolute(rel), info.size, 'config');
    }
    if (d.installRel !== undefined) {
      const rel = await src.resolve(d.installRel ? `${d.installRel}/Bin/ExSetup.exe` : 'Bin/ExSetup.exe');
      const info = rel ? await src.info(rel) : null;
      if (rel && info?.type === 'file') add(rel, src.absolute(rel), info.size, 'exsetup');
    }
  }

  // Extra paths: kept at their place under the root, else under exhunt-extra/<n>-<name>/.
  let k = 0;
  for (const extra of extras) {
    k++;
    const abs = resolve(extra);
    const rel = src.kind === 'folder' ? relative(src.root, abs) : '..';
    const inside = rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
    const prefix = inside ? rel.split(sep).filter(Boolean).join('/') : `${EXTRA_DIR}/${k}-${basename(abs) || 'root'}`;
    if (prefix === COLLECT_DIR || prefix.startsWith(`${COLLECT_DIR}/`)) {
      plan.notCollected.push({ path: abs, reason: `${COLLECT_DIR}/ is reserved for the manifest` });
      continue;
    }
    let xs: EvidenceSource;
    try {
      xs = await EvidenceSource.open(abs, { archive: false });
    } catch (err) {
      plan.notCollected.push({ path: abs, reason: (err as Error).message });
      continue;
    }
    if (xs.kind === 'file') {
      const info = await xs.info('');
      add(inside ? prefix : `${prefix}`, abs, info?.size ?? 0, 'extra');
      continue;
    }
    for await (const e of xs.walk('', { maxDepth: 64, onSkip: (p, r) => plan.notCollected.push({ path: xs.absolute(p), reason: r }) })) {
      add(prefix ? `${prefix}/${e.rel}` : e.rel, xs.absolute(e.rel), e.size, 'extra');
    }
  }

  // Folders seen by discovery, so "the folder exists but is empty" reads the same from the archive.
  if (src.kind === 'folder') plan.folders = src.listedFolders().filter((f) => f !== '').sort();
  return plan;
}
