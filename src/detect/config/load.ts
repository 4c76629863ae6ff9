import type { EvidenceSource } from '../../evidence/source.js';
import type { ConfigFileInput, IisConfigInput } from './verify.js';
import { attr, kids, parseConfigXml, path, MAX_CONFIG_BYTES, type XNode } from './xml.js';

/** Where discovery found IIS config files (evidence-relative paths). */
export interface ConfigLocations {
  appHost?: string;
  /** Candidate web.config files: the site root (`inetpub/wwwroot/web.config`) and `FrontEnd/HttpProxy/<vdir>/web.config`. */
  webConfigs: string[];
}

async function readText(src: EvidenceSource, rel: string): Promise<ConfigFileInput> {
  try {
    const info = await src.info(rel);
    if (info && info.size > MAX_CONFIG_BYTES) return { path: rel, error: `larger than ${MAX_CONFIG_BYTES} bytes; not read` };
    const head = await src.head(rel, MAX_CONFIG_BYTES + 1);
    const b = Buffer.from(head);
    // IIS writes UTF-8; a UTF-16 file (BOM FF FE) is read as such rather than reported as garbage.
    const text = b[0] === 0xff && b[1] === 0xfe ? b.subarray(2).toString('utf16le') : b.toString('utf8');
    return { path: rel, text };
  } catch (e) {
    return { path: rel, error: `cannot read: ${(e as Error).message}` };
  }
}

/** The Default Web Site's root folder as applicationHost.config maps it, e.g. `%SystemDrive%\inetpub\wwwroot`. */
function sitePhysicalPath(doc: XNode, site: string): string | undefined {
  for (const s of path(doc, 'system.applicationHost/sites/site')) {
    if ((attr(s, 'name') ?? '').toLowerCase() !== site.toLowerCase()) continue;
    for (const app of kids(s, 'application')) {
      if ((attr(app, 'path') ?? '') !== '/') continue;
      for (const vd of kids(app, 'virtualDirectory')) if ((attr(vd, 'path') ?? '') === '/') return attr(vd, 'physicalPath');
    }
  }
  return undefined;
}

function toRel(winPath: string): string {
  return winPath
    .replace(/%SystemDrive%/gi, 'C:')
    .replace(/^[a-z]:[\\/]?/i, '')
    .replace(/\\/g, '/');
}

/**
 * Read the config files discovery found into verifier input: applicationHost.config, the Default Web Site's web.config
 * (from the site's physicalPath in applicationHost.config, else `inetpub/wwwroot`), and each HttpProxy virtual
 * directory's web.config. Unreadable files are passed on with their error (the verifier then says `unknown`).
 */
export async function loadIisConfigs(src: EvidenceSource, loc: ConfigLocations, siteName = 'Default Web Site'): Promise<IisConfigInput> {
  const input: IisConfigInput = { siteName, children: [] };
  let siteRel: string | null = null;
  if (loc.appHost) {
    input.appHost = await readText(src, loc.appHost);
    if (input.appHost.text !== undefined) {
      try {
        const p = sitePhysicalPath(parseConfigXml(input.appHost.text), siteName);
        if (p && p.length < 1024) siteRel = await src.resolve(`${toRel(p)}/web.config`);
      } catch {
        // The verifier reports the parse error; the default site folder is still tried below.
      }
    }
  }
  const lower = (s: string) => s.toLowerCase();
  for (const rel of loc.webConfigs) {
    const parts = rel.split('/');
    const i = parts.map(lower).lastIndexOf('httpproxy');
    if (i >= 0 && i === parts.length - 3) {
      input.children!.push({ ...(await readText(src, rel)), vdir: parts[parts.length - 2]! });
    } else if (siteRel === null && lower(rel).endsWith('inetpub/wwwroot/web.config')) siteRel = rel;
  }
  if (siteRel) input.siteWebConfig = await readText(src, siteRel);
  return input;
}
