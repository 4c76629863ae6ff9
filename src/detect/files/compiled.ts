/**
 * Temporary ASP.NET Files: ASP.NET compiles every page it serves into `App_Web_*.dll` and leaves a
 * `<page>.<hash>.compiled` XML note naming the page's virtual path. A shell that was deleted from disk
 * still shows here (BSI, March 2021). These helpers read the page a compiled artefact came from — bounded,
 * linear scans, no regex over the file's bytes.
 */

/** The `virtualPath` attribute of a `.compiled` preservation file (`/aspnet_client/system_web/x.aspx`). */
export function compiledVirtualPath(bytes: Uint8Array): string | undefined {
  const text = Buffer.from(bytes.subarray(0, 64 * 1024)).toString('utf8');
  const key = 'virtualPath="';
  const i = text.indexOf(key);
  if (i < 0) return undefined;
  const end = text.indexOf('"', i + key.length);
  if (end < 0 || end - i > 2048) return undefined;
  return text.slice(i + key.length, end);
}

const PAGE_SUFFIXES = ['_aspx', '_ashx', '_asmx'];

function isIdent(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x5f;
}

/**
 * Generated page class names in a compiled assembly's metadata (`aspnet_client_system_web_x_aspx`,
 * `auth_logon_aspx`): ASCII identifier runs ending in `_aspx`/`_ashx`/`_asmx`. At most `max` distinct names.
 */
export function pageClassNames(bytes: Uint8Array, max = 64): string[] {
  const out = new Set<string>();
  let start = -1;
  for (let i = 0; i <= bytes.length; i++) {
    const b = i < bytes.length ? bytes[i]! : 0;
    if (isIdent(b)) {
      if (start < 0) start = i;
      continue;
    }
    if (start >= 0) {
      const len = i - start;
      if (len > 5 && len <= 256) {
        const s = Buffer.from(bytes.subarray(start, i)).toString('latin1');
        const lower = s.toLowerCase();
        if (PAGE_SUFFIXES.some((x) => lower.endsWith(x)) && !lower.startsWith('_')) {
          out.add(s);
          if (out.size >= max) break;
        }
      }
      start = -1;
    }
  }
  return [...out];
}

/**
 * The site-relative page a class name or virtual path stands for, as a Windows-like path that `placeOf`
 * classifies: `/aspnet_client/x.aspx` → `inetpub\wwwroot\aspnet_client\x.aspx`; `/owa/auth/x.aspx` and the
 * class `auth_x_aspx` → `FrontEnd\HttpProxy\owa\auth\x.aspx`. Undefined when it names no shell place.
 */
export function pageLocation(ref: string): string | undefined {
  let p = ref.trim();
  if (p.startsWith('~')) p = p.slice(1);
  if (p.startsWith('/')) {
    const parts = p.split('/').filter(Boolean);
    if (!parts.length) return undefined;
    const lower = parts.map((x) => x.toLowerCase());
    if (lower[0] === 'aspnet_client') return `inetpub\\wwwroot\\${parts.join('\\')}`;
    if ((lower[0] === 'owa' || lower[0] === 'ecp') && lower[1] === 'auth') return `FrontEnd\\HttpProxy\\${parts.join('\\')}`;
    if (lower[0] === 'oab') return `FrontEnd\\HttpProxy\\${parts.join('\\')}`;
    if (parts.length === 1) return `inetpub\\wwwroot\\${parts[0]}`;
    return undefined;
  }
  // A class name: underscores stand for both `/` and `.`; only the folder prefixes are unambiguous.
  const lower = p.toLowerCase();
  const suffix = PAGE_SUFFIXES.find((x) => lower.endsWith(x));
  if (!suffix) return undefined;
  const page = (rest: string): string => `${rest.slice(0, rest.length - suffix.length)}.${suffix.slice(1)}`;
  if (lower.startsWith('aspnet_client_system_web_')) return `inetpub\\wwwroot\\aspnet_client\\system_web\\${page(p.slice(25))}`;
  if (lower.startsWith('aspnet_client_')) return `inetpub\\wwwroot\\aspnet_client\\${page(p.slice(14))}`;
  if (lower.startsWith('auth_')) return `FrontEnd\\HttpProxy\\owa\\auth\\${page(p.slice(5))}`;
  return undefined;
}
