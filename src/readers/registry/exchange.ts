import { Hive, RegistryError, valueNumber, valueText, type HiveKey } from './hive.js';

/** One installed Exchange update as the SOFTWARE hive records it. */
export interface InstalledUpdate {
  /** `Exchange 2019` (from `Microsoft\Updates\Exchange 2019`), or undefined for an Uninstall entry. */
  product?: string;
  /** PackageName / DisplayName, e.g. `Security Update for Exchange Server 2019 CU11 (KB5007409)`. */
  name: string;
  /** `KB5007409`, when the name or key carries one. */
  kb?: string;
  /** InstalledDate as written (`M/d/yyyy`) or InstallDate (`yyyyMMdd`). */
  installedDate?: string;
  /** Registry path of the record (below the hive root). */
  source: string;
}

export interface ExchangeSetup {
  /** `MsiProductMajor.MsiProductMinor.MsiBuildMajor.MsiBuildMinor` (what EOMT reads: the CU, not the SU level). */
  version?: string;
  installPath?: string;
  owaVersion?: string;
  /** When the Setup key was last written (setup of a CU rewrites it). */
  lastWritten?: string;
}

export interface ExchangeRegistry {
  setup?: ExchangeSetup;
  updates: InstalledUpdate[];
  /** Parts of the hive that could not be read (damaged cells), each skipped. */
  problems: string[];
  /** The hive's sequence numbers differ: changes may sit in SOFTWARE.LOG1/LOG2, which are not applied. */
  dirty: boolean;
}

const SETUP = 'Microsoft\\ExchangeServer\\v15\\Setup';
const UPDATES = ['Exchange 2013', 'Exchange 2016', 'Exchange 2019'];
const UNINSTALL = 'Microsoft\\Windows\\CurrentVersion\\Uninstall';
const MAX_RECORDS = 2000;

/** `KB5007409` from an update's name or key (bounded input; a plain scan, no backtracking). */
export function kbOf(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const m = /KB(\d{6,8})(?!\d)/i.exec(text.slice(0, 512));
  return m ? `KB${m[1]}` : undefined;
}

function clean(s: string | undefined, max = 300): string | undefined {
  if (s === undefined) return undefined;
  const t = s.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  return t ? t.slice(0, max) : undefined;
}

/**
 * What the SOFTWARE hive says about Exchange: the Setup key (install path, CU build) and the installed-update records
 * under `Microsoft\Updates\Exchange 20xx` (HealthChecker) and the Uninstall entries named `Security Update for Exchange
 * Server…` (EOMT). A damaged part is skipped and listed in `problems`; a hive that is not one throws RegistryError.
 */
export function readExchangeRegistry(hive: Hive): ExchangeRegistry {
  const r: ExchangeRegistry = { updates: [], problems: [], dirty: hive.dirty };
  const guard = <T>(what: string, f: () => T): T | undefined => {
    try {
      return f();
    } catch (e) {
      if (!(e instanceof RegistryError)) throw e;
      r.problems.push(`${what}: ${e.message}`);
      return undefined;
    }
  };
  const root = hive.root();

  guard(SETUP, () => {
    const k = hive.open(SETUP, root);
    if (!k) return;
    const n = (name: string) => valueNumber(hive.value(k, name));
    const parts = [n('MsiProductMajor'), n('MsiProductMinor'), n('MsiBuildMajor'), n('MsiBuildMinor')];
    const s: ExchangeSetup = {};
    if (parts.every((p) => p !== undefined)) s.version = parts.join('.');
    const path = clean(valueText(hive.value(k, 'MsiInstallPath')), 1024);
    if (path) s.installPath = path;
    const owa = clean(valueText(hive.value(k, 'OwaVersion')), 40);
    if (owa) s.owaVersion = owa;
    if (k.lastWritten) s.lastWritten = k.lastWritten.toISOString();
    r.setup = s;
  });

  for (const product of UPDATES) {
    const path = `Microsoft\\Updates\\${product}`;
    guard(path, () => {
      const k = hive.open(path, root);
      if (k) collectUpdates(hive, k, path, product, 0, r);
    });
  }

  guard(UNINSTALL, () => {
    const k = hive.open(UNINSTALL, root);
    if (!k) return;
    for (const sub of hive.subkeys(k)) {
      if (r.updates.length >= MAX_RECORDS) break;
      guard(`${UNINSTALL}\\${sub.name}`, () => {
        const name = clean(valueText(hive.value(sub, 'DisplayName')));
        if (!name || !name.toLowerCase().startsWith('security update for exchange server')) return;
        const kb = kbOf(name) ?? kbOf(sub.name);
        // The same update is usually listed under Updates too: one record per KB.
        if (kb && r.updates.some((u) => u.kb === kb)) return;
        const date = clean(valueText(hive.value(sub, 'InstallDate')), 40);
        r.updates.push({ name, ...(kb ? { kb } : {}), ...(date ? { installedDate: date } : {}), source: `${UNINSTALL}\\${sub.name}` });
      });
    }
  });
  return r;
}

/** Keys with a PackageName below `Updates\Exchange 20xx` (one or two levels down), bounded. */
function collectUpdates(hive: Hive, key: HiveKey, path: string, product: string, depth: number, r: ExchangeRegistry): void {
  if (depth > 3 || r.updates.length >= MAX_RECORDS) return;
  for (const sub of hive.subkeys(key)) {
    if (r.updates.length >= MAX_RECORDS) return;
    const subPath = `${path}\\${sub.name}`;
    try {
      const pkg = clean(valueText(hive.value(sub, 'PackageName')));
      if (pkg) {
        const kb = kbOf(pkg) ?? kbOf(sub.name);
        const date = clean(valueText(hive.value(sub, 'InstalledDate')), 40);
        r.updates.push({ product, name: pkg, ...(kb ? { kb } : {}), ...(date ? { installedDate: date } : {}), source: subPath });
      }
      if (sub.subkeyCount) collectUpdates(hive, sub, subPath, product, depth + 1, r);
    } catch (e) {
      if (!(e instanceof RegistryError)) throw e;
      r.problems.push(`${subPath}: ${e.message}`);
    }
  }
}

/** Open a SOFTWARE hive file and read the Exchange facts; the file is closed before returning. */
export function readExchangeRegistryFile(path: string): ExchangeRegistry {
  const hive = Hive.openFile(path);
  try {
    return readExchangeRegistry(hive);
  } finally {
    hive.close();
  }
}
