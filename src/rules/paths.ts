/**
 * Windows path comparison for `exhunt.where` (under / not under the Exchange install folder).
 *
 * Exchange and IIS logs write paths in many shapes: quoted (`'C:\Program Files\...'`), with `/`,
 * with doubled separators, with `..` segments (the ProxyLogon OAB trick writes
 * `...\V15\FrontEnd\HttpProxy\owa\auth\..\..\..\..\..\inetpub\wwwroot\aspnet_client\x.aspx`), in any
 * case. Both sides are normalised the same way before a prefix test.
 */

/** Lower-cased, `\`-separated, quotes and whitespace trimmed, `.`/`..` resolved, no trailing `\`. */
export function normaliseWindowsPath(p: string): string {
  let s = p.trim();
  // Quotes around the path, possibly nested ('"C:\x"') or unbalanced when a log cut the value.
  // (Index loops, not `/['"\s]+$/`: that regex is quadratic on long inner runs of spaces.)
  let a = 0;
  let b = s.length;
  const junk = (c: string): boolean => c === "'" || c === '"' || c === ' ' || c === '\t';
  while (a < b && junk(s[a]!)) a++;
  while (b > a && junk(s[b - 1]!)) b--;
  s = s.slice(a, b);
  s = s.replace(/\//g, '\\').toLowerCase();
  const unc = s.startsWith('\\\\');
  const parts = s.split('\\');
  const out: string[] = [];
  for (const part of parts) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      // Never climb above the drive or UNC share root.
      if (out.length > (unc ? 2 : 1)) out.pop();
      continue;
    }
    out.push(part);
  }
  return (unc ? '\\\\' : '') + out.join('\\');
}

/** Is `path` equal to or below `dir`? Both are normalised here. */
export function isUnder(path: string, dir: string): boolean {
  const p = normaliseWindowsPath(path);
  const d = normaliseWindowsPath(dir);
  if (d === '') return false;
  return p === d || p.startsWith(d + '\\');
}

/**
 * Is `path` under `<install>\<subpath>`? With the install path unknown, falls back to finding
 * `\exchange server\v15\<subpath>` or `\exchange server\v14\<subpath>` anywhere in the path (the
 * default layout on any drive or program-files folder).
 */
export function isUnderInstall(path: string, subpath: string, installPath: string | undefined): boolean {
  const sub = normaliseWindowsPath(subpath);
  if (installPath !== undefined && installPath.trim() !== '') {
    const base = normaliseWindowsPath(installPath);
    return isUnder(path, sub ? `${base}\\${sub}` : base);
  }
  const p = normaliseWindowsPath(path) + '\\';
  for (const v of ['\\exchange server\\v15\\', '\\exchange server\\v14\\']) {
    const needle = sub ? `${v}${sub}\\` : v;
    if (p.includes(needle)) return true;
  }
  return false;
}
