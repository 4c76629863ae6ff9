import type { EvidenceSource } from '../../evidence/source.js';
import type { WebRoot } from './walk.js';

export interface WebRootInput {
  /** Exchange install folder relative to the evidence root, and as Windows wrote it (trailing backslash). */
  installRel?: string;
  installPath?: string;
  /** Physical paths of IIS virtual directories (applicationHost.config), environment variables expanded. */
  vdirPaths: string[];
  /** No known layout: the whole evidence folder is scanned as web files. */
  bareFolder: boolean;
}

function stripDrive(p: string): string {
  return p.replace(/^[a-z]:[\\/]?/i, '');
}

/**
 * Every folder an Exchange web shell can live in: the default site (wwwroot, aspnet_client), the Exchange
 * front end and back end (owa\auth, ecp\auth, OAB, every ClientAccess application), every physical path
 * IIS maps a virtual directory to, and the Temporary ASP.NET Files of every .NET version. Nested roots are
 * dropped (their files are walked once, under the outer root).
 */
export async function findWebRoots(src: EvidenceSource, input: WebRootInput): Promise<WebRoot[]> {
  const roots: WebRoot[] = [];
  const add = async (path: string, windowsPrefix: string, why: string): Promise<void> => {
    const rel = await src.resolve(path);
    if (rel !== null) roots.push({ rel, windowsPrefix: windowsPrefix.replace(/\\+$/, ''), why });
  };
  if (input.bareFolder) return [{ rel: '', windowsPrefix: '', why: 'evidence folder without a Windows layout', bare: true }];
  await add('inetpub/wwwroot', 'C:\\inetpub\\wwwroot', 'IIS default web site (incl. aspnet_client)');
  if (input.installRel !== undefined) {
    const base = input.installPath ?? 'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\';
    const join = (p: string) => (input.installRel ? `${input.installRel}/${p}` : p);
    await add(join('FrontEnd/HttpProxy'), `${base}FrontEnd\\HttpProxy`, 'Exchange front end (owa\\auth, ecp\\auth, OAB)');
    await add(join('ClientAccess'), `${base}ClientAccess`, 'Exchange back end (ClientAccess, incl. OAB)');
  }
  for (const p of input.vdirPaths) {
    // The evidence is the system drive: a folder on another drive (E:\\Web) is not in it, and must not be
    // mistaken for a same-named folder of C:.
    if (p.length > 1024 || !/^c:\\/i.test(p)) continue;
    await add(stripDrive(p), p, 'IIS virtual directory (applicationHost.config)');
  }
  for (const fw of ['Framework64', 'Framework']) {
    const base = await src.resolve(`Windows/Microsoft.NET/${fw}`);
    if (base === null) continue;
    for (const e of (await src.list(base)) ?? []) {
      if (e.type !== 'dir' || !/^v\d/i.test(e.name)) continue;
      await add(`${e.rel}/Temporary ASP.NET Files`, `C:\\Windows\\Microsoft.NET\\${fw}\\${e.name}\\Temporary ASP.NET Files`, 'Temporary ASP.NET Files (compiled pages)');
    }
  }
  // Outer roots first; a root inside another is walked as part of it.
  roots.sort((a, b) => a.rel.length - b.rel.length || a.rel.localeCompare(b.rel));
  const kept: WebRoot[] = [];
  for (const r of roots) {
    const lower = r.rel.toLowerCase();
    if (kept.some((k) => k.rel === '' || lower === k.rel.toLowerCase() || lower.startsWith(`${k.rel.toLowerCase()}/`))) continue;
    kept.push(r);
  }
  return kept;
}
