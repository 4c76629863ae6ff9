import { compareVersions, cuOfVersion, loadBuildKnowledge, sameLine, tryParseVersion, type BuildEntry, type BuildKnowledge, type ProductId } from '../../detect/build/index.js';
import type { InstalledUpdate } from './exchange.js';

/** An installed-update record matched to a row of the build table. */
export interface MatchedUpdate {
  kb: string;
  name: string;
  /** The SU build this KB brings to the server's CU. */
  build: string;
  su: string;
  cu: string;
  product: ProductId;
}

export interface InstalledUpdateBuild {
  /** The highest build the installed SUs imply for the server's CU (undefined when none matched). */
  build?: string;
  /** The record that implies it. */
  from?: MatchedUpdate;
  matched: MatchedUpdate[];
  /** Records with a KB the table does not list for this CU (names kept for the report). */
  unmatched: string[];
}

const PRODUCT_BY_YEAR: Record<string, ProductId> = { '2013': 'Exchange2013', '2016': 'Exchange2016', '2019': 'Exchange2019' };

/** `Exchange Server 2019 CU11` in a package name → product and CU (bounded input, plain patterns). */
function productAndCu(name: string): { product?: ProductId; cu?: string } {
  const s = name.slice(0, 300);
  const y = /Exchange(?: Server)? (2013|2016|2019)/i.exec(s);
  const c = /\b(CU\d{1,2}|RTM|SP1)\b/i.exec(s);
  return { ...(y ? { product: PRODUCT_BY_YEAR[y[1]!]! } : {}), ...(c ? { cu: c[1]!.toUpperCase() } : {}) };
}

/**
 * The build the installed security updates imply. Each record's KB is looked up in the build table, on the server's
 * CU (from `base`, the ExSetup or Setup-key build) or, without one, the product and CU its name states. The highest
 * such SU build counts: SUs are cumulative within a CU, so it carries every earlier SU's fixes.
 */
export function buildFromInstalledUpdates(updates: readonly InstalledUpdate[], base?: string, k: BuildKnowledge = loadBuildKnowledge()): InstalledUpdateBuild {
  const out: InstalledUpdateBuild = { matched: [], unmatched: [] };
  const v = base ? tryParseVersion(base) : undefined;
  const cuMatch = v ? cuOfVersion(v, k) : undefined;
  for (const u of updates) {
    if (!u.kb) continue;
    const named = productAndCu(u.name);
    let rows: BuildEntry[] = k.table.builds.filter((b) => b.kb === u.kb && b.su !== null);
    if (cuMatch) rows = rows.filter((b) => sameLine(b.product, cuMatch.product) && b.product === cuMatch.cu.product && b.cu === cuMatch.cu.cu);
    else if (named.product) rows = rows.filter((b) => b.product === named.product && (!named.cu || b.cu === named.cu || b.cuAlias === named.cu));
    else rows = [];
    const best = rows.sort((a, b) => compareVersions(a.version, b.version)).pop();
    if (!best) {
      out.unmatched.push(u.name);
      continue;
    }
    const m: MatchedUpdate = { kb: u.kb, name: u.name, build: best.version, su: best.su!, cu: best.cu, product: best.product };
    out.matched.push(m);
    if (!out.build || compareVersions(best.version, out.build) > 0) {
      out.build = best.version;
      out.from = m;
    }
  }
  return out;
}
